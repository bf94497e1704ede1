import { DueOccurrence } from './occurrence.js';

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

/** The duplicate guard (SPEC 4 "Once"), the hand-off records, and the scheduler's state. */
export abstract class ClaimStore {
  /**
   * Claims each occurrence with `SET sent NX EX` and, in the same atomic step, records the
   * winners for hand-off (retried from `retryAt` unless confirmed). True where this call won.
   */
  abstract claim(occurrences: readonly DueOccurrence[], retryAt: Date): Promise<boolean[]>;

  /** Delivery has these now: drop their hand-off records. */
  abstract confirmHandOff(occurrences: readonly DueOccurrence[]): Promise<void>;

  /** Hand-off records whose retry time has passed, leased to the caller until `retryAt`. */
  abstract takeUnconfirmed(now: Date, retryAt: Date, limit: number): Promise<DueOccurrence[]>;

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
