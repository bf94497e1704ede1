import { Injectable } from '@nestjs/common';
import { Clock } from '../common/clock.js';
import { ChimeMetrics } from '../metrics/chime-metrics.js';
import { ScheduledSubscription, SubscriptionStore } from '../subscriptions/subscription.store.js';
import { ClaimStore } from './claim.store.js';
import { DeliverySink } from './delivery-sink.js';
import { fromScore, instantOf, weekdayOf } from './local-time.js';
import { DueOccurrence, occurrenceId } from './occurrence.js';
import { localRanges } from './window.js';

/** What a scan found: `due` = `enqueued` + `duplicates`; `skipped` ones are not sent. */
export interface ScanCounts {
  due: number;
  enqueued: number;
  duplicates: number;
  skipped: number;
}

export type Candidate = Omit<DueOccurrence, 'late'>;

/** How long a claimed occurrence may wait for a confirmed hand-off before it is handed again. */
export const HAND_OFF_RETRY_MS = 60_000;

/**
 * Finds the occurrences whose instant lies in a window, claims each once, and hands the
 * claimed ones to delivery. The tick, catch-up and `POST /admin/ticks` all go through here.
 */
@Injectable()
export class OccurrenceScanner {
  constructor(
    private readonly subscriptions: SubscriptionStore,
    private readonly claims: ClaimStore,
    private readonly sink: DeliverySink,
    private readonly clock: Clock,
    private readonly metrics: ChimeMetrics,
  ) {}

  /**
   * Claims and hands off every occurrence in [from, to). A tick leaves out occurrences from
   * before their schedule was set (`armedAt`); a replay (`replay: true`) sends them all.
   */
  async dispatch(from: Date, to: Date, { replay }: { replay: boolean }): Promise<ScanCounts> {
    const counts: ScanCounts = { due: 0, enqueued: 0, duplicates: 0, skipped: 0 };
    for await (const { due, skipped } of this.occurrencesIn(from, to, !replay)) {
      const { enqueued, duplicates } = await this.claimAndHandOff(due);
      counts.due += due.length;
      counts.enqueued += enqueued;
      counts.duplicates += duplicates;
      counts.skipped += skipped;
      this.metrics.occurrencesSkipped.inc(skipped);
    }
    return counts;
  }

  /** How many occurrences in [from, to) a tick would send; with `unclaimedOnly`, not yet claimed. */
  async countDue(from: Date, to: Date, { unclaimedOnly }: { unclaimedOnly: boolean }) {
    let count = 0;
    for await (const { due } of this.occurrencesIn(from, to, true)) {
      if (!unclaimedOnly) count += due.length;
      else
        count += (await this.claims.areClaimed(due.map((c) => c.occurrenceId))).filter(
          (claimed) => !claimed,
        ).length;
    }
    return count;
  }

  /** Claims the candidates (once each, across replicas) and hands the won ones to delivery. */
  async claimAndHandOff(candidates: readonly Candidate[]) {
    const now = this.clock.now();
    const occurrences = candidates.map((candidate) => ({
      ...candidate,
      late: now.getTime() > candidate.scheduledFor.getTime(),
    }));
    const won = await this.claims.claim(occurrences, new Date(now.getTime() + HAND_OFF_RETRY_MS));
    const claimed = occurrences.filter((_, index) => won[index]);
    this.metrics.occurrencesDue.inc(occurrences.length);
    this.metrics.occurrencesClaimed.inc(claimed.length);
    this.metrics.occurrencesDuplicate.inc(occurrences.length - claimed.length);
    if (claimed.length > 0) {
      await this.sink.handOff(claimed);
      await this.claims.confirmHandOff(claimed);
    }
    return { enqueued: claimed.length, duplicates: occurrences.length - claimed.length };
  }

  private async *occurrencesIn(from: Date, to: Date, respectArmedAt: boolean) {
    for (const timezone of await this.subscriptions.timezones()) {
      for (const range of localRanges(timezone, from, to)) {
        const instants = new Map<number, Date>();
        const instantAt = (score: number) =>
          instants.get(score) ??
          instants.set(score, instantOf(range.localDate, fromScore(score), timezone)).get(score)!;
        const weekday = weekdayOf(range.localDate);
        const batches = this.subscriptions.scheduledBetween(
          timezone,
          range.fromScore,
          range.toScore,
        );
        for await (const batch of batches) {
          const onDay = batch.filter((subscription) => subscription.days.includes(weekday));
          yield this.split(onDay, range.localDate, instantAt, respectArmedAt);
        }
      }
    }
  }

  /** Paused subscriptions, and (for a tick) occurrences before the schedule was set, are skipped. */
  private split(
    subscriptions: ScheduledSubscription[],
    localDate: string,
    instantAt: (score: number) => Date,
    respectArmedAt: boolean,
  ): { due: Candidate[]; skipped: number } {
    const due: Candidate[] = [];
    for (const subscription of subscriptions) {
      const scheduledFor = instantAt(subscription.score);
      const beforeArmed = respectArmedAt && subscription.armedAt.getTime() > scheduledFor.getTime();
      if (subscription.paused || beforeArmed) continue;
      const { userId, tag } = subscription;
      due.push({
        userId,
        tag,
        localDate,
        scheduledFor,
        occurrenceId: occurrenceId(subscription, localDate),
      });
    }
    return { due, skipped: subscriptions.length - due.length };
  }
}
