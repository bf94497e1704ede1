import fc from 'fast-check';
import { addDays, instantOf, localDateOf } from './local-time.js';
import { localRanges, LocalRange, splitRange } from './window.js';

const at = (iso: string) => new Date(iso);
const minutes = (count: number) => count * 60_000;

/** Every (local date, HHMM score) an answer selects, for comparing with brute force. */
function selected(ranges: LocalRange[]): string[] {
  return ranges.flatMap(({ localDate, fromScore, toScore }) => {
    const scores: string[] = [];
    for (let score = fromScore; score <= toScore; score++) {
      if (score % 100 < 60) scores.push(`${localDate} ${score}`);
    }
    return scores;
  });
}

/** Brute force: every local time of every nearby date whose instant is in [from, to). */
function bruteForce(timezone: string, from: Date, to: Date): string[] {
  const found: string[] = [];
  const first = addDays(localDateOf(from, timezone), -1);
  const last = addDays(localDateOf(to, timezone), 1);
  for (let date = first; date <= last; date = addDays(date, 1)) {
    for (let minute = 0; minute < 1440; minute++) {
      const time = { hour: Math.floor(minute / 60), minute: minute % 60 };
      const instant = instantOf(date, time, timezone).getTime();
      if (instant >= from.getTime() && instant < to.getTime()) {
        found.push(`${date} ${time.hour * 100 + time.minute}`);
      }
    }
  }
  return found;
}

