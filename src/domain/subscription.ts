import type { OccurrenceRules } from './decision.js';
import { Weekday } from './local-time.js';

/** What identifies a subscription: one user, one topic. */
export interface SubscriptionKey {
  readonly userId: string;
  readonly tag: string;
}

/** A subscription: its schedule, where it goes, and the rules of its occurrences (SPEC 1). */
export interface Subscription extends SubscriptionKey, OccurrenceRules {
  readonly time: string;
  readonly timezone: string;
  readonly days: readonly Weekday[];
  readonly channel: string;
  readonly target: string | null;
  readonly title: string;
  readonly message: string;
  readonly data: Readonly<Record<string, unknown>>;
  readonly paused: boolean;
  readonly createdAt: Date;
  readonly updatedAt: Date;
  /**
   * When the schedule (time, timezone, days) was last set, or the subscription last resumed:
   * the tick never sends an occurrence from before it (SPEC 4, "Changes win").
   */
  readonly armedAt: Date;
}

/** A subscription as stored, with the revision that guards concurrent writes. */
export interface StoredSubscription extends Subscription {
  readonly revision: number;
}

/** The fields a client sets; everything else is chime's bookkeeping. */
export type SubscriptionFields = Omit<
  Subscription,
  'userId' | 'tag' | 'createdAt' | 'updatedAt' | 'armedAt'
>;
