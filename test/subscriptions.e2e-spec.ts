import { Redis } from 'ioredis';
import { ADMIN_TOKEN, API_TOKEN, ChimeProcess, startChime } from './support/chime-process.js';
import { request } from './support/http.js';
import { snapshotKeys } from './support/redis-snapshot.js';
import { RedisKeys } from '../src/store/redis-keys.js';
import { decodeSubscription } from '../src/store/subscription.codec.js';

/** Hooks start or stop whole processes: more than jest's default 5 s on a busy machine. */
const HOOK_TIMEOUT_MS = 30_000;

const ALL_DAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'];
const ISO_INSTANT = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;
const DAY_MS = 24 * 3600 * 1000;

/** The weekday and wall-clock time an instant shows in a zone: "Wed 07:30". */
function wallClock(iso: string, timeZone: string): string {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone,
    weekday: 'short',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  }).formatToParts(new Date(iso));
  const part = (type: string) => parts.find((p) => p.type === type)?.value;
  return `${part('weekday')} ${part('hour')}:${part('minute')}`;
}

function zset(...entries: [member: string, score: number][]) {
  return { type: 'zset', value: entries.flatMap(([member, score]) => [member, String(score)]) };
}

function set(...members: string[]) {
  return { type: 'set', value: [...members].sort() };
}

