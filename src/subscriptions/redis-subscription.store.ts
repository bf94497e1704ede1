import { Injectable } from '@nestjs/common';
import { Redis, Result } from 'ioredis';
import { parseHHMM, toScore, Weekday } from '../scheduler/local-time.js';
import { parseScheduleMember, RedisKeys, scheduleMember } from '../redis/redis-keys.js';
import { StoredSubscription, Subscription, SubscriptionKey } from './subscription.js';
import { fromHash, toHash } from './subscription.codec.js';
import { SaveOutcome, ScheduledSubscription, SubscriptionStore } from './subscription.store.js';

declare module 'ioredis' {
  interface RedisCommander<Context> {
    chimeSaveSubscription(...args: (string | number)[]): Result<number, Context>;
    chimeDeleteSubscription(...args: string[]): Result<number, Context>;
  }
}

/*
 * Both scripts keep SPEC 3's invariants in one step: the ZSET member never exists without
 * its HASH, and a timezone stays in the timezones SET exactly while its ZSET is non-empty.
 */
/** Members read per pipelined batch while scanning a timezone's ZSET. */
const SCAN_BATCH = 1000;
const SCHEDULE_FIELDS = ['days', 'paused', 'armedAt'] as const;

const SAVE = `
local current = redis.call('HGET', KEYS[1], 'revision')
if (current or '') ~= ARGV[1] then return -1 end
local oldChannel = redis.call('HGET', KEYS[1], 'channel')
if oldChannel and redis.call('HINCRBY', KEYS[5], oldChannel, -1) <= 0 then
  redis.call('HDEL', KEYS[5], oldChannel)
end
redis.call('HINCRBY', KEYS[5], ARGV[7], 1)
local oldTimezone = redis.call('HGET', KEYS[1], 'timezone')
if oldTimezone and oldTimezone ~= ARGV[6] then
  local oldSchedule = ARGV[4] .. oldTimezone
  redis.call('ZREM', oldSchedule, ARGV[2])
  if redis.call('ZCARD', oldSchedule) == 0 then redis.call('SREM', KEYS[3], oldTimezone) end
end
redis.call('DEL', KEYS[1])
redis.call('HSET', KEYS[1], unpack(ARGV, 8))
redis.call('ZADD', KEYS[4], ARGV[3], ARGV[2])
redis.call('SADD', KEYS[3], ARGV[6])
redis.call('SADD', KEYS[2], ARGV[5])
if current then return 1 end
return 0`;

const DELETE = `
redis.call('SREM', KEYS[2], ARGV[3])
local timezone = redis.call('HGET', KEYS[1], 'timezone')
if not timezone then return 0 end
local channel = redis.call('HGET', KEYS[1], 'channel')
if redis.call('HINCRBY', KEYS[4], channel, -1) <= 0 then redis.call('HDEL', KEYS[4], channel) end
local schedule = ARGV[1] .. timezone
redis.call('ZREM', schedule, ARGV[2])
if redis.call('ZCARD', schedule) == 0 then redis.call('SREM', KEYS[3], timezone) end
redis.call('DEL', KEYS[1])
return 1`;

@Injectable()
export class RedisSubscriptionStore extends SubscriptionStore {
  constructor(
    private readonly redis: Redis,
    private readonly keys: RedisKeys,
  ) {
    super();
    redis.defineCommand('chimeSaveSubscription', { numberOfKeys: 5, lua: SAVE });
    redis.defineCommand('chimeDeleteSubscription', { numberOfKeys: 4, lua: DELETE });
  }

  async find({ userId, tag }: SubscriptionKey): Promise<StoredSubscription | null> {
    return fromHash(await this.redis.hgetall(this.keys.subscription(userId, tag)));
  }

  async listByUser(userId: string): Promise<StoredSubscription[]> {
    const tags = (await this.redis.smembers(this.keys.userTags(userId))).sort();
    const subscriptions = await this.findMany(tags.map((tag) => ({ userId, tag })));
    return subscriptions.filter((subscription) => subscription !== null);
  }

  async findMany(keys: readonly SubscriptionKey[]): Promise<(StoredSubscription | null)[]> {
    if (keys.length === 0) return [];
    const pipeline = this.redis.pipeline();
    for (const { userId, tag } of keys) pipeline.hgetall(this.keys.subscription(userId, tag));
    const replies = (await pipeline.exec()) ?? [];
    return replies.map(([error, hash]) => {
      if (error) throw error;
      return fromHash(hash as Record<string, string>);
    });
  }

