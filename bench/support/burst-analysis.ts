import type { SinkRecords } from './burst-sink.js';
import { percentile } from './report.js';

/** What the sink saw of one burst, against what should have arrived. */
export interface BurstFigures {
  readonly expected: number;
  readonly received: number;
  readonly distinct: number;
  /** Requests beyond the first for the same `webhook-id`. */
  readonly duplicates: number;
  readonly missing: number;
  /** Ids received that were not expected (another occurrence, or no header). */
  readonly unexpected: number;
  /** Received before the instant by the wall clock (`Date.now()`), which chime reads too. */
  readonly early: number;
  /** Bodies whose `scheduledFor` is not the instant. */
  readonly wrongScheduledFor: number;
  /** ms after the instant (negative: before it), from high-resolution arrival times. */
  readonly firstMs: number;
  readonly lastMs: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly maxMs: number;
  /** received / (last - first), per second. */
  readonly perSecond: number;
}

/**
 * Compares what arrived with the ids expected, all due at `instant` (epoch ms) and stating
 * `scheduledFor` (the instant, unless quiet hours held them until `instant`). Records of ids
 * `only` leaves out are not looked at (another group of the same run).
 */
export function analyse(
  records: SinkRecords,
  expectedIds: ReadonlySet<string>,
  instant: number,
  { scheduledFor = instant, only }: { scheduledFor?: number; only?: ReadonlySet<string> } = {},
): BurstFigures {
  const seen = new Set<string>();
  let duplicates = 0;
  let unexpected = 0;
  let early = 0;
  let wrongScheduledFor = 0;
  const lateness: number[] = [];
  for (let index = 0; index < records.ids.length; index++) {
    const id = records.ids[index];
    if (only && !only.has(id)) continue;
    if (seen.has(id)) duplicates++;
    seen.add(id);
    if (!expectedIds.has(id)) unexpected++;
    if (records.receivedWall[index] < instant) early++;
    if (records.scheduledFor[index] !== scheduledFor) wrongScheduledFor++;
    lateness.push(records.receivedAt[index] - instant);
  }
  let missing = 0;
  for (const id of expectedIds) if (!seen.has(id)) missing++;
  // Spreading 100,000 arguments into Math.min would overflow the stack.
  const firstMs = lateness.reduce((min, ms) => Math.min(min, ms), Number.POSITIVE_INFINITY);
  const lastMs = lateness.reduce((max, ms) => Math.max(max, ms), Number.NEGATIVE_INFINITY);
  return {
    expected: expectedIds.size,
    received: lateness.length,
    distinct: seen.size,
    duplicates,
    missing,
    unexpected,
    early,
    wrongScheduledFor,
    firstMs,
    lastMs,
    p50Ms: percentile(lateness, 50),
    p99Ms: percentile(lateness, 99),
    maxMs: lastMs,
    perSecond: lateness.length > 1 ? (lateness.length * 1000) / (lastMs - firstMs) : Number.NaN,
  };
}

/** Arrivals per whole second after the instant (index 0 is [0 s, 1 s)), up to the last. */
export function arrivalsPerSecond(records: SinkRecords, instant: number): number[] {
  const counts: number[] = [];
  for (const at of records.receivedAt) {
    const second = Math.max(0, Math.floor((at - instant) / 1000));
    while (counts.length <= second) counts.push(0);
    counts[second]++;
  }
  return counts;
}

/** The goal of issue 4: all of them, once each, none early, the last within `goalMs`. */
export function goalMet(figures: BurstFigures, goalMs: number): boolean {
  return (
    figures.missing === 0 &&
    figures.duplicates === 0 &&
    figures.early === 0 &&
    figures.unexpected === 0 &&
    figures.lastMs <= goalMs
  );
}
