import { parseHHMM, TimeOfDay, WEEKDAYS } from './local-time.js';
import { Policy } from './policy.js';
import { plusDays, weekdayIndexOf, ZoneClock, zoneClock } from './zone-clock.js';

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
  readonly from: TimeOfDay;
  readonly to: TimeOfDay;
  /** Whether `to` falls on the day after the day the window starts. */
  readonly overnight: boolean;
  /** By weekday index, Monday 0: whether the window starts that day. */
  readonly startsOn: readonly boolean[];
}

/** Every quiet window is within 25 hours of its start day: these start days can cover an instant. */
const START_DAYS_AROUND = [-2, -1, 0, 1];
/** Windows repeat weekly: a chain of them longer than two weeks goes on for ever. */
const HORIZON_MS = 15 * 86_400_000;
const DATES_PER_POLICY = 1_000;

/** Why the instant is quiet under the policy: `[]` when it is not. */
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
  const today = clock.localDateOf(instant);
  let end: number | null = null;
  for (const days of START_DAYS_AROUND) {
    for (const { start, end: stop } of intervalsStartingOn(policy, clock, plusDays(today, days))) {
      if (start <= instant && instant < stop && (end === null || stop > end)) end = stop;
    }
  }
  return end;
}

/** A policy's windows and intervals, worked out once per policy object and local date. */
const memos = new WeakMap<Policy, { windows: LocalWindow[]; byDate: Map<string, Interval[]> }>();

function intervalsStartingOn(policy: Policy, clock: ZoneClock, localDate: string): Interval[] {
  const memo = memoOf(policy);
  let intervals = memo.byDate.get(localDate);
  if (!intervals) {
    const weekday = weekdayIndexOf(localDate);
    intervals = memo.windows
      .filter((window) => window.startsOn[weekday])
      .map(({ from, to, overnight }) => ({
        start: clock.instantOf(localDate, from),
        end: clock.instantOf(overnight ? plusDays(localDate, 1) : localDate, to),
      }))
      .filter(({ start, end }) => start < end);
    if (memo.byDate.size >= DATES_PER_POLICY) memo.byDate.clear();
    memo.byDate.set(localDate, intervals);
  }
  return intervals;
}

function memoOf(policy: Policy) {
  let memo = memos.get(policy);
  if (!memo) {
    memo = { windows: policy.quietHours.map(localWindow), byDate: new Map() };
    memos.set(policy, memo);
  }
  return memo;
}

function localWindow({ from, to, days }: Policy['quietHours'][number]): LocalWindow {
  const [start, end] = [parseHHMM(from), parseHHMM(to)];
  return {
    from: start,
    to: end,
    overnight: end.hour * 60 + end.minute < start.hour * 60 + start.minute,
    startsOn: WEEKDAYS.map((day) => days.includes(day)),
  };
}
