import type { ConfigType } from '@nestjs/config';
import type { ThrottlerModuleOptions, ThrottlerStorage } from '@nestjs/throttler';
import { appConfig } from '../config/configuration.js';

const ONE_MINUTE_MS = 60_000;

/**
 * RATE_LIMIT_PER_MINUTE requests per client address per minute, counted across every
 * limited route together and every replica (in `storage`, Redis); 0 turns the limit off.
 * The client is Throttler's default tracker, Fastify's `request.ip` (an IPv6 address counts
 * for its /64): the peer's address, or under TRUST_PROXY the one that X-Forwarded-For names
 * past the trusted hops.
 */
export function rateLimitOptions(
  app: ConfigType<typeof appConfig>,
  storage: ThrottlerStorage,
): ThrottlerModuleOptions {
  return {
    throttlers: [{ ttl: ONE_MINUTE_MS, limit: app.rateLimitPerMinute }],
    storage,
    skipIf: () => app.rateLimitPerMinute === 0,
    // Throttler's default key is per route handler; the limit is per client.
    generateKey: (_context, tracker, name) => `${name}:${tracker}`,
    errorMessage: 'Too many requests: retry after the number of seconds in Retry-After',
  };
}
