import { Inject, Injectable, Optional } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { REDIS_CLIENT, type RedisClient } from '../redis/redis-client.js';
import { schedulerConfig } from '../config/configuration.js';
import {
  ClaimCandidate,
  ClaimOptions,
  ClaimOutcome,
  ClaimResult,
  ClaimStore,
} from './claim.store.js';
import { handOffLine, handOffLineSuffix } from './hand-off.codec.js';
import { RedisKeys } from './redis-keys.js';
import { StoreLayout } from './store-layout.js';
import { byBucket, mapByBucket, repliesOf, scripted } from './redis-scripts.js';
import { encodeInstant, PAUSED_FLAG, weekdayMask } from './subscription.codec.js';
import { HandOffReceipt } from './hand-off.store.js';

const OUTCOMES: ClaimOutcome[] = ['absent', 'won', 'duplicate', 'skipped'];

/** Claims with lua/claim-due.lua, a call per bucket, which also writes the winners' hand-off record. */
@Injectable()
export class RedisClaimStore extends ClaimStore {
  private readonly redis: RedisClient;

  constructor(
    @Inject(REDIS_CLIENT) redis: RedisClient,
    private readonly keys: RedisKeys,
    @Inject(schedulerConfig.KEY) private readonly config: ConfigType<typeof schedulerConfig>,
    @Optional() private readonly layout?: StoreLayout,
  ) {
    super();
    this.redis = scripted(redis);
  }

  async claimDue(
    candidates: readonly ClaimCandidate[],
    options: ClaimOptions,
  ): Promise<ClaimResult> {
    await this.layout?.ready();
    const outcomes: ClaimOutcome[] = [];
    const receipts: HandOffReceipt[] = [];
    const groups = byBucket(candidates, (candidate) => this.groupOf(candidate, options));
    await Promise.all(
      groups.map(async (indexes) => {
        const batch = indexes.map((index) => candidates[index]);
        const bucket = this.bucketOf(batch[0]);
        const result =
          this.groupOf(batch[0], options) < 0
            ? await this.claimVouched(bucket, batch, options)
            : await this.claimInBucket(bucket, batch, options);
        indexes.forEach((index, at) => (outcomes[index] = result.outcomes[at]));
        receipts.push(...result.receipts);
      }),
    );
    return { outcomes, receipts };
  }

  private bucketOf({ bucket, occurrence }: ClaimCandidate): number {
    return bucket ?? this.keys.bucketOf(occurrence.userId);
  }

  /** A bucket's candidates go in one call, its vouched ones (not in a dry run) in another. */
  private groupOf(candidate: ClaimCandidate, { dryRun = false }: ClaimOptions): number {
    const bucket = this.bucketOf(candidate);
    return candidate.vouched && !dryRun ? -1 - bucket : bucket;
  }

  /**
   * lua/claim-scanned.lua: the claims alone, each candidate's sent key its only key. One
   * claimed for another instant before is claimed again through claimInBucket, which reads
   * what tells a moved time from a begun send.
   */
  private async claimVouched(
    bucket: number,
    candidates: readonly ClaimCandidate[],
    options: ClaimOptions,
  ): Promise<{ outcomes: ClaimOutcome[]; receipts: HandOffReceipt[] }> {
    const keys = [this.keys.handOffs(bucket)];
    const args: (string | number)[] = [
      this.config.dedupeTtlSeconds,
      options.retryAt.getTime(),
      this.keys.sentPrefix(bucket).length,
    ];
    for (const group of groupsByInstant(candidates)) {
      const { occurrence } = group[0];
      args.push(group.length, occurrence.scheduledFor.getTime(), handOffLineSuffix(occurrence));
      for (const { occurrence } of group)
        keys.push(this.keys.sent(occurrence.occurrenceId, bucket));
    }
    const codes = await this.redis.chimeClaimScanned(keys.length, ...keys, ...args);
    const outcomes: ClaimOutcome[] = [];
    const moved: number[] = [];
    for (let index = 0; index < codes.length; index++) {
      if (codes[index] === '4') moved.push(index);
      outcomes.push(codes[index] === '1' ? 'won' : 'duplicate');
    }
    const receipts = [receiptOf(bucket, candidates, outcomes)].filter(
      (receipt) => receipt !== null,
    );
    if (moved.length === 0) return { outcomes, receipts };
    const again = await this.claimInBucket(
      bucket,
      moved.map((index) => candidates[index]),
      options,
    );
    moved.forEach((index, at) => (outcomes[index] = again.outcomes[at]));
    return { outcomes, receipts: [...receipts, ...again.receipts] };
  }

