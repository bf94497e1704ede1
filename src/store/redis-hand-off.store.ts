import { Inject, Injectable, Optional } from '@nestjs/common';
import { REDIS_CLIENT, type RedisClient } from '../redis/redis-client.js';
import { parseHandOffLine } from './hand-off.codec.js';
import { HandOffReceipt, HandOffStore, UnconfirmedHandOff } from './hand-off.store.js';
import { RedisKeys } from './redis-keys.js';
import { StoreLayout } from './store-layout.js';
import { scripted } from './redis-scripts.js';

/** A ZSET of hand-off records scored by when to retry them; the claim script adds to it. */
@Injectable()
export class RedisHandOffStore extends HandOffStore {
  private readonly redis: RedisClient;

  constructor(
    @Inject(REDIS_CLIENT) redis: RedisClient,
    private readonly keys: RedisKeys,
    @Optional() private readonly layout?: StoreLayout,
  ) {
    super();
    this.redis = scripted(redis);
  }

  async confirm({ bucket, record }: HandOffReceipt): Promise<void> {
    await this.redis.zrem(this.keys.handOffs(bucket), record);
  }

  /** One ZREM per bucket for all of that bucket's records. */
  override async confirmAll(receipts: readonly HandOffReceipt[]): Promise<void> {
    const byBucket = new Map<number, string[]>();
    for (const { bucket, record } of receipts) {
      const records = byBucket.get(bucket) ?? byBucket.set(bucket, []).get(bucket)!;
      records.push(record);
    }
    await Promise.all(
      [...byBucket].map(([bucket, records]) =>
        this.redis.zrem(this.keys.handOffs(bucket), ...records),
      ),
    );
  }

  /** Up to `limit` records from each bucket. */
  async takeUnconfirmed(now: Date, retryAt: Date, limit: number): Promise<UnconfirmedHandOff[]> {
    await this.layout?.ready();
    const perBucket = await Promise.all(
      this.keys.allBuckets().map(async (bucket) => {
        const records = await this.redis.chimeTakeUnconfirmed(
          this.keys.handOffs(bucket),
          now.getTime(),
          retryAt.getTime(),
          limit,
        );
        return records.map((record) => ({
          receipt: { bucket, record },
          occurrences: record.split('\n').map(parseHandOffLine),
        }));
      }),
    );
    return perBucket.flat();
  }

  async unconfirmedCount(): Promise<number> {
    const counts = await Promise.all(
      this.keys.allBuckets().map((bucket) => this.redis.zcard(this.keys.handOffs(bucket))),
    );
    return counts.reduce((sum, count) => sum + count, 0);
  }
}
