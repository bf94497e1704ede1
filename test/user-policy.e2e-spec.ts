import { Redis } from 'ioredis';
import { ADMIN_TOKEN, API_TOKEN, ChimeProcess, startChime } from './support/chime-process.js';
import {
  deadLetters,
  floorToMinute,
  MINUTE_MS,
  replayMinute,
  subscribeAt,
  uniqueUser,
  utcHHMM,
  waitForFirstTick,
} from './support/delivery-api.js';
import { request } from './support/http.js';
import { waitFor } from './support/wait-for.js';
import { WebhookSink } from './support/webhook-sink.js';
import { isDeliveryQueueKey } from './support/redis-snapshot.js';

const HOOK_TIMEOUT_MS = 30_000;
/** SPEC 4: in a healthy service a delivery leaves within 2 s after its instant. */
const ON_TIME_MS = 2_000;
/** What the test does between replaying a minute and the quiet window's end at its close. */
const ROOM_MS = 30_000;

/**
 * The minute now in progress, when at least ROOM_MS of it is left; else the next one, once it
 * has begun. Its occurrences are replayed (POST /admin/ticks) a few seconds after their
 * instant, and a quiet window over that minute ends with it: a hold of at most a minute.
 */
async function minuteWithRoom(): Promise<number> {
  const minute = floorToMinute(Date.now());
  if (minute + MINUTE_MS - Date.now() >= ROOM_MS) return minute;
  await new Promise((resolve) => setTimeout(resolve, minute + MINUTE_MS + 200 - Date.now()));
  return minute + MINUTE_MS;
}

