import { SubscriptionKey } from '../subscriptions/subscription.js';

/** One subscription's notification on one local date (SPEC 4), claimed for delivery. */
export interface DueOccurrence extends SubscriptionKey {
  /** `<userId>|<tag>|<YYYY-MM-DD>`: at most one delivery per subscription per local date. */
  readonly occurrenceId: string;
  readonly localDate: string;
  /** The exact instant it is due; never sent before. */
  readonly scheduledFor: Date;
  /** Claimed after its instant (catch-up, replay). */
  readonly late: boolean;
}

export function occurrenceId({ userId, tag }: SubscriptionKey, localDate: string): string {
  return `${userId}|${tag}|${localDate}`;
}

/** The hand-off record kept in Redis until delivery has the occurrence. */
export function serialiseOccurrence(occurrence: DueOccurrence): string {
  return JSON.stringify({ ...occurrence, scheduledFor: occurrence.scheduledFor.toISOString() });
}

export function parseOccurrence(text: string): DueOccurrence {
  const parsed = JSON.parse(text) as Omit<DueOccurrence, 'scheduledFor'> & { scheduledFor: string };
  return { ...parsed, scheduledFor: new Date(parsed.scheduledFor) };
}
