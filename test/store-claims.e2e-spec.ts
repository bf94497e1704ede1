import { Redis } from 'ioredis';
import { weekdayOf } from '../src/domain/local-time.js';
import { Subscription } from '../src/domain/subscription.js';
import { ClaimCandidate, ClaimOutcome } from '../src/store/claim.store.js';
import { RedisClaimStore } from '../src/store/redis-claim.store.js';
import { RedisDeliveryStore } from '../src/store/redis-delivery.store.js';
import { RedisHandOffStore } from '../src/store/redis-hand-off.store.js';
import { RedisKeys } from '../src/store/redis-keys.js';
import { RedisSubscriptionStore } from '../src/store/redis-subscription.store.js';
import { testRedisUrl, uniquePrefix } from './support/chime-process.js';
import { aSubscription, anOccurrenceOf } from './support/factories.js';

/**
 * The subscription codec writes the HASH that the claim script reads: saving through one and
 * claiming through the other, on a real Redis, proves they agree on the encoding.
 */
describe('a saved subscription, claimed by the claim script', () => {
  let redis: Redis;
  let subscriptions: RedisSubscriptionStore;
  let claims: RedisClaimStore;
  let handOffs: RedisHandOffStore;
  let deliveries: RedisDeliveryStore;
  const DATE = '2026-11-25';
  const keyPrefix = uniquePrefix('store');

  beforeAll(() => {
    redis = new Redis(testRedisUrl());
    const keys = RedisKeys.forPrefix(keyPrefix);
    subscriptions = new RedisSubscriptionStore(redis, keys, { maxTagsPerUser: 1000 });
    claims = new RedisClaimStore(redis, keys, { dedupeTtlSeconds: 600 } as never);
    handOffs = new RedisHandOffStore(redis, keys);
    deliveries = new RedisDeliveryStore(redis, keys, { dedupeTtlSeconds: 600 } as never);
  });

  afterAll(async () => {
    await redis.quit();
  });

  async function saveAndClaim(
    subscription: Subscription,
    options: { respectArmedAt?: boolean; dryRun?: boolean; vouched?: boolean } = {},
  ): Promise<ClaimOutcome> {
    await subscriptions.save(subscription, await subscriptions.find(subscription));
    const candidate: ClaimCandidate = {
      occurrence: anOccurrenceOf(subscription, DATE),
      weekday: weekdayOf(DATE),
      vouched: options.vouched,
    };
    const { outcomes } = await claims.claimDue([candidate], {
      retryAt: new Date('2026-11-25T00:01:00Z'),
      respectArmedAt: options.respectArmedAt ?? true,
      dryRun: options.dryRun,
    });
    return outcomes[0];
  }

  it.each([
    ['its subscription read', false],
    ['vouched for by its zone part', true],
  ])(
    'wins an active subscription on an enabled weekday once, %s, then counts it a duplicate',
    async (_, vouched) => {
      const subscription = aSubscription({ userId: `ada-${vouched}` });
      expect(await saveAndClaim(subscription, { vouched })).toBe('won');
      expect(await saveAndClaim(subscription, { vouched })).toBe('duplicate');
      const [recorded] = await handOffs.takeUnconfirmed(
        new Date('2026-11-26T00:00:00Z'),
        new Date('2026-11-26T00:01:00Z'),
        10,
      );
      expect(recorded.occurrences).toEqual([anOccurrenceOf(subscription, DATE)]);
    },
  );

  it('skips a paused subscription', async () => {
    expect(await saveAndClaim(aSubscription({ userId: 'bob', paused: true }))).toBe('skipped');
  });

  it('finds no occurrence on a weekday the subscription does not have', async () => {
    const other = weekdayOf(DATE) === 'mon' ? 'tue' : 'mon';
    expect(await saveAndClaim(aSubscription({ userId: 'cy', days: [other] }))).toBe('absent');
  });

  it('skips an occurrence from before the schedule was armed, unless replayed', async () => {
    const armedLater = aSubscription({ userId: 'dee', armedAt: new Date('2026-11-25T06:00:00Z') });
    expect(await saveAndClaim(armedLater)).toBe('skipped');
    expect(await saveAndClaim(armedLater, { respectArmedAt: false })).toBe('won');
  });

  it('claims nothing in a dry run, vouched for or not', async () => {
    const subscription = aSubscription({ userId: 'eve' });
    expect(await saveAndClaim(subscription, { dryRun: true })).toBe('won');
    expect(await saveAndClaim(subscription, { dryRun: true, vouched: true })).toBe('won');
    expect(await claims.areClaimed([anOccurrenceOf(subscription, DATE).occurrenceId])).toEqual([
      false,
    ]);
    expect(await saveAndClaim(subscription)).toBe('won');
  });

  // A vouched claim of a date claimed for another instant asks the claim that reads.
  describe.each([
    ['read', false, 'r'],
    ['vouched for', true, 'v'],
  ])('a date whose time moved after it was claimed, its claims %s', (_, vouched, run) => {
    const claim = (subscription: Subscription, options: { dryRun?: boolean } = {}) =>
      saveAndClaim(subscription, { ...options, vouched });

    /** A job for the subscription's occurrence on DATE takes it (or not) for delivery. */
    async function acquireFor(subscription: Subscription, job: string) {
      const { occurrenceId, scheduledFor } = anOccurrenceOf(subscription, DATE);
      const [outcome] = await deliveries.acquire([{ occurrenceId, scheduledFor }], job);
      return outcome;
    }

    async function endAs(subscription: Subscription, status: 'cancelled' | 'delivered') {
      const { occurrenceId, scheduledFor } = anOccurrenceOf(subscription, DATE);
      const at = scheduledFor.toISOString();
      await deliveries.record({
        ...{ occurrenceId, userId: subscription.userId, tag: subscription.tag, status },
        ...{ channel: 'log', attempt: 1, scheduledFor: at, late: false, at },
      });
    }

    it('is claimed again for the new time while the old send has not begun, which the old job then leaves', async () => {
      const nine = aSubscription({ userId: `fay-${run}`, time: '09:00' });
      expect(await claim(nine)).toBe('won');
      const nearer = { ...nine, time: '08:59' };
      expect(await claim(nearer)).toBe('won');
      expect(await claim(nearer)).toBe('duplicate');

      expect(await acquireFor(nine, 'old-job')).toBe('held');
      expect(await acquireFor(nearer, 'new-job')).toBe('taken');
      expect(await claim({ ...nine, time: '08:58' })).toBe('duplicate');
    });

    it('is not claimed again while its send is in flight, nor once it was delivered', async () => {
      const nine = aSubscription({ userId: `gus-${run}`, time: '09:00' });
      expect(await claim(nine)).toBe('won');
      expect(await acquireFor(nine, 'old-job')).toBe('taken');
      expect(await claim({ ...nine, time: '08:59' })).toBe('duplicate');

      await endAs(nine, 'delivered');
      expect(await claim({ ...nine, time: '08:59' })).toBe('duplicate');
      expect(await claim({ ...nine, time: '10:00' })).toBe('duplicate');
    });

    it('is claimed again once the send in flight ended cancelled', async () => {
      const nine = aSubscription({ userId: `hal-${run}`, time: '09:00' });
      expect(await claim(nine)).toBe('won');
      expect(await acquireFor(nine, 'old-job')).toBe('taken');
      await endAs(nine, 'cancelled');
      const later = { ...nine, time: '09:30' };
      expect(await claim(later, { dryRun: true })).toBe('won');
      expect(await claim(later)).toBe('won');
      expect(await acquireFor(later, 'new-job')).toBe('taken');
    });

    it('keeps a claim from before claims held their instant unless it ended cancelled', async () => {
      const nine = aSubscription({ userId: `ivy-${run}`, time: '09:00' });
      await subscriptions.save(nine, null);
      const { occurrenceId } = anOccurrenceOf(nine, DATE);
      await redis.set(RedisKeys.forPrefix(keyPrefix).sent(occurrenceId), '1', 'EX', 600);
      expect(await claim({ ...nine, time: '08:59' })).toBe('duplicate');
    });
  });
});

