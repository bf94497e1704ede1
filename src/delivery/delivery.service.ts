import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { Inject, Injectable, Logger } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import pLimit from 'p-limit';
import { Clock } from '../common/clock.js';
import { ChimeMetrics } from '../metrics/chime-metrics.js';
import { deliveryConfig } from '../config/configuration.js';
import { instantOf, parseHHMM, weekdayOf } from '../scheduler/local-time.js';
import { DueOccurrence } from '../scheduler/occurrence.js';
import { StoredSubscription } from '../subscriptions/subscription.js';
import { SubscriptionStore } from '../subscriptions/subscription.store.js';
import { ChannelRegistry } from './channels/channel.registry.js';
import { deserialise, DeliveryStatus, serialise } from './delivery-record.js';
import { DeliveryItem, DeliveryQueue } from './delivery.queue.js';
import { DeliveryStore } from './delivery.store.js';
import { DeliveryError, Notification } from './notification.js';

/**
 * Sends a job's occurrences (SPEC 4): never before their instant, only while they still
 * match their subscription, retrying what may pass later and turning the rest into dead
 * letters. Each attempt's outcome goes to the delivery log.
 */
@Injectable()
export class DeliveryService {
  private readonly logger = new Logger(DeliveryService.name);
  private readonly limit: ReturnType<typeof pLimit>;

  constructor(
    private readonly subscriptions: SubscriptionStore,
    private readonly channels: ChannelRegistry,
    private readonly store: DeliveryStore,
    private readonly queue: DeliveryQueue,
    private readonly clock: Clock,
    private readonly metrics: ChimeMetrics,
    @Inject(deliveryConfig.KEY) private readonly config: ConfigType<typeof deliveryConfig>,
  ) {
    this.limit = pLimit(config.concurrency);
  }

  /** Delivers the items that `owner` (the job) holds; a job run again skips finished ones. */
  async deliver(items: readonly DeliveryItem[], owner: string): Promise<void> {
    await this.untilDue(items);
    const ids = items.map((item) => item.occurrence.occurrenceId);
    const taken = await this.store.acquire(ids, owner);
    const mine = items.filter((_, index) => taken[index]);
    const subscriptions = await this.subscriptions.findMany(mine.map((item) => item.occurrence));
    await Promise.all(
      mine.map((item, index) => this.limit(() => this.deliverOne(item, subscriptions[index]))),
    );
  }

  /** Sends a dead letter's occurrence again, from attempt 1. */
  async retryDeadLetter(occurrence: DueOccurrence, letterId: string): Promise<string> {
    const item = { occurrence: serialise(occurrence), attempt: 1 };
    const jobId = await this.queue.enqueueAttempt(
      item,
      0,
      `${letterId}|${this.clock.now().toISOString()}`,
    );
    await this.store.transfer(occurrence.occurrenceId, jobId);
    return jobId;
  }

  private async deliverOne(
    item: DeliveryItem,
    subscription: StoredSubscription | null,
  ): Promise<void> {
    const occurrence = deserialise(item.occurrence);
    if (!subscription || !stillMatches(subscription, occurrence)) {
      return this.log(occurrence, item.attempt, subscription?.channel ?? null, 'cancelled');
    }
    const channel = this.channels.find(subscription.channel);
    try {
      if (!channel)
        throw new DeliveryError(`channel ${subscription.channel} is not registered`, false);
      await channel.send(notificationOf(occurrence, subscription));
      const lateness = (this.clock.now().getTime() - occurrence.scheduledFor.getTime()) / 1000;
      this.metrics.lateness.observe({ channel: subscription.channel }, Math.max(0, lateness));
      await this.log(occurrence, item.attempt, subscription.channel, 'delivered');
    } catch (error) {
      await this.failed(item, occurrence, subscription.channel, asDeliveryError(error));
    }
  }

  private async failed(
    item: DeliveryItem,
    occurrence: DueOccurrence,
    channel: string,
    error: DeliveryError,
  ) {
    const { attempt } = item;
    if (error.retryable && attempt < this.config.maxAttempts) {
      const delayMs = this.config.retryBackoffMs * 2 ** (attempt - 1);
      const retry = { ...item, attempt: attempt + 1 };
      await this.store.transfer(
        occurrence.occurrenceId,
        await this.queue.enqueueAttempt(retry, delayMs, ''),
      );
      return this.log(occurrence, attempt, channel, 'retrying', error.message);
    }
    const deadAt = this.clock.now().toISOString();
    await this.store.addDeadLetter({
      id: randomBytes(9).toString('base64url'),
      occurrenceId: occurrence.occurrenceId,
      occurrence: item.occurrence,
      channel,
      attempts: attempt,
      lastError: error.message,
      deadAt,
    });
    this.logger.warn(
      `gave up on ${occurrence.occurrenceId} after ${attempt} attempts: ${error.message}`,
    );
    return this.log(
      occurrence,
      attempt,
      channel,
      error.retryable ? 'dead' : 'failed',
      error.message,
    );
  }

  private log(
    occurrence: DueOccurrence,
    attempt: number,
    channel: string | null,
    status: DeliveryStatus,
    error?: string,
  ): Promise<void> {
    this.metrics.deliveries.inc({ channel: channel ?? 'none', outcome: status });
    if (status === 'cancelled') this.metrics.occurrencesCancelled.inc();
    return this.store.record({
      occurrenceId: occurrence.occurrenceId,
      userId: occurrence.userId,
      tag: occurrence.tag,
      channel,
      status,
      attempt,
      scheduledFor: occurrence.scheduledFor.toISOString(),
      late: occurrence.late,
      at: this.clock.now().toISOString(),
      ...(error ? { error } : {}),
    });
  }

  /** Jobs wake at their delay; a clock a little behind the queue's must still not send early. */
  private async untilDue(items: readonly DeliveryItem[]): Promise<void> {
    const due = Math.max(...items.map((item) => Date.parse(item.occurrence.scheduledFor)));
    const early = due - this.clock.now().getTime();
    if (early > 0) await sleep(early);
  }
}

/** SPEC 4, changes win: the subscription still exists, is active, and is due at this instant. */
export function stillMatches(subscription: StoredSubscription, occurrence: DueOccurrence): boolean {
  if (subscription.paused || !subscription.days.includes(weekdayOf(occurrence.localDate)))
    return false;
  const instant = instantOf(
    occurrence.localDate,
    parseHHMM(subscription.time),
    subscription.timezone,
  );
  return instant.getTime() === occurrence.scheduledFor.getTime();
}

function notificationOf(occurrence: DueOccurrence, subscription: StoredSubscription): Notification {
  const { occurrenceId, userId, tag, scheduledFor, late } = occurrence;
  const { title, message, data, target } = subscription;
  return { occurrenceId, userId, tag, scheduledFor, late, title, message, data, target };
}

function asDeliveryError(error: unknown): DeliveryError {
  if (error instanceof DeliveryError) return error;
  return new DeliveryError((error as Error).message ?? String(error), true);
}
