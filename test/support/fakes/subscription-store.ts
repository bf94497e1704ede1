import { parseHHMM, toScore } from '../../../src/domain/local-time.js';
import {
  StoredSubscription,
  Subscription,
  SubscriptionKey,
} from '../../../src/domain/subscription.js';
import {
  SaveResult,
  ScheduledMember,
  ScoreRange,
  SubscriptionPage,
  SubscriptionStore,
  UnreadableSubscription,
} from '../../../src/store/subscription.store.js';

export const keyOf = ({ userId, tag }: SubscriptionKey) => `${userId}|${tag}`;

/** Keeps subscriptions in a Map, with revisions, as the Redis store keeps them in HASHes. */
export class InMemorySubscriptionStore extends SubscriptionStore {
  private readonly rows = new Map<string, StoredSubscription>();
  private readonly spoiled = new Map<string, string>();
  private interference = 0;
  /** How many times `find` was asked. */
  finds = 0;

  /** `maxTagsPerUser`: MAX_TAGS_PER_USER, which the save script enforces. */
  constructor(private readonly maxTagsPerUser = 1000) {
    super();
  }

  /** Stores the subscriptions as they are, without the revision check. */
  seed(...subscriptions: Subscription[]): this {
    for (const subscription of subscriptions) {
      const revision = (this.rows.get(keyOf(subscription))?.revision ?? 0) + 1;
      this.rows.set(keyOf(subscription), { ...subscription, revision });
    }
    return this;
  }

  /** The next `times` saves find that another writer saved first (their revision moved). */
  interfere(times: number): void {
    this.interference = times;
  }

  /** `findMany` answers an UnreadableSubscription for this key, as for a corrupt HASH. */
  spoil(key: SubscriptionKey, reason = 'corrupt hash'): void {
    this.spoiled.set(keyOf(key), reason);
  }

  all(): StoredSubscription[] {
    return [...this.rows.values()];
  }

  get(key: SubscriptionKey): StoredSubscription | null {
    return this.rows.get(keyOf(key)) ?? null;
  }

  async find(key: SubscriptionKey) {
    this.finds++;
    return this.get(key);
  }

  /** In byte order of tag (tags are ASCII: code-unit order is byte order). */
  async listByUser(
    userId: string,
    afterTag: string | null,
    limit: number,
  ): Promise<SubscriptionPage> {
    const after = this.ofUser(userId)
      .sort((a, b) => (a.tag < b.tag ? -1 : a.tag > b.tag ? 1 : 0))
      .filter(({ tag }) => afterTag === null || tag > afterTag);
    const subscriptions = after.slice(0, limit);
    const lastTag = subscriptions.at(-1)?.tag ?? null;
    return { subscriptions, unreadable: [], lastTag, more: after.length > limit };
  }

  async findMany(keys: readonly SubscriptionKey[]) {
    return keys.map((key) => {
      const reason = this.spoiled.get(keyOf(key));
      if (reason !== undefined) return new UnreadableSubscription(key, reason);
      return this.rows.get(keyOf(key)) ?? null;
    });
  }

  /** As lua/save-subscription.lua: the revision check first, then the user's limit. */
  /** Tells no horizon or claim: the caller asks for them, as it does of a store that cannot. */
  async save(subscription: Subscription, read: StoredSubscription | null): Promise<SaveResult> {
    const expectedRevision = read?.revision ?? null;
    const current = this.rows.get(keyOf(subscription));
    if (current && this.interference > 0) {
      this.interference--;
      this.seed(current);
    }
    const stored = this.rows.get(keyOf(subscription));
    if ((stored?.revision ?? null) !== expectedRevision) {
      return { outcome: 'conflict', stored: stored ?? null };
    }
    if (!stored && this.ofUser(subscription.userId).length >= this.maxTagsPerUser) {
      return { outcome: 'full' };
    }
    this.rows.set(keyOf(subscription), { ...subscription, revision: (stored?.revision ?? 0) + 1 });
    return { outcome: stored ? 'replaced' : 'created' };
  }

  async delete(key: SubscriptionKey) {
    return this.rows.delete(keyOf(key));
  }

  async deleteUser(userId: string) {
    const mine = this.ofUser(userId);
    mine.forEach((subscription) => this.rows.delete(keyOf(subscription)));
    return mine.length;
  }

  /** Every zone in bucket 0: the fake has one bucket. */
  async scheduleZones(_buckets?: readonly number[]) {
    const zones = [...new Set(this.all().map((subscription) => subscription.timezone))];
    return zones.map((timezone) => ({ bucket: 0, timezone }));
  }

  async membersInRanges(ranges: readonly ScoreRange[]): Promise<ScheduledMember[][]> {
    return ranges.map(({ timezone, fromScore, toScore: lastScore }) =>
      this.all()
        .filter((subscription) => subscription.timezone === timezone)
        .map(({ userId, tag, time }) => ({ userId, tag, score: toScore(parseHHMM(time)) }))
        .filter(({ score }) => score >= fromScore && score <= lastScore),
    );
  }

  async membersUpTo(ranges: readonly ScoreRange[], limit: number) {
    const members = await this.membersInRanges(ranges);
    return members.map((found) => (found.length > limit ? null : found));
  }

  async countInRanges(ranges: readonly ScoreRange[]): Promise<number[]> {
    return (await this.membersInRanges(ranges)).map((members) => members.length);
  }

  async countByTimezone() {
    return countBy(this.all(), (subscription) => subscription.timezone);
  }

  async countByChannel() {
    return countBy(this.all(), (subscription) => subscription.channel);
  }

  private ofUser(userId: string): StoredSubscription[] {
    return this.all().filter((subscription) => subscription.userId === userId);
  }
}

function countBy<T>(items: readonly T[], by: (item: T) => string): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const item of items) counts[by(item)] = (counts[by(item)] ?? 0) + 1;
  return counts;
}
