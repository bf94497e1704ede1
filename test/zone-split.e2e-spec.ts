import { Redis } from 'ioredis';
import { DueOccurrence } from '../src/domain/occurrence.js';
import { RedisKeys, scheduleMember } from '../src/store/redis-keys.js';
import { decodeSubscription, encodeSubscription } from '../src/store/subscription.codec.js';
import { ZoneSplit } from '../src/store/zone-split.js';
import { SubscriptionStore } from '../src/store/subscription.store.js';
import { StoreLayout } from '../src/store/store-layout.js';
import { testRedisUrl, uniquePrefix } from './support/chime-process.js';
import { FakeClock } from './support/fake-clock.js';
import { InProcessDeliverySink } from './support/in-process-sink.js';
import { SchedulerHarness, startSchedulerHarness } from './support/scheduler-harness.js';

const MINUTE = 60_000;

/**
 * Versions before zone parts kept a timezone's subscriptions in one ZSET, `subs:<timezone>`,
 * and a replica of one may still write it during a rolling upgrade. Data in that shape is
 * seeded here from chime's own writes, moved back by hand to where such a version keeps it.
 */
describe('subscriptions in the unsplit zone ZSET of versions before parts', () => {
  let chime: SchedulerHarness;
  let redis: Redis;
  let keys: RedisKeys;
  const zset = async (key: string) => redis.zrange(key, '0', '-1', 'WITHSCORES');

  /** chime, once its start-up move into parts has ended (it moves what it finds then). */
  async function start(keyPrefix: string, at: string): Promise<SchedulerHarness> {
    const harness = await startSchedulerHarness({
      redisUrl: testRedisUrl(),
      keyPrefix,
      clock: new FakeClock(at),
    });
    await harness.app.get(StoreLayout).zonesSplit();
    return harness;
  }

  beforeEach(async () => {
    chime = await start(uniquePrefix('split'), '2026-11-25T08:00:00Z'); // a Wednesday
    redis = chime.redis;
    keys = RedisKeys.forPrefix(chime.keyPrefix);
  });

  afterEach(async () => {
    await chime.close();
  });

  /** Moves a subscription from its part to the unsplit ZSET, as a version before parts holds it. */
  async function asBeforeParts(userId: string, tag: string, part: string): Promise<void> {
    const bucket = keys.bucketOf(userId);
    const member = scheduleMember(userId, tag);
    const score = await redis.zscore(keys.timezoneSchedule(bucket, 'UTC', part), member);
    await redis
      .multi()
      .zrem(keys.timezoneSchedule(bucket, 'UTC', part), member)
      .zadd(keys.timezoneSchedule(bucket, 'UTC'), score!, member)
      .srem(keys.zoneParts(bucket), `UTC:${part}`)
      .exec();
  }

  async function tickUntil(until: string): Promise<void> {
    while (chime.clock.now().getTime() < Date.parse(until)) {
      await chime.tick();
      chime.clock.advance(MINUTE);
    }
  }

  const handedOff = () =>
    (chime.sink as InProcessDeliverySink)
      .occurrences()
      .map((o: DueOccurrence) => `${o.occurrenceId} ${o.scheduledFor.toISOString()}`);

  it('are claimed on their days only, not paused, and moved into their parts by the split', async () => {
    await chime.subscribe('ada', 'daily', { time: '09:00', timezone: 'UTC' });
    await chime.subscribe('bob', 'weekend', {
      time: '09:00',
      timezone: 'UTC',
      days: ['sat', 'sun'],
    });
    await chime.subscribe('cy', 'paused', { time: '09:00', timezone: 'UTC', paused: true });
    await asBeforeParts('ada', 'daily', 'd7f');
    await asBeforeParts('bob', 'weekend', 'd60');
    await asBeforeParts('cy', 'paused', 'paused');

    await tickUntil('2026-11-25T09:05:00Z');
    expect(handedOff()).toEqual(['ada|daily|2026-11-25 2026-11-25T09:00:00.000Z']);

    expect(await new ZoneSplit(redis, keys).run()).toBe(3);
    const at = (userId: string, part?: string) =>
      zset(keys.timezoneSchedule(keys.bucketOf(userId), 'UTC', part));
    expect(await at('ada')).toEqual([]);
    expect(await at('ada', 'd7f')).toEqual(['user:ada|tag:daily', '900']);
    expect(await at('bob', 'd60')).toEqual(['user:bob|tag:weekend', '900']);
    expect(await at('cy', 'paused')).toEqual(['user:cy|tag:paused', '900']);
    for (const [userId, part] of [
      ['ada', 'd7f'],
      ['bob', 'd60'],
      ['cy', 'paused'],
    ]) {
      const bucket = keys.bucketOf(userId);
      expect(await redis.sismember(keys.zoneParts(bucket), `UTC:${part}`)).toBe(1);
      expect(await redis.smembers(keys.timezones(bucket))).toEqual(['UTC']);
    }
    expect(await new ZoneSplit(redis, keys).run()).toBe(0);

    // From their parts: Thursday's ticks claim the daily one alone, Saturday's both.
    chime.clock.set('2026-11-26T08:56:00Z');
    await tickUntil('2026-11-26T09:05:00Z');
    chime.clock.set('2026-11-28T08:56:00Z');
    await tickUntil('2026-11-28T09:05:00Z');
    expect(handedOff().sort()).toEqual([
      'ada|daily|2026-11-25 2026-11-25T09:00:00.000Z',
      'ada|daily|2026-11-26 2026-11-26T09:00:00.000Z',
      'ada|daily|2026-11-28 2026-11-28T09:00:00.000Z',
      'bob|weekend|2026-11-28 2026-11-28T09:00:00.000Z',
    ]);
  });

  it('leaves a part it no longer belongs to when a version before parts changed it', async () => {
    await chime.subscribe('dee', 'news', { time: '09:30', timezone: 'UTC' });
    const bucket = keys.bucketOf('dee');
    const userKey = keys.userSubscriptions('dee');
    // An older replica sets Mondays only: its save writes the value and the unsplit ZSET.
    const stored = decodeSubscription(
      { userId: 'dee', tag: 'news' },
      (await redis.hget(userKey, 'news'))!,
    );
    const monday = encodeSubscription({ ...stored, days: ['mon'] }, stored.revision + 1);
    await redis
      .multi()
      .hset(userKey, 'news', monday)
      .zadd(keys.timezoneSchedule(bucket, 'UTC'), 930, scheduleMember('dee', 'news'))
      .exec();

    expect(await new ZoneSplit(redis, keys).run()).toBe(1);
    expect(await zset(keys.timezoneSchedule(bucket, 'UTC', 'd7f'))).toEqual([]);
    expect(await zset(keys.timezoneSchedule(bucket, 'UTC', 'd01'))).toEqual([
      'user:dee|tag:news',
      '930',
    ]);
    expect(await redis.smembers(keys.zoneParts(bucket))).toEqual(['UTC:d01']);
    expect(await zset(keys.timezoneSchedule(bucket, 'UTC'))).toEqual([]);
  });

  it('are moved into their parts when chime starts', async () => {
    await chime.subscribe('fay', 'news', { time: '10:00', timezone: 'UTC', days: ['mon', 'tue'] });
    await asBeforeParts('fay', 'news', 'd03');
    await chime.close();

    chime = await start(chime.keyPrefix, '2026-11-25T08:00:00Z');
    redis = chime.redis;
    const bucket = keys.bucketOf('fay');
    expect(await zset(keys.timezoneSchedule(bucket, 'UTC'))).toEqual([]);
    expect(await zset(keys.timezoneSchedule(bucket, 'UTC', 'd03'))).toEqual([
      'user:fay|tag:news',
      '1000',
    ]);
    expect(await redis.smembers(keys.zoneParts(bucket))).toEqual(['UTC:d03']);
  });

  it('answers the same timezone counts before and after the split', async () => {
    await chime.subscribe('eve', 'a', { time: '07:00', timezone: 'UTC' });
    await chime.subscribe('eve', 'b', { time: '07:00', timezone: 'UTC', paused: true });
    await asBeforeParts('eve', 'a', 'd7f');
    const byTimezone = () => chime.app.get(SubscriptionStore).countByTimezone();
    expect(await byTimezone()).toEqual({ UTC: 2 });
    expect(await new ZoneSplit(redis, keys).run()).toBe(1);
    expect(await byTimezone()).toEqual({ UTC: 2 });
  });
});
