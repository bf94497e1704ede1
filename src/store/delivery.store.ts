import { DeliveryRecord, DeliveryStatus } from './delivery-record.js';

export interface DeliveryLogFilter {
  readonly userId?: string;
  readonly tag?: string;
  readonly status?: DeliveryStatus;
  readonly limit: number;
}

/** `unreadable`: Redis cannot read the occurrence's state key; the others are unaffected. */
export type AcquireOutcome = 'taken' | 'held' | 'unreadable';

/** Per-occurrence delivery state and the delivery log, in Redis. */
export abstract class DeliveryStore {
  /**
   * Takes occurrences for `owner` (a job id): free ones, ones it holds already (a job run
   * again after a crash), and ones still held by their `takeOverFrom`. False for those another
   * job holds, or that have ended otherwise.
   */
  abstract acquire(
    claims: readonly { occurrenceId: string; takeOverFrom?: string }[],
    owner: string,
  ): Promise<AcquireOutcome[]>;

  /** Logs an attempt; an ending status (delivered, failed, dead, cancelled) also ends its state. */
  abstract record(record: DeliveryRecord): Promise<void>;

  abstract recent(filter: DeliveryLogFilter): Promise<(DeliveryRecord & { id: string })[]>;
}