describe('subscriptions API', () => {
  let chime: ChimeProcess;
  let redis: Redis;
  let p: string;

  const api = (method: string, path: string, body?: unknown) =>
    request(chime.baseUrl, method, path, { token: API_TOKEN, body });
  /** SPEC 3's subscription keys; the scheduler's own keys (claims, its state) follow its clock. */
  const layout = async () =>
    Object.fromEntries(
      Object.entries(await snapshotKeys(redis, p)).filter(([key]) =>
        new RegExp(`^${p}:\\{\\d+\\}:(subs:|user:|timezones$|zoneparts$)`).test(key),
      ),
    );
  const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
  const keys = () => RedisKeys.forPrefix(p);
  /** `<p>:{<bucket>}`, the bucket of the user: every key of the user carries it. */
  const inBucket = (userId: string) => `${p}:{${keys().bucketOf(userId)}}`;

  beforeAll(async () => {
    chime = await startChime();
    redis = new Redis(chime.redisUrl);
    p = chime.keyPrefix;
  }, HOOK_TIMEOUT_MS);

  afterAll(async () => {
    redis.disconnect();
    await chime.stop();
  }, HOOK_TIMEOUT_MS);

  // Each test starts from an empty keyspace under the prefix, so layouts can be compared whole.
  beforeEach(async () => {
    const keys = await redis.keys(`${p}:*`);
    if (keys.length > 0) await redis.del(...keys);
  });

  describe('PUT /subscriptions/:userId/:tag', () => {
    it('creates with 201 and answers every field, omitted ones at their defaults', async () => {
      const before = Date.now();
      const answer = await api('PUT', '/subscriptions/ada/news', { time: '08:05', channel: 'log' });

      expect(answer.status).toBe(201);
      expect(answer.body).toEqual({
        userId: 'ada',
        tag: 'news',
        time: '08:05',
        timezone: 'UTC',
        days: ALL_DAYS,
        channel: 'log',
        target: null,
        title: 'news',
        message: '',
        data: {},
        paused: false,
        critical: false,
        maxLatenessMinutes: null,
        skipDates: [],
        dst: { gap: 'shift', overlap: 'first' },
        createdAt: expect.stringMatching(ISO_INSTANT),
        updatedAt: expect.stringMatching(ISO_INSTANT),
        nextRunAt: expect.stringMatching(ISO_INSTANT),
      });
      expect(answer.body.updatedAt).toBe(answer.body.createdAt);
      expect(answer.body.nextRunAt).toMatch(/T08:05:00\.000Z$/);
      const next = Date.parse(answer.body.nextRunAt);
      expect(next).toBeGreaterThanOrEqual(before);
      expect(next).toBeLessThanOrEqual(before + DAY_MS);
    });

    it('replaces with 200, keeps createdAt and returns every omitted field to its default', async () => {
      const created = await api('PUT', '/subscriptions/ada/news', {
        time: '07:00',
        timezone: 'Europe/Paris',
        days: ['mon', 'tue'],
        channel: 'email',
        target: 'ada@example.com',
        title: 'Morning news',
        message: 'Read me',
        data: { edition: 'eu' },
        paused: true,
      });
      expect(created.status).toBe(201);
      await pause(5);

      const replaced = await api('PUT', '/subscriptions/ada/news', {
        time: '09:30',
        channel: 'log',
      });

      expect(replaced.status).toBe(200);
      expect(replaced.body).toMatchObject({
        userId: 'ada',
        tag: 'news',
        time: '09:30',
        timezone: 'UTC',
        days: ALL_DAYS,
        channel: 'log',
        target: null,
        title: 'news',
        message: '',
        data: {},
        paused: false,
        createdAt: created.body.createdAt,
      });
      expect(Date.parse(replaced.body.updatedAt)).toBeGreaterThan(
        Date.parse(created.body.updatedAt),
      );
      const read = await api('GET', '/subscriptions/ada/news');
      expect(read.body).toEqual(replaced.body);
    });

    it('stores a timezone in its canonical spelling ("asia/shanghai" becomes "Asia/Shanghai")', async () => {
      const answer = await api('PUT', '/subscriptions/ada/news', {
        time: '08:00',
        timezone: 'asia/shanghai',
        channel: 'log',
      });

      expect(answer.status).toBe(201);
      expect(answer.body.timezone).toBe('Asia/Shanghai');
      // 08:00 in Shanghai (UTC+8, no DST) is midnight UTC.
      expect(answer.body.nextRunAt).toMatch(/T00:00:00\.000Z$/);
      expect(Object.keys(await layout())).toContain(`${inBucket('ada')}:subs:Asia/Shanghai:d7f`);
      expect(await redis.smembers(`${inBucket('ada')}:timezones`)).toEqual(['Asia/Shanghai']);
    });

    it("stores and answers IANA's spelling, not ICU's alias: Asia/Calcutta is Asia/Kolkata, US/Eastern is America/New_York", async () => {
      const calcutta = await api('PUT', '/subscriptions/ada/news', {
        time: '08:00',
        timezone: 'Asia/Calcutta',
        channel: 'log',
      });
      const eastern = await api('PUT', '/subscriptions/ada/standup', {
        time: '18:30',
        timezone: 'US/Eastern',
        channel: 'log',
      });
      const kyiv = await api('PUT', '/subscriptions/bob/news', {
        time: '07:00',
        timezone: 'europe/kyiv',
        channel: 'log',
      });

      expect([calcutta.status, eastern.status, kyiv.status]).toEqual([201, 201, 201]);
      expect(calcutta.body.timezone).toBe('Asia/Kolkata');
      expect(eastern.body.timezone).toBe('America/New_York');
      expect(kyiv.body.timezone).toBe('Europe/Kyiv');
      // 08:00 in Kolkata (UTC+5:30, no DST) is 02:30 UTC.
      expect(calcutta.body.nextRunAt).toMatch(/T02:30:00\.000Z$/);
      const read = await api('GET', '/subscriptions/ada');
      expect(read.body.items.map((item: { timezone: string }) => item.timezone)).toEqual([
        'Asia/Kolkata',
        'America/New_York',
      ]);
      const zsets = Object.keys(await layout()).filter((key) => key.includes(':subs:'));
      expect(zsets.sort()).toEqual(
        [
          `${inBucket('ada')}:subs:America/New_York:d7f`,
          `${inBucket('ada')}:subs:Asia/Kolkata:d7f`,
          `${inBucket('bob')}:subs:Europe/Kyiv:d7f`,
        ].sort(),
      );
      expect((await redis.smembers(`${inBucket('ada')}:timezones`)).sort()).toEqual([
        'America/New_York',
        'Asia/Kolkata',
      ]);
      expect(await redis.smembers(`${inBucket('bob')}:timezones`)).toEqual(['Europe/Kyiv']);
      const stats = await request(chime.baseUrl, 'GET', '/admin/stats', { token: ADMIN_TOKEN });
      expect(stats.body.subscriptions.byTimezone).toEqual({
        'Asia/Kolkata': 1,
        'America/New_York': 1,
        'Europe/Kyiv': 1,
      });
    });

    it('answers the days in week order whatever order they were given in', async () => {
      const answer = await api('PUT', '/subscriptions/ada/news', {
        time: '08:00',
        days: ['sun', 'fri', 'mon', 'wed'],
        channel: 'log',
      });

      expect(answer.body.days).toEqual(['mon', 'wed', 'fri', 'sun']);
      expect((await api('GET', '/subscriptions/ada/news')).body.days).toEqual([
        'mon',
        'wed',
        'fri',
        'sun',
      ]);
    });

    it('sets nextRunAt to the next enabled local weekday at the local time', async () => {
      const before = Date.now();
      const answer = await api('PUT', '/subscriptions/ada/news', {
        time: '07:30',
        timezone: 'America/New_York',
        days: ['wed'],
        channel: 'log',
      });

      expect(wallClock(answer.body.nextRunAt, 'America/New_York')).toBe('Wed 07:30');
      const next = Date.parse(answer.body.nextRunAt);
      expect(next).toBeGreaterThanOrEqual(before);
      expect(next).toBeLessThanOrEqual(before + 7 * DAY_MS);
    });

    it('answers nextRunAt null while paused, and an instant again once resumed', async () => {
      const paused = await api('PUT', '/subscriptions/ada/news', {
        time: '08:00',
        channel: 'log',
        paused: true,
      });
      expect(paused.body.paused).toBe(true);
      expect(paused.body.nextRunAt).toBeNull();
      expect((await api('GET', '/subscriptions/ada/news')).body.nextRunAt).toBeNull();

      const resumed = await api('PATCH', '/subscriptions/ada/news', { paused: false });
      expect(resumed.body.nextRunAt).toMatch(ISO_INSTANT);
    });
  });

  describe('PATCH /subscriptions/:userId/:tag', () => {
    it('changes only the given fields and answers 200 with the whole subscription', async () => {
      const created = await api('PUT', '/subscriptions/ada/news', {
        time: '08:00',
        timezone: 'Europe/Paris',
        channel: 'log',
        title: 'Morning news',
        data: { edition: 'eu' },
      });
      await pause(5);

      const patched = await api('PATCH', '/subscriptions/ada/news', { time: '09:15' });

      expect(patched.status).toBe(200);
      expect(patched.body).toEqual({
        ...created.body,
        time: '09:15',
        updatedAt: expect.stringMatching(ISO_INSTANT),
        nextRunAt: expect.stringMatching(ISO_INSTANT),
      });
      expect(patched.body.updatedAt).not.toBe(created.body.updatedAt);
      expect(wallClock(patched.body.nextRunAt, 'Europe/Paris')).toMatch(/ 09:15$/);
    });

    it('answers 404 for a subscription that does not exist, and writes nothing', async () => {
      const answer = await api('PATCH', '/subscriptions/ada/ghost', { paused: true });

      expect(answer.status).toBe(404);
      expect(answer.body).toMatchObject({ statusCode: 404, error: 'Not Found' });
      expect(await layout()).toEqual({});
    });

    it('returns the title to the tag when patched with null', async () => {
      await api('PUT', '/subscriptions/ada/news', {
        time: '08:00',
        channel: 'log',
        title: 'Morning news',
      });

      const patched = await api('PATCH', '/subscriptions/ada/news', { title: null });

      expect(patched.status).toBe(200);
      expect(patched.body.title).toBe('news');
      const value = (await redis.hget(keys().userSubscriptions('ada'), 'news'))!;
      expect(decodeSubscription({ userId: 'ada', tag: 'news' }, value).title).toBe('news');
    });

    it('removes the target when switching to the log channel with target null', async () => {
      await api('PUT', '/subscriptions/ada/news', {
        time: '08:00',
        channel: 'email',
        target: 'ada@example.com',
      });

      const patched = await api('PATCH', '/subscriptions/ada/news', {
        channel: 'log',
        target: null,
      });

      expect(patched.status).toBe(200);
      expect(patched.body).toMatchObject({ channel: 'log', target: null });
      const value = (await redis.hget(keys().userSubscriptions('ada'), 'news'))!;
      expect(decodeSubscription({ userId: 'ada', tag: 'news' }, value)).toMatchObject({
        channel: 'log',
        target: null,
      });
    });

    it('returns message, data, days, timezone and paused to their defaults when patched with null', async () => {
      await api('PUT', '/subscriptions/ada/news', {
        time: '08:00',
        timezone: 'Asia/Tokyo',
        days: ['sat'],
        channel: 'log',
        message: 'Read me',
        data: { edition: 'jp' },
        paused: true,
      });

      const patched = await api('PATCH', '/subscriptions/ada/news', {
        message: null,
        data: null,
        days: null,
        timezone: null,
        paused: null,
      });

      expect(patched.status).toBe(200);
      expect(patched.body).toMatchObject({
        message: '',
        data: {},
        days: ALL_DAYS,
        timezone: 'UTC',
        paused: false,
        nextRunAt: expect.stringMatching(ISO_INSTANT),
      });
    });
  });

  describe('GET /subscriptions/...', () => {
    it('reads one subscription with 200, and answers 404 for an unknown tag', async () => {
      const created = await api('PUT', '/subscriptions/ada/news', {
        time: '08:00',
        channel: 'log',
      });

      const found = await api('GET', '/subscriptions/ada/news');
      const missing = await api('GET', '/subscriptions/ada/ghost');

      expect(found.status).toBe(200);
      expect(found.body).toEqual(created.body);
      expect(missing.status).toBe(404);
      expect(missing.body).toMatchObject({ statusCode: 404, error: 'Not Found' });
    });

    it("lists exactly the user's subscriptions as {items: [...], unreadable: [], nextCursor: null}", async () => {
      await api('PUT', '/subscriptions/ada/news', { time: '08:00', channel: 'log' });
      await api('PUT', '/subscriptions/ada/sport', { time: '18:00', channel: 'log' });
      await api('PUT', '/subscriptions/bob/news', { time: '09:00', channel: 'log' });

      const answer = await api('GET', '/subscriptions/ada');

      expect(answer.status).toBe(200);
      expect(Object.keys(answer.body).sort()).toEqual(['items', 'nextCursor', 'unreadable']);
      expect(answer.body.unreadable).toEqual([]);
      expect(answer.body.nextCursor).toBeNull();
      expect(answer.body.items).toEqual([
        (await api('GET', '/subscriptions/ada/news')).body,
        (await api('GET', '/subscriptions/ada/sport')).body,
      ]);
    });

    it('answers an empty list for a user without subscriptions', async () => {
      const answer = await api('GET', '/subscriptions/nobody');

      expect(answer.status).toBe(200);
      expect(answer.body).toEqual({ items: [], unreadable: [], nextCursor: null });
    });

    it('lists the readable subscriptions of a page and names the tags Redis cannot read', async () => {
      for (const tag of ['a', 'b', 'c']) {
        await api('PUT', `/subscriptions/ada/${tag}`, { time: '08:00', channel: 'log' });
      }
      // A value chime did not write, as a damaged one would be.
      await redis.hset(keys().userSubscriptions('ada'), 'b', 'not a subscription');

      const first = await api('GET', '/subscriptions/ada?limit=2');
      const second = await api('GET', `/subscriptions/ada?limit=2&cursor=${first.body.nextCursor}`);

      expect(first.status).toBe(200);
      expect(first.body.items.map((item: { tag: string }) => item.tag)).toEqual(['a']);
      expect(first.body.unreadable).toEqual(['b']);
      expect(second.body.items.map((item: { tag: string }) => item.tag)).toEqual(['c']);
      expect(second.body).toMatchObject({ unreadable: [], nextCursor: null });
    });

    it('pages through the subscriptions in byte order of tag, each once', async () => {
      const tags = ['b', 'B', 'a-1', 'a.2', 'Z', '_x', 'a'];
      for (const tag of tags)
        await api('PUT', `/subscriptions/pager/${tag}`, { time: '08:00', channel: 'log' });
      const seen: string[] = [];
      let cursor: string | null = null;
      let pages = 0;
      do {
        const answer = await api(
          'GET',
          `/subscriptions/pager?limit=3${cursor ? `&cursor=${cursor}` : ''}`,
        );
        expect(answer.status).toBe(200);
        seen.push(...answer.body.items.map((item: any) => item.tag));
        cursor = answer.body.nextCursor;
        pages++;
      } while (cursor && pages < 10);
      expect(pages).toBe(3);
      expect(seen).toEqual(
        [...tags].sort((x, y) => Buffer.compare(Buffer.from(x), Buffer.from(y))),
      );
    });

    it('answers 400 naming the field to a malformed cursor or a limit out of range', async () => {
      for (const query of [
        'cursor=%25%25',
        'cursor=',
        'cursor=a%7Cb',
        'limit=0',
        'limit=501',
        'limit=x',
      ]) {
        const answer = await api('GET', `/subscriptions/ada?${query}`);
        expect(answer.status).toBe(400);
        expect(JSON.stringify(answer.body.message)).toMatch(
          query.startsWith('cursor') ? /cursor/ : /limit/,
        );
      }
    });
  });

  describe('DELETE /subscriptions/...', () => {
    it('unsubscribes with 204, after which GET and DELETE answer 404', async () => {
      await api('PUT', '/subscriptions/ada/news', { time: '08:00', channel: 'log' });

      const deleted = await api('DELETE', '/subscriptions/ada/news');

      expect(deleted.status).toBe(204);
      expect(deleted.body).toBe('');
      expect((await api('GET', '/subscriptions/ada/news')).status).toBe(404);
      expect((await api('DELETE', '/subscriptions/ada/news')).status).toBe(404);
    });

    it('unsubscribes a user from everything with 204, and answers 204 when there is nothing', async () => {
      await api('PUT', '/subscriptions/ada/news', { time: '08:00', channel: 'log' });
      await api('PUT', '/subscriptions/ada/sport', { time: '18:00', channel: 'log' });

      const deleted = await api('DELETE', '/subscriptions/ada');
      const again = await api('DELETE', '/subscriptions/ada');
      const never = await api('DELETE', '/subscriptions/nobody');

      expect(deleted.status).toBe(204);
      expect((await api('GET', '/subscriptions/ada')).body).toEqual({
        items: [],
        unreadable: [],
        nextCursor: null,
      });
      expect(again.status).toBe(204);
      expect(never.status).toBe(204);
    });
  });

  describe('Redis layout (SPEC 3)', () => {
    const stored = async (userId: string, tag: string) => {
      const value = await redis.hget(keys().userSubscriptions(userId), tag);
      return value === null ? null : decodeSubscription({ userId, tag }, value);
    };

    it('puts a user in the bucket CRC-32(userId) mod REDIS_BUCKETS and records the layout', async () => {
      await api('PUT', '/subscriptions/ada/news', { time: '08:05', channel: 'log' });

      // zlib's CRC-32 of "ada" is 0x8d708768: 2372962152 mod 16 = 8.
      expect(keys().bucketOf('ada')).toBe(8);
      expect(Object.keys(await layout())).toEqual(
        expect.arrayContaining([`${p}:{8}:user:ada`, `${p}:{8}:subs:UTC:d7f`]),
      );
    });

    it("writes the ZSET member, the user's HASH field and the timezones SET on create", async () => {
      const answer = await api('PUT', '/subscriptions/ada/news', {
        time: '08:05',
        timezone: 'Europe/Paris',
        days: ['fri', 'mon', 'wed'],
        channel: 'email',
        target: 'ada@example.com',
        title: 'Morning news',
        message: 'Read me',
        data: { edition: 'eu' },
      });

      const b = inBucket('ada');
      expect(await layout()).toEqual({
        // Monday, Wednesday and Friday: bits 0, 2 and 4 of the weekday mask, 0x15.
        [`${b}:subs:Europe/Paris:d15`]: zset(['user:ada|tag:news', 805]),
        [`${b}:user:ada`]: { type: 'hash', value: { news: expect.any(String) } },
        [`${b}:timezones`]: set('Europe/Paris'),
        [`${b}:zoneparts`]: set('Europe/Paris:d15'),
      });
      expect(await stored('ada', 'news')).toMatchObject({
        time: '08:05',
        timezone: 'Europe/Paris',
        days: ['mon', 'wed', 'fri'],
        channel: 'email',
        target: 'ada@example.com',
        title: 'Morning news',
        message: 'Read me',
        data: { edition: 'eu' },
        paused: false,
        createdAt: new Date(answer.body.createdAt),
        updatedAt: new Date(answer.body.updatedAt),
      });
      expect(await redis.hgetall(`${b}:channels`)).toEqual({ email: '1' });
    });

    it('moves the ZSET member to the new timezone and drops the old timezone when its ZSET empties', async () => {
      // Two users of one bucket, so that they share its ZSETs.
      const [ada, bob] = usersOfOneBucket(2);
      await api('PUT', `/subscriptions/${ada}/news`, {
        time: '08:00',
        timezone: 'Europe/Paris',
        channel: 'log',
      });
      await api('PUT', `/subscriptions/${bob}/news`, {
        time: '09:00',
        timezone: 'Europe/Paris',
        channel: 'log',
      });
      const b = inBucket(ada);

      // Ada leaves Paris; Bob still holds it, so Paris stays listed.
      const replaced = await api('PUT', `/subscriptions/${ada}/news`, {
        time: '08:00',
        timezone: 'Asia/Tokyo',
        channel: 'log',
      });
      expect(replaced.status).toBe(200);
      expect(await layout()).toMatchObject({
        [`${b}:subs:Europe/Paris:d7f`]: zset([`user:${bob}|tag:news`, 900]),
        [`${b}:subs:Asia/Tokyo:d7f`]: zset([`user:${ada}|tag:news`, 800]),
        [`${b}:timezones`]: set('Asia/Tokyo', 'Europe/Paris'),
        [`${b}:zoneparts`]: set('Asia/Tokyo:d7f', 'Europe/Paris:d7f'),
      });
      expect((await stored(ada, 'news'))?.timezone).toBe('Asia/Tokyo');

      // Bob leaves too (through PATCH): the Paris ZSET empties and Paris leaves the SET.
      await api('PATCH', `/subscriptions/${bob}/news`, { timezone: 'Asia/Tokyo' });
      expect(await layout()).toEqual({
        [`${b}:subs:Asia/Tokyo:d7f`]: zset(
          [`user:${ada}|tag:news`, 800],
          [`user:${bob}|tag:news`, 900],
        ),
        [`${b}:user:${ada}`]: { type: 'hash', value: { news: expect.any(String) } },
        [`${b}:user:${bob}`]: { type: 'hash', value: { news: expect.any(String) } },
        [`${b}:timezones`]: set('Asia/Tokyo'),
        [`${b}:zoneparts`]: set('Asia/Tokyo:d7f'),
      });
      expect(await stored(bob, 'news')).toMatchObject({ timezone: 'Asia/Tokyo', time: '09:00' });
    });

    it('moves the ZSET score with the time (08:05 scores 805, 23:59 scores 2359, 00:07 scores 7)', async () => {
      const zone = `${inBucket('ada')}:subs:UTC:d7f`;
      await api('PUT', '/subscriptions/ada/news', { time: '08:05', channel: 'log' });
      expect(await redis.zrange(zone, '0', '-1', 'WITHSCORES')).toEqual([
        'user:ada|tag:news',
        '805',
      ]);

      await api('PATCH', '/subscriptions/ada/news', { time: '23:59' });
      expect(await redis.zrange(zone, '0', '-1', 'WITHSCORES')).toEqual([
        'user:ada|tag:news',
        '2359',
      ]);

      await api('PUT', '/subscriptions/ada/news', { time: '00:07', channel: 'log' });
      expect(await redis.zrange(zone, '0', '-1', 'WITHSCORES')).toEqual(['user:ada|tag:news', '7']);
      expect(await stored('ada', 'news')).toMatchObject({ time: '00:07', timezone: 'UTC' });
    });

    it("records a pause in the user's HASH and moves the member to its zone's paused part, and back", async () => {
      await api('PUT', '/subscriptions/ada/news', { time: '08:05', channel: 'log' });
      const b = inBucket('ada');
      const withoutTheUser = async () => {
        const keysNow = await layout();
        delete keysNow[keys().userSubscriptions('ada')];
        return keysNow;
      };
      const before = await withoutTheUser();
      expect(before).toEqual({
        [`${b}:subs:UTC:d7f`]: zset(['user:ada|tag:news', 805]),
        [`${b}:timezones`]: set('UTC'),
        [`${b}:zoneparts`]: set('UTC:d7f'),
      });

      const paused = await api('PATCH', '/subscriptions/ada/news', { paused: true });

      expect(paused.status).toBe(200);
      expect(await withoutTheUser()).toEqual({
        [`${b}:subs:UTC:paused`]: zset(['user:ada|tag:news', 805]),
        [`${b}:timezones`]: set('UTC'),
        [`${b}:zoneparts`]: set('UTC:paused'),
      });
      expect(await stored('ada', 'news')).toMatchObject({
        time: '08:05',
        paused: true,
        updatedAt: new Date(paused.body.updatedAt),
      });
      // The claim script reads the paused flag at the fourth character of the value.
      expect((await redis.hget(keys().userSubscriptions('ada'), 'news'))?.[3]).toBe('1');

      await api('PATCH', '/subscriptions/ada/news', { paused: false });
      expect(await withoutTheUser()).toEqual(before);
    });

    it("removes the member and the HASH field on delete, keeping the user's other subscription", async () => {
      await api('PUT', '/subscriptions/ada/news', { time: '08:05', channel: 'log' });
      await api('PUT', '/subscriptions/ada/sport', {
        time: '18:00',
        timezone: 'Asia/Tokyo',
        channel: 'log',
      });

      await api('DELETE', '/subscriptions/ada/news');

      const b = inBucket('ada');
      expect(await layout()).toEqual({
        [`${b}:subs:Asia/Tokyo:d7f`]: zset(['user:ada|tag:sport', 1800]),
        [`${b}:user:ada`]: { type: 'hash', value: { sport: expect.any(String) } },
        [`${b}:timezones`]: set('Asia/Tokyo'),
        [`${b}:zoneparts`]: set('Asia/Tokyo:d7f'),
      });
      expect(await redis.hgetall(`${b}:channels`)).toEqual({ log: '1' });
    });

    it('leaves no key of the user after deleting the user, and cleans the timezones SET', async () => {
      const [lovelace, babbage] = usersOfOneBucket(2);
      await api('PUT', `/subscriptions/${lovelace}/news`, { time: '08:05', channel: 'log' });
      await api('PUT', `/subscriptions/${lovelace}/sport`, {
        time: '18:00',
        timezone: 'Asia/Tokyo',
        channel: 'log',
      });
      await api('PUT', `/subscriptions/${lovelace}/weather`, {
        time: '06:30',
        timezone: 'Europe/Paris',
        channel: 'log',
      });
      await api('PUT', `/subscriptions/${babbage}/news`, {
        time: '07:00',
        timezone: 'Europe/Paris',
        channel: 'log',
      });

      const answer = await api('DELETE', `/subscriptions/${lovelace}`);

      expect(answer.status).toBe(204);
      const b = inBucket(babbage);
      expect(await layout()).toEqual({
        [`${b}:subs:Europe/Paris:d7f`]: zset([`user:${babbage}|tag:news`, 700]),
        [`${b}:user:${babbage}`]: { type: 'hash', value: { news: expect.any(String) } },
        [`${b}:timezones`]: set('Europe/Paris'),
        [`${b}:zoneparts`]: set('Europe/Paris:d7f'),
      });
      // Beyond SPEC 3's keys too, nothing names the user; only a duplicate-guard claim, which
      // must outlive an unsubscribe (SPEC 4, "Once"), may remain until its TTL.
      const everything = await snapshotKeys(redis, p);
      const leftovers = Object.entries(everything).filter(
        ([key, value]) =>
          !key.includes(':sent:') && JSON.stringify([key, value]).includes(lovelace),
      );
      expect(leftovers).toEqual([]);
    });
  });
});

/** `count` user ids that share one bucket (of 16), found by trying names in turn. */
function usersOfOneBucket(count: number): string[] {
  const keys = RedisKeys.forPrefix('any');
  const users: string[] = [];
  for (let index = 0; users.length < count; index++) {
    const userId = `user-${index}`;
    if (keys.bucketOf(userId) === keys.bucketOf('user-0')) users.push(userId);
  }
  return users;
}
