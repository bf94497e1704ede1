import fc from 'fast-check';
import { WEEKDAYS, Weekday } from '../../src/domain/local-time.js';
import { plusDays, zoneClock } from '../../src/domain/zone-clock.js';

/** Zones with DST changes of an hour, of half an hour, at midnight, and none. */
export const WORLD_ZONES = [
  'America/New_York',
  'Europe/London',
  'Australia/Lord_Howe',
  'Asia/Kolkata',
  'UTC',
  'America/Santiago',
] as const;

/** A subscription as a client would PUT it, and the user it belongs to. */
export interface SubscriptionSpec {
  readonly userId: string;
  readonly tag: string;
  readonly body: {
    time: string;
    timezone: string;
    days: Weekday[];
    channel: string;
    paused: boolean;
    critical: boolean;
    maxLatenessMinutes: number | null;
    skipDates: string[];
    dst: { gap: 'shift' | 'skip'; overlap: 'first' | 'last' };
  };
}

/** A policy body as a client would PUT it. */
export interface PolicySpec {
  timezone: string;
  quietHours: { from: string; to: string; days?: Weekday[] }[];
  onQuiet: 'hold' | 'drop';
  snoozeUntil: string | null;
}

export interface World {
  readonly subscriptions: SubscriptionSpec[];
  readonly policies: Map<string, PolicySpec>;
}

const hhmm = (hour: number, minute: number) =>
  `${String(hour).padStart(2, '0')}:${String(minute).padStart(2, '0')}`;

/** Any minute, or often one of the hours where zones change their offset (23:00 to 03:59). */
const timeOfDay = fc
  .oneof(
    fc.tuple(fc.integer({ min: 0, max: 23 }), fc.integer({ min: 0, max: 59 })),
    fc.tuple(fc.constantFrom(23, 0, 1, 2, 3), fc.integer({ min: 0, max: 59 })),
    fc.tuple(fc.constantFrom(0, 1, 2, 23), fc.constantFrom(0, 15, 30, 45, 59)),
  )
  .map(([hour, minute]) => hhmm(hour, minute));

/**
 * Local times inside the zone's spring-forward gaps and fall-back overlaps around `start`
 * (and the minute just past each), or any time when the zone has none then.
 */
function dstTimeOf(timezone: string, start: Date): fc.Arbitrary<string> {
  const changes = zoneClock(timezone).changesBetween(
    start.getTime() - 86_400_000,
    start.getTime() + 16 * 86_400_000,
  );
  if (changes.length === 0) return timeOfDay;
  return fc.constantFrom(...changes).chain(({ at, before, after }) => {
    const [first, last] = [
      at + Math.min(before, after) * 60_000,
      at + Math.max(before, after) * 60_000,
    ];
    return fc
      .integer({ min: 0, max: (last - first) / 60_000 })
      .map((minutes) => new Date(first + minutes * 60_000))
      .map((wall) => hhmm(wall.getUTCHours(), wall.getUTCMinutes()));
  });
}

const days = fc.oneof(
  { weight: 3, arbitrary: fc.constant<Weekday[]>([...WEEKDAYS]) },
  { weight: 1, arbitrary: fc.subarray([...WEEKDAYS], { minLength: 1 }) },
);

const lateness = fc.oneof(
  { weight: 2, arbitrary: fc.constant(null) },
  { weight: 1, arbitrary: fc.constantFrom(1, 5, 30, 60, 120, 480, 1440) },
  { weight: 1, arbitrary: fc.integer({ min: 1, max: 1440 }) },
);

/** Windows over the night, over DST hours, short ones, and any; `from` never equals `to`. */
const quietWindow = fc
  .record({
    range: fc.oneof(
      fc.constantFrom(
        ['22:00', '07:00'],
        ['23:30', '06:45'],
        ['00:30', '02:30'],
        ['01:00', '03:00'],
      ),
      fc.tuple(timeOfDay, timeOfDay),
    ),
    days: fc.option(fc.subarray([...WEEKDAYS], { minLength: 1 }), { nil: undefined }),
  })
  .filter(({ range: [from, to] }) => from !== to)
  .map(({ range: [from, to], days }) => ({ from, to, ...(days ? { days } : {}) }));

/** A user of a fortnight from `start`: their subscriptions (each with a draw for `paused`) and policy. */
function userArbitrary(start: Date, channel: string) {
  const zone = fc.constantFrom(...WORLD_ZONES);
  const subscription = zone.chain((timezone) => {
    const firstDate = plusDays(zoneClock(timezone).localDateOf(start.getTime()), -1);
    const localDate = fc.integer({ min: 0, max: 16 }).map((day) => plusDays(firstDate, day));
    const time = fc.oneof(
      { weight: 3, arbitrary: timeOfDay },
      { weight: 2, arbitrary: dstTimeOf(timezone, start) },
    );
    return fc.record({
      time,
      timezone: fc.constant(timezone),
      days,
      channel: fc.constant(channel),
      critical: fc.integer({ min: 0, max: 6 }).map((n) => n === 0),
      maxLatenessMinutes: lateness,
      skipDates: fc.uniqueArray(localDate, { maxLength: 3 }),
      dst: fc.record({
        gap: fc.constantFrom('shift' as const, 'skip' as const),
        overlap: fc.constantFrom('first' as const, 'last' as const),
      }),
    });
  });
  const snoozeUntil = fc.option(
    fc
      .integer({ min: -86_400_000, max: 10 * 86_400_000 })
      .map((offset) => new Date(start.getTime() + offset).toISOString()),
    { nil: null, freq: 2 },
  );
  const policy = zone.chain((timezone) =>
    fc.record({
      timezone: fc.constant(timezone),
      quietHours: fc.array(
        fc.oneof(
          { weight: 3, arbitrary: quietWindow },
          {
            weight: 1,
            arbitrary: fc
              .tuple(dstTimeOf(timezone, start), dstTimeOf(timezone, start))
              .filter(([from, to]) => from !== to)
              .map(([from, to]) => ({ from, to })),
          },
        ),
        { maxLength: 4 },
      ),
      onQuiet: fc.constantFrom('hold' as const, 'hold' as const, 'drop' as const),
      snoozeUntil,
    }),
  );
  const user = fc.record({
    subscriptions: fc.array(fc.tuple(subscription, fc.integer({ min: 0, max: 19 })), {
      minLength: 1,
      maxLength: 3,
    }),
    policy: fc.option(policy, { nil: null, freq: 4 }),
  });
  return user;
}

/**
 * `users` users drawn with `seed` (the same seed, the same world), with one to three
 * subscriptions each (about one in twenty paused) and, for most, a policy.
 */
export function randomWorld(start: Date, channel: string, users: number, seed: number): World {
  const subscriptions: SubscriptionSpec[] = [];
  const policies = new Map<string, PolicySpec>();
  const drawn = fc.sample(userArbitrary(start, channel), { seed, numRuns: users });
  drawn.forEach((one, index) => {
    const userId = `u${index}`;
    one.subscriptions.forEach(([body, pausedDraw], tagIndex) => {
      subscriptions.push({
        userId,
        tag: `t${tagIndex}`,
        body: { ...body, paused: pausedDraw === 0 },
      });
    });
    if (one.policy) policies.set(userId, one.policy);
  });
  return { subscriptions, policies };
}
