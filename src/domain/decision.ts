import { DEFAULT_DST, DstChoice, DstRule, resolveLocalTime } from './dst.js';
import { parseHHMM, Weekday, WEEKDAYS } from './local-time.js';
import { occurrenceId } from './occurrence.js';
import { Policy } from './policy.js';
import { QuietReason, quietReasonsAt, releaseOf } from './quiet.js';
import { SubscriptionKey } from './subscription.js';
import { weekdayIndexOf, zoneClock } from './zone-clock.js';

/** What a subscription states about its occurrences besides its schedule (SPEC 1). */
export interface OccurrenceRules {
  /** Sent through the user's quiet hours and snooze. */
  readonly critical: boolean;
  /** How late, at most, an occurrence may leave after its instant; null: no limit of its own. */
  readonly maxLatenessMinutes: number | null;
  /** Local dates, `YYYY-MM-DD` in the subscription's zone, with no occurrence. */
  readonly skipDates: readonly string[];
  readonly dst: DstChoice;
}

export const DEFAULT_OCCURRENCE_RULES: OccurrenceRules = {
  critical: false,
  maxLatenessMinutes: null,
  skipDates: [],
  dst: DEFAULT_DST,
};

/** The fields of a subscription that decide what becomes of its occurrences. */
export interface RuledSubscription extends SubscriptionKey, OccurrenceRules {
  readonly time: string;
  readonly timezone: string;
  readonly days: readonly Weekday[];
}

/** Every rule that can shape an occurrence, in the order a decision lists them (SPEC 7). */
export const REASONS = [
  'dst-gap-shifted',
  'dst-gap-skipped',
  'dst-overlap-first',
  'dst-overlap-last',
  'skip-date',
  'quiet-hours',
  'snoozed',
  'expires',
] as const satisfies readonly (DstRule | QuietReason | 'skip-date' | 'expires')[];
export type OccurrenceReason = (typeof REASONS)[number];

export type Outcome = 'send' | 'hold' | 'drop' | 'skip';

/** What becomes of one occurrence, and why: SPEC 7's preview item. */
export interface OccurrenceDecision {
  readonly occurrenceId: string;
  readonly localDate: string;
  /** Its instant; on a date whose gap `skip` leaves empty, where `shift` would have put it. */
  readonly scheduledFor: Date;
  /** When it leaves: `scheduledFor` on time, later when held or late; null for drop and skip. */
  readonly sendAt: Date | null;
  readonly outcome: Outcome;
  readonly reasons: readonly OccurrenceReason[];
}

type Departure = Pick<OccurrenceDecision, 'sendAt' | 'outcome' | 'reasons'>;

/**
 * What becomes of the subscription's occurrence on a local date when it is due at `now` or
 * later, under the user's policy (null: none): the one decision that the preview, the tick
 * and the delivery worker share. Null when the date's weekday is not enabled.
 */
export function decideOccurrence(
  subscription: RuledSubscription,
  policy: Policy | null,
  localDate: string,
  now: Date,
): OccurrenceDecision | null {
  if (!subscription.days.includes(WEEKDAYS[weekdayIndexOf(localDate)])) return null;
  const { timezone, dst, skipDates } = subscription;
  const time = parseHHMM(subscription.time);
  const { instant, rule } = resolveLocalTime(localDate, time, timezone, dst);
  const scheduledFor = instant ?? new Date(zoneClock(timezone).gapEndAfter(localDate, time));
  const shaped = { occurrenceId: occurrenceId(subscription, localDate), localDate, scheduledFor };
  const dstReasons = rule ? [rule] : [];
  const onSkipDate = skipDates.includes(localDate);
  if (instant === null || onSkipDate) {
    const reasons = [...dstReasons, ...(onSkipDate ? (['skip-date'] as const) : [])];
    return { ...shaped, sendAt: null, outcome: 'skip', reasons };
  }
  const departure = departureOf(subscription, policy, scheduledFor, now);
  return { ...shaped, ...departure, reasons: [...dstReasons, ...departure.reasons] };
}

/** An occurrence leaves at its instant or now, whichever is later, unless it is quiet then. */
function departureOf(
  rules: OccurrenceRules,
  policy: Policy | null,
  scheduledFor: Date,
  now: Date,
): Departure {
  const earliest = new Date(Math.max(scheduledFor.getTime(), now.getTime()));
  const quiet = rules.critical || !policy ? [] : quietReasonsAt(policy, earliest);
  if (!policy || quiet.length === 0) return leave(rules, scheduledFor, earliest, 'send', []);
  if (policy.onQuiet === 'drop') return { sendAt: null, outcome: 'drop', reasons: quiet };
  const release = releaseOf(policy, earliest);
  return leave(rules, scheduledFor, release.at, 'hold', release.reasons);
}

/** `maxLatenessMinutes` outranks every reason to leave late; a hold that never ends expires. */
function leave(
  { maxLatenessMinutes }: OccurrenceRules,
  scheduledFor: Date,
  sendAt: Date | null,
  outcome: 'send' | 'hold',
  reasons: readonly QuietReason[],
): Departure {
  const lateness = sendAt === null ? Infinity : sendAt.getTime() - scheduledFor.getTime();
  const limit = maxLatenessMinutes === null ? Infinity : maxLatenessMinutes * 60_000;
  if (sendAt === null || lateness > limit) {
    return { sendAt: null, outcome: 'drop', reasons: [...reasons, 'expires'] };
  }
  return { sendAt, outcome, reasons };
}

/** The history status of an occurrence that does not leave (SPEC 7); null for send and hold. */
export function unsentStatusOf({
  outcome,
  reasons,
}: OccurrenceDecision): 'skipped' | 'dropped' | 'expired' | null {
  if (outcome === 'skip') return 'skipped';
  if (outcome !== 'drop') return null;
  return reasons.includes('expires') ? 'expired' : 'dropped';
}
