import { Logger } from '@nestjs/common';
import { Redis } from 'ioredis';
import type { RedisClient } from '../redis/redis-client.js';
import { DEFAULT_OCCURRENCE_RULES } from '../domain/decision.js';
import { Weekday } from '../domain/local-time.js';
import { Subscription } from '../domain/subscription.js';
import { parseHandOffLine } from './hand-off.codec.js';
import { RedisKeys } from './redis-keys.js';
import { repliesOf } from './redis-scripts.js';
import { readSubscription, writeSubscription } from './subscription-writes.js';
import { canonicalTimezone } from '../domain/timezone.js';

const SCAN_COUNT = 500;

/** The first layout's key names (SPEC 3's last paragraph): no buckets, no `<p>:meta`. */
class FirstLayoutKeys {
  constructor(private readonly prefix: string) {}
  subscriptions = () => `${this.prefix}:sub:*`;
  zone = (timezone: string) => `${this.prefix}:subs:${timezone}`;
  zones = () => `${this.prefix}:subs:*`;
  userTags = (userId: string) => `${this.prefix}:user:${userId}`;
  users = () => `${this.prefix}:user:*`;
  timezones = () => `${this.prefix}:timezones`;
  claims = () => `${this.prefix}:sent:*`;
  deliveryStates = () => `${this.prefix}:delivery:*`;
  handOffs = () => `${this.prefix}:handoff`;
  channelCounts = () => `${this.prefix}:stats:channels`;
  deadLetters = () => `${this.prefix}:dead-letters`;
  deadLetterIndex = () => `${this.prefix}:dead-letters:index`;
}

export interface MigrationCounts {
  subscriptions: number;
  claims: number;
  deliveryStates: number;
  handOffs: number;
  deadLetters: number;
}

/**
 * Moves data of the first layout to the bucketed one (SPEC 3). Every step is idempotent, so
 * a move cut short (a crash, a lost lock) is finished by the next run: a subscription is
 * written in its new place before its old keys go, and one already there (written since)
 * is newer and wins; claims and delivery states keep their remaining TTL.
 */
export class FirstLayoutMigration {
  private readonly logger = new Logger('LayoutMigration');
  private readonly old: FirstLayoutKeys;

  constructor(
    private readonly client: RedisClient,
    private readonly keys: RedisKeys,
  ) {
    this.old = new FirstLayoutKeys(keys.prefix);
  }

  /** The first version ran on one node only: on a cluster there is nothing to move. */
  private get redis(): Redis {
    if (!(this.client instanceof Redis)) throw new Error('the first layout is on one node only');
    return this.client;
  }

  /**
   * Whether the first layout holds data, without scanning the keyspace: its subscriptions
   * always come with `{p}:timezones`, and its channel counts, hand-offs and dead letters are
   * single keys. Claims of subscriptions since deleted, left alone, expire by themselves.
   */
  async present(): Promise<boolean> {
    if (!(this.client instanceof Redis)) return false;
    const singles = [
      this.old.timezones(),
      this.old.channelCounts(),
      this.old.handOffs(),
      this.old.deadLetters(),
    ];
    return (await this.redis.exists(...singles)) > 0;
  }

  async run(): Promise<MigrationCounts> {
    const counts: MigrationCounts = {
      subscriptions: await this.moveSubscriptions(),
      claims: await this.moveExpiring(this.old.claims(), (id) => this.keys.sent(id)),
      deliveryStates: await this.moveExpiring(this.old.deliveryStates(), (id) =>
        this.keys.deliveryState(id),
      ),
      handOffs: await this.moveHandOffs(),
      deadLetters: await this.moveDeadLetters(),
    };
    await this.dropLeftovers();
    this.logger.log(`moved the first layout's data to layout 2: ${JSON.stringify(counts)}`);
    return counts;
  }

  private async moveSubscriptions(): Promise<number> {
    let moved = 0;
    for await (const names of this.scan(this.old.subscriptions())) {
      const pipeline = this.redis.pipeline();
      for (const name of names) pipeline.hgetall(name);
      const hashes = await repliesOf<Record<string, string>>(pipeline);
      for (const [index, hash] of hashes.entries()) {
        const subscription = firstLayoutSubscription(hash);
        if (subscription && !(await readSubscription(this.redis, this.keys, subscription))) {
          await writeSubscription(
            this.redis,
            this.keys,
            subscription,
            null,
            Number.MAX_SAFE_INTEGER,
          );
          moved++;
        }
        await this.dropOldSubscription(names[index], hash);
      }
    }
    return moved;
  }

