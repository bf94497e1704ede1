import { Redis } from 'ioredis';
import { RedisKeys } from '../../src/store/redis-keys.js';

/** Every key under `prefix:` with its type, value and TTL: equal snapshots, unchanged Redis. */
export async function snapshotKeys(redis: Redis, prefix: string): Promise<Record<string, unknown>> {
  const keys = (await redis.keys(`${prefix}:*`)).sort();
  const snapshot: Record<string, unknown> = {};
  for (const key of keys) snapshot[key] = await readKey(redis, key);
  return snapshot;
}

async function readKey(redis: Redis, key: string): Promise<unknown> {
  const type = await redis.type(key);
  switch (type) {
    case 'hash':
      return { type, value: await redis.hgetall(key) };
    case 'set':
      return { type, value: (await redis.smembers(key)).sort() };
    case 'zset':
      return { type, value: await redis.zrange(key, '0', '-1', 'WITHSCORES') };
    case 'string':
      return { type, value: await redis.get(key), ttl: (await redis.ttl(key)) > 0 };
    default:
      return { type };
  }
}

/**
 * Every key under the prefix but the periodic bookkeeping that changes on its own clock
 * whatever requests arrive: the scheduler's state HASH and tick leases, the BullMQ worker's
 * stalled-job check marker, and the rate limiter's counters (`<p>:ratelimit:*`, with TTLs),
 * which count every request, refused ones included: the limit is checked before the token.
 */
export async function snapshotOutsideTicks(redis: Redis, prefix: string) {
  const keys = RedisKeys.forPrefix(prefix);
  const snapshot = await snapshotKeys(redis, prefix);
  return Object.fromEntries(
    Object.entries(snapshot).filter(
      ([key]) =>
        key !== keys.schedulerState() &&
        !/^\{\d+\}:(scheduler$|lease:tick:)/.test(key.slice(prefix.length + 1)) &&
        !key.startsWith(`${prefix}:ratelimit:`) &&
        !(isDeliveryQueueKey(prefix, key) && key.endsWith(':stalled-check')),
    ),
  );
}

/** A UTC time of day 12 h away: no tick claims it (nor writes its keys) during the test. */
export function farFromNow(): string {
  return new Date(Date.now() + 12 * 3600 * 1000).toISOString().slice(11, 16);
}

/** Whether `key` is one of BullMQ's, of a delivery queue (`<p>:{<group>}:bull:...`). */
export function isDeliveryQueueKey(prefix: string, key: string): boolean {
  return key.startsWith(`${prefix}:`) && /^\{\d+\}:bull:/.test(key.slice(prefix.length + 1));
}
