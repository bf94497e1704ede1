import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { Inject, Injectable, Logger } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import pLimit from 'p-limit';
import { Clock } from '../common/clock.js';
import { ChimeMetrics } from '../metrics/chime-metrics.js';
import { deliveryConfig } from '../config/configuration.js';
import { DueOccurrence } from '../domain/occurrence.js';
import { StoredSubscription } from '../domain/subscription.js';
import { SubscriptionStore } from '../store/subscription.store.js';
import { ChannelRegistry } from '../channels/channel.registry.js';
import { DeadLetter, deserialise, DeliveryStatus } from '../store/delivery-record.js';
import { DeliveryItem, DeliveryQueue } from './delivery.queue.js';
import { DeliveryStore } from '../store/delivery.store.js';
import { DeliveryError } from '../domain/delivery-error.js';
import { Notification } from '../domain/notification.js';
import { stillMatches } from '../domain/schedule.js';

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
    const claims = items.map(({ occurrence, takeOverFrom }) => ({
      occurrenceId: occurrence.occurrenceId,
      takeOverFrom,
    }));
    const taken = await this.store.acquire(claims, owner);
    const mine = items.filter((_, index) => taken[index]);
    const subscriptions = await this.subscriptions.findMany(mine.map((item) => item.occurrence));
    await Promise.all(
      mine.map((item, index) =>
        this.limit(() => this.deliverOne(item, subscriptions[index], owner)),
      ),
    );
  }

  /** Sends a dead letter's occurrence again, from attempt 1. */
  async retryDeadLetter(letter: DeadLetter): Promise<string> {
    const item = { occurrence: letter.occurrence, attempt: 1, takeOverFrom: letter.status };
    const jobId = this.queue.attemptJobId(item, `${letter.id}|${this.clock.now().toISOString()}`);
    await this.queue.enqueueAttempt(item, 0, jobId);
    return jobId;
  }

  private async deliverOne(
    item: DeliveryItem,
    subscription: StoredSubscription | null,
    owner: string,
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
      await this.failed(item, owner, subscription.channel, asDeliveryError(error));
    }
  }

  /**
   * A retry job takes the occurrence over from this one (`takeOverFrom`), so a crash before
   * it is queued leaves the occurrence to this job's rerun, and after, to the retry.
   */
  private async failed(item: DeliveryItem, owner: string, channel: string, error: DeliveryError) {
    const occurrence = deserialise(item.occurrence);
    const { attempt } = item;
    if (error.retryable && attempt < this.config.maxAttempts) {
      const retry = { occurrence: item.occurrence, attempt: attempt + 1, takeOverFrom: owner };
      const delayMs = this.config.retryBackoffMs * 2 ** (attempt - 1);
      await this.queue.enqueueAttempt(retry, delayMs, this.queue.attemptJobId(retry, owner));
      return this.log(occurrence, attempt, channel, 'retrying', error.message);
    }
    const status = error.retryable ? 'dead' : 'failed';
    // Logged first: a listed letter has ended, so its retry can take the occurrence over.
    await this.log(occurrence, attempt, channel, status, error.message);
    await this.store.addDeadLetter({
      id: randomBytes(9).toString('base64url'),
      occurrenceId: occurrence.occurrenceId,
      occurrence: item.occurrence,
      channel,
      status,
      attempts: attempt,
      lastError: error.message,
      deadAt: this.clock.now().toISOString(),
    });
    this.logger.warn(
      `gave up on ${occurrence.occurrenceId} after ${attempt} attempts: ${error.message}`,
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

function notificationOf(occurrence: DueOccurrence, subscription: StoredSubscription): Notification {
  const { occurrenceId, userId, tag, scheduledFor, late } = occurrence;
  const { title, message, data, target } = subscription;
  return { occurrenceId, userId, tag, scheduledFor, late, title, message, data, target };
}

function asDeliveryError(error: unknown): DeliveryError {
  if (error instanceof DeliveryError) return error;
  return new DeliveryError((error as Error).message ?? String(error), true);
}
