import { Inject, Injectable } from '@nestjs/common';
import { REDIS_CLIENT, type RedisClient } from '../redis/redis-client.js';
import { RedisKeys } from './redis-keys.js';
import { scripted } from './redis-scripts.js';
import { SchedulerState, SchedulerStateStore, TickStart } from './scheduler-state.store.js';

const LEASE_SECONDS = 90;

/**
 * A HASH per bucket of instants as epoch ms, moved forward only (lua/advance-fields.lua),
 * and one for the whole scheduler's last tick and skipped count. A bucket without its own
 * progress yet starts from the whole scheduler's (what the first version kept there).
 */
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

  buckets(): number[] {
    return this.keys.allBuckets();
  }

  bucketOf(userId: string): number {
    return this.keys.bucketOf(userId);
  }

  async state(bucket?: number): Promise<SchedulerState> {
    const buckets = bucket === undefined ? this.buckets() : [bucket];
    const [whole, ...progress] = await Promise.all([
      this.redis.hgetall(this.keys.schedulerState()),
      ...buckets.map((b) => this.redis.hgetall(this.keys.bucketSchedulerState(b))),
    ]);
    const earliest = (field: 'watermark' | 'horizon') => {
      const instants = progress.map((fields) => fields[field] ?? whole[field]);
      if (instants.some((instant) => instant === undefined)) return null;
      return new Date(Math.min(...instants.map(Number)));
    };
    return {
      watermark: earliest('watermark'),
      horizon: earliest('horizon'),
      lastTickAt: whole.lastTickAt ? new Date(Number(whole.lastTickAt)) : null,
      skippedTotal: Number(whole.skippedTotal ?? 0),
    };
  }

  /** One HGET; the whole scheduler's (the first version's) only for a bucket without one. */
  override async horizon(bucket: number): Promise<Date | null> {
    const own = await this.redis.hget(this.keys.bucketSchedulerState(bucket), 'horizon');
    const horizon = own ?? (await this.redis.hget(this.keys.schedulerState(), 'horizon'));
    return horizon === null ? null : new Date(Number(horizon));
  }

  async advanceHorizon(bucket: number, to: Date): Promise<void> {
    await this.redis.chimeAdvanceFields(
      this.keys.bucketSchedulerState(bucket),
      'horizon',
      to.getTime(),
    );
  }

  /** lua/begin-tick.lua: the lease, the watermark and the horizon in one round trip. */
  async beginTick(bucket: number, minute: Date, holder: string, to: Date): Promise<TickStart> {
    const watermark = await this.redis.chimeBeginTick(
      this.leaseKey(bucket, minute),
      this.keys.bucketSchedulerState(bucket),
      holder,
      LEASE_SECONDS,
      to.getTime(),
    );
    if (watermark === null) return null;
    if (watermark === '') return { ownProgress: false };
    return { ownProgress: true, watermark: new Date(Number(watermark)) };
  }

  /** The skipped count first: a bucket whose watermark moved has had its skips counted. */
  async completeTick(bucket: number, watermark: Date, skipped: number): Promise<void> {
    if (skipped > 0) await this.redis.hincrby(this.keys.schedulerState(), 'skippedTotal', skipped);
    const progress = this.keys.bucketSchedulerState(bucket);
    await this.redis.chimeAdvanceFields(progress, 'watermark', watermark.getTime());
  }

  async recordTick(tickAt: Date): Promise<void> {
    await this.redis.hset(this.keys.schedulerState(), 'lastTickAt', tickAt.getTime());
  }

  async serverTime(): Promise<Date> {
    const [seconds, microseconds] = await this.redis.time();
    return new Date(Number(seconds) * 1000 + Math.floor(Number(microseconds) / 1000));
  }

  async acquireTickLease(bucket: number, minute: Date, holder: string): Promise<boolean> {
    const key = this.leaseKey(bucket, minute);
    return (await this.redis.set(key, holder, 'EX', LEASE_SECONDS, 'NX')) === 'OK';
  }

  private leaseKey(bucket: number, minute: Date): string {
    return this.keys.bucketTickLease(bucket, minute.toISOString().slice(0, 16));
  }
}
