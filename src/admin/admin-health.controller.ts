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
import { AdminHealthResponse, RedisHealthView } from './admin-health.response.js';

@ApiTags('admin')
@RequireToken('admin')
@Controller('admin/health')
export class AdminHealthController {
  constructor(
    private readonly redis: RedisHealthIndicator,
    private readonly clock: Clock,
    @Inject(appConfig.KEY) private readonly app: ConfigType<typeof appConfig>,
  ) {}

  @Get()
  @ApiOperation({ summary: 'Detailed health: Redis status and latency, version, uptime' })
  @ApiOkResponse({ type: AdminHealthResponse })
  @ApiServiceUnavailableResponse({ type: AdminHealthResponse, description: 'Redis is down' })
  async health(@Res({ passthrough: true }) reply: FastifyReply): Promise<AdminHealthResponse> {
    const redis = this.redisView(await this.redis.check());
    const status = redis.status === 'up' ? 'ok' : 'down';
    reply.status(status === 'ok' ? 200 : 503);
    return {
      status,
      version: this.app.version,
      uptimeSeconds: Math.round(process.uptime()),
      checkedAt: this.clock.now().toISOString(),
      redis,
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
