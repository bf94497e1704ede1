import { instantOf, parseHHMM, TimeOfDay, Weekday, WEEKDAYS, weekdayOf } from './local-time.js';
import { DEFAULT_DST, DstChoice, resolveLocalTime } from './dst.js';
import { DAY_MS, dateOfWall, weekdayIndexOfDay, zoneClock } from './zone-clock.js';
import type { DueOccurrence } from './occurrence.js';
import { Subscription, SubscriptionFields } from './subscription.js';

const MINUTE_MS = 60_000;

/** When a subscription fires: a local time on some local weekdays in one IANA zone. */
export interface Schedule {
  readonly time: TimeOfDay;
  readonly timezone: string;
  readonly days: readonly Weekday[];
  /** What a time in a DST gap or overlap does; absent is SPEC 4's default (shift, first). */
  readonly dst?: DstChoice;
}

export interface Occurrence {
  /** The local calendar date, `YYYY-MM-DD`, that the occurrence belongs to. */
  readonly localDate: string;
  readonly instant: Date;
}

/** The schedule a subscription states: its `time` parsed once, here. */
export function scheduleOf({
  time,
  timezone,
  days,
  dst,
}: SubscriptionFields & { readonly dst?: DstChoice }): Schedule {
  const stated = dst && (dst.gap !== DEFAULT_DST.gap || dst.overlap !== DEFAULT_DST.overlap);
  return { time: parseHHMM(time), timezone, days, ...(stated && { dst }) };
}

/** Whether two subscriptions' occurrences fall at the same instants (`time`, `timezone`, `days`, `dst`). */
export function sameSchedule(a: SubscriptionFields, b: SubscriptionFields): boolean {
  return (
    a.time === b.time &&
    a.timezone === b.timezone &&
    a.days.join() === b.days.join() &&
    a.dst.gap === b.dst.gap &&
    a.dst.overlap === b.dst.overlap
  );
}

/**
 * The schedule's occurrence on a local date, or null when that weekday is not enabled or its
 * `dst` choice skips a time inside a spring-forward gap.
 */
export function occurrenceOn(schedule: Schedule, localDate: string): Occurrence | null {
  const instant = instantOnDay(schedule, Date.parse(`${localDate}T00:00:00Z`) / DAY_MS);
  return instant === null ? null : { localDate, instant: new Date(instant) };
}

/** The first occurrence at or after `notBefore`; null only when no weekday is enabled. */
export function nextOccurrence(schedule: Schedule, notBefore: Date): Occurrence | null {
  if (schedule.days.length === 0) return null;
  const today = zoneClock(schedule.timezone).localDayOf(notBefore.getTime());
  for (let day = today - 1; day <= today + 8; day++) {
    const instant = instantOnDay(schedule, day);
    if (instant !== null && instant >= notBefore.getTime()) {
      return { localDate: dateOfWall(day * DAY_MS), instant: new Date(instant) };
    }
  }
  return null;
}

/**
 * `occurrenceOn`'s instant (epoch ms) for a local day counted from 1970-01-01: a write's
 * nextRunAt and arming try several days, and dates as numbers spare the strings.
 */
function instantOnDay(schedule: Schedule, day: number): number | null {
  if (!schedule.days.includes(WEEKDAYS[weekdayIndexOfDay(day)])) return null;
  const { time, timezone, dst } = schedule;
  const clock = zoneClock(timezone);
  if (!dst) return clock.instantAtWall(day * DAY_MS + (time.hour * 60 + time.minute) * MINUTE_MS);
  const { instant } = resolveLocalTime(dateOfWall(day * DAY_MS), time, timezone, dst);
  return instant && instant.getTime();
}

/** Like `nextOccurrence`, passing over the local dates in `skipDates`. */
export function nextOccurrenceExcept(
  schedule: Schedule,
  notBefore: Date,
  skipDates: readonly string[],
): Occurrence | null {
  for (let from = notBefore; ;) {
    const next = nextOccurrence(schedule, from);
    if (!next || !skipDates.includes(next.localDate)) return next;
    from = new Date(next.instant.getTime() + 1);
  }
}

/** The schedule's occurrences with instants in [from, until), in order. */
export function occurrencesBetween(schedule: Schedule, from: Date, until: Date): Occurrence[] {
  const occurrences: Occurrence[] = [];
  for (let notBefore = from; ;) {
    const next = nextOccurrence(schedule, notBefore);
    if (!next || next.instant.getTime() >= until.getTime()) return occurrences;
    occurrences.push(next);
    notBefore = new Date(next.instant.getTime() + 1);
  }
}

/**
 * SPEC 4, changes win: the subscription still exists, is active, and is due at this instant
 * (under its `dst` choice, when it states one).
 */
export function stillMatches(
  subscription: Subscription & { readonly dst?: DstChoice },
  occurrence: DueOccurrence,
): boolean {
  const { localDate, scheduledFor } = occurrence;
  if (subscription.paused || !subscription.days.includes(weekdays.get(localDate))) return false;
  const { time, timezone, dst } = subscription;
  const key = `${localDate}|${time}|${timezone}`;
  const instant = dst ? chosenInstants.get(`${key}|${dst.gap}|${dst.overlap}`) : instants.get(key);
  return instant === scheduledFor.getTime();
}

/**
 * SPEC 4, changes win, at send time: `stillMatches`, or due at the instant the default DST
 * rules give that date. The tick scans local times as those rules place them, so an
 * `overlap: 'last'` subscription's occurrence is first claimed at the earlier instant; the
 * delivery worker then hands it on to the later one.
 */
export function stillDue(subscription: Subscription, occurrence: DueOccurrence): boolean {
  if (stillMatches(subscription, occurrence)) return true;
  return stillMatches({ ...subscription, dst: DEFAULT_DST }, occurrence);
}

/**
 * A burst's occurrences share a few dates, times and zones, and luxon's zone arithmetic
 * costs more than the rest of a delivery's checks: each answer is computed once.
 */
class Memo<T> {
  private readonly values = new Map<string, T>();

  constructor(
    private readonly compute: (key: string) => T,
    private readonly capacity = 10_000,
  ) {}

  get(key: string): T {
    let value = this.values.get(key);
    if (value === undefined) {
      if (this.values.size >= this.capacity) this.values.clear();
      value = this.compute(key);
      this.values.set(key, value);
    }
    return value;
  }
}

const weekdays = new Memo<Weekday>(weekdayOf);
const instants = new Memo<number>((key) => {
  const [localDate, time, timezone] = key.split('|');
  return instantOf(localDate, parseHHMM(time), timezone).getTime();
});

/** Like `instants` under a stated DST choice; NaN when the choice skips the date. */
const chosenInstants = new Memo<number>((key) => {
  const [localDate, time, timezone, gap, overlap] = key.split('|');
  const dst = { gap, overlap } as DstChoice;
  const { instant } = resolveLocalTime(localDate, parseHHMM(time), timezone, dst);
  return instant ? instant.getTime() : Number.NaN;
});
