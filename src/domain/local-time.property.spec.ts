import fc from 'fast-check';
import { DateTime, IANAZone } from 'luxon';
import { instantOf, Weekday, WEEKDAYS } from './local-time.js';
import { nextOccurrence, occurrenceOn } from './schedule.js';

const ZONES = [
  'UTC',
  'America/New_York',
  'Europe/London',
  'Europe/Berlin',
  'Australia/Lord_Howe',
  'Asia/Kathmandu',
  'Pacific/Chatham',
  'America/Santiago',
  'Asia/Tehran',
  'Africa/Casablanca',
  'America/St_Johns',
  'Pacific/Auckland',
  'Asia/Shanghai',
  'America/Los_Angeles',
  'Pacific/Kiritimati',
] as const;

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const FROM = Date.UTC(2025, 0, 1);
const TO = Date.UTC(2028, 11, 31);
const RUNS = { numRuns: 400 };

/** A local date and wall time, encoded as if the wall clock read UTC: easy to compare. */
const wallMs = (localDate: string, minuteOfDay: number) =>
  Date.parse(`${localDate}T00:00:00Z`) + minuteOfDay * MINUTE;

const wallAt = (instant: number, zone: string) => {
  const local = DateTime.fromMillis(instant, { zone });
  return Date.UTC(local.year, local.month - 1, local.day, local.hour, local.minute, local.second);
};

const dateOf = (utcMidnight: number) => new Date(utcMidnight).toISOString().slice(0, 10);
const timeOf = (minuteOfDay: number) => ({
  hour: Math.floor(minuteOfDay / 60),
  minute: minuteOfDay % 60,
});

/** Every DST transition of the zones in 2025-2028, so that generated cases often land on one. */
function transitions(): { zone: string; at: number }[] {
  const found: { zone: string; at: number }[] = [];
  for (const zone of ZONES) {
    const iana = IANAZone.create(zone);
    for (let day = FROM; day < TO; day += DAY) {
      if (iana.offset(day) === iana.offset(day + DAY)) continue;
      let [before, after] = [day, day + DAY];
      while (after - before > MINUTE) {
        const middle = before + Math.floor((after - before) / 2 / MINUTE) * MINUTE;
        if (iana.offset(middle) === iana.offset(before)) before = middle;
        else after = middle;
      }
      found.push({ zone, at: after });
    }
  }
  return found;
}

interface Case {
  zone: string;
  localDate: string;
  minuteOfDay: number;
}

const anyDay: fc.Arbitrary<Case> = fc.record({
  zone: fc.constantFrom(...ZONES),
  localDate: fc.integer({ min: FROM / DAY, max: TO / DAY }).map((day) => dateOf(day * DAY)),
  minuteOfDay: fc.integer({ min: 0, max: 1439 }),
});

/** A wall time within 90 minutes of a transition, on the local date where it falls. */
const nearTransition: fc.Arbitrary<Case> = fc
  .tuple(fc.constantFrom(...transitions()), fc.integer({ min: -90, max: 90 }))
  .map(([{ zone, at }, delta]) => {
    const wall = wallAt(at - MINUTE, zone) + MINUTE + delta * MINUTE;
    return {
      zone,
      localDate: dateOf(wall - (wall % DAY)),
      minuteOfDay: (wall % DAY) / MINUTE,
    };
  });

const cases = fc.oneof(anyDay, nearTransition);
const daySets: fc.Arbitrary<Weekday[]> = fc.subarray([...WEEKDAYS], { minLength: 1 });

/** Every instant in the 60 hours around a wall time whose zone offset makes it read that time. */
function instantsReading(wall: number, zone: string): number[] {
  const iana = IANAZone.create(zone);
  const offsets = new Set<number>();
  for (let t = wall - 30 * HOUR; t <= wall + 30 * HOUR; t += 15 * MINUTE) {
    offsets.add(iana.offset(t));
  }
  return [...offsets]
    .map((offset) => wall - offset * MINUTE)
    .filter((t) => wallAt(t, zone) === wall);
}

