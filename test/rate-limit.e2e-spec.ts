import { Redis } from 'ioredis';
import {
  ADMIN_TOKEN,
  API_TOKEN,
  ChimeProcess,
  startChime,
  testRedisUrl,
  uniquePrefix,
} from './support/chime-process.js';
import { request } from './support/http.js';
import { farFromNow, snapshotKeys } from './support/redis-snapshot.js';

/** Hooks start or stop whole processes: more than jest's default 5 s on a busy machine. */
const HOOK_TIMEOUT_MS = 30_000;

describe('rate limit: RATE_LIMIT_PER_MINUTE=5', () => {
  let chime: ChimeProcess;
  let redis: Redis;

  const api = (method: string, path: string, body?: unknown) =>
    request(chime.baseUrl, method, path, { token: API_TOKEN, body });
  /** SPEC 3's subscription keys; the scheduler's own keys follow its clock. */
  const layout = async () =>
    Object.fromEntries(
      Object.entries(await snapshotKeys(redis, chime.keyPrefix)).filter(([key]) =>
        new RegExp(`^${chime.keyPrefix}:(subs:|sub:|user:|timezones$)`).test(key),
      ),
    );

  beforeAll(async () => {
    chime = await startChime({ RATE_LIMIT_PER_MINUTE: '5' });
    redis = new Redis(chime.redisUrl);
  }, HOOK_TIMEOUT_MS);

  afterAll(async () => {
    redis.disconnect();
    await chime.stop();
  }, HOOK_TIMEOUT_MS);

  it('answers the 6th subscription request of a minute 429 with Retry-After, Redis unchanged', async () => {
    const body = { time: farFromNow(), channel: 'log' };
    // Five requests on different routes: the limit counts them together, per client address.
    const allowed = [
      await api('PUT', '/subscriptions/rl-user/one', body),
      await api('GET', '/subscriptions/rl-user/one'),
      await api('GET', '/subscriptions/rl-user'),
      await api('PATCH', '/subscriptions/rl-user/one', { paused: true }),
      await api('PUT', '/subscriptions/rl-user/two', body),
    ];
    expect(allowed.map((answer) => answer.status)).toEqual([201, 200, 200, 200, 201]);
    const before = await layout();

    const sixth = await api('PUT', '/subscriptions/rl-user/three', body);

    expect(sixth.status).toBe(429);
    expect(Number(sixth.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(Number(sixth.headers.get('retry-after'))).toBeLessThanOrEqual(60);
    expect(sixth.body).toEqual({
      statusCode: 429,
      error: 'Too Many Requests',
      message: expect.any(String),
    });
    expect(await layout()).toEqual(before);
  });

  it('refuses an over-limit client before looking at its token', async () => {
    const anonymous = await request(chime.baseUrl, 'GET', '/subscriptions/rl-user');

    expect(anonymous.status).toBe(429);
    expect(anonymous.headers.get('retry-after')).not.toBeNull();
  });

  it('never limits /health/live, /health/ready, /metrics, the docs or the admin routes', async () => {
    for (let i = 0; i < 20; i++) {
      expect((await request(chime.baseUrl, 'GET', '/health/live')).status).toBe(200);
    }
    expect((await request(chime.baseUrl, 'GET', '/health/ready')).status).toBe(200);
    expect((await request(chime.baseUrl, 'GET', '/metrics')).status).toBe(200);
    expect((await request(chime.baseUrl, 'GET', '/docs-json')).status).toBe(200);
    const admin = await request(chime.baseUrl, 'GET', '/admin/health', { token: ADMIN_TOKEN });
    expect(admin.status).toBe(200);
    expect(admin.headers.get('retry-after')).toBeNull();
  });

  it('documents the 429 and its Retry-After on the subscription routes alone', async () => {
    const { body } = await request(chime.baseUrl, 'GET', '/docs-json');

    for (const method of ['put', 'patch', 'get', 'delete']) {
      const operation = body.paths['/subscriptions/{userId}/{tag}'][method];
      expect(operation.responses['429'].headers['Retry-After']).toBeDefined();
    }
    expect(body.paths['/subscriptions/{userId}'].get.responses['429']).toBeDefined();
    expect(body.paths['/health/live'].get.responses['429']).toBeUndefined();
    expect(body.paths['/admin/health'].get.responses['429']).toBeUndefined();
  });
});

describe('rate limit: RATE_LIMIT_PER_MINUTE=0', () => {
  let chime: ChimeProcess;

  beforeAll(async () => {
    chime = await startChime({ RATE_LIMIT_PER_MINUTE: '0' });
  }, HOOK_TIMEOUT_MS);

  afterAll(async () => {
    await chime.stop();
  }, HOOK_TIMEOUT_MS);

  it('accepts 30 subscription requests in a row', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 30; i++) {
      const answer = await request(chime.baseUrl, 'GET', '/subscriptions/open-user', {
        token: API_TOKEN,
      });
      statuses.push(answer.status);
    }

    expect(statuses).toEqual(Array(30).fill(200));
  });
});

