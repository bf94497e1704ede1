import { INestApplicationContext, Module } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { Test } from '@nestjs/testing';
import { Clock } from '../../src/common/clock.js';
import { configNamespaces } from '../../src/config/configuration.js';
import { NOTIFICATION_CHANNELS } from '../../src/channels/notification-channel.js';
import { DeliveryQueue } from '../../src/delivery/delivery.queue.js';
import { DeliveryService } from '../../src/delivery/delivery.service.js';
import { MetricsRegistryModule } from '../../src/metrics/metrics-registry.module.js';
import { RedisModule } from '../../src/redis/redis.module.js';
import { SchedulerCron } from '../../src/scheduler/scheduler.cron.js';
import { SchedulerService } from '../../src/scheduler/scheduler.service.js';
import { SubscriptionsModule } from '../../src/subscriptions/subscriptions.module.js';
import { FakeClock } from './fake-clock.js';
import { FakeChannel } from './fakes/delivery-fakes.js';
import { SimulatedDeliveryQueue } from './simulated-queue.js';

const MINUTE_MS = 60_000;

export interface DeliverySimulation {
  readonly app: INestApplicationContext;
  readonly clock: FakeClock;
  readonly queue: SimulatedDeliveryQueue;
  /** The one registered channel: every send, with the clock's time as it left. */
  readonly channel: FakeChannel;
  /** Ticks run so far. */
  readonly ticks: () => number;
  /**
   * Runs chime from the clock's time up to `until` (exclusive): the real tick at second 0 of
   * every minute, as the cron would, then each job due before the next minute, in time order,
   * through the real DeliveryService at its instant (the clock set to it).
   */
  runUntil(until: Date): Promise<void>;
  /** Runs every job left, in time order, each at its instant, with no more ticks. */
  drain(): Promise<void>;
  close(): Promise<void>;
}

/**
 * chime's subscriptions, scheduler and delivery modules on a real Redis, in this process, with
 * a fake clock, no cron, a simulated queue in place of BullMQ's delayed jobs, and a recording
 * channel named `channelName`.
 */
export async function startDeliverySimulation(options: {
  redisUrl: string;
  keyPrefix: string;
  clock: FakeClock;
  channelName: string;
  env?: Record<string, string>;
}): Promise<DeliverySimulation> {
  Object.assign(process.env, {
    REDIS_URL: options.redisUrl,
    KEY_PREFIX: options.keyPrefix,
    AUTH_DISABLED: 'true',
    // The clock is simulated, days away from Redis's: no drift check.
    MAX_CLOCK_DRIFT_MS: '0',
    ...options.env,
  });
  const { clock } = options;
  const queue = new SimulatedDeliveryQueue(clock);
  const channel = new FakeChannel(options.channelName, clock);

  @Module({ providers: [{ provide: Clock, useValue: clock }], exports: [Clock] })
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
    .overrideProvider(DeliveryQueue)
    .useValue(queue)
    .overrideProvider(NOTIFICATION_CHANNELS)
    .useValue([channel])
    .compile();
  const app = await moduleRef.init();
  const scheduler = app.get(SchedulerService);
  const worker = app.get(DeliveryService);
  let ticks = 0;

  const runJobsBefore = async (before: number) => {
    for (let job = queue.takeDue(before); job; job = queue.takeDue(before)) {
      if (job.at > clock.now().getTime()) clock.set(new Date(job.at));
      await worker.deliver(job.items, job.id);
    }
  };
  const runUntil = async (until: Date) => {
    let minute = Math.ceil(clock.now().getTime() / MINUTE_MS) * MINUTE_MS;
    for (; minute < until.getTime(); minute += MINUTE_MS) {
      clock.set(new Date(minute));
      await scheduler.dispatchDue(clock.now());
      ticks++;
      await runJobsBefore(minute + MINUTE_MS);
    }
    clock.set(until);
  };
  const drain = async () => {
    await runJobsBefore(Infinity);
  };
  return {
    app,
    clock,
    queue,
    channel,
    ticks: () => ticks,
    runUntil,
    drain,
    close: () => app.close(),
  };
}
