import { DueOccurrence } from './occurrence.js';

/**
 * Where claimed occurrences go to be delivered at their instant. Hand-off is at least once
 * (a crash may hand the same occurrence again), so an implementation drops repeats of
 * an `occurrenceId` at the same `scheduledFor` (a date claimed again for a new time is new).
 */
export abstract class DeliverySink {
  abstract handOff(occurrences: readonly DueOccurrence[]): Promise<void>;
}