  /**
   * One script call: every candidate is of one bucket, and so is every key it touches. The
   * script reads each occurrence id from its `sent` key, past the bucket's prefix.
   */
  private async claimInBucket(
    bucket: number,
    candidates: readonly ClaimCandidate[],
    { retryAt, respectArmedAt, dryRun = false }: ClaimOptions,
  ): Promise<{ outcomes: ClaimOutcome[]; receipts: HandOffReceipt[] }> {
    const userKeys = [...new Set(candidates.map(({ occurrence }) => occurrence.userId))];
    const userIndex = new Map(userKeys.map((userId, index) => [userId, index + 1]));
    const keys = [
      this.keys.handOffs(bucket),
      ...userKeys.map((u) => this.keys.userSubscriptions(u, bucket)),
    ];
    const args: (string | number)[] = [
      this.config.dedupeTtlSeconds,
      retryAt.getTime(),
      respectArmedAt ? '1' : '0',
      dryRun ? '1' : '0',
      PAUSED_FLAG,
      userKeys.length,
      this.keys.sentPrefix(bucket).length,
    ];
    for (const group of groupsByInstant(candidates)) {
      const { weekday, occurrence } = group[0];
      const { scheduledFor } = occurrence;
      args.push(group.length, weekdayMask([weekday]), encodeInstant(scheduledFor));
      args.push(scheduledFor.getTime(), handOffLineSuffix(occurrence));
      for (const {
        occurrence: { userId, tag, occurrenceId },
      } of group) {
        args.push(userIndex.get(userId)!, tag);
        keys.push(
          this.keys.sent(occurrenceId, bucket),
          this.keys.deliveryState(occurrenceId, bucket),
        );
      }
    }
    const codes = await this.redis.chimeClaimDue(keys.length, ...keys, ...args);
    const outcomes = Array.from(codes, (code) => OUTCOMES[Number(code)]);
    const receipt = dryRun ? null : receiptOf(bucket, candidates, outcomes);
    return { outcomes, receipts: receipt ? [receipt] : [] };
  }

  async areClaimed(occurrenceIds: readonly string[]): Promise<boolean[]> {
    await this.layout?.ready();
    // One id (a subscription's nextRunAt) needs no pipeline of its own.
    if (occurrenceIds.length === 1) {
      return [(await this.redis.exists(this.keys.sent(occurrenceIds[0]))) === 1];
    }
    return mapByBucket(
      occurrenceIds,
      (id) => this.keys.bucketOfOccurrence(id),
      async (group) => {
        const pipeline = this.redis.pipeline();
        for (const id of group) pipeline.exists(this.keys.sent(id));
        return (await repliesOf<number>(pipeline)).map((count) => count === 1);
      },
    );
  }
}

/** The hand-off record a claim script wrote for the won ones, as the script wrote it. */
function receiptOf(
  bucket: number,
  candidates: readonly ClaimCandidate[],
  outcomes: readonly ClaimOutcome[],
): HandOffReceipt | null {
  const wonLines = candidates
    .filter((_, index) => outcomes[index] === 'won')
    .map(({ occurrence }) => handOffLine(occurrence));
  return wonLines.length === 0 ? null : { bucket, record: wonLines.join('\n') };
}

/** Runs of candidates with the same instant, local date and weekday (a scan yields them so). */
function groupsByInstant(candidates: readonly ClaimCandidate[]): ClaimCandidate[][] {
  const groups: ClaimCandidate[][] = [];
  let current: ClaimCandidate[] = [];
  for (const candidate of candidates) {
    const first = current[0];
    if (first && !sameGroup(first, candidate)) {
      groups.push(current);
      current = [];
    }
    current.push(candidate);
  }
  if (current.length > 0) groups.push(current);
  return groups;
}

function sameGroup(a: ClaimCandidate, b: ClaimCandidate): boolean {
  return (
    a.weekday === b.weekday &&
    a.occurrence.localDate === b.occurrence.localDate &&
    a.occurrence.late === b.occurrence.late &&
    a.occurrence.scheduledFor.getTime() === b.occurrence.scheduledFor.getTime()
  );
}
