import { StoredSubscription, Subscription, SubscriptionKey } from './subscription.js';

export type SaveOutcome = 'created' | 'replaced' | 'conflict';

/** Owns every Redis key of a subscription (SPEC 3); each write changes them together. */
export abstract class SubscriptionStore {
  abstract find(key: SubscriptionKey): Promise<StoredSubscription | null>;

  abstract listByUser(userId: string): Promise<StoredSubscription[]>;

  /**
   * Writes the whole subscription if the stored revision is still `expectedRevision`
   * (null: none stored yet); otherwise changes nothing and answers 'conflict'.
   */
  abstract save(subscription: Subscription, expectedRevision: number | null): Promise<SaveOutcome>;

  /** False when there was nothing to delete. */
  abstract delete(key: SubscriptionKey): Promise<boolean>;

  /** How many subscriptions the user had. */
  abstract deleteUser(userId: string): Promise<number>;
}
