import { Cluster, type Redis } from 'ioredis';
import type { RedisClient } from './redis-client.js';

/**
 * SPEC 8: an evicting Redis would drop claims (sending twice) or subscriptions (losing
 * them) under memory pressure, so chime refuses one: the server, Sentinel's current primary,
 * or every master of a cluster. INFO works where CONFIG is renamed away.
 */
export async function assertNoEviction(client: RedisClient): Promise<void> {
  if (!(client instanceof Cluster)) return assertNodeNoEviction(client, 'Redis');
  for (const node of client.nodes('master')) await assertNodeNoEviction(node, nodeName(node));
}

/** Throws, naming the setting and `name`, when this one server may evict. */
export async function assertNodeNoEviction(node: Redis, name: string): Promise<void> {
  const memory = await node.info('memory');
  const policy = /^maxmemory_policy:(\S+)/m.exec(memory)?.[1];
  if (policy === undefined || policy === 'noeviction') return;
  throw new Error(
    `${name} has maxmemory-policy ${policy}: it may evict chime's keys (claims, subscriptions). ` +
      'Set maxmemory-policy noeviction (redis.conf, or CONFIG SET maxmemory-policy noeviction).',
  );
}

/** How a cluster node is named in messages: its address as the cluster announces it. */
export function nodeName(node: Redis): string {
  return `Redis Cluster node ${node.options.host}:${node.options.port}`;
}
