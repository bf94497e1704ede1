import { Inject, Injectable } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { appConfig } from '../config/configuration.js';
import { REDIS_CLIENT, type RedisClient } from '../redis/redis-client.js';
import { scoresBetween, toScore } from '../domain/local-time.js';
import { scheduleOf } from '../domain/schedule.js';
import { parseScheduleMember, RedisKeys, scheduleMember } from './redis-keys.js';
import { StoredSubscription, Subscription, SubscriptionKey } from '../domain/subscription.js';
import { fromHash, toHash } from './subscription.codec.js';
import { repliesOf, scripted } from './redis-scripts.js';
import {
  SaveOutcome,
  SubscriptionPage,
  UnreadableSubscription,
  ScheduledMember,
  ScoreRange,
  SubscriptionStore,
} from './subscription.store.js';

@Injectable()
export class RedisSubscriptionStore extends SubscriptionStore {
  private readonly redis: RedisClient;

  constructor(
    @Inject(REDIS_CLIENT) redis: RedisClient,
    private readonly keys: RedisKeys,
    @Inject(appConfig.KEY)
    private readonly app: Pick<ConfigType<typeof appConfig>, 'maxTagsPerUser'>,
  ) {
    super();
    this.redis = scripted(redis);
  }

  async find({ userId, tag }: SubscriptionKey): Promise<StoredSubscription | null> {
    return fromHash(await this.redis.hgetall(this.keys.subscription(userId, tag)));
  }

  /** The tags are read in SSCAN chunks (at most MAX_TAGS_PER_USER of them); only the page's subscriptions are read. */
  async listByUser(
    userId: string,
    afterTag: string | null,
    limit: number,
  ): Promise<SubscriptionPage> {
    const tags = (await this.tagsOf(userId)).filter((tag) => afterTag === null || tag > afterTag);
    const page = tags.slice(0, limit);
    const found = await this.findMany(page.map((tag) => ({ userId, tag })));
    const subscriptions = found.filter((subscription) => subscription !== null).map(readable);
    return { subscriptions, more: tags.length > limit };
  }

  /** In byte order: tags are ASCII, so JavaScript's code-unit order is byte order. */
  private async tagsOf(userId: string): Promise<string[]> {
    const tags: string[] = [];
    const stream = this.redis.sscanStream(this.keys.userTags(userId), { count: TAG_SCAN_COUNT });
    for await (const chunk of stream as AsyncIterable<string[]>) tags.push(...chunk);
    return [...new Set(tags)].sort();
  }

  /** One script call for all of them: a 100-occurrence delivery job reads 100 at once. */
  async findMany(
    keys: readonly SubscriptionKey[],
  ): Promise<(StoredSubscription | UnreadableSubscription | null)[]> {
    if (keys.length === 0) return [];
    const names = keys.map(({ userId, tag }) => this.keys.subscription(userId, tag));
    const hashes = await this.redis.chimeReadSubscriptions(names.length, ...names);
    return hashes.map((json, index) => decoded(keys[index], json));
  }

  async save(subscription: Subscription, expectedRevision: number | null): Promise<SaveOutcome> {
    const { userId, tag, timezone } = subscription;
    const fields = toHash(subscription, (expectedRevision ?? 0) + 1);
    const outcome = await this.redis.chimeSaveSubscription(
      this.keys.subscription(userId, tag),
      this.keys.userTags(userId),
      this.keys.timezones(),
      this.keys.timezoneSchedule(timezone),
      this.keys.channelCounts(),
      expectedRevision === null ? '' : String(expectedRevision),
      scheduleMember(userId, tag),
      toScore(scheduleOf(subscription).time),
      this.keys.timezoneSchedulePrefix(),
      tag,
      timezone,
      subscription.channel,
      this.app.maxTagsPerUser,
      ...Object.entries(fields).flat(),
    );
    return SAVE_OUTCOMES[outcome + 2];
  }

