import { Injectable } from '@nestjs/common';
import { Clock } from '../common/clock.js';
import { occurrenceId } from '../domain/occurrence.js';
import { nextOccurrenceExcept, scheduleOf } from '../domain/schedule.js';
import { Subscription } from '../domain/subscription.js';
import { ClaimStore } from '../store/claim.store.js';
import { HandOffStore } from '../store/hand-off.store.js';
import { SchedulerStateStore } from '../store/scheduler-state.store.js';
import { ClockDrift } from './clock-drift.js';
import { OccurrenceDispatcher } from './occurrence-dispatcher.js';
import { SchedulerCron } from './scheduler.cron.js';

/** What the scheduler reports about itself, for health, stats and metrics. */
export interface SchedulerStatus {
  readonly lastTickAt: Date | null;
  readonly watermark: Date | null;
  /** Occurrences never sent because they were older than the catch-up horizon. */
  readonly skippedTotal: number;
  readonly unconfirmedHandOffs: number;
  /** This process's clock minus Redis's, in ms. */
  readonly clockDriftMs: number;
  /** Whether that is past MAX_CLOCK_DRIFT_MS, so that this process does not tick. */
  readonly clockTooFar: boolean;
}

/** A subscription's next occurrence by its own rules, before its claim is known. */
export interface NextCandidate {
  readonly instant: Date;
  readonly occurrenceId: string;
}

/** A next candidate and its claim, as a write's save read them. */
export interface SeenCandidate {
  readonly candidate: NextCandidate | null;
  readonly claimed: boolean;
}

/**
 * Everything the rest of chime asks the scheduler, in one place: when a subscription runs
 * next, how much is due, how the tick is doing. It changes nothing.
 */
@Injectable()
export class SchedulerQueries {
  constructor(
    private readonly dispatcher: OccurrenceDispatcher,
    private readonly claims: ClaimStore,
    private readonly handOffs: HandOffStore,
    private readonly progress: SchedulerStateStore,
    private readonly cron: SchedulerCron,
    private readonly drift: ClockDrift,
    private readonly clock: Clock,
  ) {}

  /**
   * The next occurrence that will be sent, as the subscription's own rules place it (its
   * days, `dst` choice and skip dates; the user's quiet hours are the preview's to tell). Its local date may be claimed already: inside the
   * scheduler's horizon that claim is its queued delivery; beyond it, the claim is of an
   * earlier schedule that already sent that date, so the next date's occurrence is the one.
   */
  async nextRunAt(
    subscription: Subscription,
    horizonRead?: Promise<Date | null>,
    seen?: SeenCandidate,
  ): Promise<Date | null> {
    const candidate = seen ? seen.candidate : this.nextCandidate(subscription);
    if (!candidate) return null;
    const [claimed, horizon] = await Promise.all([
      seen?.claimed ?? this.claims.areClaimed([candidate.occurrenceId]).then(([one]) => one),
      horizonRead ?? this.horizonOf(subscription),
    ]);
    return this.runAt(subscription, candidate, claimed, horizon);
  }

  /**
   * The occurrence nextRunAt starts from (null when paused or when there is none). A write
   * asks for its claim in the save's own step and passes both to nextRunAt as `seen`.
   */
  nextCandidate(subscription: Subscription): NextCandidate | null {
    if (subscription.paused) return null;
    const notBefore = Math.max(this.clock.now().getTime(), subscription.armedAt.getTime());
    const next = nextOccurrenceExcept(
      scheduleOf(subscription),
      new Date(notBefore),
      subscription.skipDates,
    );
    if (!next) return null;
    return { instant: next.instant, occurrenceId: occurrenceId(subscription, next.localDate) };
  }

  /** nextRunAt from its candidate, whether that is claimed, and the bucket's horizon. */
  private runAt(
    subscription: Subscription,
    candidate: NextCandidate,
    claimed: boolean,
    horizon: Date | null,
  ): Date | null {
    const { instant } = candidate;
    if (!claimed || instant.getTime() < (horizon?.getTime() ?? 0)) return instant;
    const after = new Date(instant.getTime() + 1);
    return (
      nextOccurrenceExcept(scheduleOf(subscription), after, subscription.skipDates)?.instant ?? null
    );
  }

  /**
   * The horizon of the subscription's bucket (null when paused: nothing asks then). A write
   * reads it once, for `SchedulerService.arm` and `nextRunAt` both; `known`: the bucket's
   * own, as its save read it, which needs no read here.
   */
  horizonOf(subscription: Subscription, known?: Date): Promise<Date | null> {
    if (subscription.paused) return Promise.resolve(null);
    if (known) return Promise.resolve(known);
    return this.progress.horizon(this.progress.bucketOf(subscription.userId));
  }

  /** Occurrences of active subscriptions due in [from, to), claimed or not. */
  countDue(from: Date, to: Date): Promise<number> {
    return this.dispatcher.countClaimable(from, to, { unclaimedOnly: false });
  }

  async status(): Promise<SchedulerStatus> {
    const [state, unconfirmedHandOffs, clockDriftMs] = await Promise.all([
      this.progress.state(),
      this.handOffs.unconfirmedCount(),
      this.drift.measure(),
    ]);
    const { lastTickAt, watermark, skippedTotal } = state;
    const clockTooFar = this.drift.tooFar(clockDriftMs);
    return { lastTickAt, watermark, skippedTotal, unconfirmedHandOffs, clockDriftMs, clockTooFar };
  }

  /** Ticks that threw since this process started; known without Redis. */
  failedTicks(): number {
    return this.cron.failureCount();
  }
}
