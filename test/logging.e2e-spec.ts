import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { ADMIN_TOKEN, API_TOKEN, ChimeProcess, startChime } from './support/chime-process.js';
import { HttpAnswer, request } from './support/http.js';
import { RedisServer, startRedisServer } from './support/redis-server.js';

/** Hooks start or stop whole processes: more than jest's default 5 s on a busy machine. */
const HOOK_TIMEOUT_MS = 30_000;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

interface LogLine {
  level?: string;
  reqId?: string;
  msg?: string;
  req?: { url?: string };
  res?: { statusCode?: number };
  [field: string]: unknown;
}

describe('structured logs', () => {
  let chime: ChimeProcess;
  const answers: HttpAnswer[] = [];

  const lines = () =>
    chime
      .output()
      .split('\n')
      .filter((line) => line.trim() !== '');
  const records = () => lines().map((line) => JSON.parse(line) as LogLine);
  /** Completion lines are written once the answer has left: wait until all have arrived. */
  async function completionLinesFor(ids: string[]): Promise<LogLine[]> {
    const deadline = Date.now() + 5_000;
    for (;;) {
      const logged = records().filter((line) => line.reqId && ids.includes(line.reqId));
      if (new Set(logged.map((line) => line.reqId)).size === ids.length) return logged;
      if (Date.now() > deadline) return logged;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  beforeAll(async () => {
    chime = await startChime({ LOG_LEVEL: 'info' });
    const subscribe = { time: '08:00', channel: 'email', target: 'ada@example.com' };
    answers.push(
      await request(chime.baseUrl, 'PUT', '/subscriptions/ada@example.com/standup', {
        token: API_TOKEN,
        body: subscribe,
        headers: { 'x-request-id': 'client-chosen-id-1' },
      }),
      await request(chime.baseUrl, 'GET', '/subscriptions/ada@example.com/standup', {
        token: API_TOKEN,
      }),
      await request(chime.baseUrl, 'GET', '/subscriptions/ada@example.com', {
        token: API_TOKEN,
        headers: { 'x-request-id': 'not a sane id\t"quoted"' },
      }),
      await request(chime.baseUrl, 'GET', '/subscriptions/nobody/none', {
        headers: { authorization: `Bearer ${API_TOKEN}x` },
      }),
      await request(chime.baseUrl, 'GET', '/admin/health', { token: ADMIN_TOKEN }),
    );
  }, HOOK_TIMEOUT_MS);

  afterAll(async () => {
    await chime.stop();
  }, HOOK_TIMEOUT_MS);

  it('answered the requests the checks below are about', () => {
    expect(answers.map((answer) => answer.status)).toEqual([201, 200, 200, 401, 200]);
  });

  it('writes every line of output as JSON', () => {
    expect(lines().length).toBeGreaterThan(0);
    for (const line of lines()) {
      expect(() => JSON.parse(line)).not.toThrow();
    }
  });

  it("echoes each request's id in x-request-id: the caller's when sane, else a new UUID", () => {
    const ids = answers.map((answer) => answer.headers.get('x-request-id'));

    expect(ids[0]).toBe('client-chosen-id-1');
    expect(ids[2]).toMatch(UUID);
    expect(new Set(ids).size).toBe(answers.length);
  });

  it('logs one completion line per request, under the id the answer carried', async () => {
    const ids = answers.map((answer) => answer.headers.get('x-request-id')!);
    const logged = await completionLinesFor(ids);

    for (const [index, id] of ids.entries()) {
      const forRequest = logged.filter((line) => line.reqId === id);
      expect(forRequest).toEqual([
        expect.objectContaining({
          level: 'info',
          msg: 'request completed',
          res: { statusCode: answers[index].status },
          responseTime: expect.any(Number),
        }),
      ]);
    }
  });

  it('logs Nest lines with their context as a field', () => {
    expect(records()).toContainEqual(
      expect.objectContaining({ level: 'info', context: 'NestApplication' }),
    );
  });

  it('never writes the tokens, a bearer credential or an email address', async () => {
    await completionLinesFor(answers.map((answer) => answer.headers.get('x-request-id')!));
    const output = lines();

    expect(output.filter((line) => line.includes(API_TOKEN))).toEqual([]);
    expect(output.filter((line) => line.includes(ADMIN_TOKEN))).toEqual([]);
    expect(output.filter((line) => /Bearer\s+(?!\[Redacted\])\S/i.test(line))).toEqual([]);
    expect(output.filter((line) => line.includes('ada@example.com'))).toEqual([]);
    // The address was in the logged URLs: masked, not dropped.
    expect(output.some((line) => line.includes('/subscriptions/a***@example.com'))).toBe(true);
  });
});

describe('LOG_LEVEL=silent', () => {
  let chime: ChimeProcess;

  beforeAll(async () => {
    chime = await startChime({ LOG_LEVEL: 'silent' });
  }, HOOK_TIMEOUT_MS);

  afterAll(async () => {
    await chime.stop();
  }, HOOK_TIMEOUT_MS);

  it('writes nothing at all, whatever the requests', async () => {
    await request(chime.baseUrl, 'GET', '/subscriptions/someone', { token: API_TOKEN });
    await request(chime.baseUrl, 'GET', '/subscriptions/someone');
    await request(chime.baseUrl, 'GET', '/no/such/route');
    await new Promise((resolve) => setTimeout(resolve, 200));

    expect(chime.output()).toBe('');
  });
});

describe('logs of failed Redis commands', () => {
  let redisServer: RedisServer;
  let chime: ChimeProcess;
  let redis: Redis;
  const secret = `hook-${randomBytes(6).toString('hex')}`;
  const target = `http://127.0.0.1:9/${secret}?signature=${secret}`;

  beforeAll(async () => {
    // Its own Redis: refusing writes on the shared one would break the suites beside this one.
    redisServer = await startRedisServer();
    // No rate limit: its counter is a write too, and would fail before the subscription's.
    chime = await startChime({ REDIS_URL: redisServer.url, RATE_LIMIT_PER_MINUTE: '0' });
    redis = new Redis(redisServer.url);
  }, HOOK_TIMEOUT_MS);

  afterAll(async () => {
    redis.disconnect();
    await chime.stop();
    await redisServer.stop();
  }, HOOK_TIMEOUT_MS);

  it('logs the error of a refused write with its command name, never its arguments (the webhook URL)', async () => {
    // A primary without replicas refuses every write: NOREPLICAS, as ioredis reports it.
    await redis.config('SET', 'min-replicas-to-write', '1');
    const answer = await request(chime.baseUrl, 'PUT', '/subscriptions/log-user/hook', {
      token: API_TOKEN,
      body: { time: '08:00', channel: 'webhook', target },
    });
    await redis.config('SET', 'min-replicas-to-write', '0');

    expect(answer.status).toBe(500);
    const correlationId = answer.body.correlationId as string;
    const deadline = Date.now() + 5_000;
    const errorLine = () =>
      chime
        .output()
        .split('\n')
        .find((line) => line.includes(correlationId) && line.includes('"err"'));
    while (!errorLine() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    const logged = JSON.parse(errorLine() ?? '{}');
    expect(logged.err).toMatchObject({
      message: expect.stringContaining('NOREPLICAS'),
      command: { name: expect.any(String) },
    });
    expect(logged.err.command.args).toBeUndefined();
    expect(chime.output()).not.toContain(secret);
  });
});
