import { Inject, Injectable } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { Redis, Result } from 'ioredis';
import { schedulerConfig } from '../config/configuration.js';
import { RedisKeys } from '../redis/redis-keys.js';
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
import { handOffLine, parseHandOffLine } from './occurrence.js';

declare module 'ioredis' {
  interface RedisCommander<Context> {
    chimeClaimDue(...args: (string | number)[]): Result<number[], Context>;
    chimeTakeUnconfirmed(...args: (string | number)[]): Result<string[], Context>;
    chimeAdvance(...args: (string | number)[]): Result<number, Context>;
  }
}

/*
 * Checks each candidate's subscription and claims it, in one step per batch.
 * KEYS: the hand-off ZSET, then per candidate its subscription HASH and its sent key.
 * ARGV: TTL, retry score, respect armedAt (1/0), dry run (1/0), then per candidate its
 * weekday, instant (ISO, compared with the HASH's ISO armedAt) and hand-off line.
 * Returns per candidate 0 absent, 1 won, 2 duplicate, 3 skipped. The won lines become one
 * hand-off record, so a crash between claim and hand-off leaves it for a later tick.
 */
const CLAIM_DUE = `
local outcomes = {}
local won = {}
for i = 1, (#KEYS - 1) / 2 do
  local base = 4 + (i - 1) * 3
  local fields = redis.call('HMGET', KEYS[2 * i], 'days', 'paused', 'armedAt')
  if not fields[1] or not string.find(fields[1], ARGV[base + 1], 1, true) then
    outcomes[i] = 0
  elseif fields[2] == '1' or (ARGV[3] == '1' and (fields[3] or '') > ARGV[base + 2]) then
    outcomes[i] = 3
  elseif ARGV[4] == '1' then
    outcomes[i] = redis.call('EXISTS', KEYS[2 * i + 1]) == 1 and 2 or 1
  elseif redis.call('SET', KEYS[2 * i + 1], '1', 'NX', 'EX', ARGV[1]) then
    won[#won + 1] = ARGV[base + 3]
    outcomes[i] = 1
  else
    outcomes[i] = 2
  end
end
if #won > 0 then redis.call('ZADD', KEYS[1], ARGV[2], table.concat(won, '\\n')) end
return outcomes`;

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
    redis.defineCommand('chimeClaimDue', { lua: CLAIM_DUE });
    redis.defineCommand('chimeTakeUnconfirmed', { numberOfKeys: 1, lua: TAKE_UNCONFIRMED });
    redis.defineCommand('chimeAdvance', { numberOfKeys: 1, lua: ADVANCE });
  }

  async claimDue(
    candidates: readonly ClaimCandidate[],
    { retryAt, respectArmedAt, dryRun = false }: ClaimOptions,
  ): Promise<ClaimResult> {
    if (candidates.length === 0) return { outcomes: [], receipt: null };
    const keys = [this.keys.handOffs()];
    const args: (string | number)[] = [
      this.config.dedupeTtlSeconds,
      retryAt.getTime(),
      respectArmedAt ? '1' : '0',
      dryRun ? '1' : '0',
    ];
    const lines = candidates.map(({ occurrence }) => handOffLine(occurrence));
    const isoOf = memoiseIso();
    candidates.forEach(({ occurrence, weekday }, index) => {
      const { userId, tag, occurrenceId, scheduledFor } = occurrence;
      keys.push(this.keys.subscription(userId, tag), this.keys.sent(occurrenceId));
      args.push(weekday, isoOf(scheduledFor), lines[index]);
    });
    const codes = await this.redis.chimeClaimDue(keys.length, ...keys, ...args);
    const outcomes = codes.map((code) => OUTCOMES[code]);
    const wonLines = lines.filter((_, index) => outcomes[index] === 'won');
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

/** Occurrences in a batch mostly share a few instants: format each once. */
function memoiseIso(): (instant: Date) => string {
  const formatted = new Map<number, string>();
  return (instant) => {
    const ms = instant.getTime();
    return formatted.get(ms) ?? formatted.set(ms, instant.toISOString()).get(ms)!;
  };
}
