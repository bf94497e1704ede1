import { Redis } from 'ioredis';
import { ADMIN_TOKEN, API_TOKEN, ChimeProcess, startChime } from './support/chime-process.js';
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
