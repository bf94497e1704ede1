import type { Cluster, Redis } from 'ioredis';

/**
 * chime's one Redis connection, whatever the topology: a `Redis` for one node or a
 * Sentinel-managed primary, a `Cluster` for Redis Cluster. Both share ioredis' commands,
 * pipelines, transactions and `defineCommand`.
 */
export type RedisClient = Redis | Cluster;

/** The DI token of the shared RedisClient (a union type has no class to inject by). */
export const REDIS_CLIENT = Symbol('RedisClient');
