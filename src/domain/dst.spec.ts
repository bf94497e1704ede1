import fc from 'fast-check';
import { IANAZone } from 'luxon';
import { DEFAULT_DST, DstChoice, resolveLocalTime } from './dst.js';
import { instantOf, parseHHMM, WEEKDAYS } from './local-time.js';
import { nextOccurrence, occurrenceOn, occurrencesBetween, stillMatches } from './schedule.js';
import { zoneClock } from './zone-clock.js';
import { dueOccurrence } from './occurrence.js';
import { aSubscription } from '../../test/support/factories.js';

const ZONES = [
  'UTC',
  'America/New_York',
  'Europe/London',
  'Europe/Dublin',
  'Australia/Lord_Howe',
  'Asia/Kathmandu',
  'Pacific/Chatham',
  'America/Sao_Paulo',
  'America/Santiago',
  'Africa/Casablanca',
  'Asia/Tehran',
  'America/St_Johns',
] as const;

const MINUTE = 60_000;
const DAY = 86_400_000;
const FROM = Date.UTC(2015, 0, 1);
const TO = Date.UTC(2029, 0, 1);
const CHOICES: DstChoice[] = [
  { gap: 'shift', overlap: 'first' },
  { gap: 'shift', overlap: 'last' },
  { gap: 'skip', overlap: 'first' },
  { gap: 'skip', overlap: 'last' },
];

/** Every offset change of the zones in 2015-2028 (São Paulo still had DST until 2019). */
function transitions(): { zone: string; at: number }[] {
  const found: { zone: string; at: number }[] = [];
  for (const zone of ZONES) {
    const iana = IANAZone.create(zone);
    for (let day = FROM; day < TO; day += DAY) {
      if (iana.offset(day) === iana.offset(day + DAY)) continue;
      let [before, after] = [day, day + DAY];
      while (after - before > 1) {
        const middle = Math.floor((before + after) / 2);
        if (iana.offset(middle) === iana.offset(before)) before = middle;
        else after = middle;
      }
      found.push({ zone, at: after });
    }
  }
  return found;
}

const TRANSITIONS = transitions();
const nearTransition = fc
  .tuple(fc.constantFrom(...TRANSITIONS), fc.integer({ min: -150 * MINUTE, max: 150 * MINUTE }))
  .map(([{ zone, at }, shift]) => ({ zone, instant: at + shift }));
const anyInstant = fc.record({
  zone: fc.constantFrom(...ZONES),
  instant: fc.integer({ min: FROM, max: TO }),
});
const moments = fc.oneof(nearTransition, anyInstant);

/** A local date and minute of day near a moment, so that many land in a gap or an overlap. */
const localTimes = moments.map(({ zone, instant }) => {
  const wall = instant + IANAZone.create(zone).offset(instant) * MINUTE;
  const minuteOfDay = Math.floor((wall % DAY) / MINUTE);
  return {
    zone,
    localDate: new Date(wall).toISOString().slice(0, 10),
    time: { hour: Math.floor(minuteOfDay / 60), minute: minuteOfDay % 60 },
  };
});

/** The zone's wall clock at an instant, minute-precise, read by luxon alone. */
const wallAt = (instant: number, zone: string) =>
  instant + IANAZone.create(zone).offset(instant) * MINUTE;
const wallOf = (localDate: string, { hour, minute }: { hour: number; minute: number }) =>
  Date.parse(`${localDate}T00:00:00Z`) + (hour * 60 + minute) * MINUTE;

describe('ZoneClock, memoised per 12 hours', () => {
  it('has the offset luxon computes at any instant, at the millisecond of a change too', () => {
    const exact = fc.oneof(
      moments,
      fc
        .tuple(fc.constantFrom(...TRANSITIONS), fc.integer({ min: -2, max: 1 }))
        .map(([{ zone, at }, shift]) => ({ zone, instant: at + shift })),
    );
    fc.assert(
      fc.property(exact, ({ zone, instant }) => {
        expect(zoneClock(zone).offsetAt(instant)).toBe(IANAZone.create(zone).offset(instant));
      }),
      { numRuns: 1000 },
    );
  });

  it("places any local time at instantOf's instant", () => {
    fc.assert(
      fc.property(localTimes, ({ zone, localDate, time }) => {
        expect(zoneClock(zone).instantOf(localDate, time)).toBe(
          instantOf(localDate, time, zone).getTime(),
        );
      }),
      { numRuns: 500 },
    );
  });
});

