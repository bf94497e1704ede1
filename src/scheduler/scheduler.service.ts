import { randomUUID } from 'node:crypto';
import { Inject, Injectable, Logger } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { Clock } from '../common/clock.js';
import { schedulerConfig } from '../config/configuration.js';
import { ChimeMetrics } from '../metrics/chime-metrics.js';
import { Subscription } from '../domain/subscription.js';
import { HandOffStore } from '../store/hand-off.store.js';
import { SchedulerStateStore, TickStart } from '../store/scheduler-state.store.js';
import { DeliverySink } from '../domain/delivery-sink.js';
import { weekdayOf } from '../domain/local-time.js';
import { occurrencesBetween, scheduleOf } from '../domain/schedule.js';
import { dueOccurrence } from '../domain/occurrence.js';
import { ClockDrift } from './clock-drift.js';
import { HAND_OFF_RETRY_MS, OccurrenceDispatcher, ScanCounts } from './occurrence-dispatcher.js';

const MINUTE_MS = 60_000;
const DAY_MS = 24 * 60 * MINUTE_MS;
const RECOVERY_BATCH = 1000;
/**
 * Buckets a replica ticks at once: each bucket's tick is a chain of round trips, so as many
 * as REDIS_BUCKETS' default keep Redis busy while Node prepares others (at 10M, a tick's
 * p50 61 ms against 75 with four; bench/README.md). Replicas ticking together still share
 * the minute's buckets: each asks for the leases in its own random order.
 */
const BUCKETS_AT_ONCE = 16;

export interface TickOutcome extends ScanCounts {
  readonly from: Date;
  readonly to: Date;
}

/**
 * The tick (SPEC 4): catch up from the watermark, claim everything due up to the lookahead,
 * and move the watermark. One replica runs each minute's tick (a lease); claims keep sends
 * single even when two do.
 */
@Injectable()
export class SchedulerService {
  private readonly logger = new Logger(SchedulerService.name);
  private readonly replica = randomUUID();

  constructor(
    private readonly dispatcher: OccurrenceDispatcher,
    private readonly drift: ClockDrift,
    private readonly progress: SchedulerStateStore,
    private readonly handOffs: HandOffStore,
    private readonly sink: DeliverySink,
    private readonly metrics: ChimeMetrics,
    private readonly clock: Clock,
    @Inject(schedulerConfig.KEY) private readonly config: ConfigType<typeof schedulerConfig>,
  ) {}

  /**
   * The minute's tick, bucket by bucket: each bucket's lease goes to the replica that asks
   * first, and each replica goes through the buckets in its own random order, up to 16 at once,
   * so replicas ticking together share the minute's work; a bucket whose lease a dead replica
   * took is scanned by the next minute's tick from its own watermark. A bucket that fails
   * (its Redis shard away) stalls alone; the others go on, and the tick then throws. Null
   * when other replicas hold every bucket's lease.
   */
  async dispatchDue(now: Date): Promise<TickOutcome | null> {
    await this.drift.assertCloseEnough();
    const minute = floorToMinute(now);
    await this.recoverHandOffs(now);
    const to = new Date(minute.getTime() + this.config.lookaheadMinutes * MINUTE_MS);
    let total: TickOutcome | null = null;
    const failures: unknown[] = [];
    const order = shuffled(this.progress.buckets());
    const lane = async () => {
      for (let bucket = order.shift(); bucket !== undefined; bucket = order.shift()) {
        try {
          const start = await this.progress.beginTick(bucket, minute, this.replica, to);
          if (!start) continue;
          const outcome = await this.tickBucket(bucket, start, minute, to);
          total = sum(total, outcome);
        } catch (error) {
          this.logger.error(`the tick of bucket ${bucket} failed: ${(error as Error).message}`);
          failures.push(error);
        }
      }
    };
    await Promise.all(Array.from({ length: BUCKETS_AT_ONCE }, lane));
    if (total) await this.progress.recordTick(now);
    if (failures.length > 0) {
      const reasons = failures.map((failure) => (failure as Error).message).join('; ');
      throw new AggregateError(failures, `${failures.length} buckets failed to tick: ${reasons}`);
    }
    return total;
  }

  /** One bucket's scan from its watermark; its lease is held and its horizon moved (`start`). */
  private async tickBucket(
    bucket: number,
    start: NonNullable<TickStart>,
    minute: Date,
    to: Date,
  ): Promise<TickOutcome> {
    const { from, missed } = await this.scanStart(bucket, start, minute);
    let counts: ScanCounts = { due: 0, enqueued: 0, duplicates: 0, skipped: 0 };
    if (from.getTime() < to.getTime()) {
      if (!start.ownProgress) await this.progress.advanceHorizon(bucket, to);
      counts = await this.dispatcher.dispatch(from, to, { replay: false, buckets: [bucket] });
    }
    await this.progress.completeTick(bucket, to, missed);
    if (missed > 0) {
      this.metrics.occurrencesSkipped.inc(missed);
      this.logger.warn(`skipped ${missed} occurrences older than the catch-up horizon`);
    }
    return { from, to, ...counts, skipped: counts.skipped + missed };
  }

