import { Injectable } from '@nestjs/common';
import { Redis, Result } from 'ioredis';
import { toScore, parseHHMM } from '../scheduler/local-time.js';
import { RedisKeys, scheduleMember } from '../redis/redis-keys.js';
import { StoredSubscription, Subscription, SubscriptionKey } from './subscription.js';
import { fromHash, toHash } from './subscription.codec.js';
import { SaveOutcome, SubscriptionStore } from './subscription.store.js';

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
const SAVE = `
local current = redis.call('HGET', KEYS[1], 'revision')
if (current or '') ~= ARGV[1] then return -1 end
local oldTimezone = redis.call('HGET', KEYS[1], 'timezone')
if oldTimezone and oldTimezone ~= ARGV[6] then
  local oldSchedule = ARGV[4] .. oldTimezone
  redis.call('ZREM', oldSchedule, ARGV[2])
  if redis.call('ZCARD', oldSchedule) == 0 then redis.call('SREM', KEYS[3], oldTimezone) end
end
redis.call('DEL', KEYS[1])
redis.call('HSET', KEYS[1], unpack(ARGV, 7))
redis.call('ZADD', KEYS[4], ARGV[3], ARGV[2])
redis.call('SADD', KEYS[3], ARGV[6])
redis.call('SADD', KEYS[2], ARGV[5])
if current then return 1 end
return 0`;

const DELETE = `
redis.call('SREM', KEYS[2], ARGV[3])
local timezone = redis.call('HGET', KEYS[1], 'timezone')
if not timezone then return 0 end
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
    redis.defineCommand('chimeSaveSubscription', { numberOfKeys: 4, lua: SAVE });
    redis.defineCommand('chimeDeleteSubscription', { numberOfKeys: 3, lua: DELETE });
  }

  async find({ userId, tag }: SubscriptionKey): Promise<StoredSubscription | null> {
    return fromHash(await this.redis.hgetall(this.keys.subscription(userId, tag)));
  }

  async listByUser(userId: string): Promise<StoredSubscription[]> {
    const tags = (await this.redis.smembers(this.keys.userTags(userId))).sort();
    const pipeline = this.redis.pipeline();
    for (const tag of tags) pipeline.hgetall(this.keys.subscription(userId, tag));
    const replies = (await pipeline.exec()) ?? [];
    return replies
      .map(([error, hash]) => {
        if (error) throw error;
        return fromHash(hash as Record<string, string>);
      })
      .filter((subscription) => subscription !== null);
  }

  async save(subscription: Subscription, expectedRevision: number | null): Promise<SaveOutcome> {
    const { userId, tag, timezone } = subscription;
    const fields = toHash(subscription, (expectedRevision ?? 0) + 1);
    const outcome = await this.redis.chimeSaveSubscription(
      this.keys.subscription(userId, tag),
      this.keys.userTags(userId),
      this.keys.timezones(),
      this.keys.timezoneSchedule(timezone),
      expectedRevision === null ? '' : String(expectedRevision),
      scheduleMember(userId, tag),
      toScore(parseHHMM(subscription.time)),
      this.keys.timezoneSchedulePrefix(),
      tag,
      timezone,
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

  private deleteArgs(userId: string, tag: string): string[] {
    return [
      this.keys.subscription(userId, tag),
      this.keys.userTags(userId),
      this.keys.timezones(),
      this.keys.timezoneSchedulePrefix(),
      scheduleMember(userId, tag),
      tag,
    ];
  }
}
