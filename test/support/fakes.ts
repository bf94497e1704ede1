import type { Counter } from 'prom-client';
import { Clock } from '../../src/common/clock.js';
import { DeliveryItem } from '../../src/delivery/delivery.queue.js';
import { NotificationChannel } from '../../src/channels/notification-channel.js';
import { DeliveryError } from '../../src/domain/delivery-error.js';
import { DeliverySink } from '../../src/domain/delivery-sink.js';
import { parseHHMM, toScore } from '../../src/domain/local-time.js';
import { Notification } from '../../src/domain/notification.js';
import { DueOccurrence } from '../../src/domain/occurrence.js';
import {
  StoredSubscription,
  Subscription,
  SubscriptionKey,
} from '../../src/domain/subscription.js';
import {
  ClaimCandidate,
  ClaimOptions,
  ClaimOutcome,
  ClaimResult,
  ClaimStore,
} from '../../src/store/claim.store.js';
import { DeadLetter, DeliveryRecord } from '../../src/store/delivery-record.js';
import { DeliveryLogFilter, DeliveryStore } from '../../src/store/delivery.store.js';
import {
  HandOffReceipt,
  HandOffStore,
  UnconfirmedHandOff,
} from '../../src/store/hand-off.store.js';
import { SchedulerState, SchedulerStateStore } from '../../src/store/scheduler-state.store.js';
import {
  SaveOutcome,
  ScheduledMember,
  ScoreRange,
  SubscriptionStore,
} from '../../src/store/subscription.store.js';

const keyOf = ({ userId, tag }: SubscriptionKey) => `${userId}|${tag}`;

/** Keeps subscriptions in a Map, with revisions, as the Redis store keeps them in HASHes. */
export class InMemorySubscriptionStore extends SubscriptionStore {
  private readonly rows = new Map<string, StoredSubscription>();
  private interference = 0;

  /** Stores the subscriptions as they are, without the revision check. */
  seed(...subscriptions: Subscription[]): this {
    for (const subscription of subscriptions) {
      const revision = (this.rows.get(keyOf(subscription))?.revision ?? 0) + 1;
      this.rows.set(keyOf(subscription), { ...subscription, revision });
    }
    return this;
  }

  /** The next `times` saves find that another writer saved first (their revision moved). */
  interfere(times: number): void {
    this.interference = times;
  }

  all(): StoredSubscription[] {
    return [...this.rows.values()];
  }

  get(key: SubscriptionKey): StoredSubscription | null {
    return this.rows.get(keyOf(key)) ?? null;
  }

  async find(key: SubscriptionKey) {
    return this.get(key);
  }

  async listByUser(userId: string) {
    return this.all().filter((subscription) => subscription.userId === userId);
  }

  async findMany(keys: readonly SubscriptionKey[]) {
    return keys.map((key) => this.rows.get(keyOf(key)) ?? null);
  }

  async save(subscription: Subscription, expectedRevision: number | null): Promise<SaveOutcome> {
    const current = this.rows.get(keyOf(subscription));
    if (current && this.interference > 0) {
      this.interference--;
      this.seed(current);
    }
    const stored = this.rows.get(keyOf(subscription));
    if ((stored?.revision ?? null) !== expectedRevision) return 'conflict';
    this.rows.set(keyOf(subscription), { ...subscription, revision: (stored?.revision ?? 0) + 1 });
    return stored ? 'replaced' : 'created';
  }

  async delete(key: SubscriptionKey) {
    return this.rows.delete(keyOf(key));
  }

  async deleteUser(userId: string) {
    const mine = await this.listByUser(userId);
    mine.forEach((subscription) => this.rows.delete(keyOf(subscription)));
    return mine.length;
  }

  async timezones() {
    return [...new Set(this.all().map((subscription) => subscription.timezone))];
  }

  async membersInRanges(ranges: readonly ScoreRange[]): Promise<ScheduledMember[][]> {
    return ranges.map(({ timezone, fromScore, toScore: lastScore }) =>
      this.all()
        .filter((subscription) => subscription.timezone === timezone)
        .map(({ userId, tag, time }) => ({ userId, tag, score: toScore(parseHHMM(time)) }))
        .filter(({ score }) => score >= fromScore && score <= lastScore),
    );
  }

  async countByTimezone() {
    return countBy(this.all(), (subscription) => subscription.timezone);
  }

