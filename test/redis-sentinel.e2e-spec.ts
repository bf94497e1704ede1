import {
  ADMIN_TOKEN,
  API_TOKEN,
  type ChimeProcess,
  runChimeToExit,
  startChime,
} from './support/chime-process.js';
import { request } from './support/http.js';
import { farFromNow } from './support/redis-snapshot.js';
import { type RedisSentinelSetup, startRedisSentinel } from './support/redis-sentinel.js';
import { freePort } from './support/redis-server.js';
import { waitFor } from './support/wait-for.js';

/** Hooks start seven Redis processes and chime: more than jest's default 5 s. */
const HOOK_TIMEOUT_MS = 60_000;
/** Sentinel needs DOWN_AFTER_MS (1 s) to suspect, then a vote and a promotion: seconds. */
const FAILOVER_WITHIN_MS = 30_000;

describe('on a Sentinel-managed primary (REDIS_SENTINELS, REDIS_SENTINEL_MASTER)', () => {
  let setup: RedisSentinelSetup;
  let chime: ChimeProcess;
  const api = (method: string, path: string, body?: unknown) =>
    request(chime.baseUrl, method, path, { token: API_TOKEN, body });

  beforeAll(async () => {
    setup = await startRedisSentinel();
    chime = await startChime({
      REDIS_URL: '',
      REDIS_SENTINELS: setup.sentinels,
      REDIS_SENTINEL_MASTER: setup.masterName,
    });
  }, HOOK_TIMEOUT_MS);

  afterAll(async () => {
    await chime?.stop();
    await setup?.stop();
  }, HOOK_TIMEOUT_MS);

  it('is ready and keeps a subscription on the primary the sentinels name', async () => {
    expect((await request(chime.baseUrl, 'GET', '/health/ready')).status).toBe(200);
    const body = { time: farFromNow(), channel: 'log', title: 'Before' };
    expect((await api('PUT', '/subscriptions/ada/news', body)).status).toBe(201);
    expect((await api('GET', '/subscriptions/ada/news')).body).toMatchObject(body);
    const primary = setup.client(await setup.primaryPort());
    expect(await primary.keys(`${chime.keyPrefix}:*ada*`)).not.toEqual([]);
  });

  it(
    'answers again after the primary is killed, with the subscriptions replicated before',
    async () => {
      const before = (await api('GET', '/subscriptions/ada/news')).body;
      await bothReplicasHaveEverything(setup);
      const killed = await setup.killPrimary();

      const after = { time: farFromNow(), channel: 'log', title: 'After' };
      const written = async () => (await api('PUT', '/subscriptions/ada/later', after)).status;
      await waitFor(
        async () => (await written()) === 201,
        FAILOVER_WITHIN_MS,
        () => 'a PUT',
      );

      const promoted = await setup.primaryPort();
      expect(promoted).not.toBe(killed);
      expect(setup.replicaPorts).toContain(promoted);
      expect((await api('GET', '/subscriptions/ada/news')).body).toEqual(before);
      expect((await api('GET', '/subscriptions/ada/later')).body).toMatchObject(after);
      const ready = await request(chime.baseUrl, 'GET', '/health/ready');
      expect(ready.status).toBe(200);
    },
    HOOK_TIMEOUT_MS,
  );

  it(
    'refuses to start when the primary may evict, naming maxmemory-policy',
    async () => {
      const primary = setup.client(await setup.primaryPort());
      await primary.config('SET', 'maxmemory-policy', 'volatile-lru');
      try {
        const { code, output } = await runChimeToExit({
          REDIS_SENTINELS: setup.sentinels,
          REDIS_SENTINEL_MASTER: setup.masterName,
          API_TOKEN,
          ADMIN_TOKEN,
          PORT: String(await freePort()),
        });
        expect(code).toBe(1);
        expect(output).toContain('maxmemory-policy volatile-lru');
      } finally {
        await primary.config('SET', 'maxmemory-policy', 'noeviction');
      }
    },
    HOOK_TIMEOUT_MS,
  );
});

/**
 * chime's write path does not WAIT yet (REDIS_MIN_REPLICAS_ACK is not wired), so the test
 * does: WAIT counts the writes of its own connection, so it writes a marker after chime's
 * answers and waits for both replicas to have it; replication is ordered, so they have
 * everything chime wrote before, whichever one Sentinel promotes.
 */
async function bothReplicasHaveEverything(setup: RedisSentinelSetup): Promise<void> {
  const primary = setup.client(await setup.primaryPort());
  await primary.set('t-sentinel:marker', String(Date.now()));
  expect(await primary.wait(2, 5000)).toBe(2);
}
