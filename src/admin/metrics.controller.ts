import { Controller, Get, Header } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import { RequireToken } from '../access/require-token.decorator.js';
import { Clock } from '../common/clock.js';
import { DeliveryQueue } from '../delivery/delivery.queue.js';
import { DeadLetterStore } from '../store/dead-letter.store.js';
import { RedisHealthIndicator } from '../redis/redis.health.js';
import { SchedulerQueries } from '../scheduler/scheduler.queries.js';
import { SubscriptionStore } from '../store/subscription.store.js';
import { ChimeMetrics } from '../metrics/chime-metrics.js';

/**
 * Prometheus scrapes this; gauges of stored state are read from Redis at scrape time.
 * Public while METRICS_TOKEN is unset; with it set, only `Bearer <METRICS_TOKEN>`.
 */
@RequireToken('metrics')
@ApiTags('metrics')
@Controller('metrics')
export class MetricsController {
  constructor(
    private readonly metrics: ChimeMetrics,
    private readonly queue: DeliveryQueue,
    private readonly deadLetters: DeadLetterStore,
    private readonly scheduler: SchedulerQueries,
    private readonly subscriptions: SubscriptionStore,
    private readonly redis: RedisHealthIndicator,
    private readonly clock: Clock,
  ) {}

  @Get()
  @Header('Content-Type', 'text/plain; version=0.0.4; charset=utf-8')
  @ApiOperation({ summary: 'Prometheus metrics (text exposition format)' })
  @ApiProduces('text/plain')
  @ApiOkResponse({ schema: { type: 'string', example: 'chime_ticks_total{outcome="ran"} 42\n' } })
  async scrape(): Promise<string> {
    await this.readStoredState().catch(() => undefined);
    return this.metrics.registry.metrics();
  }

  private async readStoredState(): Promise<void> {
    await this.redis.check();
    const [counts, deadLetters, { lastTickAt }, byTimezone] = await Promise.all([
      this.queue.counts(),
      this.deadLetters.count(),
      this.scheduler.status(),
      this.subscriptions.countByTimezone(),
    ]);
    for (const [state, count] of Object.entries(counts))
      this.metrics.queueJobs.set({ state }, count);
    this.metrics.deadLetters.set(deadLetters);
    this.metrics.subscriptions.set(
      Object.values(byTimezone).reduce((sum, count) => sum + count, 0),
    );
    if (lastTickAt) {
      this.metrics.schedulerLag.set((this.clock.now().getTime() - lastTickAt.getTime()) / 1000);
    }
  }
}
