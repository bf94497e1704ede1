import { Controller, Get, Res } from '@nestjs/common';
import {
  ApiOkResponse,
  ApiOperation,
  ApiServiceUnavailableResponse,
  ApiTags,
} from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { RequireToken } from '../access/require-token.decorator.js';
import { AdminHealthResponse } from './admin-health.response.js';
import { AdminHealthService } from './admin-health.service.js';

@ApiTags('admin')
@RequireToken('admin')
@Controller('admin/health')
export class AdminHealthController {
  constructor(private readonly health: AdminHealthService) {}

  @Get()
  @ApiOperation({
    summary:
      'Detailed health: Redis, scheduler tick and lag, queue counts, dead letters, version, uptime',
    description:
      '`degraded` when no tick ran for over 2 minutes or a delivery gave up in the last 15; `down` (503) without Redis.',
  })
  @ApiOkResponse({ type: AdminHealthResponse, description: 'ok or degraded' })
  @ApiServiceUnavailableResponse({
    type: AdminHealthResponse,
    description: 'down: Redis does not answer',
  })
  async check(@Res({ passthrough: true }) reply: FastifyReply): Promise<AdminHealthResponse> {
    const health = await this.health.check();
    reply.status(health.status === 'down' ? 503 : 200);
    return health;
  }
}
