import { Global, Inject, Logger, Module, OnApplicationShutdown } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { TerminusModule } from '@nestjs/terminus';
import type { ConnectionOptions } from 'bullmq';
import { Cluster } from 'ioredis';
import { redisConfig } from '../config/configuration.js';
import { assertNoEviction, assertNodeNoEviction, nodeName } from './eviction-policy.js';
import { compactEncodingWarnings } from './compact-encodings.js';
import { REDIS_CLIENT, type RedisClient } from './redis-client.js';
import { createQueueConnection, createRedisClient } from './redis-connections.js';
import { RedisHealthIndicator } from './redis.health.js';

/** The DI token of BullMQ's connection on the configured topology (redis-connections.ts). */
export const QUEUE_CONNECTION = Symbol('QueueConnection');

const redisClientProvider = {
  provide: REDIS_CLIENT,
  inject: [redisConfig.KEY],
  useFactory: async (config: ConfigType<typeof redisConfig>): Promise<RedisClient> => {
    const logger = new Logger('Redis');
    const client = createRedisClient(config.topology);
    client.on('error', (error: Error) => logger.warn(`Redis: ${error.message}`));
    await untilReady(client, CONNECT_WAIT_MS);
    if (client.status === 'ready') {
      await assertNoEviction(client);
      for (const warning of await compactEncodingWarnings(client)) logger.warn(warning);
    }
    watchEviction(client, logger);
    return client;
  },
};

/**
 * A reconnect can reach another server (a failover), and a cluster can gain a node: say so
 * loudly if that one evicts.
 */
function watchEviction(client: RedisClient, logger: Logger): void {
  const report = (error: Error) => logger.error(error.message);
  client.on('ready', () => assertNoEviction(client).catch(report));
  if (client instanceof Cluster) {
    client.on('+node', (node: Parameters<typeof nodeName>[0]) => {
      assertNodeNoEviction(node, nodeName(node)).catch(report);
    });
  }
}

const queueConnectionProvider = {
  provide: QUEUE_CONNECTION,
  inject: [redisConfig.KEY],
  useFactory: (config: ConfigType<typeof redisConfig>): ConnectionOptions =>
    createQueueConnection(config.topology),
};

/** Start-up waits this long for Redis; after that chime starts anyway and reports not ready. */
const CONNECT_WAIT_MS = 5000;

function untilReady(client: RedisClient, timeoutMs: number): Promise<void> {
  if (client.status === 'ready') return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, timeoutMs);
    client.once('ready', () => {
      clearTimeout(timer);
      resolve();
    });
  });
}

/** The shared client, BullMQ's connection and a health indicator, for every topology. */
@Global()
@Module({
  imports: [TerminusModule],
  providers: [redisClientProvider, queueConnectionProvider, RedisHealthIndicator],
  exports: [REDIS_CLIENT, QUEUE_CONNECTION, RedisHealthIndicator],
})
export class RedisModule implements OnApplicationShutdown {
  constructor(
    @Inject(REDIS_CLIENT) private readonly redis: RedisClient,
    @Inject(QUEUE_CONNECTION) private readonly queueConnection: ConnectionOptions,
  ) {}

  /** After the queue's own shutdown hooks (shutdown.ts): BullMQ shares, never closes, a Cluster. */
  async onApplicationShutdown(): Promise<void> {
    const clients: RedisClient[] = [this.redis];
    if (this.queueConnection instanceof Cluster) clients.push(this.queueConnection);
    await Promise.all(clients.map((client) => client.quit().catch(() => client.disconnect())));
  }
}
