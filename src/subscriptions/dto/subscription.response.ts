import { ApiProperty } from '@nestjs/swagger';
import { ApiNextCursor } from '../../common/validators.js';
import { DST_GAPS, DST_OVERLAPS } from '../../domain/dst.js';
import type { DstChoice } from '../../domain/dst.js';
import { WEEKDAYS, Weekday } from '../../domain/local-time.js';

export class SubscriptionResponse {
  @ApiProperty({ example: 'user-42' }) userId!: string;
  @ApiProperty({ example: 'morning-news' }) tag!: string;
  @ApiProperty({ example: '08:00' }) time!: string;
  @ApiProperty({ example: 'Asia/Shanghai' }) timezone!: string;
  @ApiProperty({ example: ['mon', 'tue', 'wed', 'thu', 'fri'], enum: WEEKDAYS, isArray: true })
  days!: Weekday[];
  @ApiProperty({ example: 'webhook' }) channel!: string;
  @ApiProperty({ example: 'https://example.com/hooks/chime', type: String, nullable: true })
  target!: string | null;
  @ApiProperty({ example: 'Morning news' }) title!: string;
  @ApiProperty({ example: 'Your daily digest is ready.' }) message!: string;
  @ApiProperty({ example: { edition: 'asia' }, type: 'object', additionalProperties: true })
  data!: Record<string, unknown>;
  @ApiProperty({ example: false }) paused!: boolean;
  @ApiProperty({ example: false }) critical!: boolean;
  @ApiProperty({ example: 90, type: Number, nullable: true }) maxLatenessMinutes!: number | null;
  @ApiProperty({ example: ['2026-12-25'], type: [String] }) skipDates!: string[];
  @ApiProperty({
    example: { gap: 'shift', overlap: 'first' },
    type: 'object',
    properties: {
      gap: { type: 'string', enum: [...DST_GAPS] },
      overlap: { type: 'string', enum: [...DST_OVERLAPS] },
    },
    required: ['gap', 'overlap'],
    additionalProperties: false,
  })
  dst!: DstChoice;
  @ApiProperty({ example: '2026-11-25T01:00:00.000Z', format: 'date-time' }) createdAt!: string;
  @ApiProperty({ example: '2026-11-25T01:00:00.000Z', format: 'date-time' }) updatedAt!: string;
  @ApiProperty({
    example: '2026-11-26T00:00:00.000Z',
    format: 'date-time',
    type: String,
    nullable: true,
    description:
      "The next occurrence (UTC) under the subscription's own rules (days, dst, skipDates); " +
      "the user's quiet hours may hold it (see /preview); null when paused",
  })
  nextRunAt!: string | null;
}

export class SubscriptionListResponse {
  @ApiProperty({ type: [SubscriptionResponse] }) items!: SubscriptionResponse[];
  @ApiProperty({
    type: [String],
    example: [],
    description:
      'Tags on this page whose subscription Redis could not read (GET of one answers 500); ' +
      'the page lists the others. Empty in a healthy service.',
  })
  unreadable!: string[];
  @ApiNextCursor()
  nextCursor!: string | null;
}
