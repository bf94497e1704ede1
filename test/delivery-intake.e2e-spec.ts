import { Redis } from 'ioredis';
import { WEEKDAYS } from '../src/domain/local-time.js';
import { Policy } from '../src/domain/policy.js';
import { Subscription } from '../src/domain/subscription.js';
import { DeliveryIntakeClaim } from '../src/store/delivery-intake.store.js';
import { RedisDeliveryIntakeStore } from '../src/store/redis-delivery-intake.store.js';
import { RedisDeliveryStore } from '../src/store/redis-delivery.store.js';
import { RedisKeys } from '../src/store/redis-keys.js';
import { RedisPolicyStore } from '../src/store/redis-policy.store.js';
import { RedisSubscriptionStore } from '../src/store/redis-subscription.store.js';
import { UnreadableSubscription } from '../src/store/subscription.store.js';
import { testRedisUrl, uniquePrefix } from './support/chime-process.js';
import { aSubscription, anOccurrenceOf } from './support/factories.js';

const DATE = '2026-11-25';
const QUIET: Policy = {
  timezone: 'Asia/Shanghai',
  quietHours: [{ from: '22:00', to: '07:00', days: WEEKDAYS }],
  onQuiet: 'hold',
  snoozeUntil: null,
};

/**
 * A delivery job's one call per bucket (lua/take-deliveries.lua) takes the occurrences'
 * state by acquire's rules and reads, for the taken ones only, the subscription and the
 * user's policy as the stores would: on a real Redis, against what the stores wrote.
 */
