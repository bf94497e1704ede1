import { Injectable } from '@nestjs/common';
import type { ThrottlerStorage } from '@nestjs/throttler';
import { Redis, type Result } from 'ioredis';
import { RedisKeys } from './redis-keys.js';

/** What Throttler's guard reads back from a storage: counts and seconds. */
export interface RateLimitRecord {
  totalHits: number;
  timeToExpire: number;
  isBlocked: boolean;
  timeToBlockExpire: number;
}

/**
 * One hit of a client, in one step. KEYS: the hit counter, the block marker (one hash slot).
 * ARGV: the window (ms), the limit, the block duration (ms).
 * Returns hits, the window's ms left, 1 when blocked, the block's ms left.
 * A blocked client's hits are not counted; both keys always carry a TTL, so idle clients
 * leave nothing behind.
 */
const HIT = `
local blockLeft = redis.call('PTTL', KEYS[2])
if blockLeft > 0 then
  local hits = tonumber(redis.call('GET', KEYS[1]) or '0')
  return {hits, math.max(redis.call('PTTL', KEYS[1]), 0), 1, blockLeft}
end
local hits = redis.call('INCR', KEYS[1])
local windowLeft = redis.call('PTTL', KEYS[1])
if windowLeft < 0 then
  redis.call('PEXPIRE', KEYS[1], ARGV[1])
  windowLeft = tonumber(ARGV[1])
end
if hits > tonumber(ARGV[2]) and tonumber(ARGV[3]) > 0 then
  redis.call('SET', KEYS[2], '1', 'PX', ARGV[3])
  return {hits, windowLeft, 1, tonumber(ARGV[3])}
end
return {hits, windowLeft, 0, 0}`;

type HitReply = [number, number, 0 | 1, number];

declare module 'ioredis' {
  interface RedisCommander<Context> {
    chimeRateLimitHit(
      counter: string,
      block: string,
      windowMs: number,
      limit: number,
      blockMs: number,
    ): Result<HitReply, Context>;
  }
}

/**
 * Throttler's storage in Redis, so that RATE_LIMIT_PER_MINUTE counts a client's requests
 * across every replica: a fixed window per client (`<p>:ratelimit:{<key>}:hits`, INCR with
 * the window as TTL) and, once over the limit, a block marker (`<p>:ratelimit:{<key>}:block`)
 * that lasts the block duration. The hash tag keeps both keys in one slot.
 */
@Injectable()
export class RedisThrottlerStorage implements ThrottlerStorage {
  constructor(
    private readonly redis: Redis,
    private readonly keys: RedisKeys,
  ) {
    redis.defineCommand('chimeRateLimitHit', { numberOfKeys: 2, lua: HIT });
  }

  async increment(
    key: string,
    ttl: number,
    limit: number,
    blockDuration: number,
  ): Promise<RateLimitRecord> {
    // The key names the throttler and the client already (rateLimitOptions' generateKey).
    const base = `${this.keys.prefix}:ratelimit:{${key}}`;
    const [totalHits, windowLeftMs, blocked, blockLeftMs] = await this.redis.chimeRateLimitHit(
      `${base}:hits`,
      `${base}:block`,
      ttl,
      limit,
      blockDuration,
    );
    return {
      totalHits,
      timeToExpire: Math.ceil(windowLeftMs / 1000),
      isBlocked: blocked === 1,
      timeToBlockExpire: Math.ceil(blockLeftMs / 1000),
    };
  }
}
