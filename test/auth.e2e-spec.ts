import { Redis } from 'ioredis';
import {
  ADMIN_TOKEN,
  API_TOKEN,
  ChimeProcess,
  runChimeToExit,
  startChime,
  testRedisUrl,
  uniquePrefix,
} from './support/chime-process.js';
import { request, RequestOptions } from './support/http.js';
import { farFromNow, snapshotOutsideTicks } from './support/redis-snapshot.js';
import { freePort } from './support/redis-server.js';

/** Hooks start or stop whole processes: more than jest's default 5 s on a busy machine. */
const HOOK_TIMEOUT_MS = 30_000;

const SEEDED = '/subscriptions/seed-user/seed-tag';
const VALID_BODY = { time: farFromNow(), channel: 'log' };

const SUBSCRIPTION_ROUTES: { route: string; method: string; path: string; body?: unknown }[] = [
  { route: 'GET one', method: 'GET', path: SEEDED },
  { route: 'GET list', method: 'GET', path: '/subscriptions/seed-user' },
  {
    route: 'PUT (replace)',
    method: 'PUT',
    path: SEEDED,
    body: { ...VALID_BODY, title: 'Hijacked' },
  },
  { route: 'PUT (create)', method: 'PUT', path: '/subscriptions/intruder/new', body: VALID_BODY },
  { route: 'PATCH', method: 'PATCH', path: SEEDED, body: { paused: true } },
  { route: 'DELETE one', method: 'DELETE', path: SEEDED },
  { route: 'DELETE user', method: 'DELETE', path: '/subscriptions/seed-user' },
];

const REFUSED_ON_SUBSCRIPTIONS: { credential: string; options: RequestOptions }[] = [
  { credential: 'no Authorization header', options: {} },
  { credential: 'a wrong token', options: { token: 'not-the-api-token-0123' } },
  { credential: 'the API token with a character more', options: { token: `${API_TOKEN}x` } },
  { credential: 'the admin token', options: { token: ADMIN_TOKEN } },
  {
    credential: 'the API token under the Basic scheme',
    options: { headers: { authorization: `Basic ${API_TOKEN}` } },
  },
];

const REFUSED_ON_ADMIN: { credential: string; options: RequestOptions }[] = [
  { credential: 'no Authorization header', options: {} },
  { credential: 'a wrong token', options: { token: 'not-the-admin-token-0123' } },
  { credential: 'the API token', options: { token: API_TOKEN } },
];

describe('authentication', () => {
  let chime: ChimeProcess;
  let redis: Redis;

  beforeAll(async () => {
    chime = await startChime();
    redis = new Redis(chime.redisUrl);
    const seeded = await request(chime.baseUrl, 'PUT', SEEDED, {
      token: API_TOKEN,
      body: VALID_BODY,
    });
    expect(seeded.status).toBe(201);
  }, HOOK_TIMEOUT_MS);

  afterAll(async () => {
    redis.disconnect();
    await chime.stop();
  }, HOOK_TIMEOUT_MS);

  const attempts = SUBSCRIPTION_ROUTES.flatMap((route) =>
    REFUSED_ON_SUBSCRIPTIONS.map((credential) => ({ ...route, ...credential })),
  );

  it.each(attempts)(
    'answers $route with $credential: 401, WWW-Authenticate: Bearer, Redis unchanged',
    async ({ method, path, body, options }) => {
      const before = await snapshotOutsideTicks(redis, chime.keyPrefix);

      const answer = await request(chime.baseUrl, method, path, { ...options, body });

      expect(answer.status).toBe(401);
      expect(answer.headers.get('www-authenticate')).toBe('Bearer');
      expect(answer.body).toMatchObject({ statusCode: 401, error: 'Unauthorized' });
      expect(await snapshotOutsideTicks(redis, chime.keyPrefix)).toEqual(before);
    },
  );

  it.each(REFUSED_ON_ADMIN)(
    'answers /admin/health with $credential: 401, WWW-Authenticate: Bearer, Redis unchanged',
    async ({ options }) => {
      const before = await snapshotOutsideTicks(redis, chime.keyPrefix);

      const answer = await request(chime.baseUrl, 'GET', '/admin/health', options);

      expect(answer.status).toBe(401);
      expect(answer.headers.get('www-authenticate')).toBe('Bearer');
      expect(await snapshotOutsideTicks(redis, chime.keyPrefix)).toEqual(before);
    },
  );

  it('accepts the API token on /subscriptions and the admin token on /admin/health', async () => {
    const subscriptions = await request(chime.baseUrl, 'GET', SEEDED, { token: API_TOKEN });
    const admin = await request(chime.baseUrl, 'GET', '/admin/health', { token: ADMIN_TOKEN });

    expect(subscriptions.status).toBe(200);
    expect(subscriptions.body.tag).toBe('seed-tag');
    expect(admin.status).toBe(200);
  });

  it.each(['/health/live', '/health/ready', '/docs', '/docs-json', '/metrics'])(
    'answers %s 200 without a token (public; /metrics while METRICS_TOKEN is unset)',
    async (path) => {
      const answer = await request(chime.baseUrl, 'GET', path);

      expect(answer.status).toBe(200);
      expect(answer.headers.get('www-authenticate')).toBeNull();
    },
  );

  it('refuses every route of the OpenAPI document without a token, but the public ones', async () => {
    const { body } = await request(chime.baseUrl, 'GET', '/docs-json');
    const open: string[] = [];
    const answered: string[] = [];
    for (const [path, item] of Object.entries<Record<string, { security?: unknown[] }>>(
      body.paths,
    )) {
      for (const [method, operation] of Object.entries(item)) {
        const route = `${method.toUpperCase()} ${path}`;
        if (operation.security?.length === 0) {
          open.push(route);
          continue;
        }
        const target = path.replace(/\{[^}]+\}/g, 'probe');
        const answer = await request(chime.baseUrl, method.toUpperCase(), target);
        if (answer.status !== 401) answered.push(`${route} -> ${answer.status}`);
      }
    }

    expect(open.sort()).toEqual(['GET /health/live', 'GET /health/ready', 'GET /metrics']);
    expect(answered).toEqual([]);
  });
});

