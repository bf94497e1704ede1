import { Redis } from 'ioredis';
import { RedisKeys } from '../src/store/redis-keys.js';
import { ADMIN_TOKEN, ChimeProcess, startChime, uniquePrefix } from './support/chime-process.js';
import {
  deadLetters,
  replayMinute,
  subscribeDueNow,
  uniqueUser,
  waitForDeadLetter,
  waitForRecord,
} from './support/delivery-api.js';
import { request } from './support/http.js';
import { waitFor } from './support/wait-for.js';
import { WebhookSink } from './support/webhook-sink.js';

const HOOK_TIMEOUT_MS = 30_000;
const DAY_MS = 86_400_000;

describe('dead letters', () => {
  let sink: WebhookSink;
  let chime: ChimeProcess;
  let redis: Redis;
  let keys: RedisKeys;

  /** A letter as chime writes it, dead `daysAgo` days ago; written straight into Redis. */
  function oldLetter(id: string, daysAgo: number) {
    const deadAt = new Date(Date.now() - daysAgo * DAY_MS).toISOString();
    const occurrenceId = `old|${id}|2026-01-01`;
    return {
      id,
      occurrenceId,
      occurrence: {
        userId: 'old',
        tag: id,
        localDate: '2026-01-01',
        occurrenceId,
        scheduledFor: '2026-01-01T00:00:00.000Z',
        late: false,
      },
      channel: 'webhook',
      status: 'failed',
      attempts: 1,
      lastError: 'HTTP 400',
      deadAt,
    };
  }

  async function killWithA400(userId: string): Promise<string> {
    const due = await subscribeDueNow(chime, userId, 'ping', {
      channel: 'webhook',
      target: sink.url('/rejects'),
    });
    await replayMinute(chime, due.instant);
    await waitForDeadLetter(chime, due.occurrenceId);
    return due.occurrenceId;
  }

  async function page(query: string) {
    return request(chime.baseUrl, 'GET', `/admin/dead-letters${query}`, { token: ADMIN_TOKEN });
  }

  beforeAll(async () => {
    sink = await WebhookSink.start();
    sink.script('/rejects', [{ status: 400 }]);
    const keyPrefix = uniquePrefix('dead');
    keys = RedisKeys.forPrefix(keyPrefix);
    redis = new Redis(process.env.CHIME_TEST_REDIS_URL!);
    // Written by an earlier chime, before the letters had an index: listed all the same.
    const earlier = oldLetter('earlier', 1);
    await redis.hset(keys.deadLetters(), earlier.id, JSON.stringify(earlier));
    chime = await startChime({ KEY_PREFIX: keyPrefix, MAX_ATTEMPTS: '1' });
  }, HOOK_TIMEOUT_MS);

  afterAll(async () => {
    await chime?.stop();
    await sink?.stop();
    await redis?.quit();
  }, HOOK_TIMEOUT_MS);

  it('lists a letter written before the index existed', async () => {
    expect((await deadLetters(chime)).map((letter) => letter.id)).toContain('earlier');
  });

  it('lists dead letters newest first, a page at a time, each once', async () => {
    for (let n = 0; n < 4; n++) await killWithA400(uniqueUser(`paged${n}`));
    const seen: any[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const answer = await page(`?limit=2${cursor ? `&cursor=${cursor}` : ''}`);
      expect(answer.status).toBe(200);
      expect(answer.body.items.length).toBeLessThanOrEqual(2);
      seen.push(...answer.body.items);
      cursor = answer.body.nextCursor;
      pages++;
    } while (cursor && pages < 10);
    expect(pages).toBe(3);
    expect(seen).toHaveLength(5);
    expect(new Set(seen.map((letter) => letter.id)).size).toBe(5);
    const deadAts = seen.map((letter) => letter.deadAt);
    expect(deadAts).toEqual([...deadAts].sort().reverse());
  });

  it('answers 400 naming the field to a malformed cursor or a limit out of range', async () => {
    for (const query of ['?cursor=not-a-cursor', '?cursor=', '?limit=0', '?limit=501']) {
      const answer = await page(query);
      expect(answer.status).toBe(400);
      expect(JSON.stringify(answer.body.message)).toMatch(/cursor|limit/);
    }
  });

  it('drops letters older than the 30-day retention when the next letter is written', async () => {
    const aged = oldLetter('aged', 31);
    const member = `${String(Date.parse(aged.deadAt)).padStart(13, '0')}|aged`;
    await redis
      .multi()
      .hset(keys.deadLetters(), aged.id, JSON.stringify(aged))
      .zadd(keys.deadLetterIndex(), 0, member)
      .exec();
    expect((await deadLetters(chime)).map((letter) => letter.id)).toContain('aged');
    await killWithA400(uniqueUser('after-aged'));
    expect((await deadLetters(chime)).map((letter) => letter.id)).not.toContain('aged');
    expect(await redis.hexists(keys.deadLetters(), 'aged')).toBe(0);
  });

  it('keeps a letter whose retry could not be queued, and sends it once when retried again', async () => {
    const userId = uniqueUser('unqueued');
    const occurrenceId = await killWithA400(userId);
    const letter = (await deadLetters(chime)).find((item) => item.occurrenceId === occurrenceId);
    sink.script('/rejects', [{ status: 200 }]);
    // BullMQ reads its queue's meta HASH when adding a job: a string there makes the add fail.
    const meta = `${keys.queuePrefix(keys.queueGroupOfOccurrence(occurrenceId))}:deliveries:meta`;
    await redis.rename(meta, `${meta}:aside`);
    await redis.set(meta, 'not a hash');
    const failed = await request(chime.baseUrl, 'POST', `/admin/dead-letters/${letter.id}/retry`, {
      token: ADMIN_TOKEN,
    });
    await redis.del(meta);
    await redis.rename(`${meta}:aside`, meta);
    expect(failed.status).toBe(500);
    expect((await deadLetters(chime)).map((item) => item.id)).toContain(letter.id);

    const retried = await request(chime.baseUrl, 'POST', `/admin/dead-letters/${letter.id}/retry`, {
      token: ADMIN_TOKEN,
    });
    expect(retried.status).toBe(202);
    await waitForRecord(chime, userId, (record) => record.status === 'delivered');
    await waitFor(
      async () => !(await deadLetters(chime)).some((item) => item.id === letter.id),
      5_000,
      () => 'the retried letter to leave the list',
    );
    const again = await request(chime.baseUrl, 'POST', `/admin/dead-letters/${letter.id}/retry`, {
      token: ADMIN_TOKEN,
    });
    expect(again.status).toBe(404);
    const sent = sink.requests('/rejects').filter((r) => r.body.occurrenceId === occurrenceId);
    expect(sent).toHaveLength(2);
  });
});