describe('instantOf, for any zone, date in 2025-2028 and time of day', () => {
  it('reads the requested wall time, or is the first instant after the gap that swallowed it', () => {
    fc.assert(
      fc.property(cases, ({ zone, localDate, minuteOfDay }) => {
        const wall = wallMs(localDate, minuteOfDay);
        const instant = instantOf(localDate, timeOf(minuteOfDay), zone).getTime();
        if (wallAt(instant, zone) === wall) return;
        expect(instantsReading(wall, zone)).toEqual([]);
        expect(wallAt(instant - 1, zone)).toBeLessThan(wall);
        expect(wallAt(instant, zone)).toBeGreaterThan(wall);
      }),
      RUNS,
    );
  });

  it('takes the earlier instant when the wall time occurs twice', () => {
    fc.assert(
      fc.property(cases, ({ zone, localDate, minuteOfDay }) => {
        const wall = wallMs(localDate, minuteOfDay);
        const instant = instantOf(localDate, timeOf(minuteOfDay), zone).getTime();
        for (const other of instantsReading(wall, zone)) {
          expect(instant).toBeLessThanOrEqual(other);
        }
      }),
      RUNS,
    );
  });
});

describe('nextOccurrence, for any schedule and moment', () => {
  const schedules = fc.tuple(cases, daySets).map(([{ zone, localDate, minuteOfDay }, days]) => ({
    schedule: { time: timeOf(minuteOfDay), timezone: zone, days },
    // Ask from around the generated wall time, so that the asking moment is near a transition too.
    around: wallMs(localDate, minuteOfDay) - 14 * HOUR,
  }));
  const asks = fc.tuple(schedules, fc.integer({ min: 0, max: 28 * HOUR }));

  it('is at or after the moment asked, with no enabled occurrence in between', () => {
    fc.assert(
      fc.property(asks, ([{ schedule, around }, shift]) => {
        const notBefore = around + shift;
        const next = nextOccurrence(schedule, new Date(notBefore))!;
        expect(next).not.toBeNull();
        expect(next.instant.getTime()).toBeGreaterThanOrEqual(notBefore);
        expect(occurrenceOn(schedule, next.localDate)).toEqual(next);
        for (let day = -2; day <= 8; day++) {
          const date = dateOf(Date.parse(`${next.localDate}T00:00:00Z`) - day * DAY);
          const other = occurrenceOn(schedule, date)?.instant.getTime();
          if (other === undefined || date === next.localDate) continue;
          expect(other >= notBefore && other < next.instant.getTime()).toBe(false);
        }
      }),
      RUNS,
    );
  });

  it("finds what luxon's calendar finds: the zone's date, then the dates around it", () => {
    fc.assert(
      fc.property(asks, ([{ schedule, around }, shift]) => {
        const notBefore = around + shift;
        const today = DateTime.fromMillis(notBefore, { zone: schedule.timezone }).startOf('day');
        const expected = Array.from({ length: 10 }, (_, index) => today.plus({ days: index - 1 }))
          .filter((date) => schedule.days.includes(WEEKDAYS[date.weekday - 1]))
          .map((date) => date.toISODate()!)
          .map((localDate) => ({
            localDate,
            instant: instantOf(localDate, schedule.time, schedule.timezone),
          }))
          .find(({ instant }) => instant.getTime() >= notBefore);
        expect(nextOccurrence(schedule, new Date(notBefore))).toEqual(expected);
      }),
      RUNS,
    );
  });

  it('visits each enabled local date exactly once, at strictly increasing instants', () => {
    fc.assert(
      fc.property(asks, ([{ schedule, around }, shift]) => {
        const seen: { localDate: string; instant: number }[] = [];
        let notBefore = around + shift;
        for (let step = 0; step < 10; step++) {
          const next = nextOccurrence(schedule, new Date(notBefore))!;
          seen.push({ localDate: next.localDate, instant: next.instant.getTime() });
          notBefore = next.instant.getTime() + 1;
        }
        for (let i = 1; i < seen.length; i++) {
          expect(seen[i].instant).toBeGreaterThan(seen[i - 1].instant);
          expect(enabledDatesBetween(seen[i - 1].localDate, seen[i].localDate, schedule.days)).toBe(
            0,
          );
          expect(seen[i].localDate > seen[i - 1].localDate).toBe(true);
        }
      }),
      { numRuns: 200 },
    );
  });
});

/** How many enabled local dates lie strictly between two dates. */
function enabledDatesBetween(first: string, last: string, days: readonly Weekday[]): number {
  let count = 0;
  let date = DateTime.fromISO(first, { zone: 'utc' }).plus({ days: 1 });
  while (date.toISODate()! < last) {
    if (days.includes(WEEKDAYS[date.weekday - 1])) count++;
    date = date.plus({ days: 1 });
  }
  return count;
}
