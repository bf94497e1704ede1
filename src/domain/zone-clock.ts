import { IANAZone } from 'luxon';
import {
  gapEndAfter,
  instantReading,
  instantsReading,
  OffsetAt,
  TimeOfDay,
  wallOf,
} from './local-time.js';

const MINUTE_MS = 60_000;
export const DAY_MS = 86_400_000;
/** Offsets are looked up per stretch of 12 hours: no zone changes its offset twice in one. */
const STRETCH_MS = 12 * 3_600_000;
const CAPACITY = 50_000;

/** An instant at which a zone's offset (minutes east of UTC) changes. */
export interface OffsetChange {
  readonly at: number;
  readonly before: number;
  readonly after: number;
}

/**
 * A zone's clock with its offsets memoised: luxon asks Intl for every offset (microseconds
 * each), and a preview or a quiet-hours check asks for the same few days again and again.
 * Answers equal `local-time.ts`'s, which computes them by the same rules.
 */
export class ZoneClock {
  /** The offset at the start of each stretch, by stretch number. */
  private readonly starts = new Map<number, number>();
  /** The instant the offset changes within a stretch whose ends differ. */
  private readonly changes = new Map<number, number>();
  private readonly zone: IANAZone;
  readonly offsetAt: OffsetAt = (instant) => this.offsetOf(instant);

  constructor(readonly timezone: string) {
    this.zone = IANAZone.create(timezone);
  }

  /** The local date, `YYYY-MM-DD`, at an instant. */
  localDateOf(instant: number): string {
    return dateOfWall(instant + this.offsetOf(instant) * MINUTE_MS);
  }

  /** The local day at an instant, counted in days from 1970-01-01. */
  localDayOf(instant: number): number {
    return Math.floor((instant + this.offsetOf(instant) * MINUTE_MS) / DAY_MS);
  }

  /** `instantOf`: the instant of a local time, gap shifted forward, overlap at the earlier. */
  instantOf(localDate: string, time: TimeOfDay): number {
    return instantReading(wallOf(localDate, time), this.offsetAt);
  }

  /** `instantOf` for a wall-clock reading held as a UTC instant. */
  instantAtWall(wall: number): number {
    return instantReading(wall, this.offsetAt);
  }

  /** Every instant at which the clock reads that local time, ascending (0, 1 or 2). */
  instantsOf(localDate: string, time: TimeOfDay): number[] {
    return instantsReading(wallOf(localDate, time), this.offsetAt);
  }

  /** The first instant after the spring-forward gap that swallows that local time. */
  gapEndAfter(localDate: string, time: TimeOfDay): number {
    return gapEndAfter(wallOf(localDate, time), this.offsetAt);
  }

  /** The instants in [from, to) at which the offset changes, with the offsets either side. */
  changesBetween(from: number, to: number): OffsetChange[] {
    const changes: OffsetChange[] = [];
    for (let stretch = Math.floor(from / STRETCH_MS); stretch * STRETCH_MS < to; stretch++) {
      const [before, after] = [this.startOf(stretch), this.startOf(stretch + 1)];
      if (before === after) continue;
      const at = this.changeIn(stretch, before);
      if (at >= from && at < to) changes.push({ at, before, after });
    }
    return changes;
  }

  private offsetOf(instant: number): number {
    const stretch = Math.floor(instant / STRETCH_MS);
    const first = this.startOf(stretch);
    const next = this.startOf(stretch + 1);
    if (first === next) return first;
    return instant < this.changeIn(stretch, first) ? first : next;
  }

  private startOf(stretch: number): number {
    let offset = this.starts.get(stretch);
    if (offset === undefined) {
      if (this.starts.size >= CAPACITY) this.forget();
      offset = this.zone.offset(stretch * STRETCH_MS);
      this.starts.set(stretch, offset);
    }
    return offset;
  }

  /** The first instant of the stretch at the next stretch's offset, found by bisection. */
  private changeIn(stretch: number, first: number): number {
    let change = this.changes.get(stretch);
    if (change === undefined) {
      let before = stretch * STRETCH_MS;
      let after = before + STRETCH_MS;
      while (after - before > 1) {
        const middle = Math.floor((before + after) / 2);
        if (this.zone.offset(middle) === first) before = middle;
        else after = middle;
      }
      change = after;
      this.changes.set(stretch, change);
    }
    return change;
  }

  private forget(): void {
    this.starts.clear();
    this.changes.clear();
  }
}

const clocks = new Map<string, ZoneClock>();

/** The memoised clock of an IANA zone; one per zone for the life of the process. */
export function zoneClock(timezone: string): ZoneClock {
  let clock = clocks.get(timezone);
  if (!clock) {
    clock = new ZoneClock(timezone);
    clocks.set(timezone, clock);
  }
  return clock;
}

/** `YYYY-MM-DD` of a wall-clock reading held as a UTC instant. */
export function dateOfWall(wall: number): string {
  return new Date(wall).toISOString().slice(0, 10);
}

/** The local date `days` after another (negative: before), by calendar arithmetic alone. */
export function plusDays(localDate: string, days: number): string {
  return dateOfWall(Date.parse(`${localDate}T00:00:00Z`) + days * DAY_MS);
}

/** Monday 0 to Sunday 6, as `WEEKDAYS` counts. */
export function weekdayIndexOf(localDate: string): number {
  return weekdayIndexOfDay(Date.parse(`${localDate}T00:00:00Z`) / DAY_MS);
}

/** The weekday of a day counted from 1970-01-01, a Thursday: Monday 0 to Sunday 6. */
export function weekdayIndexOfDay(day: number): number {
  return (((day + 3) % 7) + 7) % 7;
}