describe('localRanges', () => {
  it('wraps over the hour: 10:58 + 4 min is 10:58-11:01, not 1062', () => {
    expect(localRanges('UTC', at('2026-11-25T10:58:00Z'), at('2026-11-25T11:02:00Z'))).toEqual([
      { localDate: '2026-11-25', fromScore: 1058, toScore: 1101 },
    ]);
  });

  it('wraps over local midnight into two ranges on two local dates', () => {
    expect(
      localRanges('Asia/Shanghai', at('2026-11-25T15:58:00Z'), at('2026-11-25T16:02:00Z')),
    ).toEqual([
      { localDate: '2026-11-25', fromScore: 2358, toScore: 2359 },
      { localDate: '2026-11-26', fromScore: 0, toScore: 1 },
    ]);
  });

  it('selects the whole spring-forward gap at 03:00 EDT on New York spring-forward day', () => {
    expect(
      localRanges('America/New_York', at('2026-03-08T07:00:00Z'), at('2026-03-08T07:01:00Z')),
    ).toEqual([{ localDate: '2026-03-08', fromScore: 200, toScore: 300 }]);
  });

  it('selects nothing in the later copy of the New York fall-back hour', () => {
    expect(
      localRanges('America/New_York', at('2026-11-01T06:00:00Z'), at('2026-11-01T07:00:00Z')),
    ).toEqual([]);
    expect(
      localRanges('America/New_York', at('2026-11-01T05:30:00Z'), at('2026-11-01T05:31:00Z')),
    ).toEqual([{ localDate: '2026-11-01', fromScore: 130, toScore: 130 }]);
  });

  it('leaves out an occurrence earlier in the minute than the window start', () => {
    expect(localRanges('UTC', at('2026-11-25T09:00:30Z'), at('2026-11-25T09:02:00Z'))).toEqual([
      { localDate: '2026-11-25', fromScore: 901, toScore: 901 },
    ]);
  });

  it('selects a whole local day for a 24-hour window in a +05:45 zone', () => {
    const ranges = localRanges(
      'Asia/Kathmandu',
      at('2026-11-24T18:15:00Z'),
      at('2026-11-25T18:15:00Z'),
    );
    expect(ranges).toEqual([{ localDate: '2026-11-25', fromScore: 0, toScore: 2359 }]);
  });

  const zones = [
    'UTC',
    'America/New_York',
    'Europe/London',
    'Australia/Lord_Howe',
    'Asia/Kathmandu',
    'Pacific/Chatham',
    'America/Santiago',
    'America/St_Johns',
    'Pacific/Auckland',
  ];
  const transitions = [
    '2026-03-08T07:00:00Z',
    '2026-11-01T06:00:00Z',
    '2026-03-29T01:00:00Z',
    '2026-10-25T01:00:00Z',
    '2026-10-03T15:30:00Z',
    '2026-04-04T15:00:00Z',
    '2026-09-26T14:00:00Z',
    '2026-04-05T02:45:00Z',
  ].map((iso) => Date.parse(iso));

  it('selects exactly the local times whose occurrence lies in the window, for all zones and windows', () => {
    const windowStart = fc.oneof(
      fc.integer({ min: Date.parse('2025-01-01'), max: Date.parse('2028-12-31') }),
      fc
        .tuple(fc.constantFrom(...transitions), fc.integer({ min: -180, max: 180 }))
        .map(([transition, shift]) => transition + minutes(shift)),
    );
    fc.assert(
      fc.property(
        fc.constantFrom(...zones),
        windowStart,
        fc.boolean(),
        fc.integer({ min: 1, max: 24 * 60 }),
        (timezone, start, aligned, length) => {
          const fromMs = aligned ? Math.floor(start / minutes(1)) * minutes(1) : start;
          const from = new Date(fromMs);
          const to = new Date(fromMs + minutes(length));
          expect(selected(localRanges(timezone, from, to))).toEqual(bruteForce(timezone, from, to));
        },
      ),
      { numRuns: 25 },
    );
  });

  it('selects every occurrence in exactly one of the windows that tile a stretch of time', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...zones),
        fc.constantFrom(...transitions),
        fc.array(fc.integer({ min: 1, max: 90 }), { minLength: 1, maxLength: 40 }),
        fc.integer({ min: 0, max: 1439 }),
        (timezone, transition, lengths, minuteOfDay) => {
          const time = { hour: Math.floor(minuteOfDay / 60), minute: minuteOfDay % 60 };
          const start = transition - minutes(12 * 60);
          const bounds = lengths.reduce(
            (edges, length) => [...edges, edges[edges.length - 1] + minutes(length)],
            [start],
          );
          const score = time.hour * 100 + time.minute;
          const selectedBy = (date: string) =>
            bounds
              .slice(1)
              .filter((end, index) =>
                localRanges(timezone, new Date(bounds[index]), new Date(end)).some(
                  (range) =>
                    range.localDate === date && range.fromScore <= score && score <= range.toScore,
                ),
              ).length;
          for (
            let date = addDays(localDateOf(new Date(start), timezone), -1);
            date <= addDays(localDateOf(new Date(bounds[bounds.length - 1]), timezone), 1);
            date = addDays(date, 1)
          ) {
            const instant = instantOf(date, time, timezone).getTime();
            const inside = instant >= start && instant < bounds[bounds.length - 1];
            expect(selectedBy(date)).toBe(inside ? 1 : 0);
          }
        },
      ),
      { numRuns: 100 },
    );
  });
});

describe('splitRange', () => {
  it('cuts a range into consecutive pieces that together select the same local times', () => {
    const score = fc.integer({ min: 0, max: 1439 }).map((m) => Math.floor(m / 60) * 100 + (m % 60));
    fc.assert(
      fc.property(score, score, fc.integer({ min: 1, max: 200 }), (a, b, maxMinutes) => {
        const range = {
          localDate: '2026-03-08',
          fromScore: Math.min(a, b),
          toScore: Math.max(a, b),
        };
        const pieces = splitRange(range, maxMinutes);
        expect(selected(pieces)).toEqual(selected([range]));
        for (const piece of pieces)
          expect(selected([piece]).length).toBeLessThanOrEqual(maxMinutes);
      }),
    );
  });

  it('keeps a range of one minute whole', () => {
    const range = { localDate: '2026-11-25', fromScore: 900, toScore: 900 };
    expect(splitRange(range, 60)).toEqual([range]);
  });
});
