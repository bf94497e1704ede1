import { ApiPropertyOptional, OmitType, PartialType } from '@nestjs/swagger';
import { IsNotEmpty, IsString, ValidateIf } from 'class-validator';
import { IsHHMM } from '../../common/validators.js';
import { PutSubscriptionDto } from './put-subscription.dto.js';

const isPresent = (_: object, value: unknown) => value !== undefined;

/**
 * Some fields of a subscription (PATCH). A field set to `null` returns to its default;
 * `time` and `channel` have none, so they cannot be null.
 */
export class PatchSubscriptionDto extends PartialType(
  OmitType(PutSubscriptionDto, ['time', 'channel'] as const),
) {
  @ApiPropertyOptional({ example: '09:15', description: 'Local time of day, 24-hour HH:MM' })
  @ValidateIf(isPresent)
  @IsHHMM()
  time?: string;

  @ApiPropertyOptional({ example: 'email', description: 'A registered channel' })
  @ValidateIf(isPresent)
  @IsString()
  @IsNotEmpty()
  channel?: string;
}