describe("the user's policy, preview and history over HTTP (SPEC 7)", () => {
  let sink: WebhookSink;
  let chime: ChimeProcess;
  const api = (method: string, path: string, body?: unknown) =>
    request(chime.baseUrl, method, path, { token: API_TOKEN, body });
  const history = async (userId: string, tag: string) =>
    (await api('GET', `/subscriptions/${userId}/${tag}/occurrences`)).body.items as any[];
  const statusOf = async (userId: string, tag: string) => (await history(userId, tag))[0]?.status;

  beforeAll(async () => {
    sink = await WebhookSink.start();
    chime = await startChime({ RETRY_BACKOFF_MS: '200', MAX_ATTEMPTS: '2' });
    await waitForFirstTick(chime);
  }, HOOK_TIMEOUT_MS);

  afterAll(async () => {
    await chime?.stop();
    await sink?.stop();
  }, HOOK_TIMEOUT_MS);

  describe('the subscription rule fields', () => {
    it('stores and answers critical, maxLatenessMinutes, skipDates and dst, and PATCH null restores them', async () => {
      const userId = uniqueUser('rules');
      const body = {
        time: '08:00',
        timezone: 'Europe/Paris',
        channel: 'log',
        critical: true,
        maxLatenessMinutes: 45,
        skipDates: ['2031-01-02', '2031-01-01'],
        dst: { overlap: 'last' },
      };
      const created = await api('PUT', `/subscriptions/${userId}/news`, body);
      expect(created.status).toBe(201);
      expect(created.body).toMatchObject({
        critical: true,
        maxLatenessMinutes: 45,
        skipDates: ['2031-01-01', '2031-01-02'],
        dst: { gap: 'shift', overlap: 'last' },
      });
      expect((await api('GET', `/subscriptions/${userId}/news`)).body).toEqual(created.body);

      const nulls = { critical: null, maxLatenessMinutes: null, skipDates: null, dst: null };
      const patched = await api('PATCH', `/subscriptions/${userId}/news`, nulls);
      expect(patched.status).toBe(200);
      expect(patched.body).toMatchObject({
        critical: false,
        maxLatenessMinutes: null,
        skipDates: [],
        dst: { gap: 'shift', overlap: 'first' },
      });
    });

    it('answers 400 naming every bad rule field at once, and writes nothing', async () => {
      const userId = uniqueUser('bad-rules');
      const answer = await api('PUT', `/subscriptions/${userId}/news`, {
        time: '08:00',
        channel: 'log',
        critical: 'yes',
        maxLatenessMinutes: 0,
        skipDates: ['2026-02-30'],
        dst: { gap: 'later' },
      });
      expect(answer.status).toBe(400);
      const message = (answer.body.message as string[]).join('\n');
      for (const field of ['critical', 'maxLatenessMinutes', 'skipDates', 'dst']) {
        expect(message).toContain(field);
      }
      expect((await api('GET', `/subscriptions/${userId}/news`)).status).toBe(404);
    });

    it('passes nextRunAt over a skip date', async () => {
      const userId = uniqueUser('skip-next');
      const tomorrow = new Date(Date.now() + 86_400_000).toISOString().slice(0, 10);
      const afterTomorrow = new Date(Date.now() + 2 * 86_400_000).toISOString().slice(0, 10);
      const time = utcHHMM(Date.now() + 2 * MINUTE_MS);
      const today = new Date().toISOString().slice(0, 10);
      const answer = await api('PUT', `/subscriptions/${userId}/news`, {
        time,
        timezone: 'UTC',
        channel: 'log',
        skipDates: [today, tomorrow],
      });
      expect(answer.body.nextRunAt).toBe(`${afterTomorrow}T${time}:00.000Z`);
    });
  });

  describe('PUT, GET and DELETE /users/:userId/policy', () => {
    it('answers the defaults for a user without a policy', async () => {
      const userId = uniqueUser('no-policy');
      const answer = await api('GET', `/users/${userId}/policy`);
      expect(answer.status).toBe(200);
      expect(answer.body).toEqual({
        userId,
        timezone: 'UTC',
        quietHours: [],
        onQuiet: 'hold',
        snoozeUntil: null,
      });
    });

    it('stores a policy, answers it in canonical spelling, and DELETE puts the defaults back', async () => {
      const userId = uniqueUser('policy');
      const put = await api('PUT', `/users/${userId}/policy`, {
        timezone: 'asia/calcutta',
        quietHours: [
          { from: '22:00', to: '07:00', days: ['fri', 'sat'] },
          { from: '12:00', to: '13:00' },
        ],
        onQuiet: 'drop',
        snoozeUntil: '2031-01-01T09:00:00+01:00',
      });
      expect(put.status).toBe(200);
      const stored = {
        userId,
        timezone: 'Asia/Kolkata',
        quietHours: [
          { from: '22:00', to: '07:00', days: ['fri', 'sat'] },
          { from: '12:00', to: '13:00', days: ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] },
        ],
        onQuiet: 'drop',
        snoozeUntil: '2031-01-01T08:00:00.000Z',
      };
      expect(put.body).toEqual(stored);
      expect((await api('GET', `/users/${userId}/policy`)).body).toEqual(stored);

      const deleted = await api('DELETE', `/users/${userId}/policy`);
      expect(deleted.status).toBe(200);
      expect(deleted.body).toMatchObject({ quietHours: [], onQuiet: 'hold', snoozeUntil: null });
      expect((await api('GET', `/users/${userId}/policy`)).body).toEqual(deleted.body);
    });

    it('answers 400 naming every bad field at once, and keeps the policy it had', async () => {
      const userId = uniqueUser('bad-policy');
      await api('PUT', `/users/${userId}/policy`, { quietHours: [{ from: '22:00', to: '07:00' }] });
      const answer = await api('PUT', `/users/${userId}/policy`, {
        timezone: 'Mars/Olympus',
        quietHours: [
          { from: '09:00', to: '09:00' },
          { from: '25:00', to: '07:00', days: ['xyz'] },
        ],
        onQuiet: 'later',
        snoozeUntil: 'tomorrow',
        colour: 'red',
      });
      expect(answer.status).toBe(400);
      const message = (answer.body.message as string[]).join('\n');
      for (const part of [
        'timezone',
        'quietHours[0]',
        'quietHours[1].from',
        'quietHours[1].days',
        'onQuiet',
        'snoozeUntil',
        'colour',
      ]) {
        expect(message).toContain(part);
      }
      expect((await api('GET', `/users/${userId}/policy`)).body.quietHours).toEqual([
        expect.objectContaining({ from: '22:00', to: '07:00' }),
      ]);
    });

    it('needs the API token', async () => {
      const answer = await request(chime.baseUrl, 'GET', '/users/ada/policy', {});
      expect(answer.status).toBe(401);
    });
  });

  describe('GET .../preview', () => {
    it('explains each of the next occurrences: quiet hours hold, a skip date keeps its place', async () => {
      const userId = uniqueUser('preview');
      const inTwoDays = new Date(Date.now() + 2 * 86_400_000).toISOString().slice(0, 10);
      await api('PUT', `/subscriptions/${userId}/news`, {
        time: '23:30',
        timezone: 'UTC',
        channel: 'log',
        skipDates: [inTwoDays],
      });
      await api('PUT', `/users/${userId}/policy`, {
        timezone: 'UTC',
        quietHours: [{ from: '23:00', to: '06:00' }],
      });

      const answer = await api('GET', `/subscriptions/${userId}/news/preview?count=5`);

      expect(answer.status).toBe(200);
      const items = answer.body.items as any[];
      expect(items).toHaveLength(5);
      for (const item of items) {
        expect(item.occurrenceId).toBe(`${userId}|news|${item.localDate}`);
        expect(item.scheduledFor).toBe(`${item.localDate}T23:30:00.000Z`);
      }
      const skipped = items.find((item) => item.localDate === inTwoDays);
      expect(skipped).toMatchObject({ outcome: 'skip', sendAt: null, reasons: ['skip-date'] });
      for (const item of items.filter((one) => one !== skipped)) {
        expect(item.outcome).toBe('hold');
        expect(item.reasons).toEqual(['quiet-hours']);
        const nextDay = new Date(Date.parse(item.scheduledFor) + 86_400_000);
        expect(item.sendAt).toBe(`${nextDay.toISOString().slice(0, 10)}T06:00:00.000Z`);
      }
    });

    it('answers no items while paused, 404 for none, and 400 for a count out of range', async () => {
      const userId = uniqueUser('preview-paused');
      await api('PUT', `/subscriptions/${userId}/news`, {
        time: '08:00',
        channel: 'log',
        paused: true,
      });
      expect((await api('GET', `/subscriptions/${userId}/news/preview`)).body).toEqual({
        items: [],
      });
      expect((await api('GET', `/subscriptions/${userId}/none/preview`)).status).toBe(404);
      expect((await api('GET', `/subscriptions/${userId}/news/preview?count=101`)).status).toBe(
        400,
      );
      expect((await api('GET', `/subscriptions/${userId}/news/preview?count=0`)).status).toBe(400);
    });
  });

  it(
    'holds, drops, skips, expires and sends critical ones at send time; ending a snooze sends what it held at once; history tells each once; erasing a user leaves nothing',
    async () => {
      const instant = await minuteWithRoom();
      const quietAround = {
        timezone: 'UTC',
        quietHours: [{ from: utcHHMM(instant - MINUTE_MS), to: utcHHMM(instant + MINUTE_MS) }],
      };
      const [holder, snoozer, dropper, skipper, expirer, eraser] = [
        'hold',
        'snooze',
        'drop',
        'skip',
        'expire',
        'erase',
      ].map(uniqueUser);
      sink.script('/erase-broken', [{ status: 404 }]);
      const webhook = (path: string) => ({ channel: 'webhook', target: sink.url(path) });
      await Promise.all([
        api('PUT', `/users/${holder}/policy`, quietAround),
        api('PUT', `/users/${snoozer}/policy`, {
          snoozeUntil: new Date(instant + 3_600_000).toISOString(),
        }),
        api('PUT', `/users/${dropper}/policy`, { ...quietAround, onQuiet: 'drop' }),
        api('PUT', `/users/${expirer}/policy`, {
          timezone: 'UTC',
          quietHours: [{ from: utcHHMM(instant), to: utcHHMM(instant + 2 * MINUTE_MS) }],
        }),
        api('PUT', `/users/${eraser}/policy`, quietAround),
      ]);
      await Promise.all([
        subscribeAt(chime, holder, 'news', instant, webhook('/held')),
        subscribeAt(chime, expirer, 'brief', instant, {
          ...webhook('/brief'),
          maxLatenessMinutes: 1,
        }),
        subscribeAt(chime, eraser, 'sent', instant, { ...webhook('/erase-sent'), critical: true }),
        subscribeAt(chime, eraser, 'broken', instant, {
          ...webhook('/erase-broken'),
          critical: true,
        }),
        subscribeAt(chime, eraser, 'held', instant, webhook('/erase-held')),
        subscribeAt(chime, holder, 'alarm', instant, { ...webhook('/alarm'), critical: true }),
        subscribeAt(chime, snoozer, 'news', instant, webhook('/snoozed')),
        subscribeAt(chime, dropper, 'news', instant, webhook('/dropped')),
        subscribeAt(chime, skipper, 'news', instant, {
          ...webhook('/skipped'),
          skipDates: [new Date(instant).toISOString().slice(0, 10)],
        }),
      ]);
      // Due at the next minute, inside the lookahead: claimed by the write, queued.
      await subscribeAt(chime, holder, 'next', instant + MINUTE_MS, { channel: 'log' });
      expect(await statusOf(holder, 'next')).toBe('queued');
      // The tick does not send what was due before its schedule was set; a replay does,
      // and each occurrence is decided at send time.
      expect(await replayMinute(chime, instant)).toMatchObject({ enqueued: 9 });

      // Critical: sent at once, through the quiet hours.
      const [alarm] = await sink.waitForRequests(1, '/alarm', 10_000);
      expect(alarm.receivedAt).toBeLessThan(instant + MINUTE_MS);
      await waitFor(
        async () => (await statusOf(snoozer, 'news')) === 'held',
        10_000,
        () => 'the snoozed occurrence held',
      );
      const [held, dropped, skipped, expired] = await Promise.all([
        statusOf(holder, 'news'),
        statusOf(dropper, 'news'),
        statusOf(skipper, 'news'),
        statusOf(expirer, 'brief'),
      ]);
      // brief may be at most a minute late: quiet for two minutes from its instant, it expired.
      expect([held, dropped, skipped, expired]).toEqual(['held', 'dropped', 'skipped', 'expired']);

      // Erasing a user with a delivered send, a dead letter, a held send and a policy.
      await sink.waitForRequests(1, '/erase-sent', 10_000);
      await waitFor(
        async () =>
          (await deadLetters(chime)).some((letter) => letter.occurrenceId.startsWith(eraser)) &&
          (await statusOf(eraser, 'held')) === 'held',
        10_000,
        () => 'a dead letter and a held occurrence of the user to erase',
      );
      expect((await api('DELETE', `/users/${eraser}`)).status).toBe(204);
      expect((await api('DELETE', `/users/${uniqueUser('never')}`)).status).toBe(204);
      const redis = new Redis(chime.redisUrl);
      try {
        expect(await keysNaming(redis, chime.keyPrefix, eraser)).toEqual([]);

        // Ending the snooze early sends what it held, at once.
        const released = Date.now();
        await api('PUT', `/users/${snoozer}/policy`, { snoozeUntil: null });
        const [snoozed] = await sink.waitForRequests(1, '/snoozed', 10_000);
        expect(snoozed.receivedAt - released).toBeLessThanOrEqual(3_000);
        expect(snoozed.receivedAt).toBeGreaterThanOrEqual(instant);

        // The quiet window ends a minute after the instant: the held one leaves then, not
        // before; the erased user's held send, woken then too, sends and writes nothing.
        const [late] = await sink.waitForRequests(
          1,
          '/held',
          instant + MINUTE_MS - Date.now() + 10_000,
        );
        expect(late.receivedAt).toBeGreaterThanOrEqual(instant + MINUTE_MS);
        expect(late.receivedAt - (instant + MINUTE_MS)).toBeLessThanOrEqual(ON_TIME_MS);
        expect(late.body).toMatchObject({ late: true });
        await new Promise((resolve) => setTimeout(resolve, 3_000));
        expect(sink.requests('/erase-held')).toEqual([]);
        expect(await keysNaming(redis, chime.keyPrefix, eraser)).toEqual([]);
      } finally {
        redis.disconnect();
      }
      expect((await api('GET', `/subscriptions/${eraser}`)).body.items).toEqual([]);
      expect((await api('GET', `/users/${eraser}/policy`)).body.quietHours).toEqual([]);
      const letters = await request(chime.baseUrl, 'GET', '/admin/dead-letters', {
        token: ADMIN_TOKEN,
      });
      expect(JSON.stringify(letters.body)).not.toContain(eraser);
      expect(sink.requests('/brief')).toEqual([]);
      expect(sink.requests('/dropped')).toEqual([]);
      expect(sink.requests('/skipped')).toEqual([]);

      const newsHistory = await history(holder, 'news');
      expect(newsHistory).toEqual([
        {
          occurrenceId: `${holder}|news|${new Date(instant).toISOString().slice(0, 10)}`,
          scheduledFor: new Date(instant).toISOString(),
          status: 'delivered',
          attempts: 1,
          lastError: null,
          updatedAt: expect.any(String),
        },
      ]);
      expect((await history(snoozer, 'news'))[0]).toMatchObject({
        status: 'delivered',
        attempts: 1,
      });
      expect((await history(dropper, 'news'))[0]).toMatchObject({ status: 'dropped', attempts: 0 });
      expect(sink.requests('/held')).toHaveLength(1);
      expect(sink.requests('/snoozed')).toHaveLength(1);
      await waitFor(
        async () => (await statusOf(holder, 'next')) === 'delivered',
        10_000,
        () => 'the queued one delivered at its instant',
      );
    },
    3 * MINUTE_MS,
  );
});

/**
 * Every key under the prefix whose name or content holds `userId`, but BullMQ's: its jobs
 * send nothing more and go with the queue's retention (SPEC 2).
 */
async function keysNaming(redis: Redis, prefix: string, userId: string): Promise<string[]> {
  const found: string[] = [];
  for await (const keys of redis.scanStream({ match: `${prefix}:*`, count: 1000 }) as AsyncIterable<
    string[]
  >) {
    for (const key of keys) {
      if (isDeliveryQueueKey(prefix, key)) continue;
      if (key.includes(userId) || (await contentOf(redis, key)).includes(userId)) found.push(key);
    }
  }
  return found;
}

async function contentOf(redis: Redis, key: string): Promise<string> {
  switch (await redis.type(key)) {
    case 'string':
      return (await redis.get(key)) ?? '';
    case 'hash':
      return JSON.stringify(await redis.hgetall(key));
    case 'set':
      return JSON.stringify(await redis.smembers(key));
    case 'zset':
      return JSON.stringify(await redis.zrange(key, '0', '-1'));
    case 'list':
      return JSON.stringify(await redis.lrange(key, 0, -1));
    case 'stream':
      return JSON.stringify(await redis.xrange(key, '-', '+'));
    default:
      return '';
  }
}
