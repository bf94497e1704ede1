import { Inject, Injectable, Optional } from '@nestjs/common';
import { REDIS_CLIENT, type RedisClient } from '../redis/redis-client.js';
import { HeldOccurrence, HeldStore } from './held.store.js';
import { RedisKeys } from './redis-keys.js';
import { byBucket, repliesOf } from './redis-scripts.js';
import { StoreLayout } from './store-layout.js';

type Stored = Omit<HeldOccurrence, 'occurrenceId'>;

@Injectable()
export class RedisHeldStore extends HeldStore {
  constructor(
    @Inject(REDIS_CLIENT) private readonly redis: RedisClient,
    private readonly keys: RedisKeys,
    @Optional() private readonly layout?: StoreLayout,
  ) {
    super();
  }

  async add(held: readonly HeldOccurrence[]): Promise<void> {
    await this.layout?.ready();
    await this.perBucket(held, (writes, { occurrenceId, heldBy, releaseAt, item }) => {
      const stored: Stored = { heldBy, releaseAt, item };
      writes.hset(this.keyOf(occurrenceId), occurrenceId, JSON.stringify(stored));
    });
  }

  async release(occurrenceIds: readonly string[]): Promise<void> {
    await this.layout?.ready();
    await this.perBucket(occurrenceIds, (writes, occurrenceId) => {
      writes.hdel(this.keyOf(occurrenceId), occurrenceId);
    });
  }

  async list(userId: string): Promise<HeldOccurrence[]> {
    await this.layout?.ready();
    const entries = await this.redis.hgetall(this.keys.heldOccurrences(userId));
    return Object.entries(entries).map(([occurrenceId, value]) => ({
      occurrenceId,
      ...(JSON.parse(value) as Stored),
    }));
  }

  private keyOf(occurrenceId: string): string {
    return this.keys.heldOccurrences(occurrenceId.slice(0, occurrenceId.indexOf('|')));
  }

  /** A pipeline per bucket (one slot each on a cluster). */
  private async perBucket<T extends string | HeldOccurrence>(
    items: readonly T[],
    write: (pipeline: ReturnType<RedisClient['pipeline']>, item: T) => void,
  ): Promise<void> {
    const idOf = (item: T) => (typeof item === 'string' ? item : item.occurrenceId);
    const groups = byBucket(items, (item) => this.keys.bucketOfOccurrence(idOf(item)));
    await Promise.all(
      groups.map((indexes) => {
        const pipeline = this.redis.pipeline();
        for (const index of indexes) write(pipeline, items[index]);
        return repliesOf(pipeline);
      }),
    );
  }
}
