import { Policy } from '../domain/policy.js';
import { StoredSubscription } from '../domain/subscription.js';
import { DeliveryClaim } from './delivery.store.js';
import { UnreadableSubscription } from './subscription.store.js';

/** An occurrence a job wants to deliver, and the subscription it comes from. */
export interface DeliveryIntakeClaim extends DeliveryClaim {
  readonly userId: string;
  readonly tag: string;
}

/**
 * What a job found for one of its occurrences. `taken`: the job owns it now, with its
 * subscription (null when gone) and its user's policy (null: the defaults) as they were at
 * that moment. `held` and `unreadable` as DeliveryStore.acquire answers them.
 */
export type DeliveryIntake =
  | {
      readonly outcome: 'taken';
      readonly subscription: StoredSubscription | UnreadableSubscription | null;
      readonly policy: Policy | null;
    }
  | { readonly outcome: 'held' | 'unreadable' };

/**
 * What a delivery job starts with, read in one step: the occurrences' delivery state taken
 * (DeliveryStore.acquire's rules), and for each taken one its subscription and its user's
 * policy, as SubscriptionStore.findMany and PolicyStore.findMany read them. One Redis call
 * per bucket where the three took a script call and a command per item.
 */
export abstract class DeliveryIntakeStore {
  /**
   * Per claim, in order. A subscription that cannot be decoded or read is an
   * UnreadableSubscription and spoils no other; a policy that cannot be read, or Redis
   * away, fails the whole call (the job runs again).
   */
  abstract take(claims: readonly DeliveryIntakeClaim[], owner: string): Promise<DeliveryIntake[]>;
}
