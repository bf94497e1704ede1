import { Redis } from 'ioredis';
import { weekdayOf } from '../src/domain/local-time.js';
import { Subscription } from '../src/domain/subscription.js';
import { ClaimCandidate, ClaimOutcome } from '../src/store/claim.store.js';
import { RedisClaimStore } from '../src/store/redis-claim.store.js';
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
  const DATE = '2026-11-25';

  beforeAll(() => {
    redis = new Redis(testRedisUrl());
    const keys = RedisKeys.forPrefix(uniquePrefix('store'));
    subscriptions = new RedisSubscriptionStore(redis, keys, { maxTagsPerUser: 1000 });
    claims = new RedisClaimStore(redis, keys, { dedupeTtlSeconds: 600 } as never);
    handOffs = new RedisHandOffStore(redis, keys);
  });

  afterAll(async () => {
    await redis.quit();
  });

  async function saveAndClaim(
    subscription: Subscription,
    options: { respectArmedAt?: boolean; dryRun?: boolean } = {},
  ): Promise<ClaimOutcome> {
    await subscriptions.save(
      subscription,
      (await subscriptions.find(subscription))?.revision ?? null,
    );
    const candidate: ClaimCandidate = {
      occurrence: anOccurrenceOf(subscription, DATE),
      weekday: weekdayOf(DATE),
    };
    const { outcomes } = await claims.claimDue([candidate], {
      retryAt: new Date('2026-11-25T00:01:00Z'),
      respectArmedAt: options.respectArmedAt ?? true,
      dryRun: options.dryRun,
    });
    return outcomes[0];
  }

  it('wins an active subscription on an enabled weekday once, then counts it a duplicate', async () => {
    const subscription = aSubscription({ userId: 'ada' });
    expect(await saveAndClaim(subscription)).toBe('won');
    expect(await saveAndClaim(subscription)).toBe('duplicate');
    const [recorded] = await handOffs.takeUnconfirmed(
      new Date('2026-11-26T00:00:00Z'),
      new Date('2026-11-26T00:01:00Z'),
      10,
    );
    expect(recorded.occurrences).toEqual([anOccurrenceOf(subscription, DATE)]);
  });

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

  it('claims nothing in a dry run', async () => {
    const subscription = aSubscription({ userId: 'eve' });
    expect(await saveAndClaim(subscription, { dryRun: true })).toBe('won');
    expect(await claims.areClaimed([anOccurrenceOf(subscription, DATE).occurrenceId])).toEqual([
      false,
    ]);
    expect(await saveAndClaim(subscription)).toBe('won');
  });
});
