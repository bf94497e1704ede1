import { Inject, Injectable } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { Clock } from '../common/clock.js';
import { appConfig } from '../config/configuration.js';
import { ChannelRegistry } from '../channels/channel.registry.js';
import { sameSchedule } from '../domain/schedule.js';
import { SchedulerQueries } from '../scheduler/scheduler.queries.js';
import { SchedulerService } from '../scheduler/scheduler.service.js';
import { PatchSubscriptionDto } from './dto/patch-subscription.dto.js';
import { PutSubscriptionDto } from './dto/put-subscription.dto.js';
import { SubscriptionResponse } from './dto/subscription.response.js';
import { completeFields, mergeFields } from './subscription-fields.js';
import {
  InvalidSubscriptionError,
  SubscriptionConflictError,
  SubscriptionNotFoundError,
  TooManySubscriptionsError,
} from './subscription.errors.js';
import {
  StoredSubscription,
  Subscription,
  SubscriptionFields,
  SubscriptionKey,
} from '../domain/subscription.js';
import { SubscriptionStore } from '../store/subscription.store.js';

const MAX_WRITE_ATTEMPTS = 5;

export interface WriteResult {
  readonly created: boolean;
  readonly subscription: SubscriptionResponse;
}

@Injectable()
export class SubscriptionsService {
  constructor(
    private readonly store: SubscriptionStore,
    private readonly channels: ChannelRegistry,
    private readonly clock: Clock,
    private readonly scheduler: SchedulerService,
    private readonly queries: SchedulerQueries,
    @Inject(appConfig.KEY) private readonly app: ConfigType<typeof appConfig>,
  ) {}

  async get(key: SubscriptionKey): Promise<SubscriptionResponse> {
    const subscription = await this.store.find(key);
    if (!subscription) throw new SubscriptionNotFoundError(key);
    return this.present(subscription);
  }

  /** One page in byte order of `tag`, after `afterTag` (null: from the first). */
  async listByUser(
    userId: string,
    afterTag: string | null,
    limit: number,
  ): Promise<{ items: SubscriptionResponse[]; unreadable: string[]; lastTag: string | null }> {
    const page = await this.store.listByUser(userId, afterTag, limit);
    const items = await Promise.all(
      page.subscriptions.map((subscription) => this.present(subscription)),
    );
    return { items, unreadable: page.unreadable, lastTag: page.more ? page.lastTag : null };
  }

  /** Creates the subscription, or replaces it whole (keeping `createdAt`). */
  put(key: SubscriptionKey, body: PutSubscriptionDto): Promise<WriteResult> {
    return this.write(key, () => completeFields(key, body, this.app.defaultTimezone));
  }

  patch(key: SubscriptionKey, body: PatchSubscriptionDto): Promise<WriteResult> {
    if (Object.values(body).every((value) => value === undefined)) {
      throw new InvalidSubscriptionError(['body must set at least one field']);
    }
    return this.write(key, (current) => {
      if (!current) throw new SubscriptionNotFoundError(key);
      return mergeFields(current, body, this.app.defaultTimezone);
    });
  }

  async delete(key: SubscriptionKey): Promise<void> {
    if (!(await this.store.delete(key))) throw new SubscriptionNotFoundError(key);
  }

  async deleteUser(userId: string): Promise<void> {
    await this.store.deleteUser(userId);
  }

  /** Read, change, and save only if nobody wrote in between; a few tries, then 409. */
  private async write(
    key: SubscriptionKey,
    change: (current: StoredSubscription | null) => SubscriptionFields,
  ): Promise<WriteResult> {
    for (let attempt = 0; attempt < MAX_WRITE_ATTEMPTS; attempt++) {
      const current = await this.store.find(key);
      const fields = change(current);
      const problems = await this.channels.problemsWith(fields.channel, fields.target);
      if (problems.length > 0) throw new InvalidSubscriptionError(problems);
      const subscription = this.stamp(key, fields, current);
      const outcome = await this.store.save(subscription, current);
      if (outcome === 'conflict') continue;
      if (outcome === 'full')
        throw new TooManySubscriptionsError(key.userId, this.app.maxTagsPerUser);
      // Every write arms, not only one that moved `armedAt`: claims make arming idempotent,
      // and a write repeated after its arming failed (Redis blip) then claims what was missed.
      // Arming claims only occurrences before the horizon, which nextRunAt answers whether
      // claimed or not, so the two go together on one read of the horizon after the save.
      const horizon = this.queries.horizonOf(subscription);
      const [, , nextRunAt] = await Promise.all([
        horizon,
        this.scheduler.arm(subscription, horizon),
        this.queries.nextRunAt(subscription, horizon),
      ]);
      return {
        created: outcome === 'created',
        subscription: this.presented(subscription, nextRunAt),
      };
    }
    throw new SubscriptionConflictError(key);
  }

  private stamp(
    key: SubscriptionKey,
    fields: SubscriptionFields,
    current: Subscription | null,
  ): Subscription {
    const now = this.clock.now();
    const rearmed =
      !current || !sameSchedule(current, fields) || (current.paused && !fields.paused);
    return {
      ...key,
      ...fields,
      createdAt: current?.createdAt ?? now,
      updatedAt: now,
      armedAt: rearmed ? now : current.armedAt,
    };
  }

  private async present(subscription: Subscription): Promise<SubscriptionResponse> {
    return this.presented(subscription, await this.queries.nextRunAt(subscription));
  }

  private presented(subscription: Subscription, nextRunAt: Date | null): SubscriptionResponse {
    return {
      userId: subscription.userId,
      tag: subscription.tag,
      time: subscription.time,
      timezone: subscription.timezone,
      days: [...subscription.days],
      channel: subscription.channel,
      target: subscription.target,
      title: subscription.title,
      message: subscription.message,
      data: { ...subscription.data },
      paused: subscription.paused,
      critical: subscription.critical,
      maxLatenessMinutes: subscription.maxLatenessMinutes,
      skipDates: [...subscription.skipDates],
      dst: { ...subscription.dst },
      createdAt: subscription.createdAt.toISOString(),
      updatedAt: subscription.updatedAt.toISOString(),
      nextRunAt: nextRunAt?.toISOString() ?? null,
    };
  }
}
