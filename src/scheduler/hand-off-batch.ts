import { DueOccurrence } from '../domain/occurrence.js';
import { HandOffReceipt } from '../store/hand-off.store.js';
import { BATCH_SIZE } from '../delivery/delivery.queue.js';

/**
 * Occurrences a job holds at most: the delivery queue's batch, so that what writes claim for
 * one instant fills jobs as the tick's claims do.
 */
export const HAND_OFF_BATCH = BATCH_SIZE;
/** The longest a claimed occurrence waits in this process for others of its instant. */
export const HAND_OFF_MAX_WAIT_MS = 200;
/** A batch leaves at least this long before its instant, so that its job waits for it. */
export const HAND_OFF_LEAD_MS = 1_000;

/** What one claim call won: its occurrences and the hand-off records that name them. */
export interface ClaimedEntry {
  readonly occurrences: readonly DueOccurrence[];
  readonly receipts: readonly HandOffReceipt[];
}

/** Claimed entries waiting to be handed off together, for the instant they are grouped by. */
export class PendingBatch {
  private readonly entries: ClaimedEntry[] = [];
  private size = 0;

  constructor(readonly instant: number) {}

  add(entry: ClaimedEntry): void {
    this.entries.push(entry);
    this.size += entry.occurrences.length;
  }

  full(): boolean {
    return this.size >= HAND_OFF_BATCH;
  }

  occurrences(): DueOccurrence[] {
    return this.entries.flatMap((entry) => entry.occurrences);
  }

  receipts(): HandOffReceipt[] {
    return this.entries.flatMap((entry) => entry.receipts);
  }
}

/** The instant an entry is grouped by: its earliest occurrence's. */
export function groupInstant(entry: ClaimedEntry): number {
  return Math.min(...entry.occurrences.map((occurrence) => occurrence.scheduledFor.getTime()));
}

/**
 * How long a batch started at `now` for `instant` may wait for more: at most
 * HAND_OFF_MAX_WAIT_MS, and never past HAND_OFF_LEAD_MS before its instant (0: at once, for
 * an instant that near or already past).
 */
export function batchWaitMs(instant: number, now: number): number {
  return Math.max(0, Math.min(HAND_OFF_MAX_WAIT_MS, instant - HAND_OFF_LEAD_MS - now));
}
