import { DeliverySink } from '../../src/domain/delivery-sink.js';
import { DueOccurrence } from '../../src/domain/occurrence.js';

/** A delivery stage that keeps what it is handed, once each, for tests to read. */
export class InProcessDeliverySink extends DeliverySink {
  private readonly received = new Map<string, DueOccurrence>();

  async handOff(occurrences: readonly DueOccurrence[]): Promise<void> {
    for (const occurrence of occurrences) {
      if (!this.received.has(occurrence.occurrenceId)) {
        this.received.set(occurrence.occurrenceId, occurrence);
      }
    }
  }

  /** Everything handed off so far, in order of arrival. */
  occurrences(): DueOccurrence[] {
    return [...this.received.values()];
  }
}
