import { Weekday } from '../domain/local-time.js';
import { DueOccurrence } from '../domain/occurrence.js';
import { HandOffReceipt } from './hand-off.store.js';

export interface ClaimCandidate {
  readonly occurrence: DueOccurrence;
  readonly weekday: Weekday;
  /** The user's bucket, when the caller knows it already (a scan does): else worked out. */
  readonly bucket?: number;
  /**
   * The scan found it in a ZSET of subscriptions on this weekday and not paused, and its
   * instant lies ahead of any `armedAt`: the claim need not read the subscription.
   */
  readonly vouched?: boolean;
}

export interface ClaimOptions {
  readonly retryAt: Date;
  readonly respectArmedAt: boolean;
  readonly dryRun?: boolean;
}

/** `absent`: no such occurrence (other weekday, or the subscription is gone). */
export type ClaimOutcome = 'absent' | 'won' | 'duplicate' | 'skipped';

export interface ClaimResult {
  readonly outcomes: ClaimOutcome[];
  /** A hand-off record per bucket with winners; none when nothing was won. */
  readonly receipts: HandOffReceipt[];
}

/** The duplicate guard (SPEC 4 "Once"): one claim per occurrence, across replicas. */
export abstract class ClaimStore {
  /**
   * For each candidate, checks its subscription (still on that weekday, not paused, and,
   * with `respectArmedAt`, armed by its instant; a `vouched` one is not read) and claims it
   * with `SET sent NX EX`. The
   * winners are recorded for hand-off (retried from `retryAt` until confirmed) in the same
   * atomic step. A `dryRun` claims nothing: `won` then means "due and not claimed yet".
   */
  abstract claimDue(
    candidates: readonly ClaimCandidate[],
    options: ClaimOptions,
  ): Promise<ClaimResult>;

  /** Which of these occurrences are claimed already. */
  abstract areClaimed(occurrenceIds: readonly string[]): Promise<boolean[]>;
}
