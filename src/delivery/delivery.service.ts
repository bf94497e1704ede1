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
import { UnreadableSubscription } from '../store/subscription.store.js';
import { DeliveryIntakeStore } from '../store/delivery-intake.store.js';
import { ChannelRegistry } from '../channels/channel.registry.js';
import { DeadLetter, deserialise, DeliveryStatus } from '../store/delivery-record.js';
import { DeliveryItem, DeliveryQueue } from './delivery.queue.js';
import { DeadLetterStore } from '../store/dead-letter.store.js';
import { DeliveryStore } from '../store/delivery.store.js';
import { DeliveryError } from '../domain/delivery-error.js';
import { Notification } from '../domain/notification.js';
import { stillDue } from '../domain/schedule.js';
import { decideOccurrence, OccurrenceDecision, unsentStatusOf } from '../domain/decision.js';
import { Policy } from '../domain/policy.js';
import { HeldStore } from '../store/held.store.js';
import { UserDataStore } from '../store/user-data.store.js';

/** What a job's item was found to be at send time. */
type Found = StoredSubscription | UnreadableSubscription | null;

/** An item, its subscription and its user's policy (null: the defaults), as read at send time. */
interface Work {
  readonly item: DeliveryItem;
  readonly found: Found;
  readonly policy: Policy | null;
}

/** An item that is not to leave yet: held by quiet hours or a snooze, or due later (DST). */
interface Later {
  readonly item: DeliveryItem;
  readonly leaveAt: Date;
  /** Held by the user's policy (recorded `held`), rather than due later by its `dst` choice. */
  readonly held: boolean;
  readonly channel: string;
}

/** Told of a subscription whose queued send was cancelled because its schedule moved. */
export type ScheduleMovedListener = (subscription: StoredSubscription) => Promise<void>;

/** A sent occurrence's record is written again after 0.1, 0.2, ... 12.8 s: a failover's span. */
const RECORD_RETRIES = 8;
const LATE_AFTER_MS = 2_000;
const RECORD_RETRY_MS = 100;
/** An item due less than this ahead is waited for in its job, not handed to a later one. */
const WAIT_IN_JOB_MS = 1_000;
/**
 * Jobs that take and read their items at once. A burst's jobs are all in the worker when
 * their instant comes (DeliveryQueue wakes them early); reading all of them before the
 * first send (200 jobs, 0.2-0.6 s) would start the burst late: a few at a time keep the
 * sends fed and the first job sending at once.
 */
const READS_AT_ONCE = 8;

/**
 * Sends a job's occurrences (SPEC 4): never before their instant, only while they still
 * match their subscription, retrying what may pass later and turning the rest into dead
 * letters. Each attempt's outcome goes to the delivery log.
 */
@Injectable()
export class DeliveryService {
  private readonly logger = new Logger(DeliveryService.name);
  private readonly limit: ReturnType<typeof pLimit>;
  private readonly reads = pLimit(READS_AT_ONCE);
  private scheduleMoved: ScheduleMovedListener = async () => {};

  constructor(
    private readonly intake: DeliveryIntakeStore,
    private readonly channels: ChannelRegistry,
    private readonly store: DeliveryStore,
    private readonly deadLetters: DeadLetterStore,
    private readonly held: HeldStore,
    private readonly userData: UserDataStore,
    private readonly queue: DeliveryQueue,
    private readonly clock: Clock,
    private readonly metrics: ChimeMetrics,
    @Inject(deliveryConfig.KEY) private readonly config: ConfigType<typeof deliveryConfig>,
  ) {
    this.limit = pLimit(config.concurrency);
  }

  /**
   * The scheduler (a layer above) arms a moved subscription again through this, so that the
   * date whose send was just cancelled is sent at its new time (SPEC 4).
   */
  onScheduleMoved(listener: ScheduleMovedListener): void {
    this.scheduleMoved = listener;
  }

