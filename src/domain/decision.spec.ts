import fc from 'fast-check';
import {
  decideOccurrence,
  DEFAULT_OCCURRENCE_RULES,
  OccurrenceDecision,
  RuledSubscription,
  unsentStatusOf,
} from './decision.js';
import { DstChoice } from './dst.js';
import { formatHHMM, WEEKDAYS } from './local-time.js';
import { Policy, QuietWindow } from './policy.js';
import { quietReasonsAt } from './quiet.js';
import { plusDays } from './zone-clock.js';

const at = (iso: string) => new Date(iso);
const MINUTE = 60_000;
const DAY = 86_400_000;

const subscription = (overrides: Partial<RuledSubscription> = {}): RuledSubscription => ({
  userId: 'ada',
  tag: 'news',
  time: '08:00',
  timezone: 'UTC',
  days: WEEKDAYS,
  ...DEFAULT_OCCURRENCE_RULES,
  ...overrides,
});
const policy = (overrides: Partial<Policy> = {}): Policy => ({
  timezone: 'UTC',
  quietHours: [{ from: '22:00', to: '07:00', days: WEEKDAYS }],
  onQuiet: 'hold',
  snoozeUntil: null,
  ...overrides,
});
const decide = (
  sub: RuledSubscription,
  rules: Policy | null,
  localDate: string,
  now = at('2026-01-01T00:00:00Z'),
) => decideOccurrence(sub, rules, localDate, now);

/** The parts a reader checks by hand, instants as ISO strings. */
const plain = (decision: OccurrenceDecision | null) =>
  decision && {
    scheduledFor: decision.scheduledFor.toISOString(),
    sendAt: decision.sendAt?.toISOString() ?? null,
    outcome: decision.outcome,
    reasons: decision.reasons,
  };