/**
 * A write answers from its save alone: the save script reads, in the same step, the bucket's
 * horizon and the claim of the occurrence asked about, or, when it loses, what is stored.
 */
describe('a save, and what it read in the same step', () => {
  let redis: Redis;
  let keys: RedisKeys;
  let subscriptions: RedisSubscriptionStore;
  let claims: RedisClaimStore;
  const DATE = '2026-11-25';

  beforeAll(() => {
    redis = new Redis(testRedisUrl());
    keys = RedisKeys.forPrefix(uniquePrefix('save'));
    subscriptions = new RedisSubscriptionStore(redis, keys, { maxTagsPerUser: 2 });
    claims = new RedisClaimStore(redis, keys, { dedupeTtlSeconds: 600 } as never);
  });

  afterAll(async () => {
    await redis.quit();
  });

  const occurrenceIdOf = (subscription: Subscription) =>
    anOccurrenceOf(subscription, DATE).occurrenceId;

  it('tells an unclaimed occurrence, and no horizon while the bucket has none of its own', async () => {
    const subscription = aSubscription({ userId: 'una' });

    const saved = await subscriptions.save(subscription, null, occurrenceIdOf(subscription));

    expect(saved).toEqual({ outcome: 'created', bucketHorizon: undefined, claimed: false });
  });

  it("tells a claimed occurrence and the bucket's horizon, after the save", async () => {
    const subscription = aSubscription({ userId: 'cleo' });
    await subscriptions.save(subscription, null);
    const horizon = new Date('2026-11-25T00:04:00Z');
    await redis.hset(keys.bucketSchedulerState(keys.bucketOf('cleo')), 'horizon', +horizon);
    await claims.claimDue(
      [{ occurrence: anOccurrenceOf(subscription, DATE), weekday: weekdayOf(DATE) }],
      { retryAt: horizon, respectArmedAt: false },
    );
    const current = await subscriptions.find(subscription);

    const saved = await subscriptions.save(
      { ...subscription, title: 'again' },
      current,
      occurrenceIdOf(subscription),
    );

    expect(saved).toEqual({ outcome: 'replaced', bucketHorizon: horizon, claimed: true });
    expect(await subscriptions.find(subscription)).toMatchObject({ title: 'again', revision: 2 });
  });

  it('answers what is stored when it loses, and changes nothing', async () => {
    const subscription = aSubscription({ userId: 'lu', title: 'first' });
    await subscriptions.save(subscription, null);
    const before = await redis.hgetall(keys.userSubscriptions('lu'));

    const saved = await subscriptions.save({ ...subscription, title: 'second' }, null);

    expect(saved).toEqual({ outcome: 'conflict', stored: await subscriptions.find(subscription) });
    expect(saved.stored).toMatchObject({ title: 'first', revision: 1 });
    expect(await redis.hgetall(keys.userSubscriptions('lu'))).toEqual(before);
  });

  it('answers null as what is stored when what it expected is gone', async () => {
    const subscription = aSubscription({ userId: 'mo' });
    await subscriptions.save(subscription, null);
    const current = await subscriptions.find(subscription);
    await subscriptions.delete(subscription);

    const saved = await subscriptions.save({ ...subscription, title: 'late' }, current);

    expect(saved).toEqual({ outcome: 'conflict', stored: null });
    expect(await subscriptions.find(subscription)).toBeNull();
  });

  it('answers full, and nothing else, for a subscription past the limit', async () => {
    await subscriptions.save(aSubscription({ userId: 'fay', tag: 'a' }), null);
    await subscriptions.save(aSubscription({ userId: 'fay', tag: 'b' }), null);

    const third = aSubscription({ userId: 'fay', tag: 'c' });
    const saved = await subscriptions.save(third, null, occurrenceIdOf(third));

    expect(saved).toEqual({ outcome: 'full' });
    expect(await subscriptions.find(third)).toBeNull();
  });
});
