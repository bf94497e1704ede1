import { DeliverySink } from '../../../src/domain/delivery-sink.js';
import { DueOccurrence } from '../../../src/domain/occurrence.js';
import {
  ClaimCandidate,
  ClaimOptions,
  ClaimOutcome,
  ClaimResult,
  ClaimStore,
} from '../../../src/store/claim.store.js';
import {
  HandOffReceipt,
  HandOffStore,
  UnconfirmedHandOff,
} from '../../../src/store/hand-off.store.js';
import {
  SchedulerState,
  SchedulerStateStore,
  TickStart,
} from '../../../src/store/scheduler-state.store.js';
import { InMemorySubscriptionStore } from './subscription-store.js';

/** Hand-off records by receipt, each with the time from which it is handed off again. */
export class InMemoryHandOffStore extends HandOffStore {
  private readonly records = new Map<string, UnconfirmedHandOff & { retryAt: Date }>();
  private next = 0;

  record(occurrences: readonly DueOccurrence[], retryAt: Date): HandOffReceipt {
    const receipt = { bucket: 0, record: `receipt-${++this.next}` };
    this.records.set(receipt.record, { receipt, occurrences: [...occurrences], retryAt });
    return receipt;
  }

  async confirm(receipt: HandOffReceipt) {
    this.records.delete(receipt.record);
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
    const receipts = won.length > 0 ? [this.handOffs.record(won, options.retryAt)] : [];
    return { outcomes, receipts } satisfies ClaimResult;
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

  /** One bucket: the in-memory stores have no buckets. */
  buckets() {
    return [0];
  }

  bucketOf() {
    return 0;
  }

  async state() {
    return this.current;
  }

  async advanceHorizon(_bucket: number, to: Date) {
    this.current = { ...this.current, horizon: later(this.current.horizon, to) };
  }

  async beginTick(_bucket: number, minute: Date, holder: string, to: Date): Promise<TickStart> {
    if (!(await this.acquireTickLease(0, minute, holder))) return null;
    const { watermark } = this.current;
    if (!watermark) return { ownProgress: false };
    await this.advanceHorizon(0, to);
    return { ownProgress: true, watermark };
  }

  async completeTick(_bucket: number, watermark: Date, skipped: number) {
    this.current = {
      ...this.current,
      watermark: later(this.current.watermark, watermark),
      skippedTotal: this.current.skippedTotal + skipped,
    };
  }

  async recordTick(tickAt: Date) {
    this.current = { ...this.current, lastTickAt: tickAt };
  }

  /** Redis's clock, which a test may set apart from the process's. */
  serverNow: Date | null = null;

  async serverTime() {
    return this.serverNow ?? new Date();
  }

  async acquireTickLease(_bucket: number, minute: Date, holder: string) {
    if (this.leases.has(minute.toISOString())) return false;
    this.leases.set(minute.toISOString(), holder);
    return true;
  }
}

/** Keeps what it is handed, in order; `failNext` makes the next hand-offs throw. */
export class RecordingSink extends DeliverySink {
  readonly handedOff: DueOccurrence[] = [];
  /** Each hand-off's occurrences, as handed. */
  readonly batches: DueOccurrence[][] = [];
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
    this.batches.push([...occurrences]);
  }

  ids(): string[] {
    return this.handedOff.map((occurrence) => occurrence.occurrenceId);
  }
}

function later(current: Date | null, candidate: Date): Date {
  return current && current.getTime() >= candidate.getTime() ? current : candidate;
}
