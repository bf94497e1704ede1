import fc from 'fast-check';
import { DEFAULT_OCCURRENCE_RULES } from './decision.js';
import { formatHHMM, parseHHMM, WEEKDAYS } from './local-time.js';
import { Policy } from './policy.js';
import { PreviewedSubscription, previewOccurrences } from './preview.js';
import { quietReasonsAt } from './quiet.js';
import { nextOccurrence } from './schedule.js';

const at = (iso: string) => new Date(iso);
const subscription = (overrides: Partial<PreviewedSubscription> = {}): PreviewedSubscription => ({
  userId: 'ada',
  tag: 'news',
  time: '08:00',
  timezone: 'UTC',
  days: WEEKDAYS,
  paused: false,
  ...DEFAULT_OCCURRENCE_RULES,
  ...overrides,
});
const quietNights: Policy = {
  timezone: 'UTC',
  quietHours: [{ from: '22:00', to: '07:00', days: WEEKDAYS }],
  onQuiet: 'hold',
  snoozeUntil: null,
};
/** Each item as a line a reader can check: date, outcome, scheduledFor, sendAt, reasons. */
const lines = (items: ReturnType<typeof previewOccurrences>) =>
  items.map(
    ({ localDate, outcome, scheduledFor, sendAt, reasons }) =>
      `${localDate} ${outcome} ${scheduledFor.toISOString()} ${sendAt?.toISOString() ?? '-'} ${reasons.join(',')}`,
  );

