import { Redis } from 'ioredis';
import { RedisKeys } from '../src/store/redis-keys.js';
import { ChimeProcess, startChime, testRedisUrl } from './support/chime-process.js';
import {
  deadLetters,
  deliveries,
  DueSubscription,
  replayMinute,
  subscribeAt,
  uniqueUser,
  waitForRecord,
} from './support/delivery-api.js';
import { waitFor } from './support/wait-for.js';
import { WebhookSink } from './support/webhook-sink.js';

const HOOK_TIMEOUT_MS = 30_000;
const MINUTE_MS = 60_000;

/** Faults inside Redis, injected by hand, that must neither repeat a send nor lose one. */
describe('delivery under Redis faults', () => {
  let sink: WebhookSink;
  let chime: ChimeProcess;
  let redis: Redis;
  let keys: RedisKeys;

  beforeAll(async () => {
    sink = await WebhookSink.start();
    redis = new Redis(testRedisUrl());
    chime = await startChime({ MAX_ATTEMPTS: '3', RETRY_BACKOFF_MS: '200' });
    keys = RedisKeys.forPrefix(chime.keyPrefix);
  }, HOOK_TIMEOUT_MS);

  afterAll(async () => {
    await chime?.stop();
    await sink?.stop();
    await redis?.quit();
  }, HOOK_TIMEOUT_MS);

  /** A minute boundary that has begun already: the replay sends it at once. */
  const thisMinute = () => Math.floor(Date.now() / MINUTE_MS) * MINUTE_MS;

  it('sends once when the delivered record cannot be written after the 2xx', async () => {
    sink.script('/blip', [{ status: 200, delayMs: 500 }]);
    const userId = uniqueUser('blip');
    const due = await subscribeAt(chime, userId, 'ping', thisMinute(), {
      channel: 'webhook',
      target: sink.url('/blip'),
    });
    await replayMinute(chime, due.instant);
    await sink.waitForRequests(1, '/blip');
    // While the receiver still holds its answer, the delivery log becomes unwritable.
    await redis.del(keys.deliveryLog());
    await redis.set(keys.deliveryLog(), 'not a stream');
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    await redis.del(keys.deliveryLog());

    const log = await waitForRecord(chime, userId, (record) => record.status === 'delivered');
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    expect(sink.requests('/blip')).toHaveLength(1);
    expect(log.map((record) => record.status)).toEqual(['delivered']);
  });

  it('delivers the rest of a job when one subscription or one delivery state is unreadable', async () => {
    const instant = thisMinute();
    const users = ['good-a', 'good-b', 'bad-hash', 'bad-state'].map((name) => uniqueUser(name));
    const due: DueSubscription[] = [];
    for (const userId of users) {
      due.push(
        await subscribeAt(chime, userId, 'ping', instant, {
          channel: 'webhook',
          target: sink.url(`/job/${userId}`),
        }),
      );
    }
    // A value whose header the claim script reads, but whose JSON part does not parse.
    const value = (await redis.hget(keys.userSubscriptions(users[2]), 'ping'))!;
    await redis.hset(keys.userSubscriptions(users[2]), 'ping', value.replace(/\[.*$/, '[not json'));
    await redis.hset(keys.deliveryState(due[3].occurrenceId), 'not', 'a string');

    expect(await replayMinute(chime, instant)).toMatchObject({ enqueued: 4 });
    for (const userId of users.slice(0, 2)) {
      await waitForRecord(chime, userId, (record) => record.status === 'delivered');
    }
    let letters: any[] = [];
    await waitFor(
      async () =>
        (letters = (await deadLetters(chime)).filter((letter) =>
          [due[2].occurrenceId, due[3].occurrenceId].includes(letter.occurrenceId),
        )).length === 2,
      10_000,
      () => `dead letters for the two unreadable items; found ${JSON.stringify(letters)}`,
    );
    expect(letters.every((letter) => letter.status === 'failed')).toBe(true);
    expect(letters.map((letter) => letter.lastError).join()).toContain('unreadable');
    expect(sink.requests().filter((r) => r.path.startsWith('/job/bad'))).toEqual([]);
    expect(await deliveries(chime, { userId: users[0] })).toHaveLength(1);
  });
});
