import { Queue } from 'bullmq';
import { RedisKeys } from '../src/store/redis-keys.js';
import { ChimeProcess, startChime, testRedisUrl } from './support/chime-process.js';
import { floorToMinute, replayMinute, subscribeAt, waitForRecord } from './support/delivery-api.js';

/** Users spread over every bucket: the default four queues each get some of them. */
const USERS = 64;

/**
 * SPEC 3: deliveries spread over several queues, one per group of buckets. Each group's
 * occurrences travel in its own queue's jobs, and each is sent once.
 */
describe.each([
  ['the default, four', {}, 4],
  ['DELIVERY_QUEUES=16, one per bucket', { DELIVERY_QUEUES: '16' }, 16],
])('delivery queues: %s', (_, env: Record<string, string>, count: number) => {
  let chime: ChimeProcess;
  let keys: RedisKeys;

  beforeAll(async () => {
    chime = await startChime(env);
    keys = RedisKeys.forPrefix(chime.keyPrefix, 16, count);
  });

  afterAll(async () => {
    await chime?.stop();
  });

  it("sends each group's occurrences once, in jobs of that group's queue only", async () => {
    const instant = floorToMinute(Date.now());
    const users = Array.from({ length: USERS }, (_, index) => `groups-${count}-${index}`);
    await Promise.all(
      users.map((userId) => subscribeAt(chime, userId, 'news', instant, { channel: 'log' })),
    );
    expect(await replayMinute(chime, instant)).toMatchObject({ enqueued: USERS });
    for (const userId of users) {
      const records = await waitForRecord(chime, userId, (r) => r.status === 'delivered');
      expect(records.filter((record) => record.status === 'delivered')).toHaveLength(1);
    }

    const groupsOfUsers = new Set(users.map((userId) => keys.queueGroupOf(keys.bucketOf(userId))));
    expect(groupsOfUsers.size).toBe(count);
    for (const group of keys.allQueueGroups()) {
      const queue = new Queue('deliveries', {
        connection: { url: testRedisUrl() },
        prefix: keys.queuePrefix(group),
      });
      const jobs = await queue.getJobs(['completed']);
      await queue.close();
      const items = jobs.flatMap((job) => job.data.items as { occurrence: { userId: string } }[]);
      expect(items.length).toBeGreaterThan(0);
      for (const { occurrence } of items) {
        expect(keys.queueGroupOf(keys.bucketOf(occurrence.userId))).toBe(group);
      }
    }
  }, 60_000);
});

describe('a DELIVERY_QUEUES above REDIS_BUCKETS', () => {
  it('stops start-up, naming both', async () => {
    await expect(startChime({ DELIVERY_QUEUES: '17' })).rejects.toThrow(
      /DELIVERY_QUEUES \(17\) must not exceed REDIS_BUCKETS \(16\)/,
    );
  });
});
