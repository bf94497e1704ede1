import { Inject, Injectable } from '@nestjs/common';
import { REDIS_CLIENT, type RedisClient } from '../redis/redis-client.js';
import { RedisKeys } from './redis-keys.js';
import { repliesOf, scripted } from './redis-scripts.js';
import { SchedulerState, SchedulerStateStore } from './scheduler-state.store.js';

const LEASE_SECONDS = 90;

/** One HASH of instants as epoch ms, moved forward only (lua/advance-fields.lua). */
@Injectable()
export class RedisSchedulerStateStore extends SchedulerStateStore {
  private readonly redis: RedisClient;

  constructor(
    @Inject(REDIS_CLIENT) redis: RedisClient,
    private readonly keys: RedisKeys,
  ) {
    super();
    this.redis = scripted(redis);
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
    await this.redis.chimeAdvanceFields(this.keys.schedulerState(), 'horizon', to.getTime());
  }

  async completeTick(watermark: Date, tickAt: Date, skipped: number): Promise<void> {
    const key = this.keys.schedulerState();
    await repliesOf(
      this.redis
        .multi()
        .chimeAdvanceFields(key, 'watermark', watermark.getTime())
        .hset(key, 'lastTickAt', tickAt.getTime())
        .hincrby(key, 'skippedTotal', skipped),
    );
  }

  async serverTime(): Promise<Date> {
    const [seconds, microseconds] = await this.redis.time();
    return new Date(Number(seconds) * 1000 + Math.floor(Number(microseconds) / 1000));
  }

  async acquireTickLease(minute: Date, holder: string): Promise<boolean> {
    const key = this.keys.tickLease(minute.toISOString().slice(0, 16));
    return (await this.redis.set(key, holder, 'EX', LEASE_SECONDS, 'NX')) === 'OK';
  }
}
