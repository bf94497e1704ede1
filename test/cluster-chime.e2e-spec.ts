import { ADMIN_TOKEN, API_TOKEN, ChimeProcess, startChime } from './support/chime-process.js';
import {
  deliveries,
  floorToMinute,
  MINUTE_MS,
  replayMinute,
  subscribeAt,
  uniqueUser,
  utcHHMM,
} from './support/delivery-api.js';
import { request } from './support/http.js';
import { type RedisCluster, startRedisCluster } from './support/redis-cluster.js';
import { waitFor } from './support/wait-for.js';
import { isDeliveryQueueKey } from './support/redis-snapshot.js';

const HOOK_TIMEOUT_MS = 60_000;
/** Users enough to land in every bucket, so in the slots of every master. */
const USERS = 60;

describe('chime on a Redis Cluster (the bucketed layout)', () => {
  let cluster: RedisCluster;
  let chime: ChimeProcess;

  beforeAll(async () => {
    cluster = await startRedisCluster({ masters: 3, replicasPerMaster: 1 });
    // REDIS_URL empty: unset, so that the cluster is the one topology.
    chime = await startChime({ REDIS_URL: '', REDIS_CLUSTER_NODES: cluster.seeds });
  }, HOOK_TIMEOUT_MS);

  afterAll(async () => {
    await chime?.stop();
    await cluster?.stop();
  }, HOOK_TIMEOUT_MS);

  it('subscribes, claims, delivers once, lists and unsubscribes users of every bucket', async () => {
    const instant = floorToMinute(Date.now());
    const users = Array.from({ length: USERS }, (_, index) => uniqueUser(`c${index}`));
    for (const userId of users) {
      await subscribeAt(chime, userId, 'news', instant, { channel: 'log' });
      await subscribeAt(chime, userId, 'sport', instant + 3_600_000, { channel: 'log' });
    }

    expect(await replayMinute(chime, instant)).toMatchObject({ enqueued: USERS, duplicates: 0 });
    expect(await replayMinute(chime, instant)).toMatchObject({ enqueued: 0, duplicates: USERS });
    let delivered: any[] = [];
    await waitFor(
      async () =>
        (delivered = (await deliveries(chime, { status: 'delivered' })).filter((record) =>
          users.includes(record.userId),
        )).length >= USERS,
      20_000,
      () => `${USERS} delivered; have ${delivered.length}`,
    );
    expect(new Set(delivered.map((record) => record.occurrenceId)).size).toBe(USERS);

    const api = (method: string, path: string) =>
      request(chime.baseUrl, method, path, { token: API_TOKEN });
    const listed = await api('GET', `/subscriptions/${users[0]}`);
    expect(listed.body.items.map((item: { tag: string }) => item.tag)).toEqual(['news', 'sport']);
    expect((await api('DELETE', `/subscriptions/${users[0]}`)).status).toBe(204);
    expect((await api('GET', `/subscriptions/${users[0]}`)).body.items).toEqual([]);
    const stats = await request(chime.baseUrl, 'GET', '/admin/stats', {
      token: ADMIN_TOKEN,
    });
    expect(stats.body.subscriptions.total).toBe(2 * USERS - 2);
    // Every bucket's tick ran on the cluster: the earliest bucket watermark is set, none failed.
    let scheduler: any = {};
    await waitFor(
      async () => {
        const health = await request(chime.baseUrl, 'GET', '/admin/health', { token: ADMIN_TOKEN });
        scheduler = health.body.scheduler;
        return scheduler.watermark !== null;
      },
      20_000,
      () => JSON.stringify(scheduler),
    );
    expect(scheduler.failedTicks).toBe(0);
  }, 90_000);

  it('spreads the delivery queues over more than one master', async () => {
    // Jobs of the first test's deliveries are kept completed for an hour, in their queues.
    const mastersWithQueues: number[] = [];
    for (const port of cluster.masterPorts) {
      const stream = cluster
        .client(port)
        .scanStream({ match: `${chime.keyPrefix}:*:bull:deliveries:*`, count: 1000 });
      let found = false;
      for await (const keys of stream as AsyncIterable<string[]>) {
        found ||= keys.some((key) => isDeliveryQueueKey(chime.keyPrefix, key));
      }
      if (found) mastersWithQueues.push(port);
    }
    expect(mastersWithQueues.length).toBeGreaterThan(1);
  });
  it('holds by policy, plans held sends again, answers preview and history, and erases users of every bucket', async () => {
    const instant = floorToMinute(Date.now());
    const users = Array.from({ length: USERS / 2 }, (_, index) => uniqueUser(`p${index}`));
    const api = (method: string, path: string, body?: unknown) =>
      request(chime.baseUrl, method, path, { token: API_TOKEN, body });
    const quiet = {
      timezone: 'UTC',
      quietHours: [{ from: utcHHMM(instant - MINUTE_MS), to: utcHHMM(instant + 30 * MINUTE_MS) }],
    };
    for (const userId of users) {
      expect((await api('PUT', `/users/${userId}/policy`, quiet)).status).toBe(200);
      await subscribeAt(chime, userId, 'news', instant, { channel: 'log' });
    }
    expect(await replayMinute(chime, instant)).toMatchObject({ enqueued: users.length });
    const statusOf = async (userId: string) =>
      (await api('GET', `/subscriptions/${userId}/news/occurrences`)).body.items[0]?.status;
    await waitFor(
      async () => (await Promise.all(users.map(statusOf))).every((status) => status === 'held'),
      20_000,
      () => 'every occurrence held',
    );
    const preview = await api('GET', `/subscriptions/${users[0]}/news/preview?count=3`);
    expect(preview.body.items).toHaveLength(3);

    for (const userId of users) {
      expect((await api('DELETE', `/users/${userId}/policy`)).status).toBe(200);
    }
    await waitFor(
      async () =>
        (await Promise.all(users.map(statusOf))).every((status) => status === 'delivered'),
      20_000,
      () => 'every held occurrence delivered once its policy went',
    );

    for (const userId of users) {
      expect((await api('DELETE', `/users/${userId}`)).status).toBe(204);
    }
    const named: string[] = [];
    for (const port of cluster.masterPorts) {
      const stream = cluster
        .client(port)
        .scanStream({ match: `${chime.keyPrefix}:*`, count: 1000 });
      for await (const keys of stream as AsyncIterable<string[]>) {
        const userKeys = keys.filter((key) => !isDeliveryQueueKey(chime.keyPrefix, key));
        named.push(...userKeys.filter((key) => users.some((userId) => key.includes(userId))));
      }
    }
    expect(named).toEqual([]);
  }, 90_000);
});
