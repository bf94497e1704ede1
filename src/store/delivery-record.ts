import { DueOccurrence } from '../domain/occurrence.js';

/**
 * What an attempt came to: sent or not (`delivered`, `retrying`, `failed`, `dead`), not made
 * since its subscription changed (`cancelled`), or left by the user's rules (SPEC 7): `held`
 * until quiet hours or a snooze end, `skipped`, `dropped`, `expired`.
 */
export const DELIVERY_STATUSES = [
  'delivered',
  'retrying',
  'failed',
  'dead',
  'cancelled',
  'held',
  'skipped',
  'dropped',
  'expired',
] as const;
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];

/** One attempt's outcome, as the delivery log keeps it. */
export interface DeliveryRecord {
  readonly occurrenceId: string;
  readonly userId: string;
  readonly tag: string;
  readonly channel: string | null;
  readonly status: DeliveryStatus;
  readonly attempt: number;
  readonly scheduledFor: string;
  readonly late: boolean;
  readonly at: string;
  readonly error?: string;
}

/** A delivery that gave up; retrying it sends the occurrence again from attempt 1. */
export interface DeadLetter {
  readonly id: string;
  readonly occurrenceId: string;
  readonly occurrence: SerialisedOccurrence;
  readonly channel: string | null;
  /** How it ended: `failed` (not retryable) or `dead` (out of attempts). */
  readonly status: 'failed' | 'dead';
  readonly attempts: number;
  readonly lastError: string;
  readonly deadAt: string;
}

export type SerialisedOccurrence = Omit<DueOccurrence, 'scheduledFor'> & { scheduledFor: string };

export function serialise(occurrence: DueOccurrence): SerialisedOccurrence {
  return { ...occurrence, scheduledFor: occurrence.scheduledFor.toISOString() };
}

export function deserialise(occurrence: SerialisedOccurrence): DueOccurrence {
  return { ...occurrence, scheduledFor: new Date(occurrence.scheduledFor) };
}
