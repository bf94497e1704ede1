import { DeadLetter, DeliveryRecord, DeliveryStatus } from './delivery-record.js';

export interface DeliveryLogFilter {
  readonly userId?: string;
  readonly tag?: string;
  readonly status?: DeliveryStatus;
  readonly limit: number;
}

/** Per-occurrence delivery state, the delivery log and the dead letters, in Redis. */
export abstract class DeliveryStore {
  /**
   * Takes occurrences for `owner` (a job id): free ones, ones it holds already (a job run
   * again after a crash), and ones still held by their `takeOverFrom`. False for those another
   * job holds, or that have ended otherwise.
   */
  abstract acquire(
    claims: readonly { occurrenceId: string; takeOverFrom?: string }[],
    owner: string,
  ): Promise<boolean[]>;

  /** Logs an attempt; an ending status (delivered, failed, dead, cancelled) also ends its state. */
  abstract record(record: DeliveryRecord): Promise<void>;

  abstract recent(filter: DeliveryLogFilter): Promise<(DeliveryRecord & { id: string })[]>;

  abstract addDeadLetter(letter: DeadLetter): Promise<void>;

  abstract deadLetters(): Promise<DeadLetter[]>;

  abstract deadLetterCount(): Promise<number>;

  /** Removes and returns the letter, or null when there is none with that id. */
  abstract takeDeadLetter(id: string): Promise<DeadLetter | null>;
}