  /**
   * Delivers the items that `owner` (the job) holds; a job run again skips finished ones.
   * Each item succeeds or fails alone. When the job cannot even start (Redis unreachable),
   * it throws so that BullMQ runs it again, and on its `lastRun` every item becomes a dead
   * letter instead: nothing is left only in BullMQ's failed set.
   */
  async deliver(items: readonly DeliveryItem[], owner: string, lastRun = true): Promise<void> {
    await this.untilDue(items);
    let work: Work[];
    try {
      work = await this.reads(() => this.takeAndRead(items, owner));
    } catch (error) {
      if (!lastRun) throw error;
      const reason = new DeliveryError(`job failed: ${(error as Error).message}`, true);
      await Promise.all(items.map((item) => this.giveUp(item, null, reason)));
      return;
    }
    const later: Later[] = [];
    await Promise.all(work.map((one) => this.limit(() => this.deliverOne(one, owner, later))));
    await this.handOn(later, owner);
    const leftHold = work.filter(({ item }) => item.notBefore !== undefined);
    const heldAgain = new Set(later.map(({ item }) => item.occurrence.occurrenceId));
    const released = leftHold
      .map(({ item }) => item.occurrence.occurrenceId)
      .filter((occurrenceId) => !heldAgain.has(occurrenceId));
    if (released.length > 0) await this.held.release(released);
  }

  /**
   * Sends the user's held occurrences to be decided again at once, under the policy now
   * stored (SPEC 7: a policy change plans them again; ending a snooze sends what it held).
   * Each new job takes its occurrence over from the job that held it; the held job, when it
   * wakes, finds it taken.
   */
  async replanHeld(userId: string): Promise<number> {
    const held = await this.held.list(userId);
    const byHolder = new Map<string, DeliveryItem[]>();
    for (const { heldBy, item } of held) {
      const again = { ...(item as DeliveryItem), takeOverFrom: heldBy, notBefore: undefined };
      byHolder.set(heldBy, [...(byHolder.get(heldBy) ?? []), again]);
    }
    const now = this.clock.now();
    for (const [heldBy, items] of byHolder) {
      await this.queue.enqueueHeld(items, now, `replan|${heldBy}|${now.getTime()}`);
    }
    // The new jobs list again what they hold again; a listing left behind would never leave.
    await this.held.release(held.map(({ occurrenceId }) => occurrenceId));
    return held.length;
  }

  /**
   * The items this job now owns, each with its subscription and policy as read when it took
   * them (one step: DeliveryIntakeStore); the unreadable ones follow the taken ones.
   */
  private async takeAndRead(items: readonly DeliveryItem[], owner: string): Promise<Work[]> {
    const claims = items.map(({ occurrence, takeOverFrom }) => ({
      occurrenceId: occurrence.occurrenceId,
      userId: occurrence.userId,
      tag: occurrence.tag,
      scheduledFor: new Date(occurrence.scheduledFor),
      takeOverFrom,
    }));
    const found = await this.intake.take(claims, owner);
    const taken: Work[] = [];
    const unreadable: Work[] = [];
    items.forEach((item, index) => {
      const one = found[index];
      if (one.outcome === 'taken') {
        taken.push({ item, found: one.subscription, policy: one.policy });
      } else if (one.outcome === 'unreadable') {
        const reason = new UnreadableSubscription(
          item.occurrence,
          'its delivery state is unreadable',
        );
        unreadable.push({ item, found: reason, policy: null });
      }
    });
    return [...(await this.withoutErased(taken)), ...unreadable];
  }

  /**
   * An item whose subscription is gone may be of a user erased since it was queued (SPEC 2,
   * `DELETE /users`): such items are forgotten, the delivery state just taken with them, and
   * nothing about the user is written again. Only items without a subscription are asked.
   */
  private async withoutErased(work: Work[]): Promise<Work[]> {
    const orphans = work.filter(({ found }) => found === null);
    if (orphans.length === 0) return work;
    const userIds = [...new Set(orphans.map(({ item }) => item.occurrence.userId))];
    const erased = await this.userData.wereErased(userIds);
    const gone = new Set(userIds.filter((_, index) => erased[index]));
    if (gone.size === 0) return work;
    const isGone = ({ item, found }: Work) => found === null && gone.has(item.occurrence.userId);
    const forgotten = work.filter(isGone).map(({ item }) => item.occurrence.occurrenceId);
    await this.store.forget(forgotten);
    this.metrics.occurrencesCancelled.inc(forgotten.length);
    return work.filter((one) => !isGone(one));
  }

