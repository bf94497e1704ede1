import { Inject, Injectable, Optional } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { ReplyError } from 'ioredis';
import { appConfig, redisConfig } from '../config/configuration.js';
import { awaitReplicas } from '../redis/replica-ack.js';
import { REDIS_CLIENT, type RedisClient } from '../redis/redis-client.js';
import { scoresBetween } from '../domain/local-time.js';
import { parseScheduleMember, RedisKeys, scheduleMember } from './redis-keys.js';
import { StoredSubscription, Subscription, SubscriptionKey } from '../domain/subscription.js';
import { decodeSubscription, weekdaysOfPart, zonePartOf } from './subscription.codec.js';
import { readSubscription, writeSubscription } from './subscription-writes.js';
import { byBucket, mapByBucket, repliesOf, scripted } from './redis-scripts.js';
import { StoreLayout } from './store-layout.js';
import {
  SaveResult,
  ScheduledMember,
  ScheduleZone,
  ScoreRange,
  SubscriptionPage,
  SubscriptionStore,
  UnreadableSubscription,
} from './subscription.store.js';

/**
 * SPEC 3's bucketed layout: a user's subscriptions are the fields of one HASH (tag -> the
 * compact value of subscription.codec.ts), and each is a member of its bucket's timezone
 * ZSET. Every script and pipeline touches one bucket's keys (one slot on a cluster).
 */
@Injectable()
export class RedisSubscriptionStore extends SubscriptionStore {
  private readonly redis: RedisClient;

  constructor(
    @Inject(REDIS_CLIENT) redis: RedisClient,
    private readonly keys: RedisKeys,
    @Inject(appConfig.KEY)
    private readonly app: Pick<ConfigType<typeof appConfig>, 'maxTagsPerUser'>,
    @Optional() private readonly layout?: StoreLayout,
    @Optional()
    @Inject(redisConfig.KEY)
    private readonly replication?: Pick<ConfigType<typeof redisConfig>, 'minReplicasAck'>,
  ) {
    super();
    this.redis = scripted(redis);
  }

  /** Every public method waits until the data is in this layout (store-layout.ts). */
  private async ready(): Promise<void> {
    await this.layout?.ready();
  }

  async find(key: SubscriptionKey): Promise<StoredSubscription | null> {
    await this.ready();
    return readSubscription(this.redis, this.keys, key);
  }

  /** The tags are read in HSCAN chunks (at most MAX_TAGS_PER_USER of them); only the page's subscriptions are read. */
  async listByUser(
    userId: string,
    afterTag: string | null,
    limit: number,
  ): Promise<SubscriptionPage> {
    await this.ready();
    const tags = (await this.tagsOf(userId)).filter((tag) => afterTag === null || tag > afterTag);
    const page = tags.slice(0, limit);
    const found = await this.findMany(page.map((tag) => ({ userId, tag })));
    const subscriptions: StoredSubscription[] = [];
    const unreadable: string[] = [];
    for (const [index, subscription] of found.entries()) {
      if (subscription instanceof UnreadableSubscription) unreadable.push(page[index]);
      else if (subscription !== null) subscriptions.push(subscription);
    }
    return { subscriptions, unreadable, lastTag: page.at(-1) ?? null, more: tags.length > limit };
  }

  /** In byte order: tags are ASCII, so JavaScript's code-unit order is byte order. */
  private async tagsOf(userId: string): Promise<string[]> {
    const tags = new Set<string>();
    const stream = this.redis.hscanStream(this.keys.userSubscriptions(userId), {
      count: TAG_SCAN_COUNT,
    });
    for await (const pairs of stream as AsyncIterable<string[]>) {
      for (let index = 0; index < pairs.length; index += 2) tags.add(pairs[index]);
    }
    return [...tags].sort();
  }

  /** A pipeline per bucket: a 100-occurrence delivery job reads 100 in a few round trips. */
  async findMany(
    keys: readonly SubscriptionKey[],
  ): Promise<(StoredSubscription | UnreadableSubscription | null)[]> {
    await this.ready();
    return mapByBucket(
      keys,
      (key) => this.keys.bucketOf(key.userId),
      async (group) => {
        const pipeline = this.redis.pipeline();
        for (const { userId, tag } of group)
          pipeline.hget(this.keys.userSubscriptions(userId), tag);
        const replies = (await pipeline.exec()) ?? [];
        // A lost connection is not a bad value: the caller fails and tries again later
        // (a delivery job runs again) instead of taking the subscription for unreadable.
        const lost = replies.find(([error]) => error && !(error instanceof ReplyError));
        if (lost) throw lost[0];
        return group.map((key, at) => {
          const [error, value] = replies[at] ?? [new Error('no reply'), null];
          return decoded(key, error, value as string | null);
        });
      },
    );
  }

