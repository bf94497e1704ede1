import { addDays, fromScore, localDateOf, TimeOfDay, toScore } from './local-time.js';
import { ZoneClock, zoneClock } from './zone-clock.js';

/** The local times of one local date whose occurrences fall in a UTC window. */
export interface LocalRange {
  readonly localDate: string;
  /** First and last matching time of day as ZSET scores (HHMM), both inclusive. */
  readonly fromScore: number;
  readonly toScore: number;
}

const MINUTE_MS = 60_000;
const MINUTES_PER_DAY = 1440;

/**
 * The local `HHMM` ranges, per local date, of every occurrence whose instant lies in
 * `[from, to)` in `timezone`, by SPEC 4's DST rules. A window over local midnight gives two
 * ranges; one inside a spring-forward gap's instant includes the skipped times; the later
 * copy of a fall-back overlap is left out, since those times occur at the earlier instant.
 */
export function localRanges(timezone: string, from: Date, to: Date): LocalRange[] {
  if (to.getTime() <= from.getTime()) return [];
  // Every tick asks this of every zone: its offsets come memoised, not from Intl each time.
  const clock = zoneClock(timezone);
  const probes = [from.getTime() - 1, from.getTime(), to.getTime() - 1, to.getTime()];
  const offsets = probes.map((instant) => clock.offsetAt(instant) * MINUTE_MS);
  const firstWall = Math.floor((from.getTime() + Math.min(...offsets)) / MINUTE_MS) * MINUTE_MS;
  const lastWall = to.getTime() + Math.max(...offsets);
  const ranges: LocalRange[] = [];
  const lastDate = wallDate(lastWall);
  for (let date = wallDate(firstWall); date <= lastDate; date = addDays(date, 1)) {
    const range = rangeOn(date, clock, from, to, clampToDate(date, firstWall, lastWall));
    if (range) ranges.push(range);
  }
  return ranges;
}

/** Minutes of `date` between the wall-clock bounds, as [first, end) minutes of the day. */
function clampToDate(date: string, firstWall: number, lastWall: number): [number, number] {
  const midnight = Date.parse(`${date}T00:00:00Z`);
  const first = Math.max(0, Math.floor((firstWall - midnight) / MINUTE_MS));
  const end = Math.min(MINUTES_PER_DAY, Math.floor((lastWall - midnight) / MINUTE_MS) + 1);
  return [first, end];
}

function rangeOn(
  date: string,
  clock: ZoneClock,
  from: Date,
  to: Date,
  [first, end]: [number, number],
): LocalRange | null {
  const at = (minute: number) => clock.instantOf(date, timeOf(minute));
  const lower = firstMinuteAtOrAfter(at, first, end, from.getTime());
  const upper = firstMinuteAtOrAfter(at, lower, end, to.getTime());
  if (lower >= upper) return null;
  return {
    localDate: date,
    fromScore: toScore(timeOf(lower)),
    toScore: toScore(timeOf(upper - 1)),
  };
}

/** Occurrence instants grow with the time of day, so a binary search finds the boundary. */
function firstMinuteAtOrAfter(
  at: (minute: number) => number,
  first: number,
  end: number,
  instant: number,
): number {
  if (first >= end || at(first) >= instant) return first;
  if (at(end - 1) < instant) return end;
  let below = first;
  let above = end - 1;
  while (above - below > 1) {
    const middle = (below + above) >> 1;
    if (at(middle) >= instant) above = middle;
    else below = middle;
  }
  return above;
}

function timeOf(minuteOfDay: number): TimeOfDay {
  return { hour: Math.floor(minuteOfDay / 60), minute: minuteOfDay % 60 };
}

function wallDate(wall: number): string {
  return localDateOf(new Date(wall), 'UTC');
}

/** The range cut into consecutive ranges of at most `maxMinutes` local minutes each. */
export function splitRange<R extends LocalRange>(range: R, maxMinutes: number): R[] {
  const pieces: R[] = [];
  const last = minuteOfDay(range.toScore);
  for (let first = minuteOfDay(range.fromScore); first <= last; first += maxMinutes) {
    const end = Math.min(first + maxMinutes - 1, last);
    pieces.push({ ...range, fromScore: toScore(timeOf(first)), toScore: toScore(timeOf(end)) });
  }
  return pieces;
}

function minuteOfDay(score: number): number {
  const { hour, minute } = fromScore(score);
  return hour * 60 + minute;
}
