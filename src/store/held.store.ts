/** An occurrence that quiet hours or a snooze hold: the job that holds it, and its item. */
export interface HeldOccurrence {
  readonly occurrenceId: string;
  /** The job that decided to hold it, whose state the next job takes over. */
  readonly heldBy: string;
  /** When it is to leave, as planned under the policy of the time (epoch ms). */
  readonly releaseAt: number;
  /** The delivery item, as the delivery layer serialises it. */
  readonly item: unknown;
}

/** The occurrences held per user (SPEC 7), so that a policy change can plan them again. */
export abstract class HeldStore {
  abstract add(held: readonly HeldOccurrence[]): Promise<void>;

  /** Forgets the occurrences: the job that took each over sent or ended it. */
  abstract release(occurrenceIds: readonly string[]): Promise<void>;

  abstract list(userId: string): Promise<HeldOccurrence[]>;
}