  async save(
    subscription: Subscription,
    current: StoredSubscription | null,
    claimOf?: string,
  ): Promise<SaveResult> {
    await this.ready();
    const { maxTagsPerUser } = this.app;
    const result = await writeSubscription(
      this.redis,
      this.keys,
      subscription,
      current,
      maxTagsPerUser,
      claimOf,
    );
    const { outcome } = result;
    if (outcome === 'created' || outcome === 'replaced') await this.replicated(subscription.userId);
    return result;
  }

  /**
   * SPEC 8: with REDIS_MIN_REPLICAS_ACK, a write answers once that many replicas have it
   * (WAIT on the master of the user's slot); ReplicasNotAcknowledged is a 503 otherwise.
   */
  private async replicated(userId: string): Promise<void> {
    const required = this.replication?.minReplicasAck ?? 0;
    await awaitReplicas(this.redis, this.keys.userSubscriptions(userId), required);
  }

  /** Reads the subscription's timezone first; a move in between is read again. */
  async delete(key: SubscriptionKey): Promise<boolean> {
    await this.ready();
    for (;;) {
      const current = await this.find(key);
      if (!current) return false;
      const bucket = this.keys.bucketOf(key.userId);
      const part = zonePartOf(current);
      const deleted = await this.redis.chimeDeleteSubscription(
        this.keys.userSubscriptions(key.userId),
        this.keys.timezones(bucket),
        this.keys.timezoneSchedule(bucket, current.timezone, part),
        this.keys.channelCounts(bucket),
        this.keys.history(key.userId, key.tag),
        this.keys.zoneParts(bucket),
        this.keys.timezoneSchedule(bucket, current.timezone),
        key.tag,
        scheduleMember(key.userId, key.tag),
        current.timezone,
        `${current.timezone}:${part}`,
      );
      if (deleted === 1) await this.replicated(key.userId);
      if (deleted !== -1) return deleted === 1;
    }
  }

  async deleteUser(userId: string): Promise<number> {
    await this.ready();
    const tags = await this.tagsOf(userId);
    const deleted = await Promise.all(tags.map((tag) => this.delete({ userId, tag })));
    return deleted.filter(Boolean).length;
  }

  async scheduleZones(buckets?: readonly number[]): Promise<ScheduleZone[]> {
    await this.ready();
    return this.zonesOf(buckets);
  }

  /**
   * Every ZSET of the buckets, two round trips per bucket: each part the zoneparts SET names,
   * and each timezone's unsplit ZSET that exists (a replica of a version before parts may
   * still write one).
   */
  private async zonesOf(buckets?: readonly number[]): Promise<ScheduleZone[]> {
    const perBucket = await Promise.all(
      (buckets ?? this.keys.allBuckets()).map(async (bucket) => {
        const [timezones, parts] = await repliesOf<string[]>(
          this.redis
            .pipeline()
            .smembers(this.keys.timezones(bucket))
            .smembers(this.keys.zoneParts(bucket)),
        );
        const zones = await this.unsplitZones(bucket, timezones);
        for (const zonePart of parts) {
          const at = zonePart.lastIndexOf(':');
          const [timezone, part] = [zonePart.slice(0, at), zonePart.slice(at + 1)];
          const weekdays = weekdaysOfPart(part) ?? undefined;
          zones.push({ bucket, timezone, part, ...(weekdays && { weekdays }) });
        }
        return zones.sort(byZoneAndPart);
      }),
    );
    return perBucket.flat();
  }

  /** Once the start-up move emptied them (zone-split.ts), one EXISTS for all the bucket's. */
  private async unsplitZones(bucket: number, timezones: string[]): Promise<ScheduleZone[]> {
    const unsplit = timezones.map((timezone) => this.keys.timezoneSchedule(bucket, timezone));
    if (unsplit.length === 0 || (await this.redis.exists(...unsplit)) === 0) return [];
    const pipeline = this.redis.pipeline();
    for (const key of unsplit) pipeline.exists(key);
    const exists = await repliesOf<number>(pipeline);
    return timezones
      .filter((_, index) => exists[index] === 1)
      .map((timezone) => ({ bucket, timezone }));
  }

  /**
   * Narrow ranges (a tick's new minute or few) are read one score at a time without
   * WITHSCORES, which halves what Redis sends and makes decoding a 100k burst 3x faster.
   */
  async membersInRanges(ranges: readonly ScoreRange[]): Promise<ScheduledMember[][]> {
    await this.ready();
    return (await this.readRanges(ranges, null)) as ScheduledMember[][];
  }

  async membersUpTo(
    ranges: readonly ScoreRange[],
    limit: number,
  ): Promise<(ScheduledMember[] | null)[]> {
    await this.ready();
    return this.readRanges(ranges, limit);
  }

