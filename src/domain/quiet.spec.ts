import fc from 'fast-check';
import { IANAZone } from 'luxon';
import {
  addDays,
  formatHHMM,
  instantOf,
  localDateOf,
  parseHHMM,
  Weekday,
  WEEKDAYS,
  weekdayOf,
} from './local-time.js';
import { Policy, QuietWindow } from './policy.js';
import { quietReasonsAt, releaseAt, releaseOf } from './quiet.js';

const ZONES = [
  'UTC',
  'America/New_York',
  'Europe/London',
  'Europe/Dublin',
  'Australia/Lord_Howe',
  'Asia/Kathmandu',
  'Pacific/Chatham',
  'America/Sao_Paulo',
  'Africa/Casablanca',
  'America/Santiago',
] as const;

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const at = (iso: string) => new Date(iso);
const minutes = (ms: number) => Math.floor(ms / MINUTE) * MINUTE;

/** Offset changes of the zones in 2017-2028, where windows are most likely to go wrong. */
function transitions(): { zone: string; at: number }[] {
  const found: { zone: string; at: number }[] = [];
  for (const zone of ZONES) {
    const iana = IANAZone.create(zone);
    for (let day = Date.UTC(2017, 0, 1); day < Date.UTC(2029, 0, 1); day += DAY) {
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

const TRANSITIONS = transitions();
const hhmm = fc
  .integer({ min: 0, max: 1439 })
  .map((minute) => formatHHMM({ hour: Math.floor(minute / 60), minute: minute % 60 }));
const quietWindow: fc.Arbitrary<QuietWindow> = fc
  .record({ from: hhmm, to: hhmm, days: fc.subarray<Weekday>([...WEEKDAYS], { minLength: 1 }) })
  .filter(({ from, to }) => from !== to);
/** Instants near an offset change, or anywhere in 2017-2028; `aligned` puts them on a minute. */
const instants = (aligned: boolean) =>
  fc
    .oneof(
      fc
        .tuple(fc.constantFrom(...TRANSITIONS), fc.integer({ min: -30 * HOUR, max: 30 * HOUR }))
        .map(([{ zone, at }, shift]) => ({ zone, instant: at + shift })),
      fc.record({
        zone: fc.constantFrom(...ZONES),
        instant: fc.integer({ min: Date.UTC(2017, 0, 1), max: Date.UTC(2029, 0, 1) }),
      }),
    )
    .map(({ zone, instant }) => ({
      zone,
      instant: aligned ? instant - (((instant % MINUTE) + MINUTE) % MINUTE) : instant,
    }));
const cases = (aligned: boolean) =>
  fc
    .tuple(
      instants(aligned),
      fc.array(quietWindow, { minLength: 1, maxLength: 4 }),
      fc.option(fc.integer({ min: -2 * DAY, max: 2 * DAY }), { nil: null }),
    )
    .map(([{ zone, instant }, quietHours, snooze]) => ({
      instant,
      policy: {
        timezone: zone,
        quietHours,
        onQuiet: 'hold',
        snoozeUntil:
          snooze === null ? null : new Date(instant + (aligned ? minutes(snooze) : snooze)),
      } satisfies Policy,
    }));

/**
 * The reference: each window's quiet interval on each start day, from `instantOf` (the
 * scheduler's own placement of a local time), over the days around an instant.
 */
function referenceIntervals(policy: Policy, around: number, days: number): [number, number][] {
  const intervals: [number, number][] = [];
  const first = addDays(localDateOf(new Date(around), policy.timezone), -3);
  for (let offset = 0; offset <= days + 4; offset++) {
    const date = addDays(first, offset);
    for (const { from, to, days: startDays } of policy.quietHours) {
      if (!startDays.includes(weekdayOf(date))) continue;
      const endDate = to < from ? addDays(date, 1) : date;
      intervals.push([
        instantOf(date, parseHHMM(from), policy.timezone).getTime(),
        instantOf(endDate, parseHHMM(to), policy.timezone).getTime(),
      ]);
    }
  }
  return intervals;
}

const quietIn = (intervals: [number, number][], policy: Policy) => (instant: number) =>
  intervals.some(([start, end]) => start <= instant && instant < end) ||
  (policy.snoozeUntil !== null && instant < policy.snoozeUntil.getTime());

/** Brute force: minute by minute from a minute-aligned instant to the first one not quiet. */
function bruteRelease(policy: Policy, instant: number): number | null {
  const quiet = quietIn(referenceIntervals(policy, instant, 18), policy);
  const from = Math.max(instant, policy.snoozeUntil?.getTime() ?? instant);
  if (!quiet(instant)) return instant;
  for (let minute = from; minute < from + 16 * DAY; minute += MINUTE) {
    if (!quiet(minute)) return minute;
  }
  return null;
}

describe('quiet hours and snooze, for random windows, zones and instants', () => {
  it('finds an instant quiet exactly when a window interval or the snooze holds it', () => {
    fc.assert(
      fc.property(cases(false), ({ policy, instant }) => {
        const intervals = referenceIntervals(policy, instant, 0);
        const inWindow = intervals.some(([start, end]) => start <= instant && instant < end);
        const snoozed = policy.snoozeUntil !== null && instant < policy.snoozeUntil.getTime();
        const expected = [...(inWindow ? ['quiet-hours'] : []), ...(snoozed ? ['snoozed'] : [])];
        expect(quietReasonsAt(policy, new Date(instant))).toEqual(expected);
      }),
      { numRuns: 500 },
    );
  });

  it('releases at the first minute a minute-by-minute walk finds outside them', () => {
    fc.assert(
      fc.property(cases(true), ({ policy, instant }) => {
        expect(releaseAt(policy, new Date(instant))?.getTime() ?? null).toBe(
          bruteRelease(policy, instant),
        );
      }),
      { numRuns: 200 },
    );
  });

  it('releases outside every window and the snooze, and is quiet just before (unless it is the input)', () => {
    fc.assert(
      fc.property(cases(false), ({ policy, instant }) => {
        const quiet = quietIn(referenceIntervals(policy, instant, 18), policy);
        const release = releaseAt(policy, new Date(instant))?.getTime() ?? null;
        if (release === null) {
          const hours = Array.from({ length: 14 * 24 }, (_, hour) => instant + hour * HOUR);
          return expect(hours.filter((hour) => !quiet(hour))).toEqual([]);
        }
        expect(release).toBeGreaterThanOrEqual(instant);
        expect(quiet(release)).toBe(false);
        if (release === instant) return;
        expect(quiet(release - 1)).toBe(true);
        expect(quiet(Math.max(instant, release - MINUTE))).toBe(true);
        expect(quietReasonsAt(policy, new Date(instant)).length).toBeGreaterThan(0);
      }),
      { numRuns: 300 },
    );
  });

  it('away from offset changes, is quiet exactly when the local clock reads a time in a window', () => {
    fc.assert(
      fc.property(cases(true), ({ policy, instant }) => {
        const zone = IANAZone.create(policy.timezone);
        fc.pre(zone.offset(instant - 2 * DAY) === zone.offset(instant + 2 * DAY));
        const wall = instant + zone.offset(instant) * MINUTE;
        const minute = Math.floor((wall % DAY) / MINUTE);
        const today = new Date(wall).toISOString().slice(0, 10);
        const reads = ({ from, to, days }: QuietWindow) => {
          const [start, end] = [minuteOf(from), minuteOf(to)];
          if (start < end)
            return days.includes(weekdayOf(today)) && start <= minute && minute < end;
          if (minute >= start) return days.includes(weekdayOf(today));
          return minute < end && days.includes(weekdayOf(addDays(today, -1)));
        };
        const expected = policy.quietHours.some(reads);
        expect(quietReasonsAt(policy, new Date(instant)).includes('quiet-hours')).toBe(expected);
      }),
      { numRuns: 300 },
    );
  });
});

function minuteOf(time: string): number {
  const { hour, minute } = parseHHMM(time);
  return hour * 60 + minute;
}

const policyOf = (timezone: string, quietHours: QuietWindow[], snoozeUntil: Date | null = null) =>
  ({ timezone, quietHours, onQuiet: 'hold', snoozeUntil }) satisfies Policy;
const daily = (from: string, to: string): QuietWindow => ({ from, to, days: WEEKDAYS });

describe('hand-checked quiet hours', () => {
  it('keeps 01:00-03:00 on New York spring-forward night one hour long: 06:00Z to 07:00Z', () => {
    const policy = policyOf('America/New_York', [{ from: '01:00', to: '03:00', days: ['sun'] }]);
    // 01:00 EST is 06:00Z; the clocks jump 02:00 EST -> 03:00 EDT, which is 07:00Z.
    expect(quietReasonsAt(policy, at('2026-03-08T05:59:00Z'))).toEqual([]);
    expect(quietReasonsAt(policy, at('2026-03-08T06:00:00Z'))).toEqual(['quiet-hours']);
    expect(releaseAt(policy, at('2026-03-08T06:30:00Z'))).toEqual(at('2026-03-08T07:00:00Z'));
  });

  it('keeps 00:30-02:00 on New York fall-back night 2.5 hours long, both 01:xx included', () => {
    const policy = policyOf('America/New_York', [{ from: '00:30', to: '02:00', days: ['sun'] }]);
    // 00:30 EDT is 04:30Z; 01:15 EDT is 05:15Z, 01:15 EST 06:15Z; 02:00 EST is 07:00Z.
    expect(quietReasonsAt(policy, at('2026-11-01T04:29:00Z'))).toEqual([]);
    expect(releaseAt(policy, at('2026-11-01T05:15:00Z'))).toEqual(at('2026-11-01T07:00:00Z'));
    expect(releaseAt(policy, at('2026-11-01T06:15:00Z'))).toEqual(at('2026-11-01T07:00:00Z'));
    expect(releaseAt(policy, at('2026-11-01T07:00:00Z'))).toEqual(at('2026-11-01T07:00:00Z'));
  });

  it('follows overlapping windows to the end of the last: 22:00-07:00 and 06:30-08:00 is 08:00', () => {
    const policy = policyOf('Asia/Shanghai', [daily('22:00', '07:00'), daily('06:30', '08:00')]);
    // 23:00 in Shanghai (+08:00) is 15:00Z; 08:00 the next morning is 00:00Z.
    expect(releaseAt(policy, at('2026-06-01T15:00:00Z'))).toEqual(at('2026-06-02T00:00:00Z'));
  });

  it('follows chained windows that meet at midnight', () => {
    const policy = policyOf('UTC', [daily('20:00', '00:00'), daily('00:00', '06:00')]);
    expect(releaseAt(policy, at('2026-06-01T21:00:00Z'))).toEqual(at('2026-06-02T06:00:00Z'));
  });

  it('starts an overnight window on its listed day only: Friday 22:00 to Saturday 07:00', () => {
    const policy = policyOf('UTC', [{ from: '22:00', to: '07:00', days: ['fri'] }]);
    // 2026-06-05 is a Friday.
    expect(quietReasonsAt(policy, at('2026-06-05T23:00:00Z'))).toEqual(['quiet-hours']);
    expect(quietReasonsAt(policy, at('2026-06-06T06:59:00Z'))).toEqual(['quiet-hours']);
    expect(quietReasonsAt(policy, at('2026-06-06T23:00:00Z'))).toEqual([]);
    expect(quietReasonsAt(policy, at('2026-06-05T06:00:00Z'))).toEqual([]);
  });

  it('keeps 01:00-03:00 over the 30-minute Lord Howe gap 1.5 hours long', () => {
    const policy = policyOf('Australia/Lord_Howe', [daily('01:00', '03:00')]);
    // 2026-10-04: 01:00 +10:30 is 14:30Z the day before; 02:00 +10:30 -> 02:30 +11; 03:00 +11 is 16:00Z.
    expect(releaseAt(policy, at('2026-10-03T14:30:00Z'))).toEqual(at('2026-10-03T16:00:00Z'));
  });

  it('places a Kathmandu window at its +05:45 instants', () => {
    const policy = policyOf('Asia/Kathmandu', [daily('22:00', '06:00')]);
    // 22:00 +05:45 is 16:15Z; 06:00 the next morning is 00:15Z.
    expect(quietReasonsAt(policy, at('2026-06-01T16:14:00Z'))).toEqual([]);
    expect(releaseAt(policy, at('2026-06-01T16:15:00Z'))).toEqual(at('2026-06-02T00:15:00Z'));
  });

  it('holds through a snooze that ends inside quiet hours to their end, for both reasons', () => {
    const snooze = at('2026-06-01T22:30:00Z');
    const policy = policyOf('UTC', [daily('22:00', '07:00')], snooze);
    expect(quietReasonsAt(policy, at('2026-06-01T12:00:00Z'))).toEqual(['snoozed']);
    expect(releaseOf(policy, at('2026-06-01T12:00:00Z'))).toEqual({
      at: at('2026-06-02T07:00:00Z'),
      reasons: ['quiet-hours', 'snoozed'],
    });
  });

  it('releases at the snooze end when it is outside quiet hours, and ignores a past snooze', () => {
    const policy = policyOf('UTC', [], at('2026-06-01T09:00:00Z'));
    expect(releaseOf(policy, at('2026-06-01T08:00:00Z'))).toEqual({
      at: at('2026-06-01T09:00:00Z'),
      reasons: ['snoozed'],
    });
    expect(releaseOf(policy, at('2026-06-01T10:00:00Z'))).toEqual({
      at: at('2026-06-01T10:00:00Z'),
      reasons: [],
    });
  });

  it('never releases under windows that cover the whole week', () => {
    const policy = policyOf('Europe/London', [daily('00:00', '12:00'), daily('12:00', '00:00')]);
    expect(releaseAt(policy, at('2026-03-28T12:00:00Z'))).toBeNull();
  });
});
