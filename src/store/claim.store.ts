import { Weekday } from '../domain/local-time.js';
import { DueOccurrence } from '../domain/occurrence.js';

/** What the scheduler keeps in Redis between ticks and across replicas. */
export interface SchedulerState {
  /** Occurrences before it have been scanned by a tick that completed. */
  readonly watermark: Date | null;
  /** Occurrences before it are being, or have been, scanned by a tick that started. */
  readonly horizon: Date | null;
  readonly lastTickAt: Date | null;
  /** Occurrences never sent because they were older than the catch-up horizon. */
  readonly skippedTotal: number;
}

export interface ClaimCandidate {
  readonly occurrence: DueOccurrence;
  readonly weekday: Weekday;
}

export interface ClaimOptions {
  readonly retryAt: Date;
  readonly respectArmedAt: boolean;
  readonly dryRun?: boolean;
}

/** `absent`: no such occurrence (other weekday, or the subscription is gone). */
export type ClaimOutcome = 'absent' | 'won' | 'duplicate' | 'skipped';

/** Names the hand-off record of one claimed batch. */
export type HandOffReceipt = string;

export interface ClaimResult {
  readonly outcomes: ClaimOutcome[];
  /** Null when nothing was won. */
  readonly receipt: HandOffReceipt | null;
}

export interface UnconfirmedHandOff {
  readonly receipt: HandOffReceipt;
  readonly occurrences: DueOccurrence[];
}

/** The duplicate guard (SPEC 4 "Once"), the hand-off records, and the scheduler's state. */
export abstract class ClaimStore {
  /**
   * For each candidate, checks its subscription (still on that weekday, not paused, and,
   * with `respectArmedAt`, armed by its instant) and claims it with `SET sent NX EX`. The
   * winners are recorded for hand-off (retried from `retryAt` until confirmed) in the same
   * atomic step. A `dryRun` claims nothing: `won` then means "due and not claimed yet".
   */
  abstract claimDue(
    candidates: readonly ClaimCandidate[],
    options: ClaimOptions,
  ): Promise<ClaimResult>;

  /** Delivery has this batch now: drop its hand-off record. */
  abstract confirmHandOff(receipt: HandOffReceipt): Promise<void>;

  /** Hand-off records whose retry time has passed, leased to the caller until `retryAt`. */
  abstract takeUnconfirmed(now: Date, retryAt: Date, limit: number): Promise<UnconfirmedHandOff[]>;

  abstract unconfirmedCount(): Promise<number>;

  /** Which of these occurrences are claimed already. */
  abstract areClaimed(occurrenceIds: readonly string[]): Promise<boolean[]>;

  abstract state(): Promise<SchedulerState>;

  /** Moves the horizon forward (never back) before a scan starts. */
  abstract advanceHorizon(to: Date): Promise<void>;

  /** Moves the watermark forward (never back) once a scan is complete. */
  abstract completeTick(watermark: Date, tickAt: Date, skipped: number): Promise<void>;

  /** True for the one caller that runs the tick of this minute. */
  abstract acquireTickLease(minute: Date, holder: string): Promise<boolean>;
}
