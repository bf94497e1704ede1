import { Redis } from 'ioredis';
import { API_TOKEN, ChimeProcess, startChime } from './support/chime-process.js';
import {
  floorToMinute,
  MINUTE_MS,
  occurrenceIdAt,
  uniqueUser,
  utcHHMM,
  waitForFirstTick,
} from './support/delivery-api.js';
import { request } from './support/http.js';
import { RedisServer, startRedisServer } from './support/redis-server.js';
import { WebhookSink } from './support/webhook-sink.js';

/** Hooks start or stop whole processes: more than jest's default 5 s on a busy machine. */
const HOOK_TIMEOUT_MS = 30_000;
/** Writes at once, as a client's burst of sign-ups. */
const WRITES = 60;
/** The writes need a few seconds before the instant, and the batcher its lead (1 s). */
const SET_UP_MS = 10_000;

/** The next minute boundary at least SET_UP_MS away: inside the start-up tick's lookahead. */
function nextUsableMinute(now: number): number {
  const next = floorToMinute(now) + MINUTE_MS;
  return next - now < SET_UP_MS ? next + MINUTE_MS : next;
}

/** Every delivery job's occurrence ids, read from BullMQ's job hashes (`data.items`). */
async function jobsInRedis(redis: Redis): Promise<string[][]> {
  const jobs: string[][] = [];
  for await (const keys of redis.scanStream({ count: 1000 }) as AsyncIterable<string[]>) {
    for (const key of keys) {
      if ((await redis.type(key)) !== 'hash') continue;
      const data = await redis.hget(key, 'data');
      const items = data?.startsWith('{') ? JSON.parse(data).items : undefined;
      if (Array.isArray(items)) {
        jobs.push(items.map((item: any) => item.occurrence.occurrenceId as string));
      }
    }
  }
  return jobs;
}

describe('subscriptions created inside the lookahead (armed at write)', () => {
  let redisServer: RedisServer;
  let redis: Redis;
  let sink: WebhookSink;
  let chime: ChimeProcess;

  // A Redis of its own: the test reads every job hash, which on the shared server would
  // mean scanning other suites' keys.
  beforeAll(async () => {
    redisServer = await startRedisServer();
    redis = new Redis(redisServer.url);
    sink = await WebhookSink.start();
    chime = await startChime({ REDIS_URL: redisServer.url, RATE_LIMIT_PER_MINUTE: '0' });
    await waitForFirstTick(chime);
  }, HOOK_TIMEOUT_MS);

  afterAll(async () => {
    await chime?.stop();
    await sink?.stop();
    redis?.disconnect();
    await redisServer?.stop();
  }, HOOK_TIMEOUT_MS);

  it('hands concurrent writes for one instant to shared delivery jobs, and delivers each once, not before its instant', async () => {
    const instant = nextUsableMinute(Date.now());
    const userIds = Array.from({ length: WRITES }, (_, index) => uniqueUser(`armed${index}`));
    const body = {
      time: utcHHMM(instant),
      timezone: 'UTC',
      channel: 'webhook',
      target: sink.url('/armed'),
    };

    const answers = await Promise.all(
      userIds.map((userId) =>
        request(chime.baseUrl, 'PUT', `/subscriptions/${userId}/news`, {
          token: API_TOKEN,
          body,
        }),
      ),
    );

    expect(answers.map((answer) => answer.status)).toEqual(userIds.map(() => 201));
    expect(answers.map((answer) => answer.body.nextRunAt)).toEqual(
      userIds.map(() => new Date(instant).toISOString()),
    );
    const expected = userIds.map((userId) => occurrenceIdAt(userId, 'news', instant)).sort();
    const received = await sink.waitForRequests(WRITES, '/armed', instant - Date.now() + 30_000);
    // Two more seconds for a repeat to show.
    await new Promise((resolve) => setTimeout(resolve, 2_000));

    const requests = sink.requests('/armed');
    expect(requests.map((r) => r.headers['webhook-id']).sort()).toEqual(expected);
    expect(received.every((r) => r.receivedAt >= instant)).toBe(true);
    expect(requests.every((r) => r.body.scheduledFor === new Date(instant).toISOString())).toBe(
      true,
    );
    const jobs = await jobsInRedis(redis);
    expect(jobs.flat().sort()).toEqual(expected);
    expect(jobs.length).toBeLessThan(WRITES);
  }, 120_000);
});
