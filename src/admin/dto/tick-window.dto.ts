import { ApiProperty } from '@nestjs/swagger';
import { IsISO8601, ValidateBy, ValidationArguments } from 'class-validator';

export const MAX_TICK_WINDOW_MS = 24 * 3_600_000;

/** `to` is after `from`, and at most 24 hours after it. */
function IsWithinDayAfterFrom(): PropertyDecorator {
  return ValidateBy({
    name: 'isWithinDayAfterFrom',
    validator: {
      validate: (to: unknown, { object }: ValidationArguments) => {
        const span = Date.parse(String(to)) - Date.parse(String((object as TickWindowDto).from));
        return span > 0 && span <= MAX_TICK_WINDOW_MS;
      },
      defaultMessage: () => 'to must be later than from, by at most 24 hours',
    },
  });
}

export class TickWindowDto {
  @ApiProperty({ example: '2026-11-25T08:00:00Z', format: 'date-time', description: 'Inclusive' })
  @IsISO8601(
    { strict: true, strictSeparator: true },
    { message: 'from must be an ISO-8601 instant' },
  )
  from!: string;

  @ApiProperty({ example: '2026-11-25T09:00:00Z', format: 'date-time', description: 'Exclusive' })
  @IsISO8601({ strict: true, strictSeparator: true }, { message: 'to must be an ISO-8601 instant' })
  @IsWithinDayAfterFrom()
  to!: string;
}

export class TickResultResponse {
  @ApiProperty({ example: 12, description: 'Occurrences in the window of active subscriptions' })
  due!: number;
  @ApiProperty({ example: 10, description: 'Claimed now and handed to delivery' })
  enqueued!: number;
  @ApiProperty({ example: 2, description: 'Claimed before (sent or queued already)' })
  duplicates!: number;
  @ApiProperty({ example: 1, description: 'Occurrences of paused subscriptions' })
  skipped!: number;
}
