import { LocalRange } from './window.js';
import { dateOfWall, DAY_MS, zoneClock } from './zone-clock.js';

const MINUTE_MS = 60_000;
/** No fall-back in tzdata repeats more than this much of the clock. */
const LONGEST_OVERLAP_MS = 3 * 3_600_000;

/**
 * The local `HHMM` ranges, per local date, of the times whose later instant in a fall-back
 * overlap lies in `[from, to)`: the occurrences of `dst.overlap: 'last'` subscriptions that
 * `localRanges` leaves out, since by default those times occur at the earlier instant. A tick
 * that scans both and keeps each subscription whose own occurrence lies in the window misses
 * none.
 */
export function laterCopyRanges(timezone: string, from: Date, to: Date): LocalRange[] {
  const clock = zoneClock(timezone);
  const changes = clock.changesBetween(from.getTime() - LONGEST_OVERLAP_MS, to.getTime());
  return changes
    .filter(({ before, after }) => after < before)
    .flatMap(({ at, before, after }) => {
      const repeatedUntil = at + (before - after) * MINUTE_MS;
      const start = Math.max(at, from.getTime());
      const end = Math.min(repeatedUntil, to.getTime());
      if (start >= end) return [];
      const offset = after * MINUTE_MS;
      return minuteRanges(
        Math.ceil((start + offset) / MINUTE_MS),
        Math.ceil((end + offset) / MINUTE_MS),
      );
    });
}

/** The wall-clock minutes [first, end), counted from 1970-01-01, as ranges per local date. */
function minuteRanges(first: number, end: number): LocalRange[] {
  const ranges: LocalRange[] = [];
  const perDay = DAY_MS / MINUTE_MS;
  for (let minute = first; minute < end;) {
    const dayEnd = (Math.floor(minute / perDay) + 1) * perDay;
    const last = Math.min(end, dayEnd) - 1;
    ranges.push({
      localDate: dateOfWall(minute * MINUTE_MS),
      fromScore: scoreOf(minute % perDay),
      toScore: scoreOf(last % perDay),
    });
    minute = last + 1;
  }
  return ranges;
}

function scoreOf(minuteOfDay: number): number {
  return Math.floor(minuteOfDay / 60) * 100 + (minuteOfDay % 60);
}
