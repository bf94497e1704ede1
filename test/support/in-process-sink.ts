import { DeliverySink } from '../../src/domain/delivery-sink.js';
import { DueOccurrence } from '../../src/domain/occurrence.js';

/**
 * A delivery stage that keeps what it is handed, once each, for tests to read. A repeat is
 * the same occurrence at the same instant (a date re-claimed for a new time is not one).
 */
export class InProcessDeliverySink extends DeliverySink {
  private readonly received = new Map<string, DueOccurrence>();

  async handOff(occurrences: readonly DueOccurrence[]): Promise<void> {
    for (const occurrence of occurrences) {
      const key = `${occurrence.occurrenceId}@${occurrence.scheduledFor.getTime()}`;
      if (!this.received.has(key)) this.received.set(key, occurrence);
    }
  }

  /** Everything handed off so far, in order of arrival. */
  occurrences(): DueOccurrence[] {
    return [...this.received.values()];
  }
}
