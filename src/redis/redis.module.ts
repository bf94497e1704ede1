import { Global, Inject, Logger, Module, OnApplicationShutdown } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { TerminusModule } from '@nestjs/terminus';
import { Redis } from 'ioredis';
import { redisConfig } from '../config/configuration.js';
import { assertNoEviction } from './eviction-policy.js';
import { REDIS_CLIENT, type RedisClient } from './redis-client.js';
import { RedisHealthIndicator } from './redis.health.js';

const redisClientProvider = {
  provide: REDIS_CLIENT,
  inject: [redisConfig.KEY],
  useFactory: async (config: ConfigType<typeof redisConfig>) => {
    const logger = new Logger('Redis');
    // No offline queue: while Redis is away, commands fail at once (readiness turns 503)
    // instead of piling up behind a reconnect.
    const client = new Redis(config.url, {
      enableOfflineQueue: false,
      maxRetriesPerRequest: 1,
      retryStrategy: (attempt) => Math.min(attempt * 200, 2000),
    });
    client.on('error', (error: Error) => logger.warn(`Redis: ${error.message}`));
    await untilReady(client, CONNECT_WAIT_MS);
    if (client.status === 'ready') await assertNoEviction(client);
    // A reconnect can reach another server (a failover): say so loudly if that one evicts.
    client.on('ready', () => {
      assertNoEviction(client).catch((error: Error) => logger.error(error.message));
    });
    return client;
  },
};

/** Start-up waits this long for Redis; after that chime starts anyway and reports not ready. */
const CONNECT_WAIT_MS = 5000;

function untilReady(client: Redis, timeoutMs: number): Promise<void> {
  if (client.status === 'ready') return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, timeoutMs);
    client.once('ready', () => {
      clearTimeout(timer);
      resolve();
    });
  });
}

/** One shared ioredis connection and a health indicator. */
@Global()
@Module({
  imports: [TerminusModule],
  providers: [redisClientProvider, RedisHealthIndicator],
  exports: [REDIS_CLIENT, RedisHealthIndicator],
})
export class RedisModule implements OnApplicationShutdown {
  constructor(@Inject(REDIS_CLIENT) private readonly redis: RedisClient) {}

  async onApplicationShutdown(): Promise<void> {
    await this.redis.quit().catch(() => this.redis.disconnect());
  }
}
