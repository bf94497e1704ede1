import { parseHHMM, TimeOfDay, WEEKDAYS } from './local-time.js';
import { Policy, QuietWindow } from './policy.js';
import { DAY_MS, weekdayIndexOfDay, ZoneClock, zoneClock } from './zone-clock.js';

/** Why an instant is quiet, in the order the preview lists reasons (SPEC 7). */
export type QuietReason = 'quiet-hours' | 'snoozed';

/** When a held occurrence leaves, and what held it. */
export interface Release {
  /** The first instant outside every quiet window and the snooze; null: none within 15 days. */
  readonly at: Date | null;
  readonly reasons: readonly QuietReason[];
}

interface Interval {
  readonly start: number;
  readonly end: number;
}

interface LocalWindow {
  /** Minutes into the start day, and into the day after for an overnight window. */
  readonly fromMinute: number;
  readonly toMinute: number;
  /** Whether `to` falls on the day after the day the window starts. */
  readonly overnight: boolean;
  /** By weekday index, Monday 0: whether the window starts that day. */
  readonly startsOn: readonly boolean[];
}

/** Every quiet window is within 25 hours of its start day: these start days can cover an instant. */
const START_DAYS_AROUND = [-2, -1, 0, 1];
/** Windows repeat weekly: quiet for more than two weeks on end, a policy is quiet for good. */
const HORIZON_MS = 15 * 86_400_000;
const DAYS_PER_POLICY = 1_000;
const MINUTE_MS = 60_000;

/** Why the instant is quiet under the policy, `[]` when it is not (bounds as in `releaseOf`). */
export function quietReasonsAt(policy: Policy, instant: Date): QuietReason[] {
  const reasons: QuietReason[] = [];
  if (quietEndAt(policy, instant.getTime()) !== null) reasons.push('quiet-hours');
  if (isSnoozed(policy, instant.getTime())) reasons.push('snoozed');
  return reasons;
}

/**
 * The first instant at or after `instant` that is outside every quiet window and the snooze,
 * with the reasons that held it until then. Overlapping and chained windows are followed to
 * the end of the last; a window's `from` and `to` occur as SPEC 4's default DST rules place a
 * local time (a time in a gap at the gap's end, one in an overlap at the earlier instant).
 */
export function releaseOf(policy: Policy, instant: Date): Release {
  const reasons = new Set<QuietReason>();
  let at = instant.getTime();
  if (isSnoozed(policy, at)) {
    at = policy.snoozeUntil!.getTime();
    reasons.add('snoozed');
  }
  const horizon = at + HORIZON_MS;
  for (let end = quietEndAt(policy, at); end !== null; end = quietEndAt(policy, at)) {
    reasons.add('quiet-hours');
    at = end;
    if (at > horizon) return { at: null, reasons: ordered(reasons) };
  }
  return { at: new Date(at), reasons: ordered(reasons) };
}

/** `releaseOf`'s instant: when an occurrence held at `instant` may leave. */
export function releaseAt(policy: Policy, instant: Date): Date | null {
  return releaseOf(policy, instant).at;
}

function isSnoozed(policy: Policy, instant: number): boolean {
  return policy.snoozeUntil !== null && instant < policy.snoozeUntil.getTime();
}

function ordered(reasons: Set<QuietReason>): QuietReason[] {
  return (['quiet-hours', 'snoozed'] as const).filter((reason) => reasons.has(reason));
}

/** The latest end of the quiet intervals that hold `instant`, or null when none does. */
function quietEndAt(policy: Policy, instant: number): number | null {
  if (policy.quietHours.length === 0) return null;
  const clock = zoneClock(policy.timezone);
  const today = clock.localDayOf(instant);
  let end: number | null = null;
  for (const shift of START_DAYS_AROUND) {
    for (const { start, end: stop } of intervalsStartingOn(policy, clock, today + shift)) {
      if (start <= instant && instant < stop && (end === null || stop > end)) end = stop;
    }
  }
  return end;
}

/** A policy's windows and intervals, worked out once per policy object and local day. */
const memos = new WeakMap<Policy, { windows: LocalWindow[]; byDay: Map<number, Interval[]> }>();

/** The quiet intervals of the windows that start on a local day (days from 1970-01-01). */
function intervalsStartingOn(policy: Policy, clock: ZoneClock, day: number): Interval[] {
  const memo = memoOf(policy);
  let intervals = memo.byDay.get(day);
  if (!intervals) {
    const weekday = weekdayIndexOfDay(day);
    const midnight = day * DAY_MS;
    intervals = memo.windows
      .filter((window) => window.startsOn[weekday])
      .map(({ fromMinute, toMinute, overnight }) => ({
        start: clock.instantAtWall(midnight + fromMinute * MINUTE_MS),
        end: clock.instantAtWall(midnight + (overnight ? DAY_MS : 0) + toMinute * MINUTE_MS),
      }))
      .filter(({ start, end }) => start < end);
    if (memo.byDay.size >= DAYS_PER_POLICY) memo.byDay.clear();
    memo.byDay.set(day, intervals);
  }
  return intervals;
}

function memoOf(policy: Policy) {
  let memo = memos.get(policy);
  if (!memo) {
    memo = { windows: policy.quietHours.map(localWindow), byDay: new Map() };
    memos.set(policy, memo);
  }
  return memo;
}

function localWindow({ from, to, days }: QuietWindow): LocalWindow {
  const [fromMinute, toMinute] = [minuteOfDay(parseHHMM(from)), minuteOfDay(parseHHMM(to))];
  return {
    fromMinute,
    toMinute,
    overnight: toMinute < fromMinute,
    startsOn: WEEKDAYS.map((day) => days.includes(day)),
  };
}

function minuteOfDay({ hour, minute }: TimeOfDay): number {
  return hour * 60 + minute;
}
