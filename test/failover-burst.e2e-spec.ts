import { RedisKeys } from '../src/store/redis-keys.js';
import { ADMIN_TOKEN, API_TOKEN, ChimeProcess, startChime } from './support/chime-process.js';
import {
  deadLetters,
  floorToMinute,
  MINUTE_MS,
  uniqueUser,
  utcHHMM,
} from './support/delivery-api.js';
import { request } from './support/http.js';
import { type RedisCluster, startRedisCluster } from './support/redis-cluster.js';
import { type RedisSentinelSetup, startRedisSentinel } from './support/redis-sentinel.js';
import { waitFor } from './support/wait-for.js';
import { WebhookSink } from './support/webhook-sink.js';

const HOOK_TIMEOUT_MS = 60_000;
const BURST = 400;
/** Subscriptions spread over this many past minutes: as many jobs, more than a worker takes at once. */
const MINUTES = 200;
/**
 * A failover takes seconds; jobs cut mid-run come back through BullMQ's stalled check (its
 * 30 s lock, then its 30 s sweep): about a minute on the cluster.
 */
const RECOVERY_MS = 120_000;
/** Sent before the kill: it lands in the middle of the burst. */
const SENT_BEFORE_KILL = 50;

/**
 * SPEC 8: a master killed in the middle of a burst loses nothing; an occurrence may be sent
 * twice only when its send was in flight (then with the same webhook-id). The burst is the
 * last MINUTES minutes, replayed (POST /admin/ticks): a job per minute, all due at once, more
 * than the worker runs at a time, so the queue is being worked through when the kill lands.
 */
async function burstAcrossKill(
  chime: ChimeProcess,
  sink: WebhookSink,
  path: string,
  kill: () => Promise<unknown>,
): Promise<void> {
  // Each answer takes 200 ms: the burst lasts seconds, so the kill lands inside it.
  sink.script(path, [{ status: 200, delayMs: 200 }]);
  const now = floorToMinute(Date.now());
  const instantOf = (index: number) => now - (index % MINUTES) * MINUTE_MS;
  const users = Array.from({ length: BURST }, (_, index) => uniqueUser(`f${index}`));
  for (let start = 0; start < users.length; start += 50) {
    await Promise.all(
      users.slice(start, start + 50).map(async (userId, offset) => {
        const answer = await request(chime.baseUrl, 'PUT', `/subscriptions/${userId}/news`, {
          token: API_TOKEN,
          body: {
            time: utcHHMM(instantOf(start + offset)),
            timezone: 'UTC',
            channel: 'webhook',
            target: sink.url(path),
          },
        });
        if (answer.status !== 201) throw new Error(`PUT answered ${answer.status}`);
      }),
    );
  }
  const replay = await request(chime.baseUrl, 'POST', '/admin/ticks', {
    token: ADMIN_TOKEN,
    body: {
      from: new Date(now - (MINUTES - 1) * MINUTE_MS).toISOString(),
      to: new Date(now + MINUTE_MS).toISOString(),
    },
  });
  expect(replay.body).toMatchObject({ enqueued: BURST });
  await waitFor(
    async () => sink.requests(path).length >= SENT_BEFORE_KILL,
    10_000,
    () => `${SENT_BEFORE_KILL} sends`,
  );
  await kill();
  const beforeKill = new Set(sink.requests(path).map((r) => r.headers['webhook-id'])).size;
  expect(beforeKill).toBeLessThan(BURST);

  const expected = new Set(
    users.map(
      (userId, index) => `${userId}|news|${new Date(instantOf(index)).toISOString().slice(0, 10)}`,
    ),
  );
  const received = () => new Set(sink.requests(path).map((r) => r.headers['webhook-id']));
  try {
    await waitFor(
      async () => [...expected].every((id) => received().has(id)),
      RECOVERY_MS,
      () => `all ${BURST} received; have ${received().size}`,
    );
  } catch (error) {
    const missing = [...expected].filter((id) => !received().has(id));
    const letters = await deadLetters(chime).catch((failed: Error) => failed.message);
    console.log(
      `${path}: missing ${missing.length}: ${missing.slice(0, 5).join(', ')}\n` +
        `dead letters: ${JSON.stringify(letters).slice(0, 2000)}\n` +
        `chime's output, last 4,000 characters:\n${chime.output().slice(-4000)}`,
    );
    throw error;
  }
  const ids = sink.requests(path).map((r) => r.headers['webhook-id']);
  expect(ids.every((id) => expected.has(id))).toBe(true);
  // Repeats are sends in flight when the master went (SPEC 4, crashes): a few jobs' worth.
  const repeats = ids.length - new Set(ids).size;
  expect(repeats).toBeLessThanOrEqual(BURST / 2);
  console.log(`${path}: ${beforeKill} of ${BURST} sent before the kill, ${repeats} repeats`);
}

describe('a master killed in the middle of a burst (SPEC 8)', () => {
  let sink: WebhookSink;

  beforeAll(async () => {
    sink = await WebhookSink.start();
  });

  afterAll(async () => {
    await sink?.stop();
  });

  describe("on Redis Cluster: the master of a delivery queue and of users' buckets", () => {
    let cluster: RedisCluster;
    let chime: ChimeProcess;

    beforeAll(async () => {
      cluster = await startRedisCluster({ masters: 3, replicasPerMaster: 1 });
      chime = await startChime({
        REDIS_URL: '',
        REDIS_CLUSTER_NODES: cluster.seeds,
        RATE_LIMIT_PER_MINUTE: '0',
      });
    }, HOOK_TIMEOUT_MS);

    afterAll(async () => {
      await chime?.stop();
      await cluster?.stop();
    }, HOOK_TIMEOUT_MS);

    it(
      'loses no occurrence',
      async () => {
        const keys = RedisKeys.forPrefix(chime.keyPrefix);
        const queueMaster = await masterIndexOf(cluster, keys.queuePrefix(0));
        await burstAcrossKill(chime, sink, '/cluster', () => cluster.killMaster(queueMaster));
      },
      RECOVERY_MS + 30_000,
    );
  });

  describe('behind Sentinel: the primary', () => {
    let setup: RedisSentinelSetup;
    let chime: ChimeProcess;

    beforeAll(async () => {
      setup = await startRedisSentinel();
      chime = await startChime({
        REDIS_URL: '',
        REDIS_SENTINELS: setup.sentinels,
        REDIS_SENTINEL_MASTER: setup.masterName,
        RATE_LIMIT_PER_MINUTE: '0',
      });
    }, HOOK_TIMEOUT_MS);

    afterAll(async () => {
      await chime?.stop();
      await setup?.stop();
    }, HOOK_TIMEOUT_MS);

    it(
      'loses no occurrence',
      async () => {
        await burstAcrossKill(chime, sink, '/sentinel', () => setup.killPrimary());
      },
      RECOVERY_MS + 30_000,
    );
  });
});

/** The index (as created) of the master that serves `key`'s slot. */
async function masterIndexOf(cluster: RedisCluster, key: string): Promise<number> {
  const node = cluster.client(cluster.masterPorts[0]);
  const slot = (await node.cluster('KEYSLOT', key)) as number;
  const ranges = await node.cluster('SLOTS');
  const [, , [, port]] = ranges.find(([from, to]) => from <= slot && slot <= to)!;
  return cluster.masterPorts.indexOf(port);
}
