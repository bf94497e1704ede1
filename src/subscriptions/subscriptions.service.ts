import { Inject, Injectable } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { Clock } from '../common/clock.js';
import { appConfig } from '../config/configuration.js';
import { ChannelRegistry } from '../channels/channel.registry.js';
import { nextOccurrence, sameSchedule, scheduleOf } from '../domain/schedule.js';
import { SchedulerService } from '../scheduler/scheduler.service.js';
import { ClaimStore } from '../store/claim.store.js';
import { occurrenceId } from '../domain/occurrence.js';
import { PatchSubscriptionDto } from './dto/patch-subscription.dto.js';
import { PutSubscriptionDto } from './dto/put-subscription.dto.js';
import { SubscriptionResponse } from './dto/subscription.response.js';
import { completeFields, mergeFields } from './subscription-fields.js';
import {
  InvalidSubscriptionError,
  SubscriptionConflictError,
  SubscriptionNotFoundError,
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
    private readonly claims: ClaimStore,
    @Inject(appConfig.KEY) private readonly app: ConfigType<typeof appConfig>,
  ) {}

  async get(key: SubscriptionKey): Promise<SubscriptionResponse> {
    const subscription = await this.store.find(key);
    if (!subscription) throw new SubscriptionNotFoundError(key);
    return this.present(subscription);
  }

  async listByUser(userId: string): Promise<SubscriptionResponse[]> {
    const subscriptions = await this.store.listByUser(userId);
    return Promise.all(subscriptions.map((subscription) => this.present(subscription)));
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
      const outcome = await this.store.save(subscription, current?.revision ?? null);
      if (outcome === 'conflict') continue;
      if (subscription.armedAt !== current?.armedAt) await this.scheduler.armed(subscription);
      return { created: outcome === 'created', subscription: await this.present(subscription) };
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
    const nextRunAt = await this.nextRunAt(subscription);
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
      createdAt: subscription.createdAt.toISOString(),
      updatedAt: subscription.updatedAt.toISOString(),
      nextRunAt: nextRunAt?.toISOString() ?? null,
    };
  }

  /**
   * The next occurrence that will be sent. Its local date may be claimed already: inside the
   * scheduler's horizon that claim is its queued delivery; beyond it, the claim is of an
   * earlier schedule that already sent that date, so the next date's occurrence is the one.
   */
  private async nextRunAt(subscription: Subscription): Promise<Date | null> {
    if (subscription.paused) return null;
    const schedule = scheduleOf(subscription);
    const notBefore = Math.max(this.clock.now().getTime(), subscription.armedAt.getTime());
    const next = nextOccurrence(schedule, new Date(notBefore));
    if (!next) return null;
    const [[claimed], { horizon }] = await Promise.all([
      this.claims.areClaimed([occurrenceId(subscription, next.localDate)]),
      this.claims.state(),
    ]);
    if (!claimed || next.instant.getTime() < (horizon?.getTime() ?? 0)) return next.instant;
    return nextOccurrence(schedule, new Date(next.instant.getTime() + 1))?.instant ?? null;
  }
}
