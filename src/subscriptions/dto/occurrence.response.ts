import { ApiProperty } from '@nestjs/swagger';
import { REASONS } from '../../domain/decision.js';
import type { OccurrenceReason, Outcome } from '../../domain/decision.js';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, Max, Min } from 'class-validator';
import type { OccurrenceStatus } from '../../store/history.store.js';
import { DELIVERY_STATUSES } from '../../store/delivery-record.js';

const OUTCOMES = ['send', 'hold', 'drop', 'skip'];
/** SPEC 7's statuses: `queued` (claimed, not yet begun) and what the delivery log records. */
const STATUSES = ['queued', ...DELIVERY_STATUSES];

export class PreviewItem {
  @ApiProperty({ example: 'user-42|morning-news|2026-12-03' }) occurrenceId!: string;
  @ApiProperty({ example: '2026-12-03' }) localDate!: string;
  @ApiProperty({ example: '2026-12-03T00:00:00.000Z', format: 'date-time' }) scheduledFor!: string;
  @ApiProperty({
    example: '2026-12-03T00:00:00.000Z',
    format: 'date-time',
    nullable: true,
    type: String,
    description: 'When it leaves: scheduledFor, later when held; null for drop and skip',
  })
  sendAt!: string | null;
  @ApiProperty({ enum: OUTCOMES, example: 'send' }) outcome!: Outcome;
  @ApiProperty({ enum: REASONS, isArray: true, example: [] }) reasons!: OccurrenceReason[];
}

export class PreviewResponse {
  @ApiProperty({ type: [PreviewItem] }) items!: PreviewItem[];
}

export class PreviewQuery {
  @ApiProperty({ required: false, minimum: 1, maximum: 100, default: 10, example: 10 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(100)
  count?: number;
}

export class OccurrencesQuery {
  @ApiProperty({ required: false, minimum: 1, maximum: 100, default: 20, example: 20 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(100)
  limit?: number;
}

export class OccurrenceItem {
  @ApiProperty({ example: 'user-42|morning-news|2026-12-02' }) occurrenceId!: string;
  @ApiProperty({ example: '2026-12-02T00:00:00.000Z', format: 'date-time' }) scheduledFor!: string;
  @ApiProperty({ enum: STATUSES, example: 'delivered' }) status!: OccurrenceStatus;
  @ApiProperty({ example: 1, description: 'Send attempts made' }) attempts!: number;
  @ApiProperty({ example: null, nullable: true, type: String }) lastError!: string | null;
  @ApiProperty({ example: '2026-12-02T00:00:00.412Z', format: 'date-time' }) updatedAt!: string;
}

export class OccurrencesResponse {
  @ApiProperty({ type: [OccurrenceItem] }) items!: OccurrenceItem[];
}
