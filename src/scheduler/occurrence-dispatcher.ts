import { Injectable } from '@nestjs/common';
import pLimit from 'p-limit';
import { Clock } from '../common/clock.js';
import { ChimeMetrics } from '../metrics/chime-metrics.js';
import { ScheduledMember, ScoreRange, SubscriptionStore } from '../store/subscription.store.js';
import { ClaimCandidate, ClaimOutcome, ClaimStore } from '../store/claim.store.js';
import { HandOffStore } from '../store/hand-off.store.js';
import { DeliverySink } from '../domain/delivery-sink.js';
import { fromScore, instantOf, Weekday, weekdayOf } from '../domain/local-time.js';
import { dueOccurrence, DueOccurrence } from '../domain/occurrence.js';
import { LocalRange, localRanges, splitRange } from '../domain/window.js';
import { BoundedMemo } from './bounded-memo.js';

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
 * A scan reads its window in steps of about this many members, counted first (ZCOUNT), and
 * claims what a step found while it reads the next: what it holds at once does not grow with
 * the window (a day's catch-up count after an outage reads 24 hours of every zone). A tick
 * scans a few buckets at once (scheduler.service.ts), each holding two steps at most. Only
 * one minute of one zone that alone holds more is read whole, as one step.
 */
const STEP_MEMBERS = 2_500;
/** Ranges are counted an hour of one zone's local times at a time, then minute by minute. */
const MINUTES_PER_RANGE = 60;
const COUNTS_PER_ROUND_TRIP = 1000;
/**
 * A scan first reads, uncounted, the ranges that hold at most this many members (a tick's
 * new minute of a zone in a bucket: about 2 at 1M subscriptions, 20 at 10M); a larger one
 * costs this many members read for nothing before it is counted. Not below the floor:
 * a window of many ranges (catch-up, replay) is counted from the start.
 */
const SMALL_RANGE_MEMBERS = 100;
const SMALL_RANGE_MIN_LIMIT = 10;
/** Zone windows whose ranges are kept: a tick's zones, a few times over. */
const ZONE_RANGES_KEPT = 5000;
/** Local times whose instants are kept: a tick's zones and minutes, many times over. */
const INSTANTS_KEPT = 20_000;

type ZoneRange = LocalRange & ScoreRange;

/**
 * Finds the occurrences whose instant lies in a window, claims each once, and hands the
 * claimed ones to delivery. The tick, catch-up, a subscription's write and
 * `POST /admin/ticks` all claim through here.
 */
@Injectable()
export class OccurrenceDispatcher {
  private readonly rangesByZone = new BoundedMemo<LocalRange[]>(ZONE_RANGES_KEPT);
  /** Every bucket of a tick holds the same zones' same minutes: their instants are kept. */
  private readonly instants = new BoundedMemo<Date>(INSTANTS_KEPT);
  private readonly weekdays = new BoundedMemo<Weekday>(INSTANTS_KEPT);

  constructor(
    private readonly subscriptions: SubscriptionStore,
    private readonly claims: ClaimStore,
    private readonly handOffs: HandOffStore,
    private readonly sink: DeliverySink,
    private readonly clock: Clock,
    private readonly metrics: ChimeMetrics,
  ) {}

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
    for await (const candidates of this.candidatesIn(from, to, buckets)) {
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
    for await (const candidates of this.candidatesIn(from, to, buckets)) {
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

  /** Claims the candidates (once each, across replicas) and hands the won ones to delivery. */
  async claimAndHandOff(
    candidates: readonly ClaimCandidate[],
    respectArmedAt: boolean,
  ): Promise<ScanCounts> {
    const retryAt = new Date(this.clock.now().getTime() + HAND_OFF_RETRY_MS);
    const counts: ScanCounts = { due: 0, enqueued: 0, duplicates: 0, skipped: 0 };
    await this.inBatches(candidates, async (batch) => {
      const { outcomes, receipts } = await this.claims.claimDue(batch, { retryAt, respectArmedAt });
      const won = this.count(counts, batch, outcomes);
      if (won.length === 0) return;
      await this.sink.handOff(won);
      await Promise.all(receipts.map((receipt) => this.handOffs.confirm(receipt)));
    });
    return counts;
  }

  /**
   * Every occurrence in [from, to) of the subscriptions in the ZSETs, a step at a time; the
   * next step is read while the caller claims the current one.
   */
  private async *candidatesIn(
    from: Date,
    to: Date,
    buckets?: readonly number[],
  ): AsyncGenerator<ClaimCandidate[]> {
    const zones = (await this.subscriptions.scheduleZones(buckets)).filter(
      ({ bucket }) => !buckets || buckets.includes(bucket),
    );
    const rangesOf = (timezone: string) => this.zoneRanges(timezone, from, to);
    // Bucket by bucket (scheduleZones' order), so that claim batches mostly hold one bucket.
    const hours = zones.flatMap(({ bucket, timezone }) =>
      rangesOf(timezone).map((range) => ({ bucket, timezone, ...range })),
    );
    const { found, unread } = await this.readSmallRanges(hours);
    let next: Promise<ClaimCandidate[]> | null = found.length > 0 ? Promise.resolve(found) : null;
    for await (const step of this.steps(unread)) {
      const reading = this.candidatesOf(step);
      // Awaited below; this only keeps a failure while the caller works from going unhandled.
      reading.catch(() => undefined);
      if (next) yield await next;
      next = reading;
    }
    if (next) yield await next;
  }

  /**
   * A zone's local ranges of a window, an hour at most each; a tick asks once per bucket for
   * the same window, so the answers are kept (a bounded number of them).
   */
  private zoneRanges(timezone: string, from: Date, to: Date): LocalRange[] {
    return this.rangesByZone.get(`${timezone}|${from.getTime()}|${to.getTime()}`, () =>
      localRanges(timezone, from, to).flatMap((range) => splitRange(range, MINUTES_PER_RANGE)),
    );
  }

  /** The ranges that hold members, packed into steps of about STEP_MEMBERS members. */
  private async *steps(ranges: readonly ZoneRange[]): AsyncGenerator<ZoneRange[]> {
    let step: ZoneRange[] = [];
    let size = 0;
    for await (const [range, count] of this.countedFinely(ranges)) {
      if (size > 0 && size + count > STEP_MEMBERS) {
        yield step;
        step = [];
        size = 0;
      }
      step.push(range);
      size += count;
    }
    if (step.length > 0) yield step;
  }

  /** Each non-empty range with its count; one holding more than a step, minute by minute. */
  private async *countedFinely(ranges: readonly ZoneRange[]): AsyncGenerator<[ZoneRange, number]> {
    for (let start = 0; start < ranges.length; start += COUNTS_PER_ROUND_TRIP) {
      const chunk = ranges.slice(start, start + COUNTS_PER_ROUND_TRIP);
      const counts = await this.subscriptions.countInRanges(chunk);
      for (const [index, range] of chunk.entries()) {
        if (counts[index] === 0) continue;
        if (counts[index] <= STEP_MEMBERS || range.fromScore === range.toScore) {
          yield [range, counts[index]];
          continue;
        }
        const minutes = splitRange(range, 1);
        const perMinute = await this.subscriptions.countInRanges(minutes);
        for (const [minute, minuteRange] of minutes.entries()) {
          if (perMinute[minute] > 0) yield [minuteRange, perMinute[minute]];
        }
      }
    }
  }

  /**
   * A tick's ranges, each a zone's new minute or few in one bucket, mostly hold a few
   * members: they are read at once, a round trip for them all, and only the ones that hold
   * more than a few (a burst) are counted and read in steps. Each range reads at most
   * `limit + 1` members a score, so what this holds stays within a few steps.
   */
  private async readSmallRanges(
    ranges: readonly ZoneRange[],
  ): Promise<{ found: ClaimCandidate[]; unread: ZoneRange[] }> {
    const limit = Math.min(SMALL_RANGE_MEMBERS, Math.floor(STEP_MEMBERS / ranges.length));
    if (ranges.length === 0 || limit < SMALL_RANGE_MIN_LIMIT) {
      return { found: [], unread: [...ranges] };
    }
    const members = await this.subscriptions.membersUpTo(ranges, limit);
    const found = this.candidatesAmong(
      ranges.filter((_, index) => members[index] !== null),
      members.filter((range) => range !== null),
    );
    return { found, unread: ranges.filter((_, index) => members[index] === null) };
  }

  private async candidatesOf(ranges: readonly ZoneRange[]): Promise<ClaimCandidate[]> {
    return this.candidatesAmong(ranges, await this.subscriptions.membersInRanges(ranges));
  }

  /** Each range's members as claim candidates, the instants of their local times kept. */
  private candidatesAmong(
    ranges: readonly ZoneRange[],
    members: readonly ScheduledMember[][],
  ): ClaimCandidate[] {
    const now = this.clock.now().getTime();
    return ranges.flatMap(({ bucket, timezone, localDate }, index) => {
      const weekday = this.weekdays.get(localDate, () => weekdayOf(localDate));
      // A range's members come score by score: the instant is looked up once per score.
      let score = -1;
      let instant = new Date(0);
      return members[index].map((member) => {
        if (member.score !== score) {
          score = member.score;
          instant = this.instants.get(`${localDate}|${score}|${timezone}`, () =>
            instantOf(localDate, fromScore(member.score), timezone),
          );
        }
        const late = now > instant.getTime();
        const occurrence = dueOccurrence(member, { localDate, instant }, late);
        return { occurrence, weekday, bucket };
      });
    });
  }

  private async inBatches(
    candidates: readonly ClaimCandidate[],
    work: (batch: ClaimCandidate[]) => Promise<void>,
  ): Promise<void> {
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
