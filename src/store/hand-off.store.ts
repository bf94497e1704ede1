import { DueOccurrence } from '../domain/occurrence.js';

/** Names the hand-off record of one claimed batch: its bucket and its lines. */
export interface HandOffReceipt {
  readonly bucket: number;
  readonly record: string;
}

export interface UnconfirmedHandOff {
  readonly receipt: HandOffReceipt;
  readonly occurrences: DueOccurrence[];
}

/**
 * The outbox between claiming and delivery: a claimed batch's record stays until delivery
 * has the batch, so a crash in between leaves it for a later tick to hand off again.
 */
export abstract class HandOffStore {
  /** Delivery has this batch now: drop its hand-off record. */
  abstract confirm(receipt: HandOffReceipt): Promise<void>;

  /** Delivery has these batches now (the hand-off of several claims at once). */
  async confirmAll(receipts: readonly HandOffReceipt[]): Promise<void> {
    await Promise.all(receipts.map((receipt) => this.confirm(receipt)));
  }

  /** Hand-off records whose retry time has passed, leased to the caller until `retryAt`. */
  abstract takeUnconfirmed(now: Date, retryAt: Date, limit: number): Promise<UnconfirmedHandOff[]>;

  abstract unconfirmedCount(): Promise<number>;
}
