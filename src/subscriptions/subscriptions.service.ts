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

  /**
   * Creates the subscription, or replaces it whole (keeping `createdAt`). Most PUTs create:
   * the first save expects nothing stored, and on a conflict the store answers what is.
   */
  async put(key: SubscriptionKey, body: PutSubscriptionDto): Promise<WriteResult> {
    const fields = completeFields(key, body, this.app.defaultTimezone);
    return this.write(key, () => fields, null);
  }

  patch(key: SubscriptionKey, body: PatchSubscriptionDto): Promise<WriteResult> {
    if (Object.values(body).every((value) => value === undefined)) {
      throw new InvalidSubscriptionError(['body must set at least one field']);
    }
    return this.write(
      key,
      (current) => {
        if (!current) throw new SubscriptionNotFoundError(key);
        return mergeFields(current, body, this.app.defaultTimezone);
      },
      undefined,
    );
  }

  async delete(key: SubscriptionKey): Promise<void> {
    if (!(await this.store.delete(key))) throw new SubscriptionNotFoundError(key);
  }

  async deleteUser(userId: string): Promise<void> {
    await this.store.deleteUser(userId);
  }

  /**
   * Read, change, and save only if nobody wrote in between; a few tries, then 409. `expected`:
   * what to expect stored on the first try (undefined: read it first). A first try that only
   * guessed wrong is not counted.
   */
  private async write(
    key: SubscriptionKey,
    change: (current: StoredSubscription | null) => SubscriptionFields,
    expected: StoredSubscription | null | undefined,
  ): Promise<WriteResult> {
    let current = expected;
    const attempts = MAX_WRITE_ATTEMPTS + (expected === undefined ? 0 : 1);
    const checks = new TargetChecks(this.channels);
    for (let attempt = 0; attempt < attempts; attempt++) {
      if (current === undefined) current = await this.store.find(key);
      const fields = change(current);
      const problems = await checks.problemsWith(fields);
      if (problems.length > 0) throw new InvalidSubscriptionError(problems);
      const subscription = this.stamp(key, fields, current);
      const candidate = this.queries.nextCandidate(subscription);
      const saved = await this.store.save(subscription, current, candidate?.occurrenceId);
      if (saved.outcome === 'conflict') {
        current = saved.stored;
        continue;
      }
      if (saved.outcome === 'full')
        throw new TooManySubscriptionsError(key.userId, this.app.maxTagsPerUser);
      // Every write arms, not only one that moved `armedAt`: claims make arming idempotent,
      // and a write repeated after its arming failed (Redis blip) then claims what was missed.
      // Arming claims only occurrences before the horizon, which nextRunAt answers whether
      // claimed or not, so the two go together on the horizon the save read with it.
      const horizon = this.queries.horizonOf(subscription, saved.bucketHorizon);
      const { claimed } = saved;
      const seen = claimed === undefined ? undefined : { candidate, claimed };
      const [nextRunAt] = await Promise.all([
        this.queries.nextRunAt(subscription, horizon, seen),
        this.scheduler.arm(subscription, horizon),
      ]);
      return {
        created: saved.outcome === 'created',
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

/** A write's target checks, each (channel, target) once however often the write tries. */
class TargetChecks {
  private checked: { channel: string; target: string | null; problems: string[] } | null = null;

  constructor(private readonly channels: ChannelRegistry) {}

  async problemsWith({ channel, target }: SubscriptionFields): Promise<string[]> {
    if (this.checked?.channel !== channel || this.checked.target !== target) {
      this.checked = {
        channel,
        target,
        problems: await this.channels.problemsWith(channel, target),
      };
    }
    return this.checked.problems;
  }
}
