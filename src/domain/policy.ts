import { Weekday } from './local-time.js';

export const MAX_QUIET_WINDOWS = 4;
export const ON_QUIET = ['hold', 'drop'] as const;
/** What a non-critical occurrence due in quiet hours or a snooze does. */
export type OnQuiet = (typeof ON_QUIET)[number];

/** Local times, on the listed days, when only critical notifications leave (SPEC 7). */
export interface QuietWindow {
  /** `HH:MM`, the first minute inside the window. */
  readonly from: string;
  /** `HH:MM`, the first minute outside it; earlier than `from`, it is on the next day. */
  readonly to: string;
  /** The local days the window starts on. */
  readonly days: readonly Weekday[];
}

/** A user's quiet hours and snooze, one per user; every subscription of the user obeys it. */
export interface Policy {
  /** The IANA zone, in canonical spelling, that the windows' times and days are local to. */
  readonly timezone: string;
  readonly quietHours: readonly QuietWindow[];
  readonly onQuiet: OnQuiet;
  /** Quiet for every instant before it, when set. */
  readonly snoozeUntil: Date | null;
}

/** The policy of a user who never set one: nothing is quiet. */
export function defaultPolicy(timezone: string): Policy {
  return { timezone, quietHours: [], onQuiet: 'hold', snoozeUntil: null };
}
