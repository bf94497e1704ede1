import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

/** The body of every error answer (SPEC 2). */
export class ErrorResponse {
  @ApiProperty({ example: 400 }) statusCode!: number;
  @ApiProperty({ example: 'Bad Request' }) error!: string;
  @ApiProperty({
    example: ['time must be a time "HH:MM" from 00:00 to 23:59'],
    oneOf: [{ type: 'string' }, { type: 'array', items: { type: 'string' } }],
    description: 'What went wrong; for a 400, every offending field is named',
  })
  message!: string | string[];
  @ApiPropertyOptional({
    example: 'SUBSCRIPTION_NOT_FOUND',
    description: 'Stable domain error code',
  })
  code?: string;
  @ApiPropertyOptional({ example: '1b4e28ba-2fa1-11d2-883f-0016d3cca427' })
  correlationId?: string;
}