  /**
   * Sends a dead letter's occurrence again, from attempt 1. The retry is queued before the
   * letter leaves the list, so a crash in between loses nothing; the job's id follows from
   * the letter, so retrying it again queues nothing more.
   */
  async retryDeadLetter(letter: DeadLetter): Promise<string> {
    const item = { occurrence: letter.occurrence, attempt: 1, takeOverFrom: letter.status };
    const jobId = this.queue.attemptJobId(item, `dead-letter|${letter.id}`);
    await this.queue.enqueueAttempt(item, 0, jobId);
    await this.deadLetters.remove(letter);
    return jobId;
  }

  /**
   * Sends one item, or ends it as its subscription's rules and the user's policy decide at
   * send time (SPEC 7, the same decision the preview shows); what is to leave later goes to
   * `later`.
   */
  private async deliverOne({ item, found, policy }: Work, owner: string, later: Later[]) {
    const occurrence = deserialise(item.occurrence);
    if (found instanceof UnreadableSubscription) {
      return this.giveUp(item, null, new DeliveryError(`unreadable: ${found.reason}`, false));
    }
    if (!found || !stillDue(found, occurrence)) {
      return this.cancel(occurrence, item.attempt, found);
    }
    const decision = decideOccurrence(found, policy, occurrence.localDate, this.clock.now())!;
    const unsent = unsentStatusOf(decision);
    if (unsent) return this.log(occurrence, item.attempt, found.channel, unsent);
    if (this.leavesLater(decision)) {
      later.push(this.laterOf(item, decision, found.channel));
      return;
    }
    const wait = decision.sendAt!.getTime() - this.clock.now().getTime();
    if (wait > 0) await sleep(wait);
    // Decided once, as the send leaves: the receiver and the delivery log say the same.
    const late = this.isLate(occurrence);
    const error = await this.send(occurrence, found, late);
    if (error) return this.failed(item, owner, found.channel, error);
    const lateness = (this.clock.now().getTime() - occurrence.scheduledFor.getTime()) / 1000;
    this.metrics.lateness.observe({ channel: found.channel }, Math.max(0, lateness));
    await this.recordSent(occurrence, item.attempt, found.channel, late);
  }

  private leavesLater({ sendAt }: OccurrenceDecision): boolean {
    return sendAt!.getTime() - this.clock.now().getTime() > WAIT_IN_JOB_MS;
  }

  /** The item as a later job sends it: at the instant its `dst` choice gives, after its hold. */
  private laterOf(item: DeliveryItem, decision: OccurrenceDecision, channel: string): Later {
    const scheduledFor = decision.scheduledFor.toISOString();
    const occurrence = { ...item.occurrence, scheduledFor };
    const leaveAt = decision.sendAt!;
    const held = decision.outcome === 'hold';
    const notBefore = held ? leaveAt.toISOString() : undefined;
    return { item: { ...item, occurrence, notBefore }, leaveAt, held, channel };
  }

  /**
   * Hands the items that leave later to jobs of their own, one per instant, which take them
   * over from this job; the held ones are listed per user (so that a policy change plans them
   * again) and recorded `held`. A crash in between queues the same jobs again (their ids
   * follow from the items and this job).
   */
  private async handOn(later: readonly Later[], owner: string): Promise<void> {
    if (later.length === 0) return;
    const byInstant = new Map<number, Later[]>();
    for (const one of later) {
      const instant = one.leaveAt.getTime();
      byInstant.set(instant, [...(byInstant.get(instant) ?? []), one]);
    }
    for (const [instant, group] of byInstant) {
      const items = group.map((one) => ({ ...one.item, takeOverFrom: owner }));
      await this.queue.enqueueHeld(items, new Date(instant), owner);
    }
    const held = later.filter((one) => one.held);
    if (held.length === 0) return;
    await this.held.add(
      held.map(({ item, leaveAt }) => ({
        occurrenceId: item.occurrence.occurrenceId,
        heldBy: owner,
        releaseAt: leaveAt.getTime(),
        item: { ...item, takeOverFrom: owner },
      })),
    );
    await Promise.all(
      held.map(({ item, channel }) =>
        this.log(deserialise(item.occurrence), item.attempt, channel, 'held'),
      ),
    );
  }

