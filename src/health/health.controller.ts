import { Controller, Get } from '@nestjs/common';
import {
  ApiOkResponse,
  ApiOperation,
  ApiServiceUnavailableResponse,
  ApiTags,
} from '@nestjs/swagger';
import { HealthCheck, HealthCheckService, HealthIndicatorService } from '@nestjs/terminus';
import { Public } from '../access/public.decorator.js';
import { RedisHealthIndicator } from '../redis/redis.health.js';
import { StoreLayout } from '../store/store-layout.js';

/** Probes for orchestrators; no authentication. */
@Public()
@ApiTags('health')
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly redis: RedisHealthIndicator,
    private readonly layout: StoreLayout,
    private readonly indicators: HealthIndicatorService,
  ) {}

  @Get('live')
  @ApiOperation({ summary: 'The process is up' })
  @ApiOkResponse({ schema: { example: { status: 'ok' } } })
  live(): { status: 'ok' } {
    return { status: 'ok' };
  }

  @Get('ready')
  @HealthCheck()
  @ApiOperation({
    summary:
      "Redis answers and the data is in this version's layout: ready to serve (503 when not)",
  })
  @ApiServiceUnavailableResponse({
    description: "Redis does not answer, or the first layout's data is still being moved",
  })
  ready() {
    return this.health.check([() => this.redis.check(), () => this.layoutCheck()]);
  }

  private layoutCheck() {
    const indicator = this.indicators.check('layout');
    if (this.layout.isReady()) return indicator.up();
    void this.layout.ready().catch(() => undefined);
    return indicator.down({ message: "moving the first layout's data (SPEC 3)" });
  }
}
