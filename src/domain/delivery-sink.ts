import { DueOccurrence } from './occurrence.js';

/**
 * Where claimed occurrences go to be delivered at their instant. Hand-off is at least once
 * (a crash may hand the same occurrence again), so an implementation drops repeats by
 * `occurrenceId`.
 */
export abstract class DeliverySink {
  abstract handOff(occurrences: readonly DueOccurrence[]): Promise<void>;
}