describe('resolveLocalTime, under every dst choice', () => {
  it('equals instantOf under the default choice', () => {
    fc.assert(
      fc.property(localTimes, ({ zone, localDate, time }) => {
        const resolved = resolveLocalTime(localDate, time, zone, DEFAULT_DST);
        expect(resolved.instant).toEqual(instantOf(localDate, time, zone));
      }),
      { numRuns: 500 },
    );
  });

  it('skips exactly the times no instant reads, and names the rule that applied', () => {
    fc.assert(
      fc.property(localTimes, fc.constantFrom(...CHOICES), ({ zone, localDate, time }, dst) => {
        const resolved = resolveLocalTime(localDate, time, zone, dst);
        const shifted = resolveLocalTime(localDate, time, zone, { ...dst, gap: 'shift' });
        const read = wallAt(shifted.instant!.getTime(), zone) === wallOf(localDate, time);
        expect(resolved.instant === null).toBe(!read && dst.gap === 'skip');
        const gapRule = dst.gap === 'skip' ? 'dst-gap-skipped' : 'dst-gap-shifted';
        expect(resolved.rule === gapRule).toBe(!read);
      }),
      { numRuns: 500 },
    );
  });

  it('takes the later of the two instants that read an overlap time under last', () => {
    fc.assert(
      fc.property(localTimes, ({ zone, localDate, time }) => {
        const first = resolveLocalTime(localDate, time, zone, { gap: 'shift', overlap: 'first' });
        const last = resolveLocalTime(localDate, time, zone, { gap: 'shift', overlap: 'last' });
        const twice = first.rule === 'dst-overlap-first';
        expect(last.rule === 'dst-overlap-last').toBe(twice);
        if (!twice) return expect(last.instant).toEqual(first.instant);
        expect(last.instant!.getTime()).toBeGreaterThan(first.instant!.getTime());
        expect(wallAt(last.instant!.getTime(), zone)).toBe(wallOf(localDate, time));
        expect(wallAt(first.instant!.getTime(), zone)).toBe(wallOf(localDate, time));
      }),
      { numRuns: 500 },
    );
  });
});

describe('a schedule with a dst choice', () => {
  const schedules = fc
    .tuple(moments, fc.integer({ min: 0, max: 1439 }), fc.constantFrom(...CHOICES))
    .map(([{ zone, instant }, minuteOfDay, dst]) => ({
      around: instant,
      schedule: {
        time: { hour: Math.floor(minuteOfDay / 60), minute: minuteOfDay % 60 },
        timezone: zone,
        days: WEEKDAYS,
        dst,
      },
    }));

  it('has at most one occurrence per local date, at strictly increasing instants', () => {
    fc.assert(
      fc.property(schedules, ({ around, schedule }) => {
        const found = occurrencesBetween(
          schedule,
          new Date(around - 3 * DAY),
          new Date(around + 3 * DAY),
        );
        const dates = found.map(({ localDate }) => localDate);
        expect(new Set(dates).size).toBe(dates.length);
        for (let i = 1; i < found.length; i++) {
          expect(found[i].instant.getTime()).toBeGreaterThan(found[i - 1].instant.getTime());
        }
      }),
      { numRuns: 300 },
    );
  });

  it('answers occurrenceOn as before when the choice is the default or absent', () => {
    fc.assert(
      fc.property(localTimes, ({ zone, localDate, time }) => {
        const schedule = { time, timezone: zone, days: WEEKDAYS };
        expect(occurrenceOn({ ...schedule, dst: DEFAULT_DST }, localDate)).toEqual(
          occurrenceOn(schedule, localDate),
        );
      }),
      { numRuns: 300 },
    );
  });
});

