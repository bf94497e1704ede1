import { DateTime, IANAZone } from 'luxon';

export const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
export type Weekday = (typeof WEEKDAYS)[number];

/** A wall-clock time of day, as a subscription states it. */
export interface TimeOfDay {
  readonly hour: number;
  readonly minute: number;
}

const HHMM = /^([01]\d|2[0-3]):([0-5]\d)$/;
const MINUTE_MS = 60_000;
const PROBE_MS = 48 * 3_600_000;

export function isHHMM(text: unknown): text is string {
  return typeof text === 'string' && HHMM.test(text);
}

export function parseHHMM(text: string): TimeOfDay {
  const match = HHMM.exec(text);
  if (!match) throw new RangeError(`"${text}" is not a time of day in HH:MM (00:00-23:59)`);
  return { hour: Number(match[1]), minute: Number(match[2]) };
}

export function formatHHMM({ hour, minute }: TimeOfDay): string {
  return `${String(hour).padStart(2, '0')}:${String(minute).padStart(2, '0')}`;
}

/** The ZSET score of a time of day: `08:05` is 805. */
export function toScore({ hour, minute }: TimeOfDay): number {
  return hour * 100 + minute;
}

export function fromScore(score: number): TimeOfDay {
  return { hour: Math.floor(score / 100), minute: score % 100 };
}

/** The scores of the minutes from one score to another, both inclusive: 958, 959, 1000, ... */
export function scoresBetween(fromScore: number, toScore: number): number[] {
  const scores: number[] = [];
  for (let score = fromScore; score <= toScore; score += score % 100 === 59 ? 41 : 1) {
    scores.push(score);
  }
  return scores;
}

export function weekdayOf(localDate: string): Weekday {
  return WEEKDAYS[DateTime.fromISO(localDate, { zone: 'utc' }).weekday - 1];
}

export function addDays(localDate: string, days: number): string {
  return DateTime.fromISO(localDate, { zone: 'utc' }).plus({ days }).toISODate()!;
}

export function localDateOf(instant: Date, timezone: string): string {
  return DateTime.fromJSDate(instant, { zone: timezone }).toISODate()!;
}

/**
 * The instant at which a wall-clock time on a local date occurs, by SPEC 4's DST rules:
 * a time inside a spring-forward gap occurs at the first instant after the gap, and a
 * time that occurs twice in a fall-back overlap occurs at the earlier instant.
 */
export function instantOf(localDate: string, time: TimeOfDay, timezone: string): Date {
  const zone = IANAZone.create(timezone);
  const [year, month, day] = localDate.split('-').map(Number);
  const wall = Date.UTC(year, month - 1, day, time.hour, time.minute);
  const offsets = new Set([-PROBE_MS, 0, PROBE_MS].map((probe) => zone.offset(wall + probe)));
  const valid = [...offsets]
    .map((offset) => wall - offset * MINUTE_MS)
    .filter((instant) => wall - zone.offset(instant) * MINUTE_MS === instant);
  if (valid.length > 0) return new Date(Math.min(...valid));
  return new Date(endOfGap(zone, wall, [...offsets]));
}

/** The transition instant of the gap that swallows `wall`: the first instant after it. */
function endOfGap(zone: IANAZone, wall: number, offsets: number[]): number {
  let before = wall - Math.max(...offsets) * MINUTE_MS;
  let after = wall - Math.min(...offsets) * MINUTE_MS;
  const offsetBefore = zone.offset(before);
  while (after - before > 1) {
    const middle = Math.floor((before + after) / 2);
    if (zone.offset(middle) === offsetBefore) before = middle;
    else after = middle;
  }
  return after;
}