describe('decideOccurrence, hand-checked', () => {
  it('sends 08:00 Shanghai news at 00:00Z with nothing to say, under no policy', () => {
    const decision = decide(subscription({ timezone: 'Asia/Shanghai' }), null, '2026-06-01');
    expect(decision).toEqual({
      occurrenceId: 'ada|news|2026-06-01',
      localDate: '2026-06-01',
      scheduledFor: at('2026-06-01T00:00:00Z'),
      sendAt: at('2026-06-01T00:00:00Z'),
      outcome: 'send',
      reasons: [],
    });
  });

  it('holds a 23:30 occurrence through 22:00-07:00 to 07:00 the next morning', () => {
    expect(plain(decide(subscription({ time: '23:30' }), policy(), '2026-06-01'))).toEqual({
      scheduledFor: '2026-06-01T23:30:00.000Z',
      sendAt: '2026-06-02T07:00:00.000Z',
      outcome: 'hold',
      reasons: ['quiet-hours'],
    });
  });

  it('drops, as expired, a hold that ends past maxLatenessMinutes, and keeps one that ends at it', () => {
    // 23:30 to 07:00 is 450 minutes.
    const late = (maxLatenessMinutes: number) =>
      plain(decide(subscription({ time: '23:30', maxLatenessMinutes }), policy(), '2026-06-01'));
    expect(late(449)).toEqual({
      scheduledFor: '2026-06-01T23:30:00.000Z',
      sendAt: null,
      outcome: 'drop',
      reasons: ['quiet-hours', 'expires'],
    });
    expect(late(450)?.outcome).toBe('hold');
  });

  it('drops what quiet hours hold when onQuiet is drop, without expires', () => {
    const decision = decide(
      subscription({ time: '23:30' }),
      policy({ onQuiet: 'drop' }),
      '2026-06-01',
    );
    expect(plain(decision)).toEqual({
      scheduledFor: '2026-06-01T23:30:00.000Z',
      sendAt: null,
      outcome: 'drop',
      reasons: ['quiet-hours'],
    });
    expect(unsentStatusOf(decision!)).toBe('dropped');
  });

  it('sends a critical occurrence through quiet hours and a snooze, with no reason for them', () => {
    const rules = policy({ snoozeUntil: at('2026-06-03T00:00:00Z') });
    expect(
      plain(decide(subscription({ time: '23:30', critical: true }), rules, '2026-06-01')),
    ).toEqual({
      scheduledFor: '2026-06-01T23:30:00.000Z',
      sendAt: '2026-06-01T23:30:00.000Z',
      outcome: 'send',
      reasons: [],
    });
  });

  it('holds a snoozed occurrence to the snooze end', () => {
    const rules = policy({ snoozeUntil: at('2026-06-01T09:15:00Z') });
    expect(plain(decide(subscription(), rules, '2026-06-01'))).toEqual({
      scheduledFor: '2026-06-01T08:00:00.000Z',
      sendAt: '2026-06-01T09:15:00.000Z',
      outcome: 'hold',
      reasons: ['snoozed'],
    });
  });

  it('skips the New York spring-forward date under gap skip, at where shift would put it', () => {
    const skip: DstChoice = { gap: 'skip', overlap: 'first' };
    const sub = subscription({ time: '02:30', timezone: 'America/New_York', dst: skip });
    const decision = decide(sub, null, '2026-03-08');
    // 02:30 does not exist; the gap ends at 03:00 EDT, 07:00Z.
    expect(plain(decision)).toEqual({
      scheduledFor: '2026-03-08T07:00:00.000Z',
      sendAt: null,
      outcome: 'skip',
      reasons: ['dst-gap-skipped'],
    });
    expect(unsentStatusOf(decision!)).toBe('skipped');
  });

  it('names both the default shift and the skip date on a holiday that is also spring-forward day', () => {
    const sub = subscription({
      time: '02:30',
      timezone: 'America/New_York',
      skipDates: ['2026-03-08'],
    });
    expect(plain(decide(sub, policy(), '2026-03-08'))).toEqual({
      scheduledFor: '2026-03-08T07:00:00.000Z',
      sendAt: null,
      outcome: 'skip',
      reasons: ['dst-gap-shifted', 'skip-date'],
    });
  });

  it('holds the later 01:30 of New York fall-back night through 00:30-02:00 to 02:00 EST', () => {
    const sub = subscription({
      time: '01:30',
      timezone: 'America/New_York',
      dst: { gap: 'shift', overlap: 'last' },
    });
    const rules = policy({
      timezone: 'America/New_York',
      quietHours: [{ from: '00:30', to: '02:00', days: ['sun'] }],
    });
    // 01:30 EST is 06:30Z; 02:00 EST is 07:00Z.
    expect(plain(decide(sub, rules, '2026-11-01'))).toEqual({
      scheduledFor: '2026-11-01T06:30:00.000Z',
      sendAt: '2026-11-01T07:00:00.000Z',
      outcome: 'hold',
      reasons: ['dst-overlap-last', 'quiet-hours'],
    });
  });

  it('sends a late occurrence now, and expires it once now is past maxLatenessMinutes', () => {
    const sub = subscription({ maxLatenessMinutes: 15 });
    const now = at('2026-06-01T08:10:00Z');
    expect(plain(decide(sub, null, '2026-06-01', now))).toMatchObject({
      sendAt: '2026-06-01T08:10:00.000Z',
      outcome: 'send',
    });
    const decision = decide(sub, null, '2026-06-01', at('2026-06-01T08:16:00Z'));
    expect(plain(decision)).toMatchObject({ sendAt: null, outcome: 'drop', reasons: ['expires'] });
    expect(unsentStatusOf(decision!)).toBe('expired');
  });

  it('holds a late occurrence that quiet hours began on meanwhile', () => {
    const sub = subscription({ time: '21:55' });
    const decision = decide(sub, policy(), '2026-06-01', at('2026-06-01T22:05:00Z'));
    expect(plain(decision)).toMatchObject({
      sendAt: '2026-06-02T07:00:00.000Z',
      outcome: 'hold',
      reasons: ['quiet-hours'],
    });
  });

  it('sends a held occurrence at once when the snooze ended early', () => {
    const now = at('2026-06-01T08:30:00Z');
    const decision = decide(subscription(), policy({ quietHours: [] }), '2026-06-01', now);
    expect(plain(decision)).toMatchObject({ sendAt: '2026-06-01T08:30:00.000Z', outcome: 'send' });
    expect(unsentStatusOf(decision!)).toBeNull();
  });

  it('expires a hold that never ends, under windows covering the whole week', () => {
    const always = policy({
      quietHours: [
        { from: '00:00', to: '12:00', days: WEEKDAYS },
        { from: '12:00', to: '00:00', days: WEEKDAYS },
      ],
    });
    expect(plain(decide(subscription(), always, '2026-06-01'))).toMatchObject({
      outcome: 'drop',
      reasons: ['quiet-hours', 'expires'],
    });
  });

  it('has no occurrence on a weekday the subscription does not enable', () => {
    // 2026-06-01 is a Monday.
    expect(decide(subscription({ days: ['tue'] }), null, '2026-06-01')).toBeNull();
  });
});

