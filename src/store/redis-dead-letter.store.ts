import { Inject, Injectable, OnModuleInit, Optional } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { REDIS_CLIENT, type RedisClient } from '../redis/redis-client.js';
import { Clock } from '../common/clock.js';
import {
  DEAD_LETTER_RETENTION_DAYS,
  DeadLetterPage,
  DeadLetterStore,
  deadLetterMember,
  decodeDeadLetterCursor,
  encodeDeadLetterCursor,
  indexTime,
} from './dead-letter.store.js';
import { DeadLetter } from './delivery-record.js';
import { RedisKeys } from './redis-keys.js';
import { StoreLayout } from './store-layout.js';
import { repliesOf, scripted } from './redis-scripts.js';

const DAY_MS = 86_400_000;
/** Each write drops at most this many aged letters: no call holds Redis for long. */
const TRIM_BATCH = 100;

/** A HASH of letters as JSON, and an index ZSET that orders them by time for paging. */
@Injectable()
export class RedisDeadLetterStore extends DeadLetterStore implements OnModuleInit {
  private readonly redis: RedisClient;

  constructor(
    @Inject(REDIS_CLIENT) redis: RedisClient,
    private readonly keys: RedisKeys,
    private readonly clock: Clock,
    @Optional() private readonly layout?: StoreLayout,
  ) {
    super();
    this.redis = scripted(redis);
  }

  /** Letters written before the index existed get their index entries once. */
  async onModuleInit(): Promise<void> {
    if (this.redis.status !== 'ready') return;
    const [letters, indexed] = await repliesOf<number>(
      this.redis.multi().hlen(this.keys.deadLetters()).zcard(this.keys.deadLetterIndex()),
    );
    if (letters === indexed) return;
    const stream = this.redis.hscanStream(this.keys.deadLetters(), { count: 500 });
    for await (const pairs of stream as AsyncIterable<string[]>) {
      const members = [];
      for (let index = 1; index < pairs.length; index += 2) {
        members.push(0, deadLetterMember(JSON.parse(pairs[index]) as DeadLetter));
      }
      if (members.length > 0) await this.redis.zadd(this.keys.deadLetterIndex(), ...members);
    }
  }

  async add(letter: DeadLetter): Promise<void> {
    await this.layout?.ready();
    await repliesOf(
      this.trimmed(
        this.redis
          .multi()
          .hset(this.keys.deadLetters(), letter.id, JSON.stringify(letter))
          .zadd(this.keys.deadLetterIndex(), 0, deadLetterMember(letter)),
      ),
    );
  }

  async page(limit: number, cursor: string | null): Promise<DeadLetterPage> {
    await this.layout?.ready();
    const after = cursor === null ? null : decodeDeadLetterCursor(cursor);
    const members = await this.redis.zrevrangebylex(
      this.keys.deadLetterIndex(),
      after === null ? '+' : `(${after}`,
      '-',
      'LIMIT',
      0,
      limit + 1,
    );
    const shown = members.slice(0, limit);
    const ids = shown.map((member) => member.slice(14));
    const letters = ids.length === 0 ? [] : await this.redis.hmget(this.keys.deadLetters(), ...ids);
    return {
      items: letters.filter((json) => json !== null).map((json) => JSON.parse(json) as DeadLetter),
      nextCursor: members.length > limit ? encodeDeadLetterCursor(shown[shown.length - 1]) : null,
    };
  }

  async find(id: string): Promise<DeadLetter | null> {
    await this.layout?.ready();
    const json = await this.redis.hget(this.keys.deadLetters(), id);
    return json ? (JSON.parse(json) as DeadLetter) : null;
  }

  async remove(letter: DeadLetter): Promise<boolean> {
    await this.layout?.ready();
    const [removed] = await repliesOf<number>(
      this.redis
        .multi()
        .hdel(this.keys.deadLetters(), letter.id)
        .zrem(this.keys.deadLetterIndex(), deadLetterMember(letter)),
    );
    return removed === 1;
  }

  /** Not held back by a layout move: health reads it. */
  async count(): Promise<number> {
    return this.redis.hlen(this.keys.deadLetters());
  }

  async countSince(instant: Date): Promise<number> {
    return this.redis.zlexcount(this.keys.deadLetterIndex(), `[${indexTime(instant)}`, '+');
  }

  private trimmed<T extends ReturnType<Redis['multi']>>(transaction: T): T {
    const oldest = new Date(this.clock.now().getTime() - DEAD_LETTER_RETENTION_DAYS * DAY_MS);
    transaction.chimeTrimDeadLetters(
      this.keys.deadLetters(),
      this.keys.deadLetterIndex(),
      indexTime(oldest),
      TRIM_BATCH,
    );
    return transaction;
  }
}
