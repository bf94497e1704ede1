import { Inject, Injectable } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { Redis, Result } from 'ioredis';
import { schedulerConfig } from '../config/configuration.js';
import { RedisKeys } from '../redis/redis-keys.js';
import { ClaimStore, SchedulerState } from './claim.store.js';
import { DueOccurrence, parseOccurrence, serialiseOccurrence } from './occurrence.js';

declare module 'ioredis' {
  interface RedisCommander<Context> {
    chimeClaim(...args: (string | number)[]): Result<number[], Context>;
    chimeTakeUnconfirmed(...args: (string | number)[]): Result<string[], Context>;
    chimeAdvance(...args: (string | number)[]): Result<number, Context>;
  }
}

/* A claim and its hand-off record are written together, so a crash between claiming and
 * handing off leaves a record that a later tick hands off again: nothing is lost. */
const CLAIM = `
local won = {}
for i = 2, #KEYS do
  if redis.call('SET', KEYS[i], '1', 'NX', 'EX', ARGV[1]) then
    redis.call('ZADD', KEYS[1], ARGV[2], ARGV[i + 1])
    won[#won + 1] = 1
  else
    won[#won + 1] = 0
  end
end
return won`;

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

@Injectable()
export class RedisClaimStore extends ClaimStore {
  constructor(
    private readonly redis: Redis,
    private readonly keys: RedisKeys,
    @Inject(schedulerConfig.KEY) private readonly config: ConfigType<typeof schedulerConfig>,
  ) {
    super();
    redis.defineCommand('chimeClaim', { lua: CLAIM });
    redis.defineCommand('chimeTakeUnconfirmed', { numberOfKeys: 1, lua: TAKE_UNCONFIRMED });
    redis.defineCommand('chimeAdvance', { numberOfKeys: 1, lua: ADVANCE });
  }

  async claim(occurrences: readonly DueOccurrence[], retryAt: Date): Promise<boolean[]> {
    if (occurrences.length === 0) return [];
    const sentKeys = occurrences.map(({ occurrenceId }) => this.keys.sent(occurrenceId));
    const won = await this.redis.chimeClaim(
      sentKeys.length + 1,
      this.keys.handOffs(),
      ...sentKeys,
      this.config.dedupeTtlSeconds,
      retryAt.getTime(),
      ...occurrences.map(serialiseOccurrence),
    );
    return won.map((flag) => flag === 1);
  }

  async confirmHandOff(occurrences: readonly DueOccurrence[]): Promise<void> {
    if (occurrences.length === 0) return;
    await this.redis.zrem(this.keys.handOffs(), ...occurrences.map(serialiseOccurrence));
  }

  async takeUnconfirmed(now: Date, retryAt: Date, limit: number): Promise<DueOccurrence[]> {
    const members = await this.redis.chimeTakeUnconfirmed(
      this.keys.handOffs(),
      now.getTime(),
      retryAt.getTime(),
      limit,
    );
    return members.map(parseOccurrence);
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
