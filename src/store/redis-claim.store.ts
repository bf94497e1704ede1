import { Inject, Injectable } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { Redis, Result } from 'ioredis';
import { schedulerConfig } from '../config/configuration.js';
import { RedisKeys } from './redis-keys.js';
import {
  ClaimCandidate,
  ClaimOptions,
  ClaimOutcome,
  ClaimResult,
  ClaimStore,
  HandOffReceipt,
  SchedulerState,
  UnconfirmedHandOff,
} from './claim.store.js';
import { handOffLine, parseHandOffLine } from './hand-off.codec.js';

declare module 'ioredis' {
  interface RedisCommander<Context> {
    chimeClaimDue(...args: (string | number)[]): Result<string, Context>;
    chimeTakeUnconfirmed(...args: (string | number)[]): Result<string[], Context>;
    chimeAdvance(...args: (string | number)[]): Result<number, Context>;
  }
}

/*
 * Checks each candidate's subscription and claims it, in one step per batch.
 * KEYS: the hand-off ZSET. ARGV: TTL, retry score, respect armedAt (1/0), dry run (1/0), the
 * prefixes of the subscription HASHes and of the sent keys, then groups of candidates that
 * share an instant: count, weekday, local date, instant (ISO, compared with the HASH's
 * armedAt), hand-off line suffix (`|<epoch ms>|<late>`), and that many occurrence ids.
 * The script derives each candidate's keys from its occurrence id (`<userId>|<tag>|<date>`)
 * and the prefixes, as the save script derives a zone's key: chime runs on one Redis, not a
 * cluster, and one argument per candidate instead of five halves what a 100k burst costs.
 * Returns one digit per candidate: 0 absent, 1 won, 2 duplicate, 3 skipped. The won lines
 * become one hand-off record, so a crash between claim and hand-off leaves it for a later tick.
 */
const CLAIM_DUE = `
local ttl, respectArmedAt, dryRun = ARGV[1], ARGV[3] == '1', ARGV[4] == '1'
local subPrefix, sentPrefix = ARGV[5], ARGV[6]
local outcomes, won = {}, {}
local group = 7
while group <= #ARGV do
  local count, weekday, localDate = tonumber(ARGV[group]), ARGV[group + 1], ARGV[group + 2]
  local instant, lineSuffix = ARGV[group + 3], ARGV[group + 4]
  local subscriptionEnd = -#localDate - 2
  for i = group + 5, group + 4 + count do
    local occurrenceId = ARGV[i]
    local subscription = subPrefix .. string.sub(occurrenceId, 1, subscriptionEnd)
    local fields = redis.call('HMGET', subscription, 'days', 'paused', 'armedAt')
    local outcome
    if not fields[1] or not string.find(fields[1], weekday, 1, true) then
      outcome = 0
    elseif fields[2] == '1' or (respectArmedAt and (fields[3] or '') > instant) then
      outcome = 3
    elseif dryRun then
      outcome = redis.call('EXISTS', sentPrefix .. occurrenceId) == 1 and 2 or 1
    elseif redis.call('SET', sentPrefix .. occurrenceId, '1', 'NX', 'EX', ttl) then
      won[#won + 1] = occurrenceId .. lineSuffix
      outcome = 1
    else
      outcome = 2
    end
    outcomes[#outcomes + 1] = outcome
  end
  group = group + 5 + count
end
if #won > 0 then redis.call('ZADD', KEYS[1], ARGV[2], table.concat(won, '\\n')) end
return table.concat(outcomes)`;

const TAKE_UNCONFIRMED = `
local due = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1], 'LIMIT', 0, ARGV[3])
for _, member in ipairs(due) do redis.call('ZADD', KEYS[1], ARGV[2], member) end
return due`;

/* Sets each numeric field only when the new value is larger: a clock that jumps back
 * never moves the watermark or the horizon back. */
const ADVANCE = `
for i = 1, #ARGV, 2 do
  local current = tonumber(redis.call('HGET', KEYS[1], ARGV[i]) or '0')
  if tonumber(ARGV[i + 1]) > current then redis.call('HSET', KEYS[1], ARGV[i], ARGV[i + 1]) end
end
return 1`;

