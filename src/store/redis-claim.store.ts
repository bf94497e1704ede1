import { Inject, Injectable } from '@nestjs/common';
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
import { repliesOf, scripted } from './redis-scripts.js';
import { PAUSED_FLAG } from './subscription.codec.js';

const OUTCOMES: ClaimOutcome[] = ['absent', 'won', 'duplicate', 'skipped'];

/** Claims with lua/claim-due.lua, which also writes the winners' hand-off record. */
@Injectable()
export class RedisClaimStore extends ClaimStore {
  private readonly redis: RedisClient;

  constructor(
    @Inject(REDIS_CLIENT) redis: RedisClient,
    private readonly keys: RedisKeys,
    @Inject(schedulerConfig.KEY) private readonly config: ConfigType<typeof schedulerConfig>,
  ) {
    super();
    this.redis = scripted(redis);
  }

  async claimDue(
    candidates: readonly ClaimCandidate[],
    { retryAt, respectArmedAt, dryRun = false }: ClaimOptions,
  ): Promise<ClaimResult> {
    if (candidates.length === 0) return { outcomes: [], receipt: null };
    const args: (string | number)[] = [
      this.config.dedupeTtlSeconds,
      retryAt.getTime(),
      respectArmedAt ? '1' : '0',
      dryRun ? '1' : '0',
      this.keys.subscriptionPrefix(),
      this.keys.sentPrefix(),
      this.keys.deliveryStatePrefix(),
      PAUSED_FLAG,
    ];
    for (const group of groupsByInstant(candidates)) {
      const { weekday, occurrence } = group[0];
      const { localDate, scheduledFor } = occurrence;
      args.push(group.length, weekday, localDate, scheduledFor.toISOString());
      args.push(handOffLineSuffix(occurrence));
      for (const candidate of group) args.push(candidate.occurrence.occurrenceId);
    }
    const codes = await this.redis.chimeClaimDue(this.keys.handOffs(), ...args);
    const outcomes = Array.from(codes, (code) => OUTCOMES[Number(code)]);
    const wonLines = candidates
      .filter((_, index) => outcomes[index] === 'won')
      .map(({ occurrence }) => handOffLine(occurrence));
    return { outcomes, receipt: dryRun || wonLines.length === 0 ? null : wonLines.join('\n') };
  }

  async areClaimed(occurrenceIds: readonly string[]): Promise<boolean[]> {
    if (occurrenceIds.length === 0) return [];
    const pipeline = this.redis.pipeline();
    for (const id of occurrenceIds) pipeline.exists(this.keys.sent(id));
    return (await repliesOf<number>(pipeline)).map((exists) => exists === 1);
  }
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
