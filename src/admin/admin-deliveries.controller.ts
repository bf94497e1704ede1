import { Controller, Get, HttpCode, HttpStatus, Param, Post, Query } from '@nestjs/common';
import {
  ApiAcceptedResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import { RequireToken } from '../access/require-token.decorator.js';
import { DomainError } from '../common/domain-error.js';
import { ErrorResponse } from '../common/error.response.js';
import { DeliveryService } from '../delivery/delivery.service.js';
import { DeadLetterStore } from '../store/dead-letter.store.js';
import { DeliveryStore } from '../store/delivery.store.js';
import {
  DeadLetterRetryResponse,
  DeadLettersQuery,
  DeadLettersResponse,
  DeliveriesQuery,
  DeliveriesResponse,
} from './dto/deliveries.dto.js';

class DeadLetterNotFoundError extends DomainError {
  constructor(id: string) {
    super('DEAD_LETTER_NOT_FOUND', HttpStatus.NOT_FOUND, `No dead letter with id "${id}"`);
  }
}

@ApiTags('admin')
@RequireToken('admin')
@Controller('admin')
export class AdminDeliveriesController {
  constructor(
    private readonly store: DeliveryStore,
    private readonly letters: DeadLetterStore,
    private readonly deliveries: DeliveryService,
  ) {}

  @Get('deliveries')
  @ApiOperation({ summary: 'Recent delivery attempts, newest first, filtered' })
  @ApiOkResponse({ type: DeliveriesResponse })
  async recent(
    @Query() { userId, tag, status, limit = 50 }: DeliveriesQuery,
  ): Promise<DeliveriesResponse> {
    return { items: await this.store.recent({ userId, tag, status, limit }) };
  }

  @Get('dead-letters')
  @ApiOperation({ summary: 'Deliveries that gave up, newest first, a page at a time' })
  @ApiOkResponse({ type: DeadLettersResponse })
  async deadLetters(
    @Query() { limit = 100, cursor }: DeadLettersQuery,
  ): Promise<DeadLettersResponse> {
    const page = await this.letters.page(limit, cursor ?? null);
    return {
      items: page.items.map(({ occurrence, ...letter }) => ({
        ...letter,
        scheduledFor: occurrence.scheduledFor,
      })),
      nextCursor: page.nextCursor,
    };
  }

  @Post('dead-letters/:id/retry')
  @HttpCode(202)
  @ApiOperation({ summary: 'Send a dead letter again (from attempt 1); it leaves the list' })
  @ApiAcceptedResponse({ type: DeadLetterRetryResponse })
  @ApiNotFoundResponse({ type: ErrorResponse })
  async retry(@Param('id') id: string): Promise<DeadLetterRetryResponse> {
    const letter = await this.letters.find(id);
    if (!letter) throw new DeadLetterNotFoundError(id);
    const jobId = await this.deliveries.retryDeadLetter(letter);
    return { id: letter.id, occurrenceId: letter.occurrenceId, jobId };
  }
}
