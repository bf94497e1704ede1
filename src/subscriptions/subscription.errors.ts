import { HttpStatus } from '@nestjs/common';
import { DomainError } from '../common/domain-error.js';
import { SubscriptionKey } from '../domain/subscription.js';

export class SubscriptionNotFoundError extends DomainError {
  constructor({ userId, tag }: SubscriptionKey) {
    super(
      'SUBSCRIPTION_NOT_FOUND',
      HttpStatus.NOT_FOUND,
      `No subscription for user "${userId}" and tag "${tag}"`,
    );
  }
}

/** Fields that pass their own checks but not together (a channel and its target). */
export class InvalidSubscriptionError extends DomainError {
  constructor(problems: string[]) {
    super('INVALID_SUBSCRIPTION', HttpStatus.BAD_REQUEST, problems.join('; '), problems);
  }
}

/** SPEC 2: a user holds at most MAX_TAGS_PER_USER subscriptions. */
export class TooManySubscriptionsError extends DomainError {
  constructor(userId: string, limit: number) {
    super(
      'TOO_MANY_SUBSCRIPTIONS',
      HttpStatus.UNPROCESSABLE_ENTITY,
      `User "${userId}" holds ${limit} subscriptions, the most allowed (MAX_TAGS_PER_USER); delete one first`,
    );
  }
}

/** Concurrent writers kept changing the subscription; the client may try again. */
export class SubscriptionConflictError extends DomainError {
  constructor({ userId, tag }: SubscriptionKey) {
    super(
      'SUBSCRIPTION_CONFLICT',
      HttpStatus.CONFLICT,
      `Subscription "${userId}"/"${tag}" is being changed concurrently; try again`,
    );
  }
}
