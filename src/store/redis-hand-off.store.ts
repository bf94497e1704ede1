import { Inject, Injectable } from '@nestjs/common';
import { REDIS_CLIENT, type RedisClient } from '../redis/redis-client.js';
import { parseHandOffLine } from './hand-off.codec.js';
import { HandOffReceipt, HandOffStore, UnconfirmedHandOff } from './hand-off.store.js';
import { RedisKeys } from './redis-keys.js';
import { scripted } from './redis-scripts.js';

/** A ZSET of hand-off records scored by when to retry them; the claim script adds to it. */
@Injectable()
export class RedisHandOffStore extends HandOffStore {
  private readonly redis: RedisClient;

  constructor(
    @Inject(REDIS_CLIENT) redis: RedisClient,
    private readonly keys: RedisKeys,
  ) {
    super();
    this.redis = scripted(redis);
  }

  async confirm(receipt: HandOffReceipt): Promise<void> {
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
}
