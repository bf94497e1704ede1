import { ApiProperty } from '@nestjs/swagger';

export class RedisHealthView {
  @ApiProperty({ enum: ['up', 'down'], example: 'up' }) status!: 'up' | 'down';
  @ApiProperty({ example: 0.42, nullable: true, type: Number, description: 'PING round trip' })
  latencyMs!: number | null;
  @ApiProperty({ required: false, example: 'no answer within 1000 ms' }) error?: string;
}

export class SchedulerHealthView {
  @ApiProperty({
    example: '2026-11-25T02:00:00.004Z',
    type: String,
    nullable: true,
    format: 'date-time',
  })
  lastTickAt!: string | null;
  @ApiProperty({
    example: '2026-11-25T02:04:00.000Z',
    type: String,
    nullable: true,
    format: 'date-time',
    description: 'Occurrences before it have been scanned',
  })
  watermark!: string | null;
  @ApiProperty({
    example: 12.5,
    type: Number,
    nullable: true,
    description: 'Seconds since the last tick',
  })
  lagSeconds!: number | null;
  @ApiProperty({
    example: 0,
    type: Number,
    nullable: true,
    description: 'Claimed batches not yet confirmed in the delivery queue',
  })
  unconfirmedHandOffs!: number | null;
  @ApiProperty({ example: 0, description: 'Ticks of this process that failed since it started' })
  failedTicks!: number;
  @ApiProperty({
    example: 3,
    type: Number,
    nullable: true,
    description:
      "This process's clock minus Redis's (TIME), in ms; past MAX_CLOCK_DRIFT_MS it does not tick",
  })
  clockDriftMs!: number | null;
}

export class QueueHealthView {
  @ApiProperty({ example: 0 }) waiting!: number;
  @ApiProperty({ example: 12 }) delayed!: number;
  @ApiProperty({ example: 1 }) active!: number;
  @ApiProperty({ example: 340 }) completed!: number;
  @ApiProperty({ example: 0 }) failed!: number;
}

export class DeadLetterHealthView {
  @ApiProperty({ example: 0 }) total!: number;
  @ApiProperty({ example: 0 }) lastFifteenMinutes!: number;
}

export class AdminHealthResponse {
  @ApiProperty({ enum: ['ok', 'degraded', 'down'], example: 'ok' })
  status!: 'ok' | 'degraded' | 'down';
  @ApiProperty({ example: [], type: [String], description: 'Why it is not ok' })
  reasons!: string[];
  @ApiProperty({ example: '0.1.0' }) version!: string;
  @ApiProperty({ example: 3600, description: 'Seconds since the process started' })
  uptimeSeconds!: number;
  @ApiProperty({ example: '2026-11-25T02:00:00.000Z', format: 'date-time' }) checkedAt!: string;
  @ApiProperty({ type: RedisHealthView }) redis!: RedisHealthView;
  @ApiProperty({ type: SchedulerHealthView }) scheduler!: SchedulerHealthView;
  @ApiProperty({ type: QueueHealthView, nullable: true, description: 'Delivery jobs by state' })
  queue!: QueueHealthView | null;
  @ApiProperty({ type: DeadLetterHealthView, nullable: true })
  deadLetters!: DeadLetterHealthView | null;
}