describe('a delivery job taking its occurrences and reading them in one call', () => {
  let redis: Redis;
  let keys: RedisKeys;
  let intake: RedisDeliveryIntakeStore;
  let deliveries: RedisDeliveryStore;
  let subscriptions: RedisSubscriptionStore;
  let policies: RedisPolicyStore;

  beforeAll(() => {
    redis = new Redis(testRedisUrl());
    keys = RedisKeys.forPrefix(uniquePrefix('intake'));
    const config = { dedupeTtlSeconds: 600 } as never;
    intake = new RedisDeliveryIntakeStore(redis, keys, config);
    deliveries = new RedisDeliveryStore(redis, keys, config);
    subscriptions = new RedisSubscriptionStore(redis, keys, { maxTagsPerUser: 1000 });
    policies = new RedisPolicyStore(redis, keys);
  });

  afterAll(async () => {
    await redis.quit();
  });

  async function saved(overrides: Partial<Subscription>): Promise<Subscription> {
    const subscription = aSubscription(overrides);
    await subscriptions.save(subscription, null);
    return subscription;
  }

  function claimOf(subscription: Subscription, takeOverFrom?: string): DeliveryIntakeClaim {
    const { occurrenceId, scheduledFor, userId, tag } = anOccurrenceOf(subscription, DATE);
    return { occurrenceId, scheduledFor, userId, tag, takeOverFrom };
  }

  it('takes free occurrences with their subscriptions and policies as the stores read them', async () => {
    const ada = await saved({ userId: 'ada', tag: 'a' });
    const ada2 = await saved({ userId: 'ada', tag: 'b', time: '09:30' });
    const bob = await saved({ userId: 'bob', tag: 'a' });
    await policies.save('ada', QUIET);
    const gone = aSubscription({ userId: 'cy', tag: 'gone' });

    const found = await intake.take(
      [ada, ada2, bob, gone].map((s) => claimOf(s)),
      'job-1',
    );

    const expected = await subscriptions.findMany([ada, ada2, bob]);
    expect(found).toEqual([
      { outcome: 'taken', subscription: expected[0], policy: QUIET },
      { outcome: 'taken', subscription: expected[1], policy: QUIET },
      { outcome: 'taken', subscription: expected[2], policy: null },
      { outcome: 'taken', subscription: null, policy: null },
    ]);
    expect(await deliveries.acquire([claimOf(ada)], 'job-2')).toEqual(['held']);
  });

  it("takes by acquire's rules: held by another is left and not read; a rerun and a take-over take it", async () => {
    const dee = await saved({ userId: 'dee', tag: 'a' });
    expect((await intake.take([claimOf(dee)], 'job-1'))[0].outcome).toBe('taken');
    expect(await intake.take([claimOf(dee)], 'job-2')).toEqual([{ outcome: 'held' }]);
    expect((await intake.take([claimOf(dee)], 'job-1'))[0].outcome).toBe('taken');
    expect((await intake.take([claimOf(dee, 'job-1')], 'retry'))[0].outcome).toBe('taken');
    expect(await deliveries.acquire([claimOf(dee)], 'job-1')).toEqual(['held']);
  });

  it('takes a date claimed again for its instant, and leaves one claimed again for another', async () => {
    const ivy = await saved({ userId: 'ivy', tag: 'a' });
    const jon = await saved({ userId: 'jon', tag: 'a' });
    const { scheduledFor } = claimOf(ivy);
    await redis.set(keys.deliveryState(claimOf(ivy).occurrenceId), `superseded:${+scheduledFor}`);
    await redis.set(keys.deliveryState(claimOf(jon).occurrenceId), 'superseded:1');

    const found = await intake.take([claimOf(ivy), claimOf(jon)], 'job-1');

    expect(found.map(({ outcome }) => outcome)).toEqual(['taken', 'held']);
  });

  it('answers an unreadable state or subscription for its own item and takes the rest', async () => {
    const good = await saved({ userId: 'eve', tag: 'good' });
    const badValue = await saved({ userId: 'eve', tag: 'bad-value' });
    const badState = await saved({ userId: 'eve', tag: 'bad-state' });
    const wrongType = aSubscription({ userId: 'fay', tag: 'a' });
    const value = (await redis.hget(keys.userSubscriptions('eve'), 'bad-value'))!;
    await redis.hset(keys.userSubscriptions('eve'), 'bad-value', value.replace(/\[.*$/, '[no'));
    await redis.hset(keys.deliveryState(claimOf(badState).occurrenceId), 'not', 'a string');
    await redis.set(keys.userSubscriptions('fay'), 'not a hash');

    const found = await intake.take(
      [good, badValue, badState, wrongType].map((s) => claimOf(s)),
      'job-1',
    );

    expect(found.map(({ outcome }) => outcome)).toEqual(['taken', 'taken', 'unreadable', 'taken']);
    const subscriptionOf = (index: number) =>
      found[index].outcome === 'taken' ? found[index].subscription : undefined;
    expect(subscriptionOf(0)).toEqual((await subscriptions.findMany([good]))[0]);
    expect(subscriptionOf(1)).toBeInstanceOf(UnreadableSubscription);
    expect(subscriptionOf(3)).toBeInstanceOf(UnreadableSubscription);
    expect((subscriptionOf(3) as UnreadableSubscription).reason).toContain('WRONGTYPE');
  });

  it('fails the whole call when a policy cannot be read, having taken nothing', async () => {
    const gus = await saved({ userId: 'gus', tag: 'a' });
    await redis.hset(keys.policy('gus'), 'not', 'a string');

    await expect(intake.take([claimOf(gus)], 'job-1')).rejects.toThrow(/WRONGTYPE/);
    expect(await redis.exists(keys.deliveryState(claimOf(gus).occurrenceId))).toBe(0);
  });

  it('reads one call per bucket: occurrences of users in different buckets are all answered', async () => {
    const users = Array.from({ length: 40 }, (_, index) => `user-${index}`);
    const all = await Promise.all(users.map((userId) => saved({ userId, tag: 't' })));
    expect(new Set(users.map((userId) => keys.bucketOf(userId))).size).toBeGreaterThan(4);

    const found = await intake.take(
      all.map((s) => claimOf(s)),
      'job-1',
    );

    const expected = await subscriptions.findMany(all);
    expect(found).toEqual(
      expected.map((subscription) => ({ outcome: 'taken', subscription, policy: null })),
    );
  });
});
