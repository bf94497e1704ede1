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

/** The tick's progress (watermark, horizon) and the lease that lets one replica run it. */
export abstract class SchedulerStateStore {
  abstract state(): Promise<SchedulerState>;

  /** Moves the horizon forward (never back) before a scan starts. */
  abstract advanceHorizon(to: Date): Promise<void>;

  /** Moves the watermark forward (never back) once a scan is complete. */
  abstract completeTick(watermark: Date, tickAt: Date, skipped: number): Promise<void>;

  /** Redis's own clock (TIME): the one every replica is compared with. */
  abstract serverTime(): Promise<Date>;

  /** True for the one caller that runs the tick of this minute. */
  abstract acquireTickLease(minute: Date, holder: string): Promise<boolean>;
}