describe('start-up configuration', () => {
  const nameOf = (variable: string) => new RegExp(`\\b${variable}\\b`);

  /** A complete, valid environment: chime would start with it. */
  async function validEnv(): Promise<Record<string, string>> {
    return {
      PORT: String(await freePort()),
      REDIS_URL: testRedisUrl(),
      KEY_PREFIX: uniquePrefix('config'),
      API_TOKEN,
      ADMIN_TOKEN,
      LOG_LEVEL: 'warn',
    };
  }

  const refusals: { condition: string; variable: string; env: Record<string, string | null> }[] = [
    { condition: 'without API_TOKEN', variable: 'API_TOKEN', env: { API_TOKEN: null } },
    { condition: 'without ADMIN_TOKEN', variable: 'ADMIN_TOKEN', env: { ADMIN_TOKEN: null } },
    { condition: 'with PORT=abc', variable: 'PORT', env: { PORT: 'abc' } },
    {
      condition: 'with LOOKAHEAD_MINUTES=0',
      variable: 'LOOKAHEAD_MINUTES',
      env: { LOOKAHEAD_MINUTES: '0' },
    },
    {
      condition: 'with DEFAULT_TIMEZONE=Mars/Olympus',
      variable: 'DEFAULT_TIMEZONE',
      env: { DEFAULT_TIMEZONE: 'Mars/Olympus' },
    },
    { condition: 'with REDIS_URL=http://x', variable: 'REDIS_URL', env: { REDIS_URL: 'http://x' } },
    {
      condition: 'with WEBHOOK_SECRET=nope',
      variable: 'WEBHOOK_SECRET',
      env: { WEBHOOK_SECRET: 'nope' },
    },
    {
      condition: 'with ADMIN_TOKEN equal to API_TOKEN',
      variable: 'ADMIN_TOKEN',
      env: { ADMIN_TOKEN: API_TOKEN },
    },
    {
      condition: 'with a space inside API_TOKEN',
      variable: 'API_TOKEN',
      env: { API_TOKEN: 'test-api-token 0123456789' },
    },
    {
      condition: 'with a newline after ADMIN_TOKEN',
      variable: 'ADMIN_TOKEN',
      env: { ADMIN_TOKEN: `${ADMIN_TOKEN}\n` },
    },
    {
      condition: 'with a tab inside METRICS_TOKEN',
      variable: 'METRICS_TOKEN',
      env: { METRICS_TOKEN: 'test-metrics\ttoken-0123456789' },
    },
    {
      condition: 'with METRICS_TOKEN equal to ADMIN_TOKEN',
      variable: 'METRICS_TOKEN',
      env: { METRICS_TOKEN: ADMIN_TOKEN },
    },
    { condition: 'with TRUST_PROXY=yes', variable: 'TRUST_PROXY', env: { TRUST_PROXY: 'yes' } },
  ];
  const outcomes = new Map<string, { code: number | null; output: string }>();

  // Each process takes a second or more to start and give up, far more on a busy machine:
  // a few side by side, so that all of them on two cores never crowd out the 20 s limit
  // that runChimeToExit gives each one.
  const SIDE_BY_SIDE = 4;
  beforeAll(async () => {
    const waiting = [...refusals];
    const runner = async () => {
      for (let next = waiting.shift(); next; next = waiting.shift()) {
        const full: Record<string, string> = await validEnv();
        for (const [name, value] of Object.entries(next.env)) {
          if (value === null) delete full[name];
          else full[name] = value;
        }
        outcomes.set(next.condition, await runChimeToExit(full));
      }
    };
    await Promise.all(Array.from({ length: SIDE_BY_SIDE }, runner));
  }, 4 * HOOK_TIMEOUT_MS);

  it.each(refusals)(
    'refuses to start $condition, exiting non-zero with a message naming $variable',
    ({ condition, variable }) => {
      const { code, output } = outcomes.get(condition)!;

      expect(code).not.toBeNull();
      expect(code).not.toBe(0);
      expect(output).toMatch(nameOf(variable));
    },
  );

  describe('with AUTH_DISABLED=true and no tokens', () => {
    let open: ChimeProcess;

    beforeAll(async () => {
      // Empty values count as unset (src/config/environment.ts).
      open = await startChime({ AUTH_DISABLED: 'true', API_TOKEN: '', ADMIN_TOKEN: '' });
    }, HOOK_TIMEOUT_MS);

    afterAll(async () => {
      await open.stop();
    }, HOOK_TIMEOUT_MS);

    it('starts, and warns at start-up that AUTH_DISABLED opens every route', () => {
      const warnings = open
        .output()
        .split('\n')
        .filter((line) => /warn/i.test(line) && line.includes('AUTH_DISABLED'));
      expect(warnings).not.toEqual([]);
    });

    it('answers /subscriptions and /admin routes without a token', async () => {
      const put = await request(open.baseUrl, 'PUT', SEEDED, { body: VALID_BODY });
      const read = await request(open.baseUrl, 'GET', SEEDED);
      const admin = await request(open.baseUrl, 'GET', '/admin/health');

      expect(put.status).toBe(201);
      expect(read.status).toBe(200);
      expect(admin.status).toBe(200);
    });
  });
});
