import { Redis } from 'ioredis';

/**
 * SPEC 8: an evicting Redis would drop claims (sending twice) or subscriptions (losing
 * them) under memory pressure, so chime refuses one. INFO works where CONFIG is renamed away.
 */
export async function assertNoEviction(client: Redis): Promise<void> {
  const memory = await client.info('memory');
  const policy = /^maxmemory_policy:(\S+)/m.exec(memory)?.[1];
  if (policy === undefined || policy === 'noeviction') return;
  throw new Error(
    `Redis has maxmemory-policy ${policy}: it may evict chime's keys (claims, subscriptions). ` +
      'Set maxmemory-policy noeviction (redis.conf, or CONFIG SET maxmemory-policy noeviction).',
  );
}
