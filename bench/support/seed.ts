import { DEFAULT_OCCURRENCE_RULES } from '../../src/domain/decision.js';
import { performance } from 'node:perf_hooks';
import { formatHHMM, WEEKDAYS } from '../../src/domain/local-time.js';
import { Subscription } from '../../src/domain/subscription.js';
import { SubscriptionStore } from '../../src/store/subscription.store.js';

/** Saves in flight at once: enough to keep Redis busy, few enough to bound memory. */
const IN_FLIGHT = 2000;
/** Before every instant the bench ticks at, so that no occurrence is left out as unarmed. */
const ARMED_AT = new Date('2025-01-01T00:00:00Z');
const TAGS = ['digest', 'reminder'] as const;

export interface Placement {
  readonly timezone: string;
  /** Minute of the local day, 0-1439. */
  readonly minuteOfDay: number;
}

export interface SeedResult {
  readonly count: number;
  readonly seconds: number;
}

/**
 * Writes `count` subscriptions through the product's own `SubscriptionStore.save()`, so the
 * keys are exactly SPEC 3's. Users have two subscriptions each (`digest`, `reminder`).
 */
export async function seed(
  store: SubscriptionStore,
  count: number,
  placeAt: (index: number) => Placement,
  userPrefix: string,
): Promise<SeedResult> {
  const started = performance.now();
  for (let first = 0; first < count; first += IN_FLIGHT) {
    const last = Math.min(count, first + IN_FLIGHT);
    const saves: Promise<string>[] = [];
    for (let index = first; index < last; index++) {
      const subscription = subscriptionAt(index, placeAt(index), userPrefix);
      saves.push(store.save(subscription, null).then(({ outcome }) => outcome));
    }
    const outcomes = await Promise.all(saves);
    const unexpected = outcomes.find((outcome) => outcome !== 'created');
    if (unexpected) throw new Error(`seeding: a save answered ${unexpected}, not created`);
  }
  return { count, seconds: (performance.now() - started) / 1000 };
}

function subscriptionAt(index: number, placement: Placement, userPrefix: string): Subscription {
  const tag = TAGS[index % TAGS.length];
  const minute = placement.minuteOfDay;
  return {
    userId: `${userPrefix}${Math.floor(index / TAGS.length)}`,
    tag,
    time: formatHHMM({ hour: Math.floor(minute / 60), minute: minute % 60 }),
    timezone: placement.timezone,
    days: WEEKDAYS,
    channel: 'log',
    target: null,
    title: tag,
    message: '',
    data: {},
    paused: false,
    ...DEFAULT_OCCURRENCE_RULES,
    createdAt: ARMED_AT,
    updatedAt: ARMED_AT,
    armedAt: ARMED_AT,
  };
}

/** A small deterministic PRNG (mulberry32), so every run seeds the same subscriptions. */
export function randomSource(seedValue: number): () => number {
  let state = seedValue >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
