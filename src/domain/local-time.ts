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

const LOCAL_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** A calendar date `YYYY-MM-DD` that exists (no 2026-02-30). */
export function isLocalDate(text: unknown): text is string {
  const match = typeof text === 'string' ? LOCAL_DATE.exec(text) : null;
  if (!match) return false;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const date = new Date(Date.UTC(year, month - 1, day));
  return (
    date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day
  );
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

/** Minutes east of UTC that a zone's clocks are at an instant (luxon's `Zone.offset`). */
export type OffsetAt = (instant: number) => number;

/** A local date and time of day as the UTC instant with the same reading: the zone's wall clock. */
export function wallOf(localDate: string, time: TimeOfDay): number {
  const [year, month, day] = localDate.split('-').map(Number);
  return Date.UTC(year, month - 1, day, time.hour, time.minute);
}

/**
 * The instant at which a wall-clock time on a local date occurs, by SPEC 4's DST rules:
 * a time inside a spring-forward gap occurs at the first instant after the gap, and a
 * time that occurs twice in a fall-back overlap occurs at the earlier instant.
 */
export function instantOf(localDate: string, time: TimeOfDay, timezone: string): Date {
  const zone = IANAZone.create(timezone);
  return new Date(instantReading(wallOf(localDate, time), (instant) => zone.offset(instant)));
}

/** `instantOf`'s rule for a wall clock reading, with the zone's offsets from `offsetAt`. */
export function instantReading(wall: number, offsetAt: OffsetAt): number {
  const only = steadyInstant(wall, offsetAt);
  if (only !== null) return only;
  const offsets = probeOffsets(wall, offsetAt);
  const valid = instantsWithReading(wall, offsets, offsetAt);
  if (valid.length > 0) return valid[0];
  return endOfGap(offsetAt, wall, offsets);
}

/** Every instant at which the zone's clocks read `wall`, ascending: none in a gap, two in an overlap. */
export function instantsReading(wall: number, offsetAt: OffsetAt): number[] {
  return instantsWithReading(wall, probeOffsets(wall, offsetAt), offsetAt);
}

/** The first instant after the gap that swallows `wall`, a reading no instant has. */
export function gapEndAfter(wall: number, offsetAt: OffsetAt): number {
  return endOfGap(offsetAt, wall, probeOffsets(wall, offsetAt));
}

/**
 * The common case, without the arrays of the general one: the offset is the same two days
 * either side of `wall` and at the instant it gives, so that instant is the only one that
 * reads `wall` (the general rule finds that too). Null otherwise.
 */
function steadyInstant(wall: number, offsetAt: OffsetAt): number | null {
  const offset = offsetAt(wall);
  if (offsetAt(wall - PROBE_MS) !== offset || offsetAt(wall + PROBE_MS) !== offset) return null;
  const instant = wall - offset * MINUTE_MS;
  return offsetAt(instant) === offset ? instant : null;
}

function probeOffsets(wall: number, offsetAt: OffsetAt): number[] {
  return [...new Set([-PROBE_MS, 0, PROBE_MS].map((probe) => offsetAt(wall + probe)))];
}

function instantsWithReading(wall: number, offsets: number[], offsetAt: OffsetAt): number[] {
  return offsets
    .map((offset) => wall - offset * MINUTE_MS)
    .filter((instant) => wall - offsetAt(instant) * MINUTE_MS === instant)
    .sort((a, b) => a - b);
}

/** The transition instant of the gap that swallows `wall`: the first instant after it. */
function endOfGap(offsetAt: OffsetAt, wall: number, offsets: number[]): number {
  let before = wall - Math.max(...offsets) * MINUTE_MS;
  let after = wall - Math.min(...offsets) * MINUTE_MS;
  const offsetBefore = offsetAt(before);
  while (after - before > 1) {
    const middle = Math.floor((before + after) / 2);
    if (offsetAt(middle) === offsetBefore) before = middle;
    else after = middle;
  }
  return after;
}
