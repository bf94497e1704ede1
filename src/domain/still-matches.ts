import { instantOf, parseHHMM, Weekday, weekdayOf } from './local-time.js';
import { DueOccurrence } from './occurrence.js';
import { Subscription } from './subscription.js';

/** SPEC 4, changes win: the subscription still exists, is active, and is due at this instant. */
export function stillMatches(subscription: Subscription, occurrence: DueOccurrence): boolean {
  const { localDate, scheduledFor } = occurrence;
  if (subscription.paused || !subscription.days.includes(weekdays.get(localDate))) return false;
  const { time, timezone } = subscription;
  return instants.get(`${localDate}|${time}|${timezone}`) === scheduledFor.getTime();
}

/**
 * A burst's occurrences share a few dates, times and zones, and luxon's zone arithmetic
 * costs more than the rest of a delivery's checks: each answer is computed once.
 */
class Memo<T> {
  private readonly values = new Map<string, T>();

  constructor(
    private readonly compute: (key: string) => T,
    private readonly capacity = 10_000,
  ) {}

  get(key: string): T {
    let value = this.values.get(key);
    if (value === undefined) {
      if (this.values.size >= this.capacity) this.values.clear();
      value = this.compute(key);
      this.values.set(key, value);
    }
    return value;
  }
}

const weekdays = new Memo<Weekday>(weekdayOf);
const instants = new Memo<number>((key) => {
  const [localDate, time, timezone] = key.split('|');
  return instantOf(localDate, parseHHMM(time), timezone).getTime();
});
