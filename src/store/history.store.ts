import { DeliveryRecord } from './delivery-record.js';

/** SPEC 7's statuses: what the delivery log records, and `queued` for a claim not yet begun. */
export type OccurrenceStatus = DeliveryRecord['status'] | 'queued';

/** One occurrence of a subscription, with its latest status (SPEC 7). */
export interface OccurrenceEntry {
  readonly occurrenceId: string;
  readonly localDate: string;
  readonly scheduledFor: Date;
  readonly status: OccurrenceStatus;
  /** Send attempts made so far; 0 while queued, held, or left out by a rule. */
  readonly attempts: number;
  readonly lastError: string | null;
  readonly updatedAt: Date;
}

/**
 * Each subscription keeps the newest HISTORY_KEPT occurrences' statuses: with at most one
 * occurrence per local date that is 35 days or more, SPEC 7's "the last 30 days" and then some.
 */
export const HISTORY_KEPT = 35;
/** A history no record touched for this long is gone (its subscription stopped sending). */
export const HISTORY_TTL_MS = 35 * 86_400_000;

/** The occurrence history of subscriptions, written with the delivery log. */
export abstract class HistoryStore {
  /**
   * The subscription's recent occurrences, newest `scheduledFor` first, at most `limit`;
   * `claimDates` are the local dates whose claim, when there is one and nothing was recorded
   * yet, is listed `queued`.
   */
  abstract list(
    userId: string,
    tag: string,
    claimDates: readonly string[],
    limit: number,
  ): Promise<OccurrenceEntry[]>;
}

/** A history value: `status|attempts|updatedAt ms|scheduledFor ms|error`. */
export function encodeHistoryValue(record: DeliveryRecord): string {
  const { status, attempt, at, scheduledFor, error } = record;
  const attempts = ATTEMPTED.has(status) ? attempt : attempt - 1;
  return [status, attempts, Date.parse(at), Date.parse(scheduledFor), error ?? ''].join('|');
}

export function decodeHistoryValue(
  occurrenceId: string,
  localDate: string,
  value: string,
): OccurrenceEntry {
  const [status, attempts, updatedAt, scheduledFor] = value.split('|', 4);
  const error = value.split('|').slice(4).join('|');
  return {
    occurrenceId,
    localDate,
    scheduledFor: new Date(Number(scheduledFor)),
    status: status as OccurrenceStatus,
    attempts: Number(attempts),
    lastError: error === '' ? null : error,
    updatedAt: new Date(Number(updatedAt)),
  };
}

/** Statuses that a send attempt ended in; the others end before the record's attempt. */
const ATTEMPTED = new Set<OccurrenceStatus>(['delivered', 'retrying', 'failed', 'dead']);
