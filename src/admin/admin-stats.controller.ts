import { Controller, Get } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiProperty, ApiTags } from '@nestjs/swagger';
import { RequireToken } from '../access/require-token.decorator.js';
import { Clock } from '../common/clock.js';
import { SchedulerQueries } from '../scheduler/scheduler.queries.js';
import { SubscriptionStore } from '../store/subscription.store.js';

const HOUR_MS = 3_600_000;

class SubscriptionCounts {
  @ApiProperty({ example: 3 }) total!: number;
  @ApiProperty({
    example: { webhook: 2, email: 1 },
    type: 'object',
    additionalProperties: { type: 'integer' },
  })
  byChannel!: Record<string, number>;
  @ApiProperty({
    example: { 'Asia/Shanghai': 2, UTC: 1 },
    type: 'object',
    additionalProperties: { type: 'integer' },
  })
  byTimezone!: Record<string, number>;
}

export class StatsResponse {
  @ApiProperty({ type: SubscriptionCounts }) subscriptions!: SubscriptionCounts;
  @ApiProperty({
    example: 2,
    description: 'Occurrences of active subscriptions due in the next hour',
  })
  dueNextHour!: number;
  @ApiProperty({
    example: 0,
    description: 'Occurrences never sent: older than CATCHUP_MINUTES after downtime',
  })
  skippedTotal!: number;
}

@ApiTags('admin')
@RequireToken('admin')
@Controller('admin/stats')
export class AdminStatsController {
  constructor(
    private readonly subscriptions: SubscriptionStore,
    private readonly scheduler: SchedulerQueries,
    private readonly clock: Clock,
  ) {}

  @Get()
  @ApiOperation({ summary: 'Subscriptions by channel and timezone, what is due, what was skipped' })
  @ApiOkResponse({ type: StatsResponse })
  async stats(): Promise<StatsResponse> {
    const now = this.clock.now();
    const [byTimezone, byChannel, dueNextHour, status] = await Promise.all([
      this.subscriptions.countByTimezone(),
      this.subscriptions.countByChannel(),
      this.scheduler.countDue(now, new Date(now.getTime() + HOUR_MS)),
      this.scheduler.status(),
    ]);
    const total = Object.values(byTimezone).reduce((sum, count) => sum + count, 0);
    return {
      subscriptions: { total, byChannel, byTimezone },
      dueNextHour,
      skippedTotal: status.skippedTotal,
    };
  }
}
