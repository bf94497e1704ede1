import { ApiProperty } from '@nestjs/swagger';
import { ON_QUIET } from '../../domain/policy.js';
import type { OnQuiet } from '../../domain/policy.js';
import { WEEKDAYS } from '../../domain/local-time.js';
import type { Weekday } from '../../domain/local-time.js';

export class QuietWindowBody {
  @ApiProperty({ example: '22:00', description: 'HH:MM local, the first minute inside' })
  from!: string;
  @ApiProperty({
    example: '07:00',
    description: 'HH:MM local, the first minute outside; earlier than from: the next day',
  })
  to!: string;
  @ApiProperty({
    example: ['mon', 'tue', 'wed', 'thu', 'fri'],
    enum: WEEKDAYS,
    isArray: true,
    required: false,
    description: 'The days the window starts on; default all seven',
  })
  days?: Weekday[];
}

/** The body of PUT /users/:userId/policy (SPEC 7); checked whole by the domain's rules. */
export class PolicyBody {
  @ApiProperty({
    example: 'Europe/Paris',
    required: false,
    nullable: true,
    type: String,
    description: 'IANA zone of the quiet hours; default DEFAULT_TIMEZONE',
  })
  timezone?: string | null;
  @ApiProperty({ type: [QuietWindowBody], required: false, maxItems: 4 })
  quietHours?: QuietWindowBody[];
  @ApiProperty({
    enum: ON_QUIET,
    example: 'hold',
    required: false,
    description: 'hold: leaves when the quiet hours or snooze end; drop: not sent',
  })
  onQuiet?: OnQuiet;
  @ApiProperty({
    example: '2026-12-24T08:00:00Z',
    format: 'date-time',
    required: false,
    nullable: true,
    type: String,
    description: 'Quiet for every moment before it (an ISO-8601 instant with its offset)',
  })
  snoozeUntil?: string | null;
}

export class PolicyResponse {
  @ApiProperty({ example: 'user-42' }) userId!: string;
  @ApiProperty({ example: 'Europe/Paris' }) timezone!: string;
  @ApiProperty({
    type: [QuietWindowBody],
    example: [
      { from: '22:00', to: '07:00', days: ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] },
    ],
  })
  quietHours!: { from: string; to: string; days: Weekday[] }[];
  @ApiProperty({ enum: ON_QUIET, example: 'hold' }) onQuiet!: OnQuiet;
  @ApiProperty({ example: null, format: 'date-time', nullable: true, type: String })
  snoozeUntil!: string | null;
}