  async countByChannel() {
    return countBy(this.all(), (subscription) => subscription.channel);
  }
}

/** Hand-off records by receipt, each with the time from which it is handed off again. */
export class InMemoryHandOffStore extends HandOffStore {
  private readonly records = new Map<HandOffReceipt, UnconfirmedHandOff & { retryAt: Date }>();
  private next = 0;

  record(occurrences: readonly DueOccurrence[], retryAt: Date): HandOffReceipt {
    const receipt = `receipt-${++this.next}`;
    this.records.set(receipt, { receipt, occurrences: [...occurrences], retryAt });
    return receipt;
  }

  async confirm(receipt: HandOffReceipt) {
    this.records.delete(receipt);
  }

  async takeUnconfirmed(now: Date, retryAt: Date, limit: number) {
    const due = [...this.records.values()]
      .filter((record) => record.retryAt.getTime() <= now.getTime())
      .slice(0, limit);
    due.forEach((record) => (record.retryAt = retryAt));
    return due.map(({ receipt, occurrences }) => ({ receipt, occurrences }));
  }

  async unconfirmedCount() {
    return this.records.size;
  }
}

/**
 * The claim script's rules (lua/claim-due.lua) over the in-memory subscriptions: absent on a
 * weekday not enabled or with no subscription, skipped when paused or (respecting armedAt)
 * due before it, claimed once, the won ones recorded for hand-off in the same step.
 */
export class InMemoryClaimStore extends ClaimStore {
  private readonly claimed = new Set<string>();
  /** The size of every batch the claim script was asked to claim (dry runs included). */
  readonly batchSizes: number[] = [];

  constructor(
    private readonly subscriptions: InMemorySubscriptionStore,
    private readonly handOffs: InMemoryHandOffStore,
  ) {
    super();
  }

  /** Marks occurrences claimed, as an earlier tick or another replica would have. */
  claim(...occurrenceIds: string[]): void {
    occurrenceIds.forEach((id) => this.claimed.add(id));
  }

  /** Atomic, as the script is: nothing else runs between a candidate's check and its claim. */
  async claimDue(candidates: readonly ClaimCandidate[], options: ClaimOptions) {
    this.batchSizes.push(candidates.length);
    const won: DueOccurrence[] = [];
    const outcomes = candidates.map((candidate): ClaimOutcome => {
      const outcome = this.outcomeOf(candidate, options);
      if (outcome === 'won' && !options.dryRun) {
        this.claimed.add(candidate.occurrence.occurrenceId);
        won.push(candidate.occurrence);
      }
      return outcome;
    });
    const receipt = won.length > 0 ? this.handOffs.record(won, options.retryAt) : null;
    return { outcomes, receipt } satisfies ClaimResult;
  }

  async areClaimed(occurrenceIds: readonly string[]) {
    return occurrenceIds.map((id) => this.claimed.has(id));
  }

  private outcomeOf({ occurrence, weekday }: ClaimCandidate, options: ClaimOptions) {
    const subscription = this.subscriptions.get(occurrence);
    if (!subscription || !subscription.days.includes(weekday)) return 'absent';
    const early = subscription.armedAt.getTime() > occurrence.scheduledFor.getTime();
    if (subscription.paused || (options.respectArmedAt && early)) return 'skipped';
    return this.claimed.has(occurrence.occurrenceId) ? 'duplicate' : 'won';
  }
}

/** Watermark and horizon that only move forward, and a lease per minute (SET NX). */
export class InMemorySchedulerStateStore extends SchedulerStateStore {
  current: SchedulerState = { watermark: null, horizon: null, lastTickAt: null, skippedTotal: 0 };
  private readonly leases = new Map<string, string>();

  async state() {
    return this.current;
  }

  async advanceHorizon(to: Date) {
    this.current = { ...this.current, horizon: later(this.current.horizon, to) };
  }

  async completeTick(watermark: Date, tickAt: Date, skipped: number) {
    this.current = {
      ...this.current,
      watermark: later(this.current.watermark, watermark),
      lastTickAt: tickAt,
      skippedTotal: this.current.skippedTotal + skipped,
    };
  }

  async acquireTickLease(minute: Date, holder: string) {
    if (this.leases.has(minute.toISOString())) return false;
    this.leases.set(minute.toISOString(), holder);
    return true;
  }
}

