import { Policy } from '../domain/policy.js';

/** Users' policies (SPEC 7): one per user, absent for a user who keeps the defaults. */
export abstract class PolicyStore {
  /** The user's policy, or null when the user has none. */
  abstract find(userId: string): Promise<Policy | null>;

  /** Each user's policy or null, a round trip per bucket. */
  abstract findMany(userIds: readonly string[]): Promise<(Policy | null)[]>;

  abstract save(userId: string, policy: Policy): Promise<void>;

  /** False when the user had none. */
  abstract delete(userId: string): Promise<boolean>;
}

interface StoredPolicy {
  timezone: string;
  quietHours: Policy['quietHours'];
  onQuiet: Policy['onQuiet'];
  snoozeUntil: number | null;
}

export function encodePolicy({ timezone, quietHours, onQuiet, snoozeUntil }: Policy): string {
  const stored: StoredPolicy = {
    timezone,
    quietHours,
    onQuiet,
    snoozeUntil: snoozeUntil?.getTime() ?? null,
  };
  return JSON.stringify(stored);
}

export function decodePolicy(value: string): Policy {
  const { timezone, quietHours, onQuiet, snoozeUntil } = JSON.parse(value) as StoredPolicy;
  return {
    timezone,
    quietHours,
    onQuiet,
    snoozeUntil: snoozeUntil === null ? null : new Date(snoozeUntil),
  };
}