describe('previewOccurrences', () => {
  it('lists the next occurrences from now, a skipped gap date in its place', () => {
    const sub = subscription({
      time: '02:30',
      timezone: 'America/New_York',
      dst: { gap: 'skip', overlap: 'first' },
    });
    // Now is 03:00 EST on 2026-03-07: that day's 02:30 EST (07:30Z) has passed.
    expect(lines(previewOccurrences(sub, null, at('2026-03-07T08:00:00Z'), 3))).toEqual([
      // 02:30 does not exist on spring-forward day; shift would have put it at 03:00 EDT.
      '2026-03-08 skip 2026-03-08T07:00:00.000Z - dst-gap-skipped',
      // 02:30 EDT is 06:30Z.
      '2026-03-09 send 2026-03-09T06:30:00.000Z 2026-03-09T06:30:00.000Z ',
      '2026-03-10 send 2026-03-10T06:30:00.000Z 2026-03-10T06:30:00.000Z ',
    ]);
  });

  it('keeps a skip date in its place, and holds what quiet hours cover', () => {
    const sub = subscription({ time: '23:00', days: ['mon', 'wed'], skipDates: ['2026-06-03'] });
    // 2026-06-01 is a Monday; now is its noon.
    expect(lines(previewOccurrences(sub, quietNights, at('2026-06-01T12:00:00Z'), 3))).toEqual([
      '2026-06-01 hold 2026-06-01T23:00:00.000Z 2026-06-02T07:00:00.000Z quiet-hours',
      '2026-06-03 skip 2026-06-03T23:00:00.000Z - skip-date',
      '2026-06-08 hold 2026-06-08T23:00:00.000Z 2026-06-09T07:00:00.000Z quiet-hours',
    ]);
  });

  it('sends a critical subscription through quiet hours and a snooze, with no reason', () => {
    const sub = subscription({ time: '23:00', critical: true });
    const snoozed = { ...quietNights, snoozeUntil: at('2026-07-01T00:00:00Z') };
    const items = previewOccurrences(sub, snoozed, at('2026-06-01T12:00:00Z'), 5);
    expect(items.map(({ outcome, reasons }) => [outcome, reasons])).toEqual(
      Array(5).fill(['send', []]),
    );
  });

  it('names the default DST rule that placed an occurrence, and expires a hold past the limit', () => {
    const sub = subscription({ time: '01:30', timezone: 'Europe/London', maxLatenessMinutes: 60 });
    const policy = {
      ...quietNights,
      timezone: 'Europe/London',
      quietHours: [{ from: '01:00', to: '03:00', days: WEEKDAYS }],
    };
    // London falls back 02:00 BST -> 01:00 GMT on 2026-10-25: 01:30 is first at 00:30Z (BST).
    // Quiet 01:00 BST (00:00Z) to 03:00 GMT (03:00Z): 150 minutes late is past 60.
    expect(lines(previewOccurrences(sub, policy, at('2026-10-24T12:00:00Z'), 2))).toEqual([
      '2026-10-25 drop 2026-10-25T00:30:00.000Z - dst-overlap-first,quiet-hours,expires',
      '2026-10-26 drop 2026-10-26T01:30:00.000Z - quiet-hours,expires',
    ]);
  });

  it('answers nothing for a paused subscription', () => {
    expect(
      previewOccurrences(subscription({ paused: true }), null, at('2026-06-01T00:00:00Z'), 10),
    ).toEqual([]);
  });

  it('follows nextOccurrence, occurrence by occurrence, under the default rules', () => {
    const zones = ['America/New_York', 'Australia/Lord_Howe', 'Pacific/Chatham', 'Europe/Dublin'];
    const cases = fc.record({
      zone: fc.constantFrom(...zones),
      minute: fc.integer({ min: 0, max: 1439 }),
      days: fc.subarray([...WEEKDAYS], { minLength: 1 }),
      now: fc.integer({ min: Date.UTC(2025, 0, 1), max: Date.UTC(2028, 0, 1) }),
      count: fc.integer({ min: 1, max: 30 }),
    });
    fc.assert(
      fc.property(cases, ({ zone, minute, days, now, count }) => {
        const time = formatHHMM({ hour: Math.floor(minute / 60), minute: minute % 60 });
        const sub = subscription({ time, timezone: zone, days });
        const schedule = { time: parseHHMM(time), timezone: zone, days };
        const expected: string[] = [];
        for (let notBefore = now; expected.length < count;) {
          const next = nextOccurrence(schedule, new Date(notBefore))!;
          expected.push(`${next.localDate} ${next.instant.toISOString()}`);
          notBefore = next.instant.getTime() + 1;
        }
        const items = previewOccurrences(sub, null, new Date(now), count);
        expect(items.map((item) => `${item.localDate} ${item.scheduledFor.toISOString()}`)).toEqual(
          expected,
        );
        expect(items.map((item) => item.occurrenceId)).toEqual(
          items.map((item) => `ada|news|${item.localDate}`),
        );
      }),
      { numRuns: 100 },
    );
  });

  // Its speed is bench:preview's to measure (bench/README.md), not a timed assertion here.
  it('previews 100 occurrences under four quiet windows, each held one leaving outside them all', () => {
    const sub = subscription({
      time: '06:45',
      timezone: 'America/New_York',
      skipDates: ['2026-12-25'],
    });
    const policy: Policy = {
      timezone: 'Australia/Lord_Howe',
      quietHours: [
        { from: '22:00', to: '07:00', days: WEEKDAYS },
        { from: '06:30', to: '08:00', days: ['mon', 'tue'] },
        { from: '12:00', to: '13:30', days: ['sat', 'sun'] },
        { from: '01:00', to: '03:00', days: WEEKDAYS },
      ],
      onQuiet: 'hold',
      snoozeUntil: null,
    };
    const items = previewOccurrences(sub, policy, at('2026-09-01T00:00:00Z'), 100);
    expect(items).toHaveLength(100);
    const held = items.filter(({ outcome }) => outcome === 'hold');
    expect(held.length).toBeGreaterThan(0);
    for (const { scheduledFor, sendAt, reasons } of held) {
      expect(sendAt!.getTime()).toBeGreaterThan(scheduledFor.getTime());
      expect(quietReasonsAt(policy, sendAt!)).toEqual([]);
      expect(reasons).toContain('quiet-hours');
    }
  });
});
