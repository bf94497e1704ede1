import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { serialise } from '../src/store/delivery-record.js';
import { RedisKeys } from '../src/store/redis-keys.js';
import { RedisSubscriptionStore } from '../src/store/redis-subscription.store.js';
import { ChimeProcess, startChime, testRedisUrl, uniquePrefix } from './support/chime-process.js';
import { utcHHMM, waitForRecord } from './support/delivery-api.js';
import { aSubscription, anOccurrenceOf } from './support/factories.js';
import { waitFor } from './support/wait-for.js';

const MINUTE = 60_000;

describe('jobs of the queue before its prefix was hash-tagged', () => {
  let redis: Redis;
  let chime: ChimeProcess | undefined;

  beforeAll(() => {
    redis = new Redis(testRedisUrl());
  });

  afterAll(async () => {
    await chime?.stop();
    await redis.quit();
  });

  it('are moved to the current queue and sent, and the old queue is removed', async () => {
    const p = uniquePrefix('oldqueue');
    const keys = RedisKeys.forPrefix(p);
    const instant = Math.floor(Date.now() / MINUTE) * MINUTE;
    const subscription = aSubscription({
      userId: 'queued-before',
      time: utcHHMM(instant),
      timezone: 'UTC',
    });
    await new RedisSubscriptionStore(redis, keys, { maxTagsPerUser: 1000 }).save(
      subscription,
      null,
    );
    const occurrence = anOccurrenceOf(subscription, new Date(instant).toISOString().slice(0, 10));
    // As the previous version queued it, under `{p}:bull`, before anything ran it.
    const previous = new Queue('deliveries', {
      connection: { url: testRedisUrl() },
      prefix: keys.previousQueuePrefix(),
    });
    await previous.add(
      'deliver',
      { items: [{ occurrence: serialise(occurrence), attempt: 1 }] },
      { jobId: 'b-before-the-hash-tag', delay: 1000 },
    );
    await previous.close();

    chime = await startChime({ KEY_PREFIX: p });

    const records = await waitForRecord(chime, 'queued-before', (r) => r.status === 'delivered');
    expect(records.filter((record) => record.status === 'delivered')).toHaveLength(1);
    await waitFor(
      async () => (await redis.keys(`${keys.previousQueuePrefix()}:*`)).length === 0,
      10_000,
    );
    expect(await redis.keys(`${keys.queuePrefix()}:deliveries:*`)).not.toEqual([]);
  }, 60_000);
});
