import { Injectable, Logger } from '@nestjs/common';
import { DueOccurrence } from './occurrence.js';

/**
 * Where claimed occurrences go to be delivered at their instant. Hand-off is at least once
 * (a crash may hand the same occurrence again), so an implementation drops repeats by
 * `occurrenceId`.
 */
export abstract class DeliverySink {
  abstract handOff(occurrences: readonly DueOccurrence[]): Promise<void>;
}

/** Keeps handed-off occurrences in memory, once each, and logs them. */
@Injectable()
export class InProcessDeliverySink extends DeliverySink {
  private readonly logger = new Logger(InProcessDeliverySink.name);
  private readonly received = new Map<string, DueOccurrence>();

  async handOff(occurrences: readonly DueOccurrence[]): Promise<void> {
    for (const occurrence of occurrences) {
      if (this.received.has(occurrence.occurrenceId)) continue;
      this.received.set(occurrence.occurrenceId, occurrence);
      this.logger.log(
        `due ${occurrence.occurrenceId} at ${occurrence.scheduledFor.toISOString()}${occurrence.late ? ' (late)' : ''}`,
      );
    }
  }

  /** Everything handed off so far, in order of arrival. */
  occurrences(): DueOccurrence[] {
    return [...this.received.values()];
  }
}