  private async dropOldSubscription(name: string, hash: Record<string, string>): Promise<void> {
    const transaction = this.redis.multi().del(name);
    if (hash.userId && hash.tag && hash.timezone) {
      transaction.zrem(this.old.zone(hash.timezone), `user:${hash.userId}|tag:${hash.tag}`);
      transaction.srem(this.old.userTags(hash.userId), hash.tag);
    }
    await repliesOf(transaction);
  }

  /** STRINGs with a TTL, named `<old prefix><occurrenceId>`, moved with what is left of it. */
  private async moveExpiring(pattern: string, newName: (occurrenceId: string) => string) {
    const prefixLength = pattern.length - 1;
    let moved = 0;
    for await (const names of this.scan(pattern)) {
      for (const name of names) {
        const [value, ttl] = await repliesOf<string | number | null>(
          this.redis.multi().get(name).pttl(name),
        );
        if (typeof value === 'string' && typeof ttl === 'number' && ttl > 0) {
          await this.redis.set(newName(name.slice(prefixLength)), value, 'PX', ttl, 'NX');
          moved++;
        }
        await this.redis.del(name);
      }
    }
    return moved;
  }

  /** Each record's lines go to their bucket's hand-off ZSET, with the record's retry time. */
  private async moveHandOffs(): Promise<number> {
    const pairs = await this.redis.zrange(this.old.handOffs(), '0', '-1', 'WITHSCORES');
    for (let index = 0; index < pairs.length; index += 2) {
      const byBucket = new Map<number, string[]>();
      for (const line of pairs[index].split('\n')) {
        const bucket = this.keys.bucketOf(parseHandOffLine(line).userId);
        byBucket.set(bucket, [...(byBucket.get(bucket) ?? []), line]);
      }
      for (const [bucket, lines] of byBucket) {
        await this.redis.zadd(this.keys.handOffs(bucket), pairs[index + 1], lines.join('\n'));
      }
    }
    await this.redis.del(this.old.handOffs());
    return pairs.length / 2;
  }

  private async moveDeadLetters(): Promise<number> {
    let moved = 0;
    const letters = this.redis.hscanStream(this.old.deadLetters(), { count: SCAN_COUNT });
    for await (const pairs of letters as AsyncIterable<string[]>) {
      if (pairs.length === 0) continue;
      await this.redis.hset(this.keys.deadLetters(), ...pairs);
      moved += pairs.length / 2;
    }
    const index = this.redis.zscanStream(this.old.deadLetterIndex(), { count: SCAN_COUNT });
    for await (const pairs of index as AsyncIterable<string[]>) {
      const members: (string | number)[] = [];
      for (let at = 0; at < pairs.length; at += 2) members.push(pairs[at + 1], pairs[at]);
      if (members.length > 0) await this.redis.zadd(this.keys.deadLetterIndex(), ...members);
    }
    await this.redis.del(this.old.deadLetters(), this.old.deadLetterIndex());
    return moved;
  }

  /** The first layout's indexes, empty now but for members without a HASH (never read). */
  private async dropLeftovers(): Promise<void> {
    for (const pattern of [this.old.zones(), this.old.users()]) {
      for await (const names of this.scan(pattern)) {
        if (names.length > 0) await this.redis.del(...names);
      }
    }
    await this.redis.del(this.old.timezones(), this.old.channelCounts());
  }

  private async *scan(pattern: string): AsyncGenerator<string[]> {
    const stream = this.redis.scanStream({ match: pattern, count: SCAN_COUNT });
    // No pattern matches another's names, nor a name of layout 2 (those hold `{<bucket>}`).
    for await (const names of stream as AsyncIterable<string[]>) yield names;
  }
}

/** A first-layout HASH as a subscription; one without `armedAt` counts as armed at `updatedAt`. */
export function firstLayoutSubscription(hash: Record<string, string>): Subscription | null {
  if (!hash.userId || !hash.tag || !hash.time || !hash.timezone) return null;
  const updatedAt = new Date(hash.updatedAt);
  return {
    userId: hash.userId,
    tag: hash.tag,
    time: hash.time,
    // A legacy name (`Asia/Calcutta`) becomes IANA's spelling (`Asia/Kolkata`).
    timezone: canonicalTimezone(hash.timezone),
    days: hash.days.split(',') as Weekday[],
    channel: hash.channel,
    target: hash.target ?? null,
    title: hash.title ?? hash.tag,
    message: hash.message ?? '',
    data: hash.data ? (JSON.parse(hash.data) as Record<string, unknown>) : {},
    paused: hash.paused === '1' || hash.paused === 'true',
    ...DEFAULT_OCCURRENCE_RULES,
    createdAt: new Date(hash.createdAt),
    updatedAt,
    armedAt: hash.armedAt ? new Date(hash.armedAt) : updatedAt,
  };
}
