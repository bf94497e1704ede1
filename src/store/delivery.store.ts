import { DeliveryRecord, DeliveryStatus } from './delivery-record.js';

export interface DeliveryLogFilter {
  readonly userId?: string;
  readonly tag?: string;
  readonly status?: DeliveryStatus;
  readonly limit: number;
}

/** `unreadable`: Redis cannot read the occurrence's state key; the others are unaffected. */
export type AcquireOutcome = 'taken' | 'held' | 'unreadable';

/** An occurrence a job wants to deliver, at the instant it was queued for. */
export interface DeliveryClaim {
  readonly occurrenceId: string;
  readonly scheduledFor: Date;
  readonly takeOverFrom?: string;
}

/** Per-occurrence delivery state and the delivery log, in Redis. */
export abstract class DeliveryStore {
  /**
   * Takes occurrences for `owner` (a job id): free ones, ones it holds already (a job run
   * again after a crash), ones still held by their `takeOverFrom`, and ones whose date was
   * claimed again for this `scheduledFor` (its time moved). Held: another job holds it, it
   * has ended otherwise, or its date now belongs to another instant.
   */
  abstract acquire(claims: readonly DeliveryClaim[], owner: string): Promise<AcquireOutcome[]>;

  /** Drops the occurrences' delivery state (their user was erased). */
  abstract forget(occurrenceIds: readonly string[]): Promise<void>;

  /** Logs an attempt; an ending status (delivered, failed, dead, cancelled) also ends its state. */
  abstract record(record: DeliveryRecord): Promise<void>;

  abstract recent(filter: DeliveryLogFilter): Promise<(DeliveryRecord & { id: string })[]>;
}