const LEASE_SECONDS = 90;
const OUTCOMES: ClaimOutcome[] = ['absent', 'won', 'duplicate', 'skipped'];

@Injectable()
export class RedisClaimStore extends ClaimStore {
  constructor(
    private readonly redis: Redis,
    private readonly keys: RedisKeys,
    @Inject(schedulerConfig.KEY) private readonly config: ConfigType<typeof schedulerConfig>,
  ) {
    super();
    redis.defineCommand('chimeClaimDue', { numberOfKeys: 1, lua: CLAIM_DUE });
    redis.defineCommand('chimeTakeUnconfirmed', { numberOfKeys: 1, lua: TAKE_UNCONFIRMED });
    redis.defineCommand('chimeAdvance', { numberOfKeys: 1, lua: ADVANCE });
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
    ];
    for (const group of groupsByInstant(candidates)) {
      const { weekday, occurrence } = group[0];
      const { localDate, scheduledFor, late } = occurrence;
      const lineSuffix = `|${scheduledFor.getTime()}|${late ? 1 : 0}`;
      args.push(group.length, weekday, localDate, scheduledFor.toISOString(), lineSuffix);
      for (const candidate of group) args.push(candidate.occurrence.occurrenceId);
    }
    const codes = await this.redis.chimeClaimDue(this.keys.handOffs(), ...args);
    const outcomes = Array.from(codes, (code) => OUTCOMES[Number(code)]);
    const wonLines = candidates
      .filter((_, index) => outcomes[index] === 'won')
      .map(({ occurrence }) => handOffLine(occurrence));
    return { outcomes, receipt: dryRun || wonLines.length === 0 ? null : wonLines.join('\n') };
  }

  async confirmHandOff(receipt: HandOffReceipt): Promise<void> {
    await this.redis.zrem(this.keys.handOffs(), receipt);
  }

  async takeUnconfirmed(now: Date, retryAt: Date, limit: number): Promise<UnconfirmedHandOff[]> {
    const receipts = await this.redis.chimeTakeUnconfirmed(
      this.keys.handOffs(),
      now.getTime(),
      retryAt.getTime(),
      limit,
    );
    return receipts.map((receipt) => ({
      receipt,
      occurrences: receipt.split('\n').map(parseHandOffLine),
    }));
  }

  unconfirmedCount(): Promise<number> {
    return this.redis.zcard(this.keys.handOffs());
  }

  async areClaimed(occurrenceIds: readonly string[]): Promise<boolean[]> {
    if (occurrenceIds.length === 0) return [];
    const pipeline = this.redis.pipeline();
    for (const id of occurrenceIds) pipeline.exists(this.keys.sent(id));
    const replies = (await pipeline.exec()) ?? [];
    return replies.map(([error, exists]) => {
      if (error) throw error;
      return exists === 1;
    });
  }

  async state(): Promise<SchedulerState> {
    const state = await this.redis.hgetall(this.keys.schedulerState());
    const instant = (field: string) => (state[field] ? new Date(Number(state[field])) : null);
    return {
      watermark: instant('watermark'),
      horizon: instant('horizon'),
      lastTickAt: instant('lastTickAt'),
      skippedTotal: Number(state.skippedTotal ?? 0),
    };
  }

  async advanceHorizon(to: Date): Promise<void> {
    await this.redis.chimeAdvance(this.keys.schedulerState(), 'horizon', to.getTime());
  }

  async completeTick(watermark: Date, tickAt: Date, skipped: number): Promise<void> {
    const key = this.keys.schedulerState();
    await this.redis
      .multi()
      .chimeAdvance(key, 'watermark', watermark.getTime())
      .hset(key, 'lastTickAt', tickAt.getTime())
      .hincrby(key, 'skippedTotal', skipped)
      .exec();
  }

  async acquireTickLease(minute: Date, holder: string): Promise<boolean> {
    const key = this.keys.tickLease(minute.toISOString().slice(0, 16));
    return (await this.redis.set(key, holder, 'EX', LEASE_SECONDS, 'NX')) === 'OK';
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
