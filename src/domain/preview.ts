import { decideOccurrence, OccurrenceDecision, RuledSubscription } from './decision.js';
import { Policy } from './policy.js';
import { plusDays, zoneClock } from './zone-clock.js';

/** A subscription as the preview reads it: its rules, and whether it is paused. */
export interface PreviewedSubscription extends RuledSubscription {
  readonly paused: boolean;
}

/**
 * The next `count` occurrences at or after `now`, in order, each decided as it would be if
 * nothing changed (SPEC 7): a skipped date keeps its place; a paused subscription has none.
 */
export function previewOccurrences(
  subscription: PreviewedSubscription,
  policy: Policy | null,
  now: Date,
  count: number,
): OccurrenceDecision[] {
  if (subscription.paused || subscription.days.length === 0) return [];
  const decisions: OccurrenceDecision[] = [];
  // Near a DST change yesterday's occurrence can still be ahead; a day early costs one date.
  let localDate = plusDays(zoneClock(subscription.timezone).localDateOf(now.getTime()), -1);
  while (decisions.length < count) {
    const decision = decideOccurrence(subscription, policy, localDate, now);
    if (decision && decision.scheduledFor.getTime() >= now.getTime()) decisions.push(decision);
    localDate = plusDays(localDate, 1);
  }
  return decisions;
}
