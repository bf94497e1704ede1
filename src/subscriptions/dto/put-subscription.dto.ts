import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  ArrayMaxSize,
  ArrayNotEmpty,
  ArrayUnique,
  IsArray,
  IsBoolean,
  IsDefined,
  IsIn,
  IsInt,
  IsNotEmpty,
  IsObject,
  IsOptional,
  IsString,
  Max,
  MaxLength,
  Min,
} from 'class-validator';
import { IsHHMM, IsIanaTimezone } from '../../common/validators.js';
import { WEEKDAYS, Weekday } from '../../domain/local-time.js';
import { DST_GAPS, DST_OVERLAPS } from '../../domain/dst.js';
import { AreLocalDates, IsDstChoiceBody, MaxJsonBytes } from './subscription-body.validators.js';

export const TITLE_MAX = 200;
export const MESSAGE_MAX = 2000;
export const DATA_MAX_BYTES = 4096;
export const SKIP_DATES_MAX = 366;
export const MAX_LATENESS_MINUTES = 1440;

/**
 * A whole subscription (PUT). Omitted optional fields take their defaults; `null` means the
 * default too. `time` and `channel` are required.
 */
export class PutSubscriptionDto {
  @ApiProperty({ example: '08:00', description: 'Local time of day, 24-hour HH:MM' })
  @IsDefined({ message: 'time is required' })
  @IsHHMM()
  time!: string;

  @ApiPropertyOptional({
    example: 'Asia/Shanghai',
    description:
      "IANA zone name; default DEFAULT_TIMEZONE. Stored and answered in IANA's spelling (a link such as US/Eastern becomes its zone).",
    type: String,
    nullable: true,
  })
  @IsOptional()
  @IsIanaTimezone()
  timezone?: string | null;

  @ApiPropertyOptional({
    example: ['mon', 'tue', 'wed', 'thu', 'fri'],
    enum: WEEKDAYS,
    isArray: true,
    description: 'Local weekdays, no repeats; default all seven',
    nullable: true,
  })
  @IsOptional()
  @IsArray()
  @ArrayNotEmpty({ message: 'days must name at least one day' })
  @ArrayUnique({ message: 'days must not name a day twice' })
  @IsIn(WEEKDAYS, { each: true, message: `days must hold only ${WEEKDAYS.join(', ')}` })
  days?: Weekday[] | null;

  @ApiProperty({ example: 'webhook', description: 'A registered channel: webhook, email, log' })
  @IsDefined({ message: 'channel is required' })
  @IsString()
  @IsNotEmpty()
  channel!: string;

  @ApiPropertyOptional({
    example: 'https://example.com/hooks/chime',
    description: 'webhook: an http(s) URL; email: an address; log: must be absent',
    type: String,
    nullable: true,
  })
  @IsOptional()
  @IsString()
  @IsNotEmpty()
  target?: string | null;

  @ApiPropertyOptional({
    example: 'Morning news',
    maxLength: TITLE_MAX,
    description: 'Default: tag',
    type: String,
    nullable: true,
  })
  @IsOptional()
  @IsString()
  @MaxLength(TITLE_MAX)
  title?: string | null;

  @ApiPropertyOptional({
    example: 'Your daily digest is ready.',
    maxLength: MESSAGE_MAX,
    type: String,
    nullable: true,
  })
  @IsOptional()
  @IsString()
  @MaxLength(MESSAGE_MAX)
  message?: string | null;

  @ApiPropertyOptional({
    example: { edition: 'asia' },
    type: 'object',
    additionalProperties: true,
    description: `A JSON object of at most ${DATA_MAX_BYTES} bytes serialised`,
    nullable: true,
  })
  @IsOptional()
  @IsObject()
  @MaxJsonBytes(DATA_MAX_BYTES)
  data?: Record<string, unknown> | null;

  @ApiPropertyOptional({
    example: false,
    description: 'A paused subscription sends nothing',
    type: Boolean,
    nullable: true,
  })
  @IsOptional()
  @IsBoolean()
  paused?: boolean | null;

  @ApiPropertyOptional({
    example: false,
    description: "Sent through the user's quiet hours and snooze (SPEC 7); default false",
    type: Boolean,
    nullable: true,
  })
  @IsOptional()
  @IsBoolean()
  critical?: boolean | null;

  @ApiPropertyOptional({
    example: 90,
    minimum: 1,
    maximum: MAX_LATENESS_MINUTES,
    description:
      'An occurrence that cannot leave within this many minutes of its instant (downtime, ' +
      'retries, quiet hours) is not sent: it ends expired. Default null: no limit of its own',
    type: Number,
    nullable: true,
  })
  @IsOptional()
  @IsInt({ message: 'maxLatenessMinutes must be a whole number of minutes' })
  @Min(1)
  @Max(MAX_LATENESS_MINUTES)
  maxLatenessMinutes?: number | null;

  @ApiPropertyOptional({
    example: ['2026-12-25', '2027-01-01'],
    type: [String],
    maxItems: SKIP_DATES_MAX,
    description: 'Local dates (in timezone) with no occurrence, no repeats; default none',
    nullable: true,
  })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(SKIP_DATES_MAX, { message: `skipDates must hold at most ${SKIP_DATES_MAX} dates` })
  @ArrayUnique({ message: 'skipDates must not name a date twice' })
  @AreLocalDates()
  skipDates?: string[] | null;

  @ApiPropertyOptional({
    example: { gap: 'shift', overlap: 'first' },
    type: 'object',
    properties: {
      gap: { type: 'string', enum: [...DST_GAPS] },
      overlap: { type: 'string', enum: [...DST_OVERLAPS] },
    },
    additionalProperties: false,
    description:
      'A time inside a spring-forward gap shifts to its end or is skipped that date; one ' +
      'inside a fall-back overlap takes the first or the last instant. Default ' +
      '{"gap": "shift", "overlap": "first"}; an omitted part takes its default',
    nullable: true,
  })
  @IsOptional()
  @IsDstChoiceBody()
  dst?: { gap?: 'shift' | 'skip'; overlap?: 'first' | 'last' } | null;
}
