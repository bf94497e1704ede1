import { Inject, Injectable } from '@nestjs/common';
import type { ThrottlerStorage } from '@nestjs/throttler';
import { REDIS_CLIENT, type RedisClient } from '../redis/redis-client.js';
import { RedisKeys } from './redis-keys.js';
import { scripted } from './redis-scripts.js';

/** What Throttler's guard reads back from a storage: counts and seconds. */
export interface RateLimitRecord {
  totalHits: number;
  timeToExpire: number;
  isBlocked: boolean;
  timeToBlockExpire: number;
}

/**
 * Throttler's storage in Redis, so that RATE_LIMIT_PER_MINUTE counts a client's requests
 * across every replica: a fixed window per client (`<p>:ratelimit:{<key>}:hits`, INCR with
 * the window as TTL) and, once over the limit, a block marker (`<p>:ratelimit:{<key>}:block`)
 * that lasts the block duration. The hash tag keeps both keys in one slot.
 */
@Injectable()
export class RedisThrottlerStorage implements ThrottlerStorage {
  private readonly redis: RedisClient;

  constructor(
    @Inject(REDIS_CLIENT) redis: RedisClient,
    private readonly keys: RedisKeys,
  ) {
    this.redis = scripted(redis);
  }

  async increment(
    key: string,
    ttl: number,
    limit: number,
    blockDuration: number,
  ): Promise<RateLimitRecord> {
    // The key names the throttler and the client already (rateLimitOptions' generateKey).
    const base = this.keys.rateLimit(key);
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
