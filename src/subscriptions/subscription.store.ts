import { Weekday } from '../scheduler/local-time.js';
import { StoredSubscription, Subscription, SubscriptionKey } from './subscription.js';

/** What the scheduler reads of a subscription found in a timezone's ZSET. */
export interface ScheduledSubscription extends SubscriptionKey {
  /** The ZSET score: the local time as HHMM. */
  readonly score: number;
  readonly days: readonly Weekday[];
  readonly paused: boolean;
  readonly armedAt: Date;
}

export type SaveOutcome = 'created' | 'replaced' | 'conflict';

/** Owns every Redis key of a subscription (SPEC 3); each write changes them together. */
export abstract class SubscriptionStore {
  abstract find(key: SubscriptionKey): Promise<StoredSubscription | null>;

  abstract listByUser(userId: string): Promise<StoredSubscription[]>;

  /** Each key's subscription, or null where there is none; one round trip. */
  abstract findMany(keys: readonly SubscriptionKey[]): Promise<(StoredSubscription | null)[]>;

  /**
   * Writes the whole subscription if the stored revision is still `expectedRevision`
   * (null: none stored yet); otherwise changes nothing and answers 'conflict'.
   */
  abstract save(subscription: Subscription, expectedRevision: number | null): Promise<SaveOutcome>;

  /** False when there was nothing to delete. */
  abstract delete(key: SubscriptionKey): Promise<boolean>;

  /** How many subscriptions the user had. */
  abstract deleteUser(userId: string): Promise<number>;

  /** Timezones that have subscriptions. */
  abstract timezones(): Promise<string[]>;

  /** The timezone's subscriptions whose time (HHMM) is in [fromScore, toScore], in batches. */
  abstract scheduledBetween(
    timezone: string,
    fromScore: number,
    toScore: number,
  ): AsyncGenerator<ScheduledSubscription[]>;

  abstract countByTimezone(): Promise<Record<string, number>>;

  abstract countByChannel(): Promise<Record<string, number>>;
}
