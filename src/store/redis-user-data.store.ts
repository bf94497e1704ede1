import { Inject, Injectable, Optional } from '@nestjs/common';
import { Cluster, type Redis } from 'ioredis';
import { REDIS_CLIENT, type RedisClient } from '../redis/redis-client.js';
import { deadLetterMember } from './dead-letter.store.js';
import { DeadLetter } from './delivery-record.js';
import { parseRecord } from './redis-delivery.store.js';
import { RedisKeys } from './redis-keys.js';
import { byBucket, repliesOf } from './redis-scripts.js';
import { StoreLayout } from './store-layout.js';
import { ErasedCounts, UserDataStore } from './user-data.store.js';

/** Jobs naming an erased user are gone within this long (the queue's longest retention). */
const ERASED_MARK_SECONDS = 25 * 3600;
const SCAN_COUNT = 1000;
const PAGE = 1000;

@Injectable()
export class RedisUserDataStore extends UserDataStore {
  constructor(
    @Inject(REDIS_CLIENT) private readonly redis: RedisClient,
    private readonly keys: RedisKeys,
    @Optional() private readonly layout?: StoreLayout,
  ) {
    super();
  }

  /**
   * The mark first, so that a job waking meanwhile records nothing; then the user's keys
   * (the claims, delivery states and histories are found by SCAN: erasing is rare, and no
   * index of them is kept to spare every claim a write), the log entries, the dead letters.
   */
  async erase(userId: string): Promise<ErasedCounts> {
    await this.layout?.ready();
    await this.redis.set(this.keys.erasedUser(userId), '1', 'EX', ERASED_MARK_SECONDS);
    const named = await this.scanKeys(this.keys.userOccurrenceKeys(userId));
    const direct = [this.keys.policy(userId), this.keys.heldOccurrences(userId)];
    let keys = 0;
    for (let start = 0; start < named.length; start += PAGE) {
      keys += await this.redis.del(...named.slice(start, start + PAGE));
    }
    for (const key of direct) keys += await this.redis.del(key);
    const [deliveryLogEntries, deadLetters] = await Promise.all([
      this.eraseLogEntries(userId),
      this.eraseDeadLetters(userId),
    ]);
    return { keys, deliveryLogEntries, deadLetters };
  }

  async wereErased(userIds: readonly string[]): Promise<boolean[]> {
    await this.layout?.ready();
    const erased = userIds.map(() => false);
    await Promise.all(
      byBucket(userIds, (userId) => this.keys.bucketOf(userId)).map(async (indexes) => {
        const reads = this.redis.pipeline();
        for (const index of indexes) reads.exists(this.keys.erasedUser(userIds[index]));
        const found = await repliesOf<number>(reads);
        indexes.forEach((index, at) => (erased[index] = found[at] === 1));
      }),
    );
    return erased;
  }

  /** The keys matching `pattern` on every node that holds data (each master of a cluster). */
  private async scanKeys(pattern: string): Promise<string[]> {
    const nodes: Redis[] =
      this.redis instanceof Cluster ? this.redis.nodes('master') : [this.redis];
    const found = new Set<string>();
    for (const node of nodes) {
      const stream = node.scanStream({ match: pattern, count: SCAN_COUNT });
      for await (const keys of stream as AsyncIterable<string[]>) {
        for (const key of keys) found.add(key);
      }
    }
    return [...found];
  }

  private async eraseLogEntries(userId: string): Promise<number> {
    const log = this.keys.deliveryLog();
    let erased = 0;
    for (let start = '-'; ;) {
      const page = await this.redis.xrange(log, start, '+', 'COUNT', PAGE);
      const ids = page
        .filter(([, fields]) => parseRecord(fields).userId === userId)
        .map(([id]) => id);
      if (ids.length > 0) erased += await this.redis.xdel(log, ...ids);
      if (page.length < PAGE) return erased;
      start = `(${page[page.length - 1][0]}`;
    }
  }

  private async eraseDeadLetters(userId: string): Promise<number> {
    const letters = this.keys.deadLetters();
    const stream = this.redis.hscanStream(letters, { count: PAGE });
    const doomed: DeadLetter[] = [];
    for await (const pairs of stream as AsyncIterable<string[]>) {
      for (let index = 1; index < pairs.length; index += 2) {
        const letter = JSON.parse(pairs[index]) as DeadLetter;
        if (letter.occurrence.userId === userId) doomed.push(letter);
      }
    }
    if (doomed.length === 0) return 0;
    const removal = this.redis.multi();
    removal.hdel(letters, ...doomed.map(({ id }) => id));
    removal.zrem(this.keys.deadLetterIndex(), ...doomed.map(deadLetterMember));
    await repliesOf(removal);
    return doomed.length;
  }
}