/** Per-occurrence holders (a job id, or the status it ended with), the log, the dead letters. */
export class InMemoryDeliveryStore extends DeliveryStore {
  readonly holders = new Map<string, string>();
  readonly log: DeliveryRecord[] = [];
  private readonly letters = new Map<string, DeadLetter>();

  async acquire(claims: readonly { occurrenceId: string; takeOverFrom?: string }[], owner: string) {
    return claims.map(({ occurrenceId, takeOverFrom }) => {
      const holder = this.holders.get(occurrenceId);
      const free = !holder || holder === owner || (!!takeOverFrom && holder === takeOverFrom);
      if (free) this.holders.set(occurrenceId, owner);
      return free;
    });
  }

  async record(record: DeliveryRecord) {
    this.log.push(record);
    if (record.status !== 'retrying') this.holders.set(record.occurrenceId, record.status);
  }

  async recent({ userId, tag, status, limit }: DeliveryLogFilter) {
    return this.log
      .map((record, index) => ({ ...record, id: String(index) }))
      .filter((record) => !userId || record.userId === userId)
      .filter((record) => !tag || record.tag === tag)
      .filter((record) => !status || record.status === status)
      .reverse()
      .slice(0, limit);
  }

  async addDeadLetter(letter: DeadLetter) {
    this.letters.set(letter.id, letter);
  }

  async deadLetters() {
    return [...this.letters.values()];
  }

  async deadLetterCount() {
    return this.letters.size;
  }

  async takeDeadLetter(id: string) {
    const letter = this.letters.get(id) ?? null;
    this.letters.delete(id);
    return letter;
  }
}

/** Keeps what it is handed, in order; `failNext` makes the next hand-offs throw. */
export class RecordingSink extends DeliverySink {
  readonly handedOff: DueOccurrence[] = [];
  private failures = 0;

  failNext(times = 1): void {
    this.failures = times;
  }

  async handOff(occurrences: readonly DueOccurrence[]) {
    if (this.failures > 0) {
      this.failures--;
      throw new Error('queue unavailable');
    }
    this.handedOff.push(...occurrences);
  }

  ids(): string[] {
    return this.handedOff.map((occurrence) => occurrence.occurrenceId);
  }
}

/** A channel that records what it sends and when (by the clock), and fails when told to. */
export class FakeChannel implements NotificationChannel {
  readonly sent: { notification: Notification; at: Date }[] = [];
  private readonly failures: Error[] = [];
  private problem: string | null = null;

  constructor(
    readonly name: string,
    private readonly clock: Clock,
  ) {}

  /** Every target is refused with this problem. */
  refuseTargets(problem: string): void {
    this.problem = problem;
  }

  /** The next sends throw these errors, one each. */
  failWith(...errors: (DeliveryError | Error)[]): void {
    this.failures.push(...errors);
  }

  async validateTarget() {
    return this.problem;
  }

  async send(notification: Notification) {
    const failure = this.failures.shift();
    if (failure) throw failure;
    this.sent.push({ notification, at: this.clock.now() });
  }
}

/** The delivery queue's surface, keeping what it is given instead of adding BullMQ jobs. */
export class FakeDeliveryQueue {
  readonly handedOff: DueOccurrence[] = [];
  readonly attempts: { item: DeliveryItem; delayMs: number; id: string }[] = [];

  async handOff(occurrences: readonly DueOccurrence[]) {
    this.handedOff.push(...occurrences);
  }

  attemptJobId(item: DeliveryItem, idSeed = ''): string {
    return `a|${item.occurrence.occurrenceId}|${item.attempt}|${idSeed}`;
  }

  async enqueueAttempt(item: DeliveryItem, delayMs: number, id: string) {
    this.attempts.push({ item, delayMs, id });
  }
}

/** A clock that runs in real time from `start`: for code that sleeps until an instant. */
export class RunningClock extends Clock {
  private readonly offset: number;

  constructor(start: Date) {
    super();
    this.offset = start.getTime() - Date.now();
  }

  now(): Date {
    return new Date(Date.now() + this.offset);
  }
}

/** A counter's value (one without labels). */
export async function valueOf(counter: Counter): Promise<number> {
  return (await counter.get()).values[0]?.value ?? 0;
}

function later(current: Date | null, candidate: Date): Date {
  return current && current.getTime() >= candidate.getTime() ? current : candidate;
}

function countBy<T>(items: readonly T[], by: (item: T) => string): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const item of items) counts[by(item)] = (counts[by(item)] ?? 0) + 1;
  return counts;
}