  /**
   * A send that no longer matches is not sent. When only the schedule moved, the date is
   * still owed at its new time: once the cancellation is recorded, its claim can be made
   * again, and arming does that when the new time is already inside the scanned horizon.
   */
  private async cancel(
    occurrence: DueOccurrence,
    attempt: number,
    found: StoredSubscription | null,
  ): Promise<void> {
    await this.log(occurrence, attempt, found?.channel ?? null, 'cancelled');
    if (!found || found.paused) return;
    await this.scheduleMoved(found).catch((error: Error) =>
      this.logger.warn(`could not arm ${occurrence.occurrenceId} again: ${error.message}`),
    );
  }

  /** Only the send decides whether to retry: it answers its error, or null once sent. */
  private async send(
    occurrence: DueOccurrence,
    subscription: StoredSubscription,
    late: boolean,
  ): Promise<DeliveryError | null> {
    const channel = this.channels.find(subscription.channel);
    if (!channel)
      return new DeliveryError(`channel ${subscription.channel} is not registered`, false);
    try {
      await channel.send(notificationOf(occurrence, subscription, late));
      return null;
    } catch (error) {
      return asDeliveryError(error);
    }
  }

  /**
   * The send succeeded: its record is written, tried again on its own while Redis is away.
   * Failing this never sends again (a rerun would); a record still unwritten after the last
   * try is logged and counted, and the occurrence stays owned by this job until its TTL.
   */
  private async recordSent(
    occurrence: DueOccurrence,
    attempt: number,
    channel: string,
    late: boolean,
  ) {
    for (let retry = 0; ; retry++) {
      try {
        return await this.log(occurrence, attempt, channel, 'delivered', undefined, late);
      } catch (error) {
        if (retry >= RECORD_RETRIES) {
          this.metrics.recordFailures.inc();
          this.logger.error(
            `sent ${occurrence.occurrenceId} but could not record it: ${(error as Error).message}`,
          );
          return;
        }
        await sleep(RECORD_RETRY_MS * 2 ** retry);
      }
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
    await this.giveUp(item, channel, error);
  }

  /** Ends the occurrence as a dead letter: `dead` when it may pass later, else `failed`. */
  private async giveUp(item: DeliveryItem, channel: string | null, error: DeliveryError) {
    const occurrence = deserialise(item.occurrence);
    const { attempt } = item;
    const status = error.retryable ? 'dead' : 'failed';
    // Logged first: a listed letter has ended, so its retry can take the occurrence over.
    await this.log(occurrence, attempt, channel, status, error.message);
    await this.deadLetters.add({
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
    late = this.isLate(occurrence),
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
      late,
      at: this.clock.now().toISOString(),
      ...(error ? { error } : {}),
    });
  }

  /** SPEC 4: late means leaving more than 2 s after the instant, however early it was claimed. */
  private isLate(occurrence: DueOccurrence): boolean {
    return this.clock.now().getTime() - occurrence.scheduledFor.getTime() > LATE_AFTER_MS;
  }

  /** Jobs wake before their instant (WAKE_EARLY_MS) and wait here: never sent early. */
  private async untilDue(items: readonly DeliveryItem[]): Promise<void> {
    const due = Math.max(
      ...items.map((item) =>
        Math.max(Date.parse(item.occurrence.scheduledFor), Date.parse(item.notBefore ?? '') || 0),
      ),
    );
    const early = due - this.clock.now().getTime();
    if (early > 0) await sleep(early);
  }
}

function notificationOf(
  occurrence: DueOccurrence,
  subscription: StoredSubscription,
  late: boolean,
): Notification {
  const { occurrenceId, userId, tag, scheduledFor } = occurrence;
  const { title, message, data, target } = subscription;
  return { occurrenceId, userId, tag, scheduledFor, late, title, message, data, target };
}

function asDeliveryError(error: unknown): DeliveryError {
  if (error instanceof DeliveryError) return error;
  return new DeliveryError((error as Error).message ?? String(error), true);
}
