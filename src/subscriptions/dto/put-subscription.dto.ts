import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  ArrayNotEmpty,
  ArrayUnique,
  IsArray,
  IsBoolean,
  IsDefined,
  IsIn,
  IsNotEmpty,
  IsObject,
  IsOptional,
  IsString,
  MaxLength,
} from 'class-validator';
import { IsHHMM, IsIanaTimezone } from '../../common/validators.js';
import { WEEKDAYS, Weekday } from '../../domain/local-time.js';
import { MaxJsonBytes } from './subscription-body.validators.js';

export const TITLE_MAX = 200;
export const MESSAGE_MAX = 2000;
export const DATA_MAX_BYTES = 4096;

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
}
