import type { ConfigType } from '@nestjs/config';
import type { ThrottlerModuleOptions } from '@nestjs/throttler';
import { appConfig } from '../config/configuration.js';

const ONE_MINUTE_MS = 60_000;

/**
 * RATE_LIMIT_PER_MINUTE requests per client address per minute, counted across every
 * limited route together, in this process's memory; 0 turns the limit off.
 */
export function rateLimitOptions(app: ConfigType<typeof appConfig>): ThrottlerModuleOptions {
  return {
    throttlers: [{ ttl: ONE_MINUTE_MS, limit: app.rateLimitPerMinute }],
    skipIf: () => app.rateLimitPerMinute === 0,
    // Throttler's default key is per route handler; the limit is per client.
    generateKey: (_context, tracker, name) => `${name}:${tracker}`,
    errorMessage: 'Too many requests: retry after the number of seconds in Retry-After',
  };
}
