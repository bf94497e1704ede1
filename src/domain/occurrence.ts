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

/** One hand-off record line, `<occurrenceId>|<epoch ms>|<late 0/1>` (ids hold no `|`-free tag). */
export function handOffLine(occurrence: DueOccurrence): string {
  return `${occurrence.occurrenceId}|${occurrence.scheduledFor.getTime()}|${occurrence.late ? 1 : 0}`;
}

export function parseHandOffLine(line: string): DueOccurrence {
  const [userId, tag, localDate, instant, late] = line.split('|');
  return {
    userId,
    tag,
    localDate,
    occurrenceId: occurrenceId({ userId, tag }, localDate),
    scheduledFor: new Date(Number(instant)),
    late: late === '1',
  };
}