  /** Each range's members; with a limit, null for a range that holds more (LIMIT 0 limit+1). */
  private async readRanges(
    ranges: readonly ScoreRange[],
    limit: number | null,
  ): Promise<(ScheduledMember[] | null)[]> {
    const members: (ScheduledMember[] | null)[] = [];
    const within = (count: number) => limit === null || count <= limit;
    await Promise.all(
      byBucket(ranges, (range) => range.bucket).map(async (indexes) => {
        const pipeline = this.redis.pipeline();
        const queries = indexes.map((index) => {
          const range = ranges[index];
          const key = this.keys.timezoneSchedule(range.bucket, range.timezone, range.part);
          const scores = scoresBetween(range.fromScore, range.toScore);
          if (scores.length > SCORES_READ_ONE_BY_ONE) {
            const { fromScore, toScore } = range;
            if (limit === null) pipeline.zrangebyscore(key, fromScore, toScore, 'WITHSCORES');
            else
              pipeline.zrangebyscore(key, fromScore, toScore, 'WITHSCORES', 'LIMIT', 0, limit + 1);
            return null;
          }
          for (const score of scores) {
            if (limit === null) pipeline.zrangebyscore(key, score, score);
            else pipeline.zrangebyscore(key, score, score, 'LIMIT', 0, limit + 1);
          }
          return scores;
        });
        const replies = await repliesOf<string[]>(pipeline);
        let next = 0;
        queries.forEach((scores, at) => {
          const found =
            scores === null
              ? withScores(replies[next++])
              : scores.flatMap((score) => replies[next++].map((m) => scheduled(m, score)));
          members[indexes[at]] = within(found.length) ? found : null;
        });
      }),
    );
    return members;
  }

  async countInRanges(ranges: readonly ScoreRange[]): Promise<number[]> {
    await this.ready();
    const counts: number[] = [];
    await Promise.all(
      byBucket(ranges, (range) => range.bucket).map(async (indexes) => {
        const pipeline = this.redis.pipeline();
        for (const index of indexes) {
          const { bucket, timezone, part, fromScore, toScore } = ranges[index];
          pipeline.zcount(this.keys.timezoneSchedule(bucket, timezone, part), fromScore, toScore);
        }
        const replies = await repliesOf<number>(pipeline);
        indexes.forEach((index, at) => (counts[index] = replies[at]));
      }),
    );
    return counts;
  }

  async countByTimezone(): Promise<Record<string, number>> {
    await this.ready();
    const zones = await this.zonesOf();
    const counts = await Promise.all(
      zones.map(({ bucket, timezone, part }) =>
        this.redis.zcard(this.keys.timezoneSchedule(bucket, timezone, part)),
      ),
    );
    const byZone: Record<string, number> = {};
    zones.forEach(({ timezone }, index) => {
      byZone[timezone] = (byZone[timezone] ?? 0) + counts[index];
    });
    return Object.fromEntries(Object.entries(byZone).sort(([a], [b]) => (a < b ? -1 : 1)));
  }

  async countByChannel(): Promise<Record<string, number>> {
    await this.ready();
    const perBucket = await Promise.all(
      this.keys.allBuckets().map((bucket) => this.redis.hgetall(this.keys.channelCounts(bucket))),
    );
    const byChannel: Record<string, number> = {};
    for (const counts of perBucket) {
      for (const [channel, count] of Object.entries(counts)) {
        byChannel[channel] = (byChannel[channel] ?? 0) + Number(count);
      }
    }
    return byChannel;
  }
}

function byZoneAndPart(a: ScheduleZone, b: ScheduleZone): number {
  if (a.timezone !== b.timezone) return a.timezone < b.timezone ? -1 : 1;
  return (a.part ?? '') < (b.part ?? '') ? -1 : 1;
}

/** Tags read per HSCAN step: no reply holds a large user's whole set. */
const TAG_SCAN_COUNT = 200;

/**
 * Up to this many scores in a range (a tick's new minute, or a few after a late tick) are
 * read with one ZRANGEBYSCORE each; wider ranges (catch-up, replay) with one WITHSCORES.
 */
const SCORES_READ_ONE_BY_ONE = 5;

function withScores(pairs: readonly string[]): ScheduledMember[] {
  const members: ScheduledMember[] = [];
  for (let index = 0; index < pairs.length; index += 2) {
    members.push(scheduled(pairs[index], Number(pairs[index + 1])));
  }
  return members;
}

function scheduled(member: string, score: number): ScheduledMember {
  const { userId, tag } = parseScheduleMember(member);
  return { userId, tag, score };
}

/** One reply of findMany's pipelines: one bad value spoils no other. */
function decoded(
  key: SubscriptionKey,
  error: Error | null,
  value: string | null,
): StoredSubscription | UnreadableSubscription | null {
  if (error) return new UnreadableSubscription(key, error.message);
  if (value === null) return null;
  try {
    return decodeSubscription(key, value);
  } catch (failure) {
    return new UnreadableSubscription(key, (failure as Error).message);
  }
}
