import { DEFAULT_OCCURRENCE_RULES } from '../../src/domain/decision.js';
import { dueOccurrence, DueOccurrence } from '../../src/domain/occurrence.js';
import { instantOf, parseHHMM, WEEKDAYS } from '../../src/domain/local-time.js';
import { Subscription } from '../../src/domain/subscription.js';

const CREATED = new Date('2026-11-01T00:00:00Z');

/** A valid subscription (Ada's 08:00 Shanghai news by log, every day), with `overrides`. */
export function aSubscription(overrides: Partial<Subscription> = {}): Subscription {
  return {
    userId: 'ada',
    tag: 'news',
    time: '08:00',
    timezone: 'Asia/Shanghai',
    days: [...WEEKDAYS],
    channel: 'log',
    target: null,
    title: 'news',
    message: '',
    data: {},
    paused: false,
    ...DEFAULT_OCCURRENCE_RULES,
    createdAt: CREATED,
    updatedAt: CREATED,
    armedAt: CREATED,
    ...overrides,
  };
}

/** The subscription's occurrence on `localDate`, at its time in its zone, as claimed on time. */
export function anOccurrenceOf(
  subscription: Subscription,
  localDate: string,
  late = false,
): DueOccurrence {
  const instant = instantOf(localDate, parseHHMM(subscription.time), subscription.timezone);
  return dueOccurrence(subscription, { localDate, instant }, late);
}
