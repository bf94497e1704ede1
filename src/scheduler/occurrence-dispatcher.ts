import { Injectable } from '@nestjs/common';
import pLimit from 'p-limit';
import { Clock } from '../common/clock.js';
import { ChimeMetrics } from '../metrics/chime-metrics.js';
import { SubscriptionStore } from '../store/subscription.store.js';
import { ClaimCandidate, ClaimOutcome, ClaimStore } from '../store/claim.store.js';
import { HandOffStore } from '../store/hand-off.store.js';
import { DeliverySink } from '../domain/delivery-sink.js';
import { DueOccurrence } from '../domain/occurrence.js';
import { HandOffBatcher } from './hand-off-batcher.js';
import { ZoneScan } from './zone-scan.js';

/** What a scan found: `due` = `enqueued` + `duplicates`; `skipped` ones are not sent. */
export interface ScanCounts {
  due: number;
  enqueued: number;
  duplicates: number;
  skipped: number;
}

/** How long a claimed occurrence may wait for a confirmed hand-off before it is handed again. */
export const HAND_OFF_RETRY_MS = 60_000;
/** Candidates per claim script: each call keeps Redis busy for milliseconds, not seconds. */
const CLAIM_BATCH = 500;
/**
 * Batches in flight, so that Node prepares some while Redis claims others; eight keep at most
 * a few tens of milliseconds of scripts queued ahead of other clients.
 */
const BATCHES_IN_FLIGHT = 8;

/**
 * Finds the occurrences whose instant lies in a window, claims each once, and hands the
 * claimed ones to delivery. The tick, catch-up, a subscription's write and
 * `POST /admin/ticks` all claim through here.
 */
@Injectable()
export class OccurrenceDispatcher {
  /** Its memos are shared by every scan of this process: a tick's buckets ask alike. */
  private readonly scan: ZoneScan;

  constructor(
    subscriptions: SubscriptionStore,
    private readonly claims: ClaimStore,
    private readonly handOffs: HandOffStore,
    private readonly sink: DeliverySink,
    private readonly clock: Clock,
    private readonly metrics: ChimeMetrics,
    private readonly batcher: HandOffBatcher,
  ) {
    this.scan = new ZoneScan(subscriptions, clock);
  }

  /**
   * Claims and hands off every occurrence in [from, to). A tick leaves out occurrences from
   * before their schedule was set (`armedAt`); a replay (`replay: true`) sends them all.
   */
  async dispatch(
    from: Date,
    to: Date,
    { replay, buckets }: { replay: boolean; buckets?: readonly number[] },
  ): Promise<ScanCounts> {
    const counts: ScanCounts = { due: 0, enqueued: 0, duplicates: 0, skipped: 0 };
    for await (const candidates of this.scan.candidatesIn(from, to, buckets)) {
      const step = await this.claimAndHandOff(candidates, !replay);
      counts.due += step.due;
      counts.enqueued += step.enqueued;
      counts.duplicates += step.duplicates;
      counts.skipped += step.skipped;
    }
    return counts;
  }

  /**
   * How many occurrences in [from, to) a tick would send; with `unclaimedOnly`, only those
   * not claimed yet. It runs the claim script as a dry run, so it claims nothing.
   */
  async countClaimable(
    from: Date,
    to: Date,
    { unclaimedOnly, buckets }: { unclaimedOnly: boolean; buckets?: readonly number[] },
  ) {
    const retryAt = this.clock.now();
    const tally = { won: 0, duplicate: 0 };
    for await (const candidates of this.scan.candidatesIn(from, to, buckets)) {
      await this.inBatches(candidates, async (batch) => {
        const { outcomes } = await this.claims.claimDue(batch, {
          retryAt,
          respectArmedAt: true,
          dryRun: true,
        });
        tally.won += outcomes.filter((outcome) => outcome === 'won').length;
        tally.duplicate += outcomes.filter((outcome) => outcome === 'duplicate').length;
      });
    }
    return unclaimedOnly ? tally.won : tally.won + tally.duplicate;
  }

  /**
   * Claims the candidates (once each, across replicas) and hands the won ones to delivery.
   * With `batched` (a write's arming), it returns once they are claimed: the won ones wait
   * in the HandOffBatcher for others of their instant, their hand-off records in Redis.
   */
  async claimAndHandOff(
    candidates: readonly ClaimCandidate[],
    respectArmedAt: boolean,
    { batched = false }: { batched?: boolean } = {},
  ): Promise<ScanCounts> {
    const retryAt = new Date(this.clock.now().getTime() + HAND_OFF_RETRY_MS);
    const counts: ScanCounts = { due: 0, enqueued: 0, duplicates: 0, skipped: 0 };
    await this.inBatches(candidates, async (batch) => {
      const { outcomes, receipts } = await this.claims.claimDue(batch, { retryAt, respectArmedAt });
      const won = this.count(counts, batch, outcomes);
      if (won.length === 0) return;
      if (batched) return this.batcher.add({ occurrences: won, receipts });
      await this.sink.handOff(won);
      await this.handOffs.confirmAll(receipts);
    });
    return counts;
  }

  private async inBatches(
    candidates: readonly ClaimCandidate[],
    work: (batch: ClaimCandidate[]) => Promise<void>,
  ): Promise<void> {
    // A write's arming has none or a few: no limiter to build for one batch.
    if (candidates.length <= CLAIM_BATCH) {
      return candidates.length === 0 ? undefined : work(candidates.slice());
    }
    const limit = pLimit(BATCHES_IN_FLIGHT);
    const batches: Promise<void>[] = [];
    for (let start = 0; start < candidates.length; start += CLAIM_BATCH) {
      const batch = candidates.slice(start, start + CLAIM_BATCH);
      batches.push(limit(() => work(batch)));
    }
    await Promise.all(batches);
  }

  /** Adds the batch's outcomes to the counts and metrics; returns the won occurrences. */
  private count(
    counts: ScanCounts,
    batch: readonly ClaimCandidate[],
    outcomes: readonly ClaimOutcome[],
  ): DueOccurrence[] {
    const won: DueOccurrence[] = [];
    let duplicates = 0;
    let skipped = 0;
    outcomes.forEach((outcome, index) => {
      if (outcome === 'won') won.push(batch[index].occurrence);
      else if (outcome === 'duplicate') duplicates++;
      else if (outcome === 'skipped') skipped++;
    });
    counts.due += won.length + duplicates;
    counts.enqueued += won.length;
    counts.duplicates += duplicates;
    counts.skipped += skipped;
    this.metrics.occurrencesDue.inc(won.length + duplicates);
    this.metrics.occurrencesClaimed.inc(won.length);
    this.metrics.occurrencesDuplicate.inc(duplicates);
    this.metrics.occurrencesSkipped.inc(skipped);
    return won;
  }
}
