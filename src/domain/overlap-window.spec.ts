import fc from 'fast-check';
import { IANAZone } from 'luxon';
import { resolveLocalTime } from './dst.js';
import { addDays, localDateOf, WEEKDAYS } from './local-time.js';
import { laterCopyRanges } from './overlap-window.js';
import { occurrenceOn } from './schedule.js';
import { LocalRange, localRanges } from './window.js';

const at = (iso: string) => new Date(iso);
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const ZONES = [
  'America/New_York',
  'Europe/Dublin',
  'Australia/Lord_Howe',
  'Pacific/Chatham',
  'America/Sao_Paulo',
  'Africa/Casablanca',
  'America/Santiago',
] as const;

/** The instants of the zones' fall-backs in 2017-2027, found day by day, then by the minute. */
function fallBacks(): number[] {
  const found: number[] = [];
  for (const zone of ZONES) {
    const iana = IANAZone.create(zone);
    for (let day = Date.UTC(2017, 0, 1); day < Date.UTC(2028, 0, 1); day += 24 * HOUR) {
      if (iana.offset(day) <= iana.offset(day + 24 * HOUR)) continue;
      let [before, after] = [day, day + 24 * HOUR];
      while (after - before > MINUTE) {
        const middle = before + Math.floor((after - before) / 2 / MINUTE) * MINUTE;
        if (iana.offset(middle) === iana.offset(before)) before = middle;
        else after = middle;
      }
      found.push(after);
    }
  }
  return found;
}

const selected = (ranges: LocalRange[]) =>
  ranges.flatMap(({ localDate, fromScore, toScore }) => {
    const scores: string[] = [];
    for (let score = fromScore; score <= toScore; score++) {
      if (score % 100 < 60) scores.push(`${localDate} ${score}`);
    }
    return scores;
  });

const timeOf = (minute: number) => ({ hour: Math.floor(minute / 60), minute: minute % 60 });

/** Brute force: every local time of the nearby dates whose later overlap instant is in the window. */
function bruteForce(timezone: string, from: Date, to: Date): string[] {
  const found: string[] = [];
  const last = addDays(localDateOf(to, timezone), 1);
  for (let date = addDays(localDateOf(from, timezone), -1); date <= last; date = addDays(date, 1)) {
    for (let minute = 0; minute < 1440; minute++) {
      const { instant, rule } = resolveLocalTime(date, timeOf(minute), timezone, {
        gap: 'shift',
        overlap: 'last',
      });
      const inside = instant!.getTime() >= from.getTime() && instant!.getTime() < to.getTime();
      if (rule === 'dst-overlap-last' && inside) {
        found.push(`${date} ${Math.floor(minute / 60) * 100 + (minute % 60)}`);
      }
    }
  }
  return found;
}

describe('laterCopyRanges', () => {
  it('selects the repeated New York hour when the window holds its later copy', () => {
    // 2026-11-01: 02:00 EDT -> 01:00 EST at 06:00Z; 01:00-01:59 EST are 06:00Z-06:59Z.
    expect(
      laterCopyRanges('America/New_York', at('2026-11-01T06:00:00Z'), at('2026-11-01T07:00:00Z')),
    ).toEqual([{ localDate: '2026-11-01', fromScore: 100, toScore: 159 }]);
    expect(
      laterCopyRanges('America/New_York', at('2026-11-01T06:30:30Z'), at('2026-11-01T06:32:00Z')),
    ).toEqual([{ localDate: '2026-11-01', fromScore: 131, toScore: 131 }]);
  });

  it('selects the repeated half hour of Lord Howe', () => {
    // 2026-04-05: 02:00 +11 -> 01:30 +10:30 at 15:00Z the day before; 01:30-01:59 repeat.
    expect(
      laterCopyRanges(
        'Australia/Lord_Howe',
        at('2026-04-04T14:00:00Z'),
        at('2026-04-04T16:00:00Z'),
      ),
    ).toEqual([{ localDate: '2026-04-05', fromScore: 130, toScore: 159 }]);
  });

  it('selects nothing outside a fall-back, and nothing for the earlier copy', () => {
    expect(
      laterCopyRanges('America/New_York', at('2026-03-08T06:00:00Z'), at('2026-03-08T09:00:00Z')),
    ).toEqual([]);
    expect(
      laterCopyRanges('America/New_York', at('2026-11-01T05:00:00Z'), at('2026-11-01T06:00:00Z')),
    ).toEqual([]);
    expect(laterCopyRanges('UTC', at('2026-11-01T00:00:00Z'), at('2026-11-02T00:00:00Z'))).toEqual(
      [],
    );
  });

  const windows = fc
    .tuple(
      fc.constantFrom(...fallBacks()),
      fc.integer({ min: -3 * HOUR, max: 2 * HOUR }),
      fc.integer({ min: 1, max: 4 * 60 }),
    )
    .map(([fallBack, shift, minutes]) => ({
      from: fallBack + shift,
      to: fallBack + shift + minutes * MINUTE,
    }));

  it('selects exactly the times whose later overlap instant lies in the window', () => {
    fc.assert(
      fc.property(fc.constantFrom(...ZONES), windows, (zone, { from, to }) => {
        const [start, end] = [new Date(from), new Date(to)];
        expect(selected(laterCopyRanges(zone, start, end))).toEqual(bruteForce(zone, start, end));
      }),
      { numRuns: 40 },
    );
  });

  it('lets a tick scanning localRanges and laterCopyRanges find every occurrence under any dst choice', () => {
    const choices = fc.record({
      gap: fc.constantFrom('shift' as const, 'skip' as const),
      overlap: fc.constantFrom('first' as const, 'last' as const),
    });
    fc.assert(
      fc.property(
        fc.constantFrom(...ZONES),
        windows,
        fc.integer({ min: 0, max: 1439 }),
        choices,
        (zone, { from, to }, minute, dst) => {
          const [start, end] = [new Date(from), new Date(to)];
          const scanned = new Set(
            selected([...localRanges(zone, start, end), ...laterCopyRanges(zone, start, end)]),
          );
          const schedule = { time: timeOf(minute), timezone: zone, days: WEEKDAYS, dst };
          const score = Math.floor(minute / 60) * 100 + (minute % 60);
          for (
            let date = addDays(localDateOf(start, zone), -1);
            date <= addDays(localDateOf(end, zone), 1);
            date = addDays(date, 1)
          ) {
            const instant = occurrenceOn(schedule, date)?.instant.getTime();
            if (instant !== undefined && instant >= from && instant < to) {
              expect(scanned.has(`${date} ${score}`)).toBe(true);
            }
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});
