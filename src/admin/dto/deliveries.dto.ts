import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, Matches, Max, Min } from 'class-validator';
import { ApiNextCursor, PageCursor, PageLimit } from '../../common/validators.js';
import { decodeDeadLetterCursor } from '../../store/dead-letter.store.js';
import { DELIVERY_STATUSES } from '../../store/delivery-record.js';
import type { DeliveryStatus } from '../../store/delivery-record.js';

const ID = /^[A-Za-z0-9_.:@+-]{1,128}$/;

export class DeliveriesQuery {
  @ApiPropertyOptional({ example: 'user-42' })
  @IsOptional()
  @Matches(ID, { message: 'userId must be 1-128 characters of A-Z a-z 0-9 _ . : @ + -' })
  userId?: string;

  @ApiPropertyOptional({ example: 'morning-news' })
  @IsOptional()
  @Matches(ID, { message: 'tag must be 1-128 characters of A-Z a-z 0-9 _ . : @ + -' })
  tag?: string;

  @ApiPropertyOptional({ enum: DELIVERY_STATUSES, example: 'delivered' })
  @IsOptional()
  @IsIn(DELIVERY_STATUSES)
  status?: DeliveryStatus;

  @ApiPropertyOptional({ example: 50, minimum: 1, maximum: 500, default: 50 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(500)
  limit?: number;
}

export class DeliveryRecordView {
  @ApiProperty({ example: '1764036000000-0', description: 'Delivery log entry id' }) id!: string;
  @ApiProperty({ example: 'user-42|morning-news|2026-11-26' }) occurrenceId!: string;
  @ApiProperty({ example: 'user-42' }) userId!: string;
  @ApiProperty({ example: 'morning-news' }) tag!: string;
  @ApiProperty({ example: 'webhook', type: String, nullable: true }) channel!: string | null;
  @ApiProperty({
    enum: DELIVERY_STATUSES,
    example: 'delivered',
    description:
      'delivered; retrying (failed, tried again later); failed (not retryable: a dead letter); dead (out of attempts: a dead letter); cancelled (no longer matches its subscription)',
  })
  status!: DeliveryStatus;
  @ApiProperty({ example: 1 }) attempt!: number;
  @ApiProperty({ example: '2026-11-26T00:00:00.000Z', format: 'date-time' }) scheduledFor!: string;
  @ApiProperty({ example: false }) late!: boolean;
  @ApiProperty({ example: '2026-11-26T00:00:00.130Z', format: 'date-time' }) at!: string;
  @ApiPropertyOptional({ example: 'HTTP 503' }) error?: string;
}

export class DeliveriesResponse {
  @ApiProperty({ type: [DeliveryRecordView], description: 'Newest first' })
  items!: DeliveryRecordView[];
}

export class DeadLetterView {
  @ApiProperty({ example: 'q3Jd0fX1aZ2b' }) id!: string;
  @ApiProperty({ example: 'user-42|morning-news|2026-11-26' }) occurrenceId!: string;
  @ApiProperty({ example: 'webhook', type: String, nullable: true }) channel!: string | null;
  @ApiProperty({
    enum: ['failed', 'dead'],
    example: 'dead',
    description: 'failed: not retryable; dead: out of attempts',
  })
  status!: 'failed' | 'dead';
  @ApiProperty({ example: 5 }) attempts!: number;
  @ApiProperty({ example: 'HTTP 503' }) lastError!: string;
  @ApiProperty({ example: '2026-11-26T00:00:31.000Z', format: 'date-time' }) deadAt!: string;
  @ApiProperty({ example: '2026-11-26T00:00:00.000Z', format: 'date-time' }) scheduledFor!: string;
}

export class DeadLettersQuery {
  @PageLimit(100)
  limit?: number;

  @PageCursor(
    (cursor) => decodeDeadLetterCursor(cursor) !== null,
    'GET /admin/dead-letters',
    'MTc2NDExNTIwMDAwMHxxM0pkMGZYMWFaMmI',
  )
  cursor?: string;
}

export class DeadLettersResponse {
  @ApiProperty({ type: [DeadLetterView], description: 'Newest first' }) items!: DeadLetterView[];
  @ApiNextCursor()
  nextCursor!: string | null;
}

export class DeadLetterRetryResponse {
  @ApiProperty({ example: 'q3Jd0fX1aZ2b' }) id!: string;
  @ApiProperty({ example: 'user-42|morning-news|2026-11-26' }) occurrenceId!: string;
  @ApiProperty({ example: 'a-5f0c1e...', description: 'The queued job' }) jobId!: string;
}
