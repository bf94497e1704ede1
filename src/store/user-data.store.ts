/** How much of a user's data an erase removed, by kind (for the log). */
export interface ErasedCounts {
  readonly keys: number;
  readonly deliveryLogEntries: number;
  readonly deadLetters: number;
}

/**
 * Everything chime keeps about a user beyond the subscriptions (SPEC 2, `DELETE /users`):
 * policy, held occurrences, history, claims and delivery states, delivery log entries and
 * dead letters. The subscriptions themselves go through the SubscriptionStore first.
 */
export abstract class UserDataStore {
  abstract erase(userId: string): Promise<ErasedCounts>;

  /** Which of the users were erased within the queue's retention (24 h). */
  abstract wereErased(userIds: readonly string[]): Promise<boolean[]>;
}