  async delete({ userId, tag }: SubscriptionKey): Promise<boolean> {
    return (await this.redis.chimeDeleteSubscription(...this.deleteArgs(userId, tag))) === 1;
  }

  async deleteUser(userId: string): Promise<number> {
    const tags = await this.tagsOf(userId);
    const pipeline = this.redis.pipeline();
    for (const tag of tags) pipeline.chimeDeleteSubscription(...this.deleteArgs(userId, tag));
    return (await repliesOf<number>(pipeline)).filter((deleted) => deleted === 1).length;
  }

  timezones(): Promise<string[]> {
    return this.redis.smembers(this.keys.timezones());
  }

  /**
   * Narrow ranges (a tick's new minute or few) are read one score at a time without
   * WITHSCORES, which halves what Redis sends and makes decoding a 100k burst 3x faster.
   */
  async membersInRanges(ranges: readonly ScoreRange[]): Promise<ScheduledMember[][]> {
    if (ranges.length === 0) return [];
    const pipeline = this.redis.pipeline();
    const queries = ranges.map((range) => {
      const key = this.keys.timezoneSchedule(range.timezone);
      const scores = scoresBetween(range.fromScore, range.toScore);
      if (scores.length > SCORES_READ_ONE_BY_ONE) {
        pipeline.zrangebyscore(key, range.fromScore, range.toScore, 'WITHSCORES');
        return null;
      }
      for (const score of scores) pipeline.zrangebyscore(key, score, score);
      return scores;
    });
    const replies = await repliesOf<string[]>(pipeline);
    let next = 0;
    return queries.map((scores) => {
      if (scores === null) return withScores(replies[next++]);
      return scores.flatMap((score) => replies[next++].map((member) => scheduled(member, score)));
    });
  }

  async countByTimezone(): Promise<Record<string, number>> {
    const timezones = (await this.timezones()).sort();
    const pipeline = this.redis.pipeline();
    for (const timezone of timezones) pipeline.zcard(this.keys.timezoneSchedule(timezone));
    const counts = await repliesOf<number>(pipeline);
    return Object.fromEntries(timezones.map((timezone, index) => [timezone, counts[index]]));
  }

  async countByChannel(): Promise<Record<string, number>> {
    const counts = await this.redis.hgetall(this.keys.channelCounts());
    return Object.fromEntries(Object.entries(counts).map(([channel, n]) => [channel, Number(n)]));
  }

  private deleteArgs(userId: string, tag: string): string[] {
    return [
      this.keys.subscription(userId, tag),
      this.keys.userTags(userId),
      this.keys.timezones(),
      this.keys.channelCounts(),
      this.keys.timezoneSchedulePrefix(),
      scheduleMember(userId, tag),
      tag,
    ];
  }
}

/** The save script's answers, -2 to 1. */
const SAVE_OUTCOMES: SaveOutcome[] = ['full', 'conflict', 'created', 'replaced'];
/** Tags read per SSCAN step: no reply holds a large user's whole set. */
const TAG_SCAN_COUNT = 200;

/** Up to this many scores in a range are read with one ZRANGEBYSCORE each. */
const SCORES_READ_ONE_BY_ONE = 60;

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

/** A reply of lua/read-subscriptions.lua, decoded: one bad HASH spoils no other. */
function decoded(
  key: SubscriptionKey,
  json: string,
): StoredSubscription | UnreadableSubscription | null {
  if (json === '') return null;
  if (json.startsWith('!')) return new UnreadableSubscription(key, json.slice(1));
  try {
    return fromHash(JSON.parse(json) as Record<string, string>);
  } catch (error) {
    return new UnreadableSubscription(key, (error as Error).message);
  }
}

function readable(found: StoredSubscription | UnreadableSubscription): StoredSubscription {
  if (found instanceof UnreadableSubscription) {
    throw new Error(
      `subscription ${found.key.userId}|${found.key.tag} is unreadable: ${found.reason}`,
    );
  }
  return found;
}
