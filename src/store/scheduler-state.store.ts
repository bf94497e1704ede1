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

/**
 * A bucket's tick begun by its lease's holder: the bucket's own watermark, with its horizon
 * already moved forward, or `ownProgress: false` for a bucket that has none yet (its state()
 * falls back to the whole scheduler's, and its horizon is still to move). Null when another
 * caller holds the lease.
 */
export type TickStart = { ownProgress: true; watermark: Date } | { ownProgress: false } | null;

/**
 * The tick's progress, a bucket at a time (watermark, horizon), and the leases that let one
 * replica run a bucket's tick of a minute: replicas share a minute's buckets, and a bucket
 * whose Redis shard is away stalls alone.
 */
export abstract class SchedulerStateStore {
  /** The buckets a tick goes through. */
  abstract buckets(): number[];

  abstract bucketOf(userId: string): number;

  /**
   * A bucket's progress (`lastTickAt` and `skippedTotal` are the whole scheduler's);
   * without one, every bucket's: the earliest watermark and horizon.
   */
  abstract state(bucket?: number): Promise<SchedulerState>;

  /** A bucket's horizon alone, as `state(bucket)` has it: what a subscription write asks. */
  async horizon(bucket: number): Promise<Date | null> {
    return (await this.state(bucket)).horizon;
  }

  /**
   * Takes the bucket's lease of the minute (null: another caller holds it) and, in the same
   * step, moves the horizon of a bucket with progress of its own forward to `to`.
   */
  abstract beginTick(bucket: number, minute: Date, holder: string, to: Date): Promise<TickStart>;

  /** Moves a bucket's horizon forward (never back) before its scan starts. */
  abstract advanceHorizon(bucket: number, to: Date): Promise<void>;

  /**
   * Moves a bucket's watermark forward (never back) once its scan is complete, after adding
   * what it skipped to the skipped total.
   */
  abstract completeTick(bucket: number, watermark: Date, skipped: number): Promise<void>;

  /** When a tick last completed a bucket: once a tick, however many buckets it ran. */
  abstract recordTick(tickAt: Date): Promise<void>;

  /** Redis's own clock (TIME): the one every replica is compared with. */
  abstract serverTime(): Promise<Date>;

  /** True for the one caller that runs this bucket's tick of this minute. */
  abstract acquireTickLease(bucket: number, minute: Date, holder: string): Promise<boolean>;
}
