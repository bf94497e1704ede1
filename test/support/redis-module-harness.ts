import type { INestApplicationContext } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { Test } from '@nestjs/testing';
import type { ConnectionOptions } from 'bullmq';
import { configNamespaces } from '../../src/config/configuration.js';
import { MetricsRegistryModule } from '../../src/metrics/metrics-registry.module.js';
import { REDIS_CLIENT, type RedisClient } from '../../src/redis/redis-client.js';
import { RedisHealthIndicator } from '../../src/redis/redis.health.js';
import { QUEUE_CONNECTION, RedisModule } from '../../src/redis/redis.module.js';

export interface RedisModuleHarness {
  readonly app: INestApplicationContext;
  readonly client: RedisClient;
  readonly queueConnection: ConnectionOptions;
  readonly health: RedisHealthIndicator;
  close(): Promise<void>;
}

/**
 * chime's RedisModule alone, in this process, configured from `env` as chime would be: the
 * client layer (connection, eviction check, health, BullMQ's connection) without the store.
 */
export async function startRedisModule(env: Record<string, string>): Promise<RedisModuleHarness> {
  const saved = process.env;
  process.env = { AUTH_DISABLED: 'true', ...env };
  try {
    const moduleRef = await Test.createTestingModule({
      imports: [
        ConfigModule.forRoot({ isGlobal: true, load: configNamespaces, ignoreEnvFile: true }),
        MetricsRegistryModule,
        RedisModule,
      ],
    }).compile();
    const app = await moduleRef.init();
    return {
      app,
      client: app.get<RedisClient>(REDIS_CLIENT),
      queueConnection: app.get<ConnectionOptions>(QUEUE_CONNECTION),
      health: app.get(RedisHealthIndicator),
      close: () => app.close(),
    };
  } finally {
    process.env = saved;
  }
}
