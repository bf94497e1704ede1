import { Redis } from 'ioredis';
import { Subscription } from '../src/domain/subscription.js';
import { RedisKeys } from '../src/store/redis-keys.js';
import { RedisSubscriptionStore } from '../src/store/redis-subscription.store.js';
import { ChimeProcess, startChime, uniquePrefix } from './support/chime-process.js';
import { RedisServer, startRedisServer } from './support/redis-server.js';
import { aSubscription } from './support/factories.js';
import { waitFor } from './support/wait-for.js';

const MINUTE = 60_000;
/** Subscriptions at every minute of the UTC day: a day's catch-up count reads them all. */
const PER_MINUTE = 150;
const ZONES = ['UTC', 'Etc/GMT-1'];
/**
 * Before the count was streamed, chime built every candidate of the missed day at once
 * (about 410,000 here). Its code alone holds about 52 MB of heap (a heap snapshot: mostly
 * module sources), and the streamed count about 25 MB more at its peak (four buckets at
 * once, each with two steps and its claim batches: some 36,000 candidates, 0.7 KB each).
 * The whole day at once would be about 290 MB more, past this limit; the streamed count
 * has room to spare. Closer limits (80 and 128 MB, with 60 subscriptions a minute) made
 * V8 abort out of heap or, now and then, crash (SIGSEGV) while it collected near the limit.
 */
const HEAP_MB = 256;
const CATCHUP_MINUTES = 15;
const LOOKAHEAD_MINUTES = 4;

/**
 * On a redis-server of its own: seeding some 430,000 subscriptions on the shared one slowed
 * the suite beside it (layout-migration's SCAN of the keyspace timed out once).
 */
describe('the first tick after a day-long outage', () => {
  let redisServer: RedisServer;
  let redis: Redis;
  let chime: ChimeProcess | undefined;

  beforeAll(async () => {
    redisServer = await startRedisServer();
    redis = new Redis(redisServer.url);
  });

  afterAll(async () => {
    await chime?.stop();
    await redis?.quit();
    await redisServer?.stop();
  });

  it('counts what it skips in bounded steps, under a small heap', async () => {
    const keyPrefix = uniquePrefix('catchup');
    const keys = RedisKeys.forPrefix(keyPrefix);
    await seedEveryMinute(new RedisSubscriptionStore(redis, keys, { maxTagsPerUser: 1000 }));
    const watermark = Math.floor(Date.now() / MINUTE) * MINUTE - 23 * 60 * MINUTE;
    await redis.hset(keys.schedulerState(), { watermark, horizon: watermark });

    const startedMinute = Math.floor(Date.now() / MINUTE) * MINUTE;
    chime = await startChime({
      REDIS_URL: redisServer.url,
      KEY_PREFIX: keyPrefix,
      NODE_OPTIONS: `--max-old-space-size=${HEAP_MB}`,
      CATCHUP_MINUTES: String(CATCHUP_MINUTES),
      LOOKAHEAD_MINUTES: String(LOOKAHEAD_MINUTES),
    });
    // Every bucket has ticked once it has a watermark of its own.
    const bucketWatermarks = async () =>
      Promise.all(
        keys
          .allBuckets()
          .map(async (b) => Number(await redis.hget(keys.bucketSchedulerState(b), 'watermark'))),
      );
    await waitFor(
      async () => (await bucketWatermarks()).every((mark) => mark > watermark) || chime!.exited(),
      110_000,
      () => chime?.output() ?? '',
    );
    const endedMinute = Math.floor(Date.now() / MINUTE) * MINUTE;

    // With its output on failure: out of heap, V8 aborts (SIGABRT), so exitCode stays null.
    const { signalCode, exitCode } = chime.child;
    expect({ signalCode, exitCode, output: chime.output() }).toEqual({
      signalCode: null,
      exitCode: null,
      output: expect.not.stringMatching(/heap out of memory/),
    });
    // A bucket's first tick skipped what lay between the old watermark and the catch-up
    // horizon of its minute: the start-up tick's, or the next one's if it ran that late.
    const skippedBy = (tickMinute: number) =>
      ((tickMinute - CATCHUP_MINUTES * MINUTE - watermark) / MINUTE) * PER_MINUTE * ZONES.length;
    const skipped = Number(await redis.hget(keys.schedulerState(), 'skippedTotal'));
    expect(skipped).toBeGreaterThanOrEqual(skippedBy(startedMinute));
    expect(skipped).toBeLessThanOrEqual(skippedBy(endedMinute));
  }, 150_000);
});

/** PER_MINUTE subscriptions in each zone at each of the day's 1,440 minutes, armed long ago. */
async function seedEveryMinute(store: RedisSubscriptionStore): Promise<void> {
  const armedAt = new Date(Date.now() - 3 * 24 * 60 * MINUTE);
  const all: Subscription[] = [];
  for (const timezone of ZONES) {
    for (let minute = 0; minute < 1440; minute++) {
      const time = `${pad(Math.floor(minute / 60))}:${pad(minute % 60)}`;
      for (let index = 0; index < PER_MINUTE; index++) {
        const userId = `u${minute}-${index}`;
        all.push(aSubscription({ userId, tag: timezone, time, timezone, armedAt }));
      }
    }
  }
  for (let start = 0; start < all.length; start += 2000) {
    await Promise.all(all.slice(start, start + 2000).map((s) => store.save(s, null)));
  }
}

function pad(value: number): string {
  return String(value).padStart(2, '0');
}