  /** `POST /admin/ticks`: every occurrence in [from, to), armed or not, through the same path. */
  replay(from: Date, to: Date): Promise<ScanCounts> {
    return this.dispatcher.dispatch(from, to, { replay: true });
  }

  /**
   * A subscription written since the ticks scanned ahead may be due before their horizon:
   * claim those occurrences now. Called after every write, so a tick that advanced the
   * horizon before it sees the write, or this call sees its horizon; claims make a repeat a
   * no-op, and a write repeated after its arming failed claims what was missed. It looks no
   * further back than the catch-up horizon, as a tick after downtime would. `horizonRead` is
   * the bucket's horizon read after the write (read here when not given).
   *
   * It resolves once claimed: the claim's hand-off record is in Redis then, and the hand-off
   * itself goes with other writes' of the same instant (HandOffBatcher), within a fraction
   * of a second.
   */
  async arm(subscription: Subscription, horizonRead?: Promise<Date | null>): Promise<void> {
    if (subscription.paused) return;
    const bucket = this.progress.bucketOf(subscription.userId);
    const horizon = await (horizonRead ?? this.progress.horizon(bucket));
    const now = this.clock.now().getTime();
    const from = Math.max(
      subscription.armedAt.getTime(),
      now - this.config.catchupMinutes * MINUTE_MS,
    );
    if (!horizon || horizon.getTime() <= from) return;
    const until = new Date(Math.min(horizon.getTime(), from + DAY_MS));
    const candidates = occurrencesBetween(scheduleOf(subscription), new Date(from), until).map(
      (occurrence) => ({
        occurrence: dueOccurrence(subscription, occurrence, now > occurrence.instant.getTime()),
        weekday: weekdayOf(occurrence.localDate),
      }),
    );
    await this.dispatcher.claimAndHandOff(candidates, true, { batched: true });
  }

  /** Hands off again what a crashed process claimed but never confirmed. */
  async recoverHandOffs(now: Date): Promise<number> {
    let recovered = 0;
    for (;;) {
      const retryAt = new Date(now.getTime() + HAND_OFF_RETRY_MS);
      const stale = await this.handOffs.takeUnconfirmed(now, retryAt, RECOVERY_BATCH);
      if (stale.length === 0) return recovered;
      for (const { receipt, occurrences } of stale) {
        await this.sink.handOff(occurrences);
        await this.handOffs.confirm(receipt);
        recovered += occurrences.length;
      }
    }
  }

  /**
   * Where this tick's scan begins: the watermark, but no earlier than the catch-up horizon.
   * What lies before that horizon is counted as missed (at most a day of it).
   */
  private async scanStart(
    bucket: number,
    start: NonNullable<TickStart>,
    minute: Date,
  ): Promise<{ from: Date; missed: number }> {
    const { watermark } = start.ownProgress ? start : await this.progress.state(bucket);
    const horizon = new Date(minute.getTime() - this.config.catchupMinutes * MINUTE_MS);
    if (!watermark) return { from: minute, missed: 0 };
    if (watermark.getTime() >= horizon.getTime()) return { from: watermark, missed: 0 };
    const countFrom = new Date(Math.max(watermark.getTime(), horizon.getTime() - DAY_MS));
    const missed = await this.dispatcher.countClaimable(countFrom, horizon, {
      unclaimedOnly: true,
      buckets: [bucket],
    });
    return { from: horizon, missed };
  }
}

function floorToMinute(instant: Date): Date {
  return new Date(Math.floor(instant.getTime() / MINUTE_MS) * MINUTE_MS);
}

function shuffled<T>(items: readonly T[]): T[] {
  const order = [...items];
  for (let index = order.length - 1; index > 0; index--) {
    const other = Math.floor(Math.random() * (index + 1));
    [order[index], order[other]] = [order[other], order[index]];
  }
  return order;
}

/** The buckets' outcomes as one: the earliest start, and every count added up. */
function sum(total: TickOutcome | null, bucket: TickOutcome): TickOutcome {
  if (!total) return bucket;
  return {
    from: total.from.getTime() <= bucket.from.getTime() ? total.from : bucket.from,
    to: bucket.to,
    due: total.due + bucket.due,
    enqueued: total.enqueued + bucket.enqueued,
    duplicates: total.duplicates + bucket.duplicates,
    skipped: total.skipped + bucket.skipped,
  };
}
