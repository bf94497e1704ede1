import { Queue } from 'bullmq';
import { Cluster } from 'ioredis';
import { keySlot } from '../src/redis/key-slot.js';
import { awaitReplicas, ReplicasNotAcknowledged } from '../src/redis/replica-ack.js';
import { ADMIN_TOKEN, API_TOKEN, runChimeToExit } from './support/chime-process.js';
import { type RedisCluster, startRedisCluster } from './support/redis-cluster.js';
import { type RedisModuleHarness, startRedisModule } from './support/redis-module-harness.js';
import { freePort } from './support/redis-server.js';
import { waitFor } from './support/wait-for.js';
import { RedisKeys, scheduleMember } from '../src/store/redis-keys.js';
import { RedisSubscriptionStore } from '../src/store/redis-subscription.store.js';
import { ZoneSplit } from '../src/store/zone-split.js';
import { aSubscription } from './support/factories.js';

/** Hooks start whole clusters and processes: more than jest's default 5 s. */
const HOOK_TIMEOUT_MS = 60_000;

// The client layer: chime's RedisModule in this process (the client, its health indicator,
// BullMQ's connection), the eviction refusal, the slot of a key and where WAIT goes. The whole
// service on a cluster is test/cluster-chime.e2e-spec.ts.
describe('on a Redis Cluster (REDIS_CLUSTER_NODES)', () => {
  let cluster: RedisCluster;
  let redis: RedisModuleHarness;
  let client: Cluster;

  beforeAll(async () => {
    cluster = await startRedisCluster({ masters: 3, replicasPerMaster: 1 });
    redis = await startRedisModule({ REDIS_CLUSTER_NODES: cluster.seeds });
    client = new Cluster([{ host: '127.0.0.1', port: cluster.ports[0] }]);
    await new Promise((resolve) => client.once('ready', resolve));
  }, HOOK_TIMEOUT_MS);

  afterAll(async () => {
    await client?.quit();
    await redis?.close();
    await cluster?.stop();
  }, HOOK_TIMEOUT_MS);

  it('connects to the cluster from its seeds, and readiness says up', async () => {
    expect(redis.client).toBeInstanceOf(Cluster);
    expect(redis.client.status).toBe('ready');
    expect(await redis.health.check()).toMatchObject({ redis: { status: 'up' } });
  });

  it('gives BullMQ a Cluster it can queue on (with a hash-tagged prefix)', async () => {
    expect(redis.queueConnection).toBeInstanceOf(Cluster);
    const queue = new Queue('t-cluster', { connection: redis.queueConnection, prefix: '{t-q}' });
    try {
      await queue.add('probe', { n: 1 });
      expect(await queue.getJobCounts('waiting')).toEqual({ waiting: 1 });
    } finally {
      await queue.obliterate({ force: true });
      await queue.close();
    }
  });

  it('moves the unsplit zone ZSETs of users of every bucket into their parts, a script per slot', async () => {
    const keys = RedisKeys.forPrefix('t-split');
    const store = new RedisSubscriptionStore(client, keys, { maxTagsPerUser: 10 });
    const users = Array.from({ length: 24 }, (_, n) => `split-${n}`);
    for (const userId of users) {
      const subscription = aSubscription({ userId, timezone: 'UTC', days: ['mon', 'tue'] });
      await store.save(subscription, null);
      // Where a version before parts kept it: the unsplit ZSET.
      const bucket = keys.bucketOf(userId);
      const member = scheduleMember(userId, subscription.tag);
      await client
        .multi()
        .zrem(keys.timezoneSchedule(bucket, 'UTC', 'd03'), member)
        .zadd(keys.timezoneSchedule(bucket, 'UTC'), 800, member)
        .srem(keys.zoneParts(bucket), 'UTC:d03')
        .exec();
    }
    const buckets = new Set(users.map((userId) => keys.bucketOf(userId)));
    const masterOf = (key: string) => client.slots[keySlot(key)][0];
    expect(new Set([...buckets].map((b) => masterOf(keys.zoneParts(b)))).size).toBe(3);
    expect((await store.scheduleZones()).filter(({ part }) => part === undefined)).toHaveLength(
      buckets.size,
    );

    expect(await new ZoneSplit(client, keys).run()).toBe(users.length);
    const zones = await store.scheduleZones();
    expect(zones.filter(({ part }) => part === undefined)).toEqual([]);
    expect(zones.map(({ part }) => part)).toEqual([...buckets].map(() => 'd03'));
    expect(await store.countByTimezone()).toEqual({ UTC: users.length });
  });

  it('computes the slot Redis gives every key, hash tags and UTF-8 included', async () => {
    const keys = Array.from({ length: 200 }, (_, n) =>
      n % 3 === 0 ? `chime:{${n}}:subs:Europe/Paris` : `k${n}:é-${n * 7919}{}x`,
    );
    const slots = await Promise.all(keys.map((key) => client.cluster('KEYSLOT', key)));
    expect(keys.map(keySlot)).toEqual(slots);
  });

  it('awaits the replica of the master that took the write, for keys on every master', async () => {
    const keys = keysOnEveryMaster(cluster, client);
    for (const key of keys) {
      await client.set(key, 'written');
      await expect(awaitReplicas(client, key, 1)).resolves.toBeUndefined();
    }
    expect(keys).toHaveLength(cluster.masterPorts.length);
  });

  it("answers ReplicasNotAcknowledged when that master's replica hangs, not another's", async () => {
    const [frozenKey, otherKey] = keysOnEveryMaster(cluster, client);
    const replica = replicaOfKeysMaster(cluster, client, frozenKey);
    const thaw = replica.process.freeze();
    try {
      await client.set(frozenKey, 'written');
      await client.set(otherKey, 'written');
      const waited = awaitReplicas(client, frozenKey, 1, 300);
      await expect(waited).rejects.toBeInstanceOf(ReplicasNotAcknowledged);
      await expect(waited).rejects.toMatchObject({ acknowledged: 0, required: 1 });
      await expect(awaitReplicas(client, otherKey, 1, 300)).resolves.toBeUndefined();
    } finally {
      thaw();
    }
  });

  it(
    'refuses to start when one master may evict, naming maxmemory-policy and the node',
    async () => {
      const evicting = cluster.masterPorts[1];
      await cluster.client(evicting).config('SET', 'maxmemory-policy', 'allkeys-lru');
      try {
        const { code, output } = await runChimeToExit({
          REDIS_CLUSTER_NODES: cluster.seeds,
          API_TOKEN,
          ADMIN_TOKEN,
          PORT: String(await freePort()),
        });
        expect(code).toBe(1);
        expect(output).toContain(`127.0.0.1:${evicting} has maxmemory-policy allkeys-lru`);
        expect(output).toContain('noeviction');
      } finally {
        await cluster.client(evicting).config('SET', 'maxmemory-policy', 'noeviction');
      }
    },
    HOOK_TIMEOUT_MS,
  );

  // Last: it kills a master for good.
  it(
    "turns readiness down while a killed master's slots fail, up once its replica took over",
    async () => {
      const heir = cluster.nodes.find((node) => node.replicaOf === cluster.masterPorts[0])!;
      const seen = new Set<string>();
      const recovered = async () => {
        const status = (await redis.health.check()).redis.status as string;
        seen.add(status);
        return status === 'up' && (await cluster.client(heir.port).role())[0] === 'master';
      };
      await cluster.killMaster(0);
      await waitFor(recovered, 30_000, () => `replica promoted and readiness up (${[...seen]})`);
      expect(seen).toContain('down');
      expect(await clusterState(cluster, heir.port)).toBe('ok');
    },
    HOOK_TIMEOUT_MS,
  );
});

/** One key per master, in master order, each owned by that master. */
function keysOnEveryMaster(cluster: RedisCluster, client: Cluster): string[] {
  return cluster.masterPorts.map((port) => {
    for (let n = 0; ; n++) {
      const key = `t-cluster:{${n}}:ack`;
      if (ownerOf(client, key) === port) return key;
    }
  });
}

function ownerOf(client: Cluster, key: string): number {
  return Number(client.slots[keySlot(key)][0].split(':')[1]);
}

function replicaOfKeysMaster(cluster: RedisCluster, client: Cluster, key: string) {
  return cluster.nodes.find((node) => node.replicaOf === ownerOf(client, key))!;
}

async function clusterState(cluster: RedisCluster, port: number): Promise<string | undefined> {
  const info = await cluster.client(port).cluster('INFO');
  return /^cluster_state:(\S+)/m.exec(info)?.[1];
}
