import { Redis } from 'ioredis';
import { RedisKeys } from '../src/store/redis-keys.js';
import { RedisSubscriptionStore } from '../src/store/redis-subscription.store.js';
import {
  ADMIN_TOKEN,
  API_TOKEN,
  ChimeProcess,
  runChimeToExit,
  startChime,
  testRedisUrl,
  uniquePrefix,
} from './support/chime-process.js';
import { aSubscription } from './support/factories.js';
import { request } from './support/http.js';
import { waitFor } from './support/wait-for.js';

const HOOK_TIMEOUT_MS = 30_000;
const CLAIM_TTL_SECONDS = 5000;

/** A first-layout subscription HASH, as the first version wrote it (no armedAt). */
function firstLayoutHash(userId: string, tag: string, fields: Record<string, string>) {
  return {
    userId,
    tag,
    time: '08:00',
    timezone: 'UTC',
    days: 'mon,tue,wed,thu,fri,sat,sun',
    channel: 'log',
    title: tag,
    message: '',
    data: '{}',
    paused: '0',
    createdAt: '2026-11-20T08:00:00.000Z',
    updatedAt: '2026-11-21T09:30:00.000Z',
    revision: '3',
    ...fields,
  };
}

/** Writes the first layout's keys of one subscription directly, as its scripts did. */
async function seedFirstLayout(
  redis: Redis,
  p: string,
  userId: string,
  tag: string,
  fields: Record<string, string> = {},
): Promise<void> {
  const hash = firstLayoutHash(userId, tag, fields);
  const [hours, minutes] = hash.time.split(':').map(Number);
  await redis
    .multi()
    .hset(`${p}:sub:${userId}|${tag}`, hash)
    .zadd(`${p}:subs:${hash.timezone}`, hours * 100 + minutes, `user:${userId}|tag:${tag}`)
    .sadd(`${p}:user:${userId}`, tag)
    .sadd(`${p}:timezones`, hash.timezone)
    .hincrby(`${p}:stats:channels`, hash.channel, 1)
    .exec();
}

/** Every key under the prefix that is not of layout 2 (whose names hold `{...}` or `meta`). */
async function firstLayoutKeysLeft(redis: Redis, p: string): Promise<string[]> {
  const names = await redis.keys(`${p}:*`);
  const firstLayout =
    /^(sub|subs|user|sent|delivery):|^(timezones|handoff|stats:channels|dead-letters(:index)?)$/;
  return names.filter((name) => firstLayout.test(name.slice(p.length + 1))).sort();
}

