import type { Occurrence } from './schedule.js';
import { SubscriptionKey } from './subscription.js';

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

/** The one way a due occurrence is made: its id follows from the key and the local date. */
export function dueOccurrence(
  { userId, tag }: SubscriptionKey,
  { localDate, instant }: Occurrence,
  late: boolean,
): DueOccurrence {
  return {
    userId,
    tag,
    localDate,
    scheduledFor: instant,
    occurrenceId: occurrenceId({ userId, tag }, localDate),
    late,
  };
}
