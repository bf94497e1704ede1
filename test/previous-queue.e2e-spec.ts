import { Queue, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { serialise } from '../src/store/delivery-record.js';
import { RedisKeys } from '../src/store/redis-keys.js';
import { RedisSubscriptionStore } from '../src/store/redis-subscription.store.js';
import { ChimeProcess, startChime, testRedisUrl, uniquePrefix } from './support/chime-process.js';
import { utcHHMM, waitForRecord } from './support/delivery-api.js';
import { aSubscription, anOccurrenceOf } from './support/factories.js';
import { waitFor } from './support/wait-for.js';

const MINUTE = 60_000;
const connection = () => ({ url: testRedisUrl(), maxRetriesPerRequest: null });

/**
 * Delivery jobs left in queues that no worker serves any more (previous-queue.ts): the queue
 * before its prefix was hash-tagged, the one queue before there were several, and the groups
 * above a lowered DELIVERY_QUEUES. Each job is queued there as that version would have, then
 * chime starts and must send each of its occurrences once.
 */
describe('jobs of delivery queues that no worker serves any more', () => {
  let redis: Redis;
  let chime: ChimeProcess | undefined;

  beforeAll(() => {
    redis = new Redis(testRedisUrl());
  });

  afterEach(async () => {
    await chime?.stop();
    chime = undefined;
  });

  afterAll(async () => {
    await redis.quit();
  });

  /** A subscription of `userId` due this minute (or minutes ago), saved directly; its item. */
  async function dueItem(keys: RedisKeys, userId: string, minutesAgo = 0) {
    const instant = (Math.floor(Date.now() / MINUTE) - minutesAgo) * MINUTE;
    const subscription = aSubscription({ userId, time: utcHHMM(instant), timezone: 'UTC' });
    await new RedisSubscriptionStore(redis, keys, { maxTagsPerUser: 1000 }).save(
      subscription,
      null,
    );
    const occurrence = anOccurrenceOf(subscription, new Date(instant).toISOString().slice(0, 10));
    return { occurrence: serialise(occurrence), attempt: 1 };
  }

  async function queueAs(prefix: string, items: unknown[], jobId: string): Promise<void> {
    const queue = new Queue('deliveries', { connection: connection(), prefix });
    await queue.add('deliver', { items }, { jobId, delay: 1000 });
    await queue.close();
  }

  async function jobIn(prefix: string, jobId: string) {
    const queue = new Queue('deliveries', { connection: connection(), prefix });
    const job = await queue.getJob(jobId);
    await queue.close();
    return job;
  }

  async function expectDeliveredOnce(userId: string, withinMs?: number): Promise<void> {
    const delivered = (r: any) => r.status === 'delivered';
    const records = await waitForRecord(chime!, userId, delivered, withinMs);
    expect(records.filter((record) => record.status === 'delivered')).toHaveLength(1);
  }

  async function expectGone(prefix: string): Promise<void> {
    await waitFor(async () => (await redis.keys(`${prefix}:*`)).length === 0, 10_000);
  }

  /** One user id per queue group, found by trying names. */
  function usersOfEveryGroup(keys: RedisKeys, name: string): string[] {
    const users = new Map<number, string>();
    for (let index = 0; users.size < keys.deliveryQueues; index++) {
      const userId = `${name}-${index}`;
      users.set(keys.queueGroupOf(keys.bucketOf(userId)), userId);
    }
    return [...users.values()];
  }

  it('moves a job queued before the prefix was hash-tagged, sends it, removes that queue', async () => {
    const p = uniquePrefix('oldqueue');
    const keys = RedisKeys.forPrefix(p);
    const item = await dueItem(keys, 'queued-before');
    await queueAs(keys.previousQueuePrefix(), [item], 'b-before-the-hash-tag');

    chime = await startChime({ KEY_PREFIX: p });

    await expectDeliveredOnce('queued-before');
    await expectGone(keys.previousQueuePrefix());
    const group = keys.queueGroupOfOccurrence(item.occurrence.occurrenceId);
    expect(await redis.keys(`${keys.queuePrefix(group)}:deliveries:*`)).not.toEqual([]);
  }, 60_000);

  it('only looks at the old queues, writing none of their keys, where there are none', async () => {
    const p = uniquePrefix('noqueue');
    const keys = RedisKeys.forPrefix(p);
    const olds = [keys.previousQueuePrefix(), keys.singleQueuePrefix()];
    const client = new Redis(testRedisUrl());
    const monitor = await client.monitor();
    const commands: string[][] = [];
    monitor.on('monitor', (_time: string, args: string[]) => {
      if (args.some((arg) => olds.some((old) => String(arg).startsWith(`${old}:`)))) {
        commands.push(args);
      }
    });

    chime = await startChime({ KEY_PREFIX: p });
    await waitFor(async () => commands.length > 0, 10_000);
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    monitor.disconnect();
    await client.quit();

    expect(commands.filter(([name]) => name.toLowerCase() !== 'exists')).toEqual([]);
    expect((await Promise.all(olds.map((old) => redis.keys(`${old}:*`)))).flat()).toEqual([]);
  }, 60_000);

  it('removes an old queue that holds nothing pending', async () => {
    const p = uniquePrefix('emptyqueue');
    const keys = RedisKeys.forPrefix(p);
    const queue = new Queue('deliveries', {
      connection: connection(),
      prefix: keys.singleQueuePrefix(),
    });
    await (await queue.add('deliver', { items: [] }, { jobId: 'b-removed' })).remove();
    await queue.close();
    expect(await redis.keys(`${keys.singleQueuePrefix()}:*`)).not.toEqual([]);

    chime = await startChime({ KEY_PREFIX: p });

    await expectGone(keys.singleQueuePrefix());
  }, 60_000);

  it('moves a job an earlier version queues after the drain ended, within a minute or two', async () => {
    const p = uniquePrefix('latequeue');
    const keys = RedisKeys.forPrefix(p);
    chime = await startChime({ KEY_PREFIX: p });
    // Minutes ago: before the first tick's scan, so only the moved job can send it.
    const item = await dueItem(keys, 'queued-late', 2);
    // The start-up drain looks at the old queues as chime starts; this comes well after it.
    await new Promise((resolve) => setTimeout(resolve, 5_000));

    // A replica of the version with one queue, still running beside this one, queues a job.
    await queueAs(keys.singleQueuePrefix(), [item], 'b-after-the-drain');

    await expectDeliveredOnce('queued-late', 2 * MINUTE);
    await expectGone(keys.singleQueuePrefix());
    const group = keys.queueGroupOfOccurrence(item.occurrence.occurrenceId);
    const job = await jobIn(keys.queuePrefix(group), 'b-after-the-drain');
    expect(job?.data.items).toHaveLength(1);
  }, 180_000);

  it('splits a job of the one queue by group, under its own id in each, and sends each item once', async () => {
    const p = uniquePrefix('onequeue');
    const keys = RedisKeys.forPrefix(p);
    const users = usersOfEveryGroup(keys, 'one-queue');
    const items = await Promise.all(users.map((userId) => dueItem(keys, userId)));
    await queueAs(keys.singleQueuePrefix(), items, 'b-one-queue');

    chime = await startChime({ KEY_PREFIX: p });

    for (const userId of users) await expectDeliveredOnce(userId);
    await expectGone(keys.singleQueuePrefix());
    for (const group of keys.allQueueGroups()) {
      const job = await jobIn(keys.queuePrefix(group), 'b-one-queue');
      expect(job?.data.items).toHaveLength(1);
    }
  }, 60_000);

  it('moves a job whose worker took its occurrence and died, and that job sends it', async () => {
    const p = uniquePrefix('diedqueue');
    const keys = RedisKeys.forPrefix(p);
    const item = await dueItem(keys, 'taken-then-died');
    const prefix = keys.singleQueuePrefix();
    const queue = new Queue('deliveries', { connection: connection(), prefix });
    await queue.add('deliver', { items: [item] }, { jobId: 'b-taken-then-died' });
    await queue.close();
    // A worker of the previous version takes the job and its delivery state, then dies.
    let resolveTaken!: () => void;
    const taken = new Promise<void>((resolve) => (resolveTaken = resolve));
    const worker = new Worker(
      'deliveries',
      async (job) => {
        await redis.set(keys.deliveryState(item.occurrence.occurrenceId), job.id!, 'EX', 3600);
        resolveTaken();
        await new Promise(() => undefined);
      },
      { connection: connection(), prefix, lockDuration: 1000 },
    );
    await taken;
    await worker.close(true);
    await waitFor(
      async () => (await redis.keys(`${prefix}:deliveries:*:lock`)).length === 0,
      10_000,
    );

    chime = await startChime({ KEY_PREFIX: p });

    // Under another id, the job could not take the state the dead one holds: nothing would be sent.
    await expectDeliveredOnce('taken-then-died');
    await expectGone(prefix);
  }, 60_000);

  it('moves the jobs of groups above a lowered DELIVERY_QUEUES to the groups that serve them', async () => {
    const p = uniquePrefix('fewerqueues');
    const keys = RedisKeys.forPrefix(p);
    const before = RedisKeys.forPrefix(p, 16, 8);
    // A replica ran with DELIVERY_QUEUES=8 and queued for a user of group 4-7 there.
    await redis.sadd(keys.deliveryQueueCounts(), '8');
    const userId = usersOfEveryGroup(before, 'eight-queues').find(
      (user) => before.queueGroupOf(before.bucketOf(user)) >= 4,
    )!;
    const item = await dueItem(keys, userId);
    const oldPrefix = before.queuePrefix(before.queueGroupOf(before.bucketOf(userId)));
    await queueAs(oldPrefix, [item], 'b-eight-queues');

    chime = await startChime({ KEY_PREFIX: p });

    await expectDeliveredOnce(userId);
    await expectGone(oldPrefix);
  }, 60_000);
});