describe('moving the first layout to the bucketed one (SPEC 3)', () => {
  let redis: Redis;
  const chimes: ChimeProcess[] = [];

  beforeAll(() => {
    redis = new Redis(testRedisUrl());
  });

  afterAll(async () => {
    await Promise.all(chimes.map((chime) => chime.stop()));
    await redis.quit();
  }, HOOK_TIMEOUT_MS);

  it('moves everything once when two replicas start at once, keeping claims and letting newer writes win', async () => {
    const p = uniquePrefix('migrate');
    const today = new Date().toISOString().slice(0, 10);
    await seedFirstLayout(redis, p, 'ada', 'news', { timezone: 'Asia/Calcutta', time: '08:00' });
    await seedFirstLayout(redis, p, 'bob', 'sport', {
      time: '18:30',
      channel: 'webhook',
      target: 'https://example.com/hook',
      paused: '1',
      data: '{"team":"red"}',
      armedAt: '2026-11-21T10:00:00.000Z',
    });
    await seedFirstLayout(redis, p, 'carol', 'tick', { time: '03:00' });
    // Carol's occurrence of today was claimed and delivered before the upgrade.
    const carolToday = `carol|tick|${today}`;
    await redis.set(`${p}:sent:${carolToday}`, '1', 'EX', CLAIM_TTL_SECONDS);
    await redis.set(`${p}:delivery:${carolToday}`, 'delivered', 'EX', CLAIM_TTL_SECONDS);
    const instant = Date.parse(`${today}T03:00:00Z`);
    await redis.zadd(`${p}:handoff`, Date.now() + 3_600_000, `${carolToday}|${instant}|0`);
    const letter = {
      id: 'letter-1',
      occurrenceId: carolToday,
      occurrence: {
        userId: 'carol',
        tag: 'tick',
        localDate: today,
        occurrenceId: carolToday,
        scheduledFor: new Date(instant).toISOString(),
        late: false,
      },
      channel: 'log',
      status: 'dead',
      attempts: 5,
      lastError: 'timed out',
      deadAt: new Date().toISOString(),
    };
    await redis.hset(`${p}:dead-letters`, 'letter-1', JSON.stringify(letter));
    await redis.zadd(`${p}:dead-letters:index`, 0, `${Date.parse(letter.deadAt)}|letter-1`);
    // Dee was already written in layout 2 (a move cut short, or a write since): it is newer.
    await seedFirstLayout(redis, p, 'dee', 'news', { title: 'old' });
    const keys = RedisKeys.forPrefix(p);
    const store = new RedisSubscriptionStore(redis, keys, { maxTagsPerUser: 1000 });
    await store.save(aSubscription({ userId: 'dee', tag: 'news', title: 'new' }), null);

    const env = { KEY_PREFIX: p, LOG_LEVEL: 'info' };
    chimes.push(...(await Promise.all([startChime(env), startChime(env)])));
    const [first, second] = chimes.slice(-2);

    const moves = [first, second].map((chime) => chime.output().match(/moved the first layout/g));
    expect(moves.filter(Boolean)).toHaveLength(1);
    // The log line is JSON, and the counts JSON inside it: read it without the escapes.
    expect((first.output() + second.output()).replaceAll('\\', '')).toMatch(
      /"subscriptions":3,"claims":1,"deliveryStates":1,"handOffs":1,"deadLetters":1/,
    );
    expect(await firstLayoutKeysLeft(redis, p)).toEqual([]);
    expect(await redis.hgetall(keys.meta())).toEqual({ layout: '2', buckets: '16' });

    const api = (path: string) => request(first.baseUrl, 'GET', path, { token: API_TOKEN });
    expect((await api('/subscriptions/ada/news')).body).toMatchObject({
      timezone: 'Asia/Kolkata',
      time: '08:00',
      createdAt: '2026-11-20T08:00:00.000Z',
      updatedAt: '2026-11-21T09:30:00.000Z',
    });
    expect((await api('/subscriptions/bob/sport')).body).toMatchObject({
      channel: 'webhook',
      target: 'https://example.com/hook',
      paused: true,
      data: { team: 'red' },
    });
    expect((await api('/subscriptions/dee/news')).body.title).toBe('new');
    // The claim kept what was left of its TTL, so today's 03:00 is not sent again.
    const ttl = await redis.ttl(keys.sent(carolToday));
    expect(ttl).toBeGreaterThan(CLAIM_TTL_SECONDS - 60);
    expect(ttl).toBeLessThanOrEqual(CLAIM_TTL_SECONDS);
    const replay = await request(first.baseUrl, 'POST', '/admin/ticks', {
      token: ADMIN_TOKEN,
      body: {
        from: new Date(instant).toISOString(),
        to: new Date(instant + 60_000).toISOString(),
      },
    });
    expect(replay.body).toMatchObject({ enqueued: 0, duplicates: 1 });
    expect(await redis.zcard(keys.handOffs(keys.bucketOf('carol')))).toBe(1);
    const letters = await request(first.baseUrl, 'GET', '/admin/dead-letters', {
      token: ADMIN_TOKEN,
    });
    expect(letters.body.items.map((item: { id: string }) => item.id)).toEqual(['letter-1']);
    const stats = await request(first.baseUrl, 'GET', '/admin/stats', { token: ADMIN_TOKEN });
    expect(stats.body.subscriptions.byChannel).toEqual({ log: 3, webhook: 1 });
    // Dee's newer write (the factory's zone) won over its first-layout copy (UTC).
    expect(stats.body.subscriptions.byTimezone).toEqual({
      'Asia/Kolkata': 1,
      'Asia/Shanghai': 1,
      UTC: 2,
    });
  }, 60_000);

  it('answers /health/ready 503 while another replica holds the move, and 200 once it is done', async () => {
    const p = uniquePrefix('migrate-wait');
    await seedFirstLayout(redis, p, 'ada', 'news');
    const lock = RedisKeys.forPrefix(p).migrationLock();
    await redis.set(lock, 'another replica', 'PX', 30_000);

    const chime = await startChime({ KEY_PREFIX: p }, { untilReady: false });
    chimes.push(chime);
    const ready = await fetch(`${chime.baseUrl}/health/ready`);
    expect(ready.status).toBe(503);
    expect(JSON.stringify(await ready.json())).toMatch(/moving the first layout/);

    await redis.del(lock);
    await waitFor(
      async () => (await fetch(`${chime.baseUrl}/health/ready`)).status === 200,
      10_000,
    );
    const found = await request(chime.baseUrl, 'GET', '/subscriptions/ada/news', {
      token: API_TOKEN,
    });
    expect(found.status).toBe(200);
  }, 60_000);

  it('refuses to start with another REDIS_BUCKETS than the data was created with, naming it', async () => {
    const p = uniquePrefix('buckets');
    const chime = await startChime({ KEY_PREFIX: p });
    await chime.stop();

    const { code, output } = await runChimeToExit({
      REDIS_URL: testRedisUrl(),
      KEY_PREFIX: p,
      REDIS_BUCKETS: '8',
      API_TOKEN,
      ADMIN_TOKEN,
    });

    expect(code).not.toBe(0);
    expect(output).toMatch(/REDIS_BUCKETS is 8, but the data .* was created with 16 buckets/);
    expect(await redis.hgetall(RedisKeys.forPrefix(p).meta())).toEqual({
      layout: '2',
      buckets: '16',
    });
  }, 60_000);
});
