import { Controller, Get, Inject, Res } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import {
  ApiOkResponse,
  ApiOperation,
  ApiServiceUnavailableResponse,
  ApiTags,
} from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { RequireToken } from '../common/auth/require-token.decorator.js';
import { Clock } from '../common/clock.js';
import { appConfig } from '../config/configuration.js';
import { RedisHealthIndicator } from '../redis/redis.health.js';
import { ClaimStore } from '../scheduler/claim.store.js';
import { SchedulerCron } from '../scheduler/scheduler.cron.js';
import {
  AdminHealthResponse,
  RedisHealthView,
  SchedulerHealthView,
} from './admin-health.response.js';

@ApiTags('admin')
@RequireToken('admin')
@Controller('admin/health')
export class AdminHealthController {
  constructor(
    private readonly redis: RedisHealthIndicator,
    private readonly claims: ClaimStore,
    private readonly cron: SchedulerCron,
    private readonly clock: Clock,
    @Inject(appConfig.KEY) private readonly app: ConfigType<typeof appConfig>,
  ) {}

  @Get()
  @ApiOperation({
    summary: 'Detailed health: Redis status and latency, scheduler tick and lag, version, uptime',
  })
  @ApiOkResponse({ type: AdminHealthResponse })
  @ApiServiceUnavailableResponse({ type: AdminHealthResponse, description: 'Redis is down' })
  async health(@Res({ passthrough: true }) reply: FastifyReply): Promise<AdminHealthResponse> {
    const now = this.clock.now();
    const redis = this.redisView(await this.redis.check());
    const status = redis.status === 'up' ? 'ok' : 'down';
    reply.status(status === 'ok' ? 200 : 503);
    return {
      status,
      version: this.app.version,
      uptimeSeconds: Math.round(process.uptime()),
      checkedAt: now.toISOString(),
      redis,
      scheduler: await this.schedulerView(now, redis.status === 'up'),
    };
  }

  private async schedulerView(now: Date, redisUp: boolean): Promise<SchedulerHealthView> {
    const failedTicks = this.cron.failureCount();
    if (!redisUp) {
      return {
        lastTickAt: null,
        watermark: null,
        lagSeconds: null,
        unconfirmedHandOffs: null,
        failedTicks,
      };
    }
    const [state, unconfirmedHandOffs] = await Promise.all([
      this.claims.state(),
      this.claims.unconfirmedCount(),
    ]);
    const lag = state.lastTickAt ? (now.getTime() - state.lastTickAt.getTime()) / 1000 : null;
    return {
      lastTickAt: state.lastTickAt?.toISOString() ?? null,
      watermark: state.watermark?.toISOString() ?? null,
      lagSeconds: lag,
      unconfirmedHandOffs,
      failedTicks,
    };
  }

  private redisView(result: Awaited<ReturnType<RedisHealthIndicator['check']>>): RedisHealthView {
    const { status, latencyMs, message } = result.redis as {
      status: 'up' | 'down';
      latencyMs?: number;
      message?: string;
    };
    return { status, latencyMs: latencyMs ?? null, ...(message ? { error: message } : {}) };
  }
}
