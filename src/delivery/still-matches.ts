import { instantOf, parseHHMM, weekdayOf } from '../scheduler/local-time.js';
import { DueOccurrence } from '../scheduler/occurrence.js';
import { Subscription } from '../subscriptions/subscription.js';

/** SPEC 4, changes win: the subscription still exists, is active, and is due at this instant. */
export function stillMatches(subscription: Subscription, occurrence: DueOccurrence): boolean {
  if (subscription.paused || !subscription.days.includes(weekdayOf(occurrence.localDate)))
    return false;
  const instant = instantOf(
    occurrence.localDate,
    parseHHMM(subscription.time),
    subscription.timezone,
  );
  return instant.getTime() === occurrence.scheduledFor.getTime();
}