  async save(subscription: Subscription, expectedRevision: number | null): Promise<SaveOutcome> {
    const { userId, tag, timezone } = subscription;
    const fields = toHash(subscription, (expectedRevision ?? 0) + 1);
    const outcome = await this.redis.chimeSaveSubscription(
      this.keys.subscription(userId, tag),
      this.keys.userTags(userId),
      this.keys.timezones(),
      this.keys.timezoneSchedule(timezone),
      this.keys.channelCounts(),
      expectedRevision === null ? '' : String(expectedRevision),
      scheduleMember(userId, tag),
      toScore(parseHHMM(subscription.time)),
      this.keys.timezoneSchedulePrefix(),
      tag,
      timezone,
      subscription.channel,
      ...Object.entries(fields).flat(),
    );
    return outcome === -1 ? 'conflict' : outcome === 0 ? 'created' : 'replaced';
  }

  async delete({ userId, tag }: SubscriptionKey): Promise<boolean> {
    return (await this.redis.chimeDeleteSubscription(...this.deleteArgs(userId, tag))) === 1;
  }

  async deleteUser(userId: string): Promise<number> {
    const tags = await this.redis.smembers(this.keys.userTags(userId));
    const pipeline = this.redis.pipeline();
    for (const tag of tags) pipeline.chimeDeleteSubscription(...this.deleteArgs(userId, tag));
    const replies = (await pipeline.exec()) ?? [];
    return replies.filter(([error, deleted]) => {
      if (error) throw error;
      return deleted === 1;
    }).length;
  }

  timezones(): Promise<string[]> {
    return this.redis.smembers(this.keys.timezones());
  }

  async *scheduledBetween(
    timezone: string,
    fromScore: number,
    toScore: number,
  ): AsyncGenerator<ScheduledSubscription[]> {
    // One read of the range: paging by offset could skip members removed in between.
    const reply = await this.redis.zrangebyscore(
      this.keys.timezoneSchedule(timezone),
      fromScore,
      toScore,
      'WITHSCORES',
    );
    for (let start = 0; start < reply.length; start += 2 * SCAN_BATCH) {
      yield this.readScheduled(reply.slice(start, start + 2 * SCAN_BATCH));
    }
  }

  async countByTimezone(): Promise<Record<string, number>> {
    const timezones = (await this.timezones()).sort();
    const pipeline = this.redis.pipeline();
    for (const timezone of timezones) pipeline.zcard(this.keys.timezoneSchedule(timezone));
    const counts = ((await pipeline.exec()) ?? []).map(([error, count]) => {
      if (error) throw error;
      return count as number;
    });
    return Object.fromEntries(timezones.map((timezone, index) => [timezone, counts[index]]));
  }

  async countByChannel(): Promise<Record<string, number>> {
    const counts = await this.redis.hgetall(this.keys.channelCounts());
    return Object.fromEntries(Object.entries(counts).map(([channel, n]) => [channel, Number(n)]));
  }

  /** `memberScorePairs` is a ZRANGE WITHSCORES reply; one pipelined HMGET per member. */
  private async readScheduled(memberScorePairs: string[]): Promise<ScheduledSubscription[]> {
    const pipeline = this.redis.pipeline();
    const keys: (SubscriptionKey & { score: number })[] = [];
    for (let index = 0; index < memberScorePairs.length; index += 2) {
      const key = parseScheduleMember(memberScorePairs[index]);
      keys.push({ ...key, score: Number(memberScorePairs[index + 1]) });
      pipeline.hmget(this.keys.subscription(key.userId, key.tag), ...SCHEDULE_FIELDS);
    }
    const replies = (await pipeline.exec()) ?? [];
    return keys.flatMap((key, index) => {
      const [error, values] = replies[index];
      if (error) throw error;
      const [days, paused, armedAt] = values as (string | null)[];
      if (days === null || armedAt === null) return [];
      return [
        {
          ...key,
          days: days.split(',') as Weekday[],
          paused: paused === '1',
          armedAt: new Date(armedAt),
        },
      ];
    });
  }

  private deleteArgs(userId: string, tag: string): string[] {
    return [
      this.keys.subscription(userId, tag),
      this.keys.userTags(userId),
      this.keys.timezones(),
      this.keys.channelCounts(),
      this.keys.timezoneSchedulePrefix(),
      scheduleMember(userId, tag),
      tag,
    ];
  }
}