describe('rate limit across replicas: two chime processes on one Redis, RATE_LIMIT_PER_MINUTE=5', () => {
  let first: ChimeProcess;
  let second: ChimeProcess;
  let redis: Redis;

  beforeAll(async () => {
    const shared = { RATE_LIMIT_PER_MINUTE: '5', KEY_PREFIX: uniquePrefix('rl-shared') };
    [first, second] = await Promise.all([startChime(shared), startChime(shared)]);
    redis = new Redis(first.redisUrl);
  }, HOOK_TIMEOUT_MS);

  afterAll(async () => {
    redis.disconnect();
    await Promise.all([first.stop(), second.stop()]);
  }, HOOK_TIMEOUT_MS);

  const list = (chime: ChimeProcess) =>
    request(chime.baseUrl, 'GET', '/subscriptions/shared-user', { token: API_TOKEN });

  it('counts requests split between the replicas against one limit: the 6th is 429 on either', async () => {
    const allowed = [
      await list(first),
      await list(second),
      await list(first),
      await list(second),
      await list(first),
    ];
    expect(allowed.map((answer) => answer.status)).toEqual([200, 200, 200, 200, 200]);

    // Each replica has seen at most three: only a shared count refuses now.
    for (const chime of [second, first]) {
      const refused = await list(chime);
      expect(refused.status).toBe(429);
      expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
      expect(Number(refused.headers.get('retry-after'))).toBeLessThanOrEqual(60);
    }
  });

  it('keeps its counts under <KEY_PREFIX>:ratelimit:, each with a TTL of at most the minute', async () => {
    const keys = await redis.keys(`${first.keyPrefix}:ratelimit:*`);

    expect(keys.length).toBeGreaterThan(0);
    for (const key of keys) {
      const ttl = await redis.pttl(key);
      expect({ key, expires: ttl > 0 && ttl <= 60_000 }).toEqual({ key, expires: true });
    }
  });
});

describe('rate limit key behind proxies (TRUST_PROXY), RATE_LIMIT_PER_MINUTE=3', () => {
  const chimes: ChimeProcess[] = [];
  let redis: Redis;

  async function start(trustProxy?: string): Promise<ChimeProcess> {
    const env: Record<string, string> = { RATE_LIMIT_PER_MINUTE: '3' };
    if (trustProxy !== undefined) env.TRUST_PROXY = trustProxy;
    const chime = await startChime(env);
    chimes.push(chime);
    return chime;
  }

  /** One client API request that arrived through proxies saying `forwardedFor`. */
  const via = (chime: ChimeProcess, forwardedFor: string) =>
    request(chime.baseUrl, 'GET', '/subscriptions/proxied-user', {
      token: API_TOKEN,
      headers: { 'x-forwarded-for': forwardedFor },
    });
  const statuses = async (chime: ChimeProcess, forwardedFor: string[]) => {
    const answers: number[] = [];
    for (const header of forwardedFor) answers.push((await via(chime, header)).status);
    return answers;
  };
  const counted = async (chime: ChimeProcess) =>
    (await redis.keys(`${chime.keyPrefix}:ratelimit:*:hits`)).sort();

  beforeAll(() => {
    redis = new Redis(testRedisUrl());
  });

  afterAll(async () => {
    redis.disconnect();
    await Promise.all(chimes.map((chime) => chime.stop()));
  }, HOOK_TIMEOUT_MS);

  it.each([
    ['unset', undefined],
    ['a list that does not hold the peer (10.0.0.0/8)', '10.0.0.0/8'],
  ])(
    'ignores X-Forwarded-For with TRUST_PROXY %s: a forged header buys no new budget',
    async (_case, trustProxy) => {
      const chime = await start(trustProxy);

      const answers = await statuses(chime, [
        '203.0.113.1',
        '203.0.113.2',
        '203.0.113.3',
        '203.0.113.4',
      ]);

      expect(answers).toEqual([200, 200, 200, 429]);
      expect(await counted(chime)).toEqual([
        `${chime.keyPrefix}:ratelimit:{default:127.0.0.1}:hits`,
      ]);
    },
    HOOK_TIMEOUT_MS,
  );

  it(
    'takes the client from X-Forwarded-For with TRUST_PROXY=127.0.0.1 (the peer): one limit per forwarded client',
    async () => {
      const chime = await start('127.0.0.1');

      const answers = await statuses(chime, [
        '203.0.113.1',
        '203.0.113.1',
        '203.0.113.1',
        '203.0.113.1',
        '203.0.113.2',
      ]);

      expect(answers).toEqual([200, 200, 200, 429, 200]);
      expect(await counted(chime)).toEqual([
        `${chime.keyPrefix}:ratelimit:{default:203.0.113.1}:hits`,
        `${chime.keyPrefix}:ratelimit:{default:203.0.113.2}:hits`,
      ]);
    },
    HOOK_TIMEOUT_MS,
  );

  it(
    'trusts exactly one hop with TRUST_PROXY=1: the client is the last address the proxy appended',
    async () => {
      const chime = await start('1');

      // The client forged the first entries; the trusted proxy appended 198.51.100.7.
      const answers = await statuses(chime, [
        '10.9.9.1, 198.51.100.7',
        '10.9.9.2, 198.51.100.7',
        '10.9.9.3, 198.51.100.7',
        '10.9.9.4, 198.51.100.7',
      ]);

      expect(answers).toEqual([200, 200, 200, 429]);
      expect(await counted(chime)).toEqual([
        `${chime.keyPrefix}:ratelimit:{default:198.51.100.7}:hits`,
      ]);
    },
    HOOK_TIMEOUT_MS,
  );

  it(
    'trusts every hop with TRUST_PROXY=true: the client is the first address',
    async () => {
      const chime = await start('true');

      await via(chime, '192.0.2.44, 198.51.100.7');

      expect(await counted(chime)).toEqual([
        `${chime.keyPrefix}:ratelimit:{default:192.0.2.44}:hits`,
      ]);
    },
    HOOK_TIMEOUT_MS,
  );
});
