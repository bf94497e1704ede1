import { INestApplicationContext, Module } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { Test } from '@nestjs/testing';
import type { Redis } from 'ioredis';
import { Clock } from '../../src/common/clock.js';
import { configNamespaces } from '../../src/config/configuration.js';
import { MetricsRegistryModule } from '../../src/metrics/metrics-registry.module.js';
import { REDIS_CLIENT } from '../../src/redis/redis-client.js';
import { RedisModule } from '../../src/redis/redis.module.js';
import { DeliverySink } from '../../src/domain/delivery-sink.js';
import { InProcessDeliverySink } from './in-process-sink.js';
import { HandOffBatcher } from '../../src/scheduler/hand-off-batcher.js';
import { SchedulerCron } from '../../src/scheduler/scheduler.cron.js';
import { SchedulerQueries } from '../../src/scheduler/scheduler.queries.js';
import { SchedulerService } from '../../src/scheduler/scheduler.service.js';
import { SubscriptionsModule } from '../../src/subscriptions/subscriptions.module.js';
import { SubscriptionsService } from '../../src/subscriptions/subscriptions.service.js';
import { PutSubscriptionDto } from '../../src/subscriptions/dto/put-subscription.dto.js';
import { DeliveryService } from '../../src/delivery/delivery.service.js';
import { serialise } from '../../src/store/delivery-record.js';
import { DeliveryStore } from '../../src/store/delivery.store.js';
import { FakeClock } from './fake-clock.js';

export interface SchedulerHarness {
  readonly app: INestApplicationContext;
  readonly clock: FakeClock;
  readonly scheduler: SchedulerService;
  readonly subscriptions: SubscriptionsService;
  readonly queries: SchedulerQueries;
  readonly sink: DeliverySink;
  readonly redis: Redis;
  readonly keyPrefix: string;
  /** Runs the minute tick at the clock's current time. */
  tick(): ReturnType<SchedulerService['dispatchDue']>;
  /**
   * Runs the real delivery worker's code, as BullMQ would at their instant, over what was
   * handed to the in-process sink and is due by the clock: one job per hand-off, each once.
   */
  deliverDue(): Promise<void>;
  /** `<occurrenceId> <scheduledFor>` of every send the delivery log calls delivered, oldest first. */
  delivered(): Promise<string[]>;
  subscribe(userId: string, tag: string, body: Partial<PutSubscriptionDto>): Promise<unknown>;
  close(): Promise<void>;
}

/**
 * The real scheduler and subscriptions modules on a real Redis, in this process, with a
 * fake clock and no cron: tests call the tick themselves.
 */
export async function startSchedulerHarness(options: {
  redisUrl: string;
  keyPrefix: string;
  clock: FakeClock;
  sink?: DeliverySink;
  env?: Record<string, string>;
}): Promise<SchedulerHarness> {
  Object.assign(process.env, {
    REDIS_URL: options.redisUrl,
    KEY_PREFIX: options.keyPrefix,
    AUTH_DISABLED: 'true',
    WEBHOOK_ALLOW_PRIVATE: 'true',
    // The harness's clock is simulated, days away from Redis's: no drift check unless asked.
    MAX_CLOCK_DRIFT_MS: '0',
    ...options.env,
  });

  @Module({ providers: [{ provide: Clock, useValue: options.clock }], exports: [Clock] })
  class FakeClockModule {}

  const moduleRef = await Test.createTestingModule({
    imports: [
      ConfigModule.forRoot({ isGlobal: true, load: configNamespaces, ignoreEnvFile: true }),
      { module: FakeClockModule, global: true },
      MetricsRegistryModule,
      RedisModule,
      SubscriptionsModule,
    ],
  })
    .overrideProvider(SchedulerCron)
    .useValue({ failureCount: () => 0 })
    .overrideProvider(DeliverySink)
    .useValue(options.sink ?? new InProcessDeliverySink())
    .compile();
  const app = await moduleRef.init();
  const scheduler = app.get(SchedulerService);
  const subscriptions = app.get(SubscriptionsService);
  const sink = app.get(DeliverySink);
  const worker = app.get(DeliveryService);
  const deliveryLog = app.get(DeliveryStore);
  const batcher = app.get(HandOffBatcher);
  const ran = new Set<string>();
  const deliverDue = async () => {
    await batcher.drain();
    if (!(sink instanceof InProcessDeliverySink)) return;
    for (const occurrence of sink.occurrences()) {
      const job = `harness-${occurrence.occurrenceId}@${occurrence.scheduledFor.getTime()}`;
      if (occurrence.scheduledFor > options.clock.now() || ran.has(job)) continue;
      ran.add(job);
      await worker.deliver([{ occurrence: serialise(occurrence), attempt: 1 }], job);
    }
  };
  const delivered = async () =>
    (await deliveryLog.recent({ status: 'delivered', limit: 1000 }))
      .reverse()
      .map(({ occurrenceId, scheduledFor }) => `${occurrenceId} ${scheduledFor}`);
  return {
    app,
    clock: options.clock,
    scheduler,
    subscriptions,
    queries: app.get(SchedulerQueries),
    sink,
    // The harness starts chime on REDIS_URL: one node, so a Redis.
    redis: app.get<Redis>(REDIS_CLIENT),
    keyPrefix: options.keyPrefix,
    tick: () => scheduler.dispatchDue(options.clock.now()),
    deliverDue,
    delivered,
    // A write answers once claimed; what it claimed leaves the batcher within a fraction of a
    // second. The harness lets it leave before it returns, so a test sees what was handed off.
    subscribe: async (userId, tag, body) => {
      const written = await subscriptions.put({ userId, tag }, {
        channel: 'log',
        ...body,
      } as PutSubscriptionDto);
      await batcher.drain();
      return written;
    },
    close: () => app.close(),
  };
}
