import {
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  Param,
  Patch,
  Put,
  Query,
  Res,
} from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiServiceUnavailableResponse,
  ApiOperation,
  ApiUnprocessableEntityResponse,
  ApiTags,
} from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { RequireToken } from '../access/require-token.decorator.js';
import { ErrorResponse } from '../common/error.response.js';
import {
  decodeTagCursor,
  encodeTagCursor,
  ListSubscriptionsQuery,
} from './dto/list-subscriptions.query.js';
import { PatchSubscriptionDto } from './dto/patch-subscription.dto.js';
import { PutSubscriptionDto } from './dto/put-subscription.dto.js';
import { SubscriptionParams, UserParams } from './dto/subscription-params.dto.js';
import { SubscriptionListResponse, SubscriptionResponse } from './dto/subscription.response.js';
import { SubscriptionsService } from './subscriptions.service.js';
import { OccurrencesService } from './occurrences.service.js';
import {
  OccurrencesQuery,
  OccurrencesResponse,
  PreviewQuery,
  PreviewResponse,
} from './dto/occurrence.response.js';

/** SPEC 8: a write waits for REDIS_MIN_REPLICAS_ACK replicas, and says so when they do not answer. */
const ApiReplicasNotAcknowledged = () =>
  ApiServiceUnavailableResponse({
    type: ErrorResponse,
    description:
      'REPLICAS_NOT_ACKNOWLEDGED: with REDIS_MIN_REPLICAS_ACK set, fewer replicas than that ' +
      'acknowledged the write within 1 s; it may be lost on a failover: retry',
  });

@ApiTags('subscriptions')
@RequireToken('api')
@ApiBadRequestResponse({ type: ErrorResponse, description: 'Invalid input; the fields are named' })
@Controller('subscriptions')
export class SubscriptionsController {
  constructor(
    private readonly subscriptions: SubscriptionsService,
    private readonly occurrences: OccurrencesService,
  ) {}

  @ApiReplicasNotAcknowledged()
  @Put(':userId/:tag')
  @ApiOperation({ summary: 'Subscribe: create, or replace whole (createdAt is kept)' })
  @ApiCreatedResponse({ type: SubscriptionResponse, description: 'Created' })
  @ApiOkResponse({ type: SubscriptionResponse, description: 'Replaced' })
  @ApiConflictResponse({ type: ErrorResponse, description: 'Changed concurrently; try again' })
  @ApiUnprocessableEntityResponse({
    type: ErrorResponse,
    description:
      'The user holds MAX_TAGS_PER_USER subscriptions already (code TOO_MANY_SUBSCRIPTIONS)',
  })
  async put(
    @Param() key: SubscriptionParams,
    @Body() body: PutSubscriptionDto,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<SubscriptionResponse> {
    const { created, subscription } = await this.subscriptions.put(key, body);
    reply.status(created ? 201 : 200);
    return subscription;
  }

  @ApiReplicasNotAcknowledged()
  @Patch(':userId/:tag')
  @ApiOperation({ summary: 'Change some fields; null returns a field to its default' })
  @ApiOkResponse({ type: SubscriptionResponse })
  @ApiNotFoundResponse({ type: ErrorResponse })
  async patch(
    @Param() key: SubscriptionParams,
    @Body() body: PatchSubscriptionDto,
  ): Promise<SubscriptionResponse> {
    return (await this.subscriptions.patch(key, body)).subscription;
  }

  @Get(':userId/:tag')
  @ApiOperation({ summary: 'Read one subscription' })
  @ApiOkResponse({ type: SubscriptionResponse })
  @ApiNotFoundResponse({ type: ErrorResponse })
  get(@Param() key: SubscriptionParams): Promise<SubscriptionResponse> {
    return this.subscriptions.get(key);
  }

  @Get(':userId/:tag/preview')
  @ApiOperation({
    summary:
      'The next occurrences from now, each with when it leaves and every rule that shaped it',
  })
  @ApiOkResponse({ type: PreviewResponse })
  @ApiNotFoundResponse({ type: ErrorResponse })
  async preview(
    @Param() key: SubscriptionParams,
    @Query() { count = 10 }: PreviewQuery,
  ): Promise<PreviewResponse> {
    return { items: await this.occurrences.preview(key, count) };
  }

  @Get(':userId/:tag/occurrences')
  @ApiOperation({
    summary: "The subscription's recent occurrences, newest first, each with its latest status",
  })
  @ApiOkResponse({ type: OccurrencesResponse })
  @ApiNotFoundResponse({ type: ErrorResponse })
  async history(
    @Param() key: SubscriptionParams,
    @Query() { limit = 20 }: OccurrencesQuery,
  ): Promise<OccurrencesResponse> {
    return { items: await this.occurrences.recent(key, limit) };
  }

  @Get(':userId')
  @ApiOperation({
    summary: "List a user's subscriptions in byte order of tag, a page at a time (empty when none)",
  })
  @ApiOkResponse({ type: SubscriptionListResponse })
  async list(
    @Param() { userId }: UserParams,
    @Query() { limit = 100, cursor }: ListSubscriptionsQuery,
  ): Promise<SubscriptionListResponse> {
    const afterTag = cursor === undefined ? null : decodeTagCursor(cursor);
    const page = await this.subscriptions.listByUser(userId, afterTag, limit);
    const { items, unreadable, lastTag } = page;
    return { items, unreadable, nextCursor: lastTag === null ? null : encodeTagCursor(lastTag) };
  }

  @ApiReplicasNotAcknowledged()
  @Delete(':userId/:tag')
  @HttpCode(204)
  @ApiOperation({ summary: 'Unsubscribe' })
  @ApiNoContentResponse({ description: 'Deleted' })
  @ApiNotFoundResponse({ type: ErrorResponse })
  delete(@Param() key: SubscriptionParams): Promise<void> {
    return this.subscriptions.delete(key);
  }

  @ApiReplicasNotAcknowledged()
  @Delete(':userId')
  @HttpCode(204)
  @ApiOperation({ summary: 'Unsubscribe the user from everything' })
  @ApiNoContentResponse({ description: 'Deleted (also when there was nothing)' })
  deleteUser(@Param() { userId }: UserParams): Promise<void> {
    return this.subscriptions.deleteUser(userId);
  }
}
