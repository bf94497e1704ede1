import { Inject, Injectable } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { Clock } from '../common/clock.js';
import { appConfig } from '../config/configuration.js';
import { DeliveryQueue } from '../delivery/delivery.queue.js';
import { DeadLetterStore } from '../store/dead-letter.store.js';
import { RedisHealthIndicator } from '../redis/redis.health.js';
import { SchedulerQueries } from '../scheduler/scheduler.queries.js';
import {
  AdminHealthResponse,
  RedisHealthView,
  SchedulerHealthView,
} from './admin-health.response.js';

/** A tick is a minute apart; two missed ones make chime degraded. */
const MAX_TICK_LAG_SECONDS = 120;
/** Dead letters newer than this mean deliveries are failing now. */
const RECENT_DEAD_LETTER_MS = 15 * 60_000;

/** `ok`, `degraded` (ticks lagging, or deliveries dying lately) or `down` (no Redis). */
@Injectable()
export class AdminHealthService {
  constructor(
    private readonly redis: RedisHealthIndicator,
    private readonly scheduler: SchedulerQueries,
    private readonly queue: DeliveryQueue,
    private readonly deadLetters: DeadLetterStore,
    private readonly clock: Clock,
    @Inject(appConfig.KEY) private readonly app: ConfigType<typeof appConfig>,
  ) {}

  async check(): Promise<AdminHealthResponse> {
    const now = this.clock.now();
    const base = {
      version: this.app.version,
      uptimeSeconds: Math.round(process.uptime()),
      checkedAt: now.toISOString(),
    };
    const redis = redisView(await this.redis.check());
    if (redis.status === 'down') {
      return {
        status: 'down',
        reasons: ['Redis does not answer'],
        ...base,
        redis,
        scheduler: this.unknownScheduler(),
        queue: null,
        deadLetters: null,
      };
    }
    const [{ clockTooFar, ...scheduler }, queue, total, recentDead] = await Promise.all([
      this.schedulerView(now),
      this.queue.counts(),
      this.deadLetters.count(),
      this.deadLetters.countSince(new Date(now.getTime() - RECENT_DEAD_LETTER_MS)),
    ]);
    const reasons = [
      ...(scheduler.lagSeconds !== null && scheduler.lagSeconds > MAX_TICK_LAG_SECONDS
        ? [`no tick for ${Math.round(scheduler.lagSeconds)} s`]
        : []),
      ...(recentDead > 0 ? [`${recentDead} deliveries gave up in the last 15 minutes`] : []),
      ...(clockTooFar
        ? [`this clock is ${scheduler.clockDriftMs} ms off Redis's: not ticking`]
        : []),
    ];
    return {
      status: reasons.length > 0 ? 'degraded' : 'ok',
      reasons,
      ...base,
      redis,
      scheduler,
      queue,
      deadLetters: { total, lastFifteenMinutes: recentDead },
    };
  }

  private async schedulerView(now: Date): Promise<SchedulerHealthView & { clockTooFar: boolean }> {
    const status = await this.scheduler.status();
    const { lastTickAt, watermark, unconfirmedHandOffs, clockDriftMs, clockTooFar } = status;
    return {
      lastTickAt: lastTickAt?.toISOString() ?? null,
      watermark: watermark?.toISOString() ?? null,
      lagSeconds: lastTickAt ? (now.getTime() - lastTickAt.getTime()) / 1000 : null,
      unconfirmedHandOffs,
      failedTicks: this.scheduler.failedTicks(),
      clockDriftMs,
      clockTooFar,
    };
  }

  private unknownScheduler(): SchedulerHealthView {
    return {
      lastTickAt: null,
      watermark: null,
      lagSeconds: null,
      unconfirmedHandOffs: null,
      failedTicks: this.scheduler.failedTicks(),
      clockDriftMs: null,
    };
  }
}

function redisView(result: Awaited<ReturnType<RedisHealthIndicator['check']>>): RedisHealthView {
  const { status, latencyMs, message } = result.redis as {
    status: 'up' | 'down';
    latencyMs?: number;
    message?: string;
  };
  return { status, latencyMs: latencyMs ?? null, ...(message ? { error: message } : {}) };
}