const ZONES = [
  'America/New_York',
  'Europe/London',
  'Europe/Dublin',
  'Australia/Lord_Howe',
  'Asia/Kathmandu',
  'Pacific/Chatham',
  'America/Sao_Paulo',
  'Africa/Casablanca',
] as const;
/** Offset changes of those zones, where the decisions are easiest to get wrong. */
const CHANGES = [
  ['America/New_York', '2026-03-08T07:00:00Z'],
  ['America/New_York', '2026-11-01T06:00:00Z'],
  ['Europe/London', '2026-03-29T01:00:00Z'],
  ['Europe/Dublin', '2026-10-25T01:00:00Z'],
  ['Australia/Lord_Howe', '2026-10-03T15:30:00Z'],
  ['Australia/Lord_Howe', '2026-04-04T15:00:00Z'],
  ['Pacific/Chatham', '2026-04-04T14:00:00Z'],
  ['Pacific/Chatham', '2026-09-26T14:00:00Z'],
  ['America/Sao_Paulo', '2018-11-04T03:00:00Z'],
  ['Africa/Casablanca', '2026-02-15T02:00:00Z'],
  ['Africa/Casablanca', '2026-03-22T02:00:00Z'],
] as const;

describe('decideOccurrence, for random subscriptions, policies and moments', () => {
  const hhmm = fc
    .integer({ min: 0, max: 1439 })
    .map((minute) => formatHHMM({ hour: Math.floor(minute / 60), minute: minute % 60 }));
  const quietWindow: fc.Arbitrary<QuietWindow> = fc
    .record({ from: hhmm, to: hhmm, days: fc.subarray([...WEEKDAYS], { minLength: 1 }) })
    .filter(({ from, to }) => from !== to);
  const dst = fc.record({
    gap: fc.constantFrom('shift' as const, 'skip' as const),
    overlap: fc.constantFrom('first' as const, 'last' as const),
  });
  const zone = fc.constantFrom(...ZONES);
  /** A moment near an offset change; the subscription and the policy often in its zone. */
  const cases = fc
    .tuple(
      fc.constantFrom(...CHANGES),
      fc.integer({ min: -2 * DAY, max: 2 * DAY }),
      fc.option(zone, { nil: null }),
      fc.option(zone, { nil: null }),
    )
    .chain(([[changeZone, change], shift, subZone, policyZone]) =>
      fc.record({
        now: fc.constant(Date.parse(change) + shift),
        dayShift: fc.integer({ min: 0, max: 2 }),
        sub: fc.record({
          // Times that offset changes at 00:00-04:00 local often swallow or repeat.
          time: fc.oneof(
            hhmm,
            fc.constantFrom('00:15', '00:30', '01:30', '01:45', '02:30', '03:15'),
          ),
          timezone: fc.constant(subZone ?? changeZone),
          critical: fc.boolean(),
          maxLatenessMinutes: fc.option(fc.integer({ min: 1, max: 1440 }), { nil: null, freq: 2 }),
          dst,
        }),
        rules: fc.record({
          timezone: fc.constant(policyZone ?? changeZone),
          quietHours: fc.array(quietWindow, { maxLength: 4 }),
          onQuiet: fc.oneof(
            { arbitrary: fc.constant('hold' as const), weight: 3 },
            { arbitrary: fc.constant('drop' as const), weight: 1 },
          ),
          snooze: fc.option(fc.integer({ min: -DAY, max: DAY }), { nil: null }),
        }),
      }),
    );

  it('never lets a held or sent non-critical occurrence leave inside a quiet window or a snooze, nor too late', () => {
    fc.assert(
      fc.property(cases, ({ now, dayShift, sub, rules }) => {
        const { snooze, ...fields } = rules;
        const userPolicy = {
          ...fields,
          snoozeUntil: snooze === null ? null : new Date(now + snooze),
        };
        const localDate = plusDays(new Date(now).toISOString().slice(0, 10), dayShift);
        const decision = decide(subscription(sub), userPolicy, localDate, new Date(now))!;
        const { sendAt, outcome, scheduledFor } = decision;
        if (outcome === 'drop' || outcome === 'skip') return expect(sendAt).toBeNull();
        expect(sendAt!.getTime()).toBeGreaterThanOrEqual(Math.max(now, scheduledFor.getTime()));
        if (sub.maxLatenessMinutes !== null) {
          expect(sendAt!.getTime() - scheduledFor.getTime()).toBeLessThanOrEqual(
            sub.maxLatenessMinutes * MINUTE,
          );
        }
        if (sub.critical) return expect(outcome).toBe('send');
        expect(quietReasonsAt(userPolicy, sendAt!)).toEqual([]);
        expect(outcome === 'hold').toBe(sendAt!.getTime() > Math.max(now, scheduledFor.getTime()));
      }),
      { numRuns: 1000 },
    );
  });
});
