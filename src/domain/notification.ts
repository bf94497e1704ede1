/** What a channel sends: one occurrence of one subscription. */
export interface Notification {
  readonly occurrenceId: string;
  readonly userId: string;
  readonly tag: string;
  readonly scheduledFor: Date;
  readonly late: boolean;
  readonly title: string;
  readonly message: string;
  readonly data: Readonly<Record<string, unknown>>;
  readonly target: string | null;
}