describe('hand-checked DST dates', () => {
  const resolve = (date: string, time: string, zone: string, dst: DstChoice) => {
    const { instant, rule } = resolveLocalTime(date, parseHHMM(time), zone, dst);
    return [instant?.toISOString() ?? null, rule];
  };
  const first = DEFAULT_DST;
  const last: DstChoice = { gap: 'skip', overlap: 'last' };

  it.each([
    // New York springs forward 02:00 EST -> 03:00 EDT (07:00Z) on 2026-03-08.
    [
      '2026-03-08',
      '02:30',
      'America/New_York',
      first,
      '2026-03-08T07:00:00.000Z',
      'dst-gap-shifted',
    ],
    ['2026-03-08', '02:30', 'America/New_York', last, null, 'dst-gap-skipped'],
    // It falls back 02:00 EDT -> 01:00 EST (06:00Z) on 2026-11-01: 01:30 is 05:30Z and 06:30Z.
    [
      '2026-11-01',
      '01:30',
      'America/New_York',
      first,
      '2026-11-01T05:30:00.000Z',
      'dst-overlap-first',
    ],
    [
      '2026-11-01',
      '01:30',
      'America/New_York',
      last,
      '2026-11-01T06:30:00.000Z',
      'dst-overlap-last',
    ],
    ['2026-11-01', '02:00', 'America/New_York', last, '2026-11-01T07:00:00.000Z', null],
    // Lord Howe moves 30 minutes: 02:00 +10:30 -> 02:30 +11 on 2026-10-04 (15:30Z the day before).
    [
      '2026-10-04',
      '02:15',
      'Australia/Lord_Howe',
      first,
      '2026-10-03T15:30:00.000Z',
      'dst-gap-shifted',
    ],
    // ... and back 02:00 +11 -> 01:30 +10:30 on 2026-04-05: 01:45 is 14:45Z and 15:15Z.
    [
      '2026-04-05',
      '01:45',
      'Australia/Lord_Howe',
      first,
      '2026-04-04T14:45:00.000Z',
      'dst-overlap-first',
    ],
    [
      '2026-04-05',
      '01:45',
      'Australia/Lord_Howe',
      last,
      '2026-04-04T15:15:00.000Z',
      'dst-overlap-last',
    ],
    // Dublin's winter time is its negative DST; 02:00 IST -> 01:00 GMT on 2026-10-25.
    ['2026-10-25', '01:30', 'Europe/Dublin', last, '2026-10-25T01:30:00.000Z', 'dst-overlap-last'],
    ['2026-03-29', '01:30', 'Europe/Dublin', last, null, 'dst-gap-skipped'],
    ['2026-06-01', '08:00', 'Asia/Kathmandu', last, '2026-06-01T02:15:00.000Z', null],
  ] as const)('%s %s in %s under %j is %s (%s)', (date, time, zone, dst, instant, rule) => {
    expect(resolve(date, time, zone, dst)).toEqual([instant, rule]);
  });

  it('moves to the next week when skip leaves the spring-forward Sunday empty', () => {
    const schedule = {
      time: parseHHMM('02:30'),
      timezone: 'America/New_York',
      days: ['sun'] as const,
      dst: { gap: 'skip', overlap: 'first' } as const,
    };
    const next = nextOccurrence(schedule, new Date('2026-03-07T12:00:00Z'));
    expect(next).toEqual({ localDate: '2026-03-15', instant: new Date('2026-03-15T06:30:00Z') });
  });

  it("checks a queued occurrence against the subscription's own dst choice at send time", () => {
    const subscription = aSubscription({ time: '01:30', timezone: 'America/New_York' });
    const later = { localDate: '2026-11-01', instant: new Date('2026-11-01T06:30:00Z') };
    const queued = dueOccurrence(subscription, later, false);
    expect(stillMatches({ ...subscription, dst: { gap: 'shift', overlap: 'last' } }, queued)).toBe(
      true,
    );
    expect(stillMatches(subscription, queued)).toBe(false);
  });
});
