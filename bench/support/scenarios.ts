import { performance } from 'node:perf_hooks';
import type { ConfigType } from '@nestjs/config';
import { schedulerConfig } from '../../src/config/configuration.js';
import { TickOutcome } from '../../src/scheduler/scheduler.service.js';
import { localRanges } from '../../src/domain/window.js';
import { SubscriptionStore } from '../../src/store/subscription.store.js';
import { FakeClock } from '../../test/support/fake-clock.js';
import { SchedulerHarness, startSchedulerHarness } from '../../test/support/scheduler-harness.js';
import {
  Admins,
  commandStats,
  each,
  instrument,
  Profile,
  redisCpuMs,
  resetCommandStats,
  SlowCommand,
  slowestCommands,
  Spent,
  usedMemory,
  watchSlowCommands,
} from './probe.js';
import { profiled } from './cpu-profile.js';
import { Placement, randomSource, seed, SeedResult } from './seed.js';
import { ForwardingSink, SinkChoice } from './sinks.js';

const MINUTE_MS = 60_000;
const MINUTES_PER_DAY = 1440;
/** SLOWLOG threshold: every Redis command that runs 1 ms or more is logged. */
const SLOW_MICROS = 1000;

export interface Bench {
  /** chime's Redis variables: REDIS_URL, or REDIS_CLUSTER_NODES with REDIS_URL empty. */
  readonly redisEnv: Record<string, string>;
  /** Connections of the bench's own, for INFO, CONFIG and SLOWLOG: the node, or every master. */
  readonly admin: Admins;
  readonly sink: SinkChoice;
  /** Reuse what an earlier run seeded on this Redis (`BENCH_REDIS_URL`, scenario A only). */
  readonly keepData?: boolean;
}

export interface Seeded extends SeedResult {
  readonly bytesPerSubscription: number;
}

export interface TickSample {
  readonly ms: number;
  /** CPU time this process used during the tick (user + system). */
  readonly cpuMs: number;
  readonly outcome: TickOutcome;
  /** `localRanges` for every zone over this tick's window, timed apart (pure code). */
  readonly windowMathMs: number;
}

export interface Measured {
  readonly seeded: Seeded;
  readonly ticks: TickSample[];
  readonly profile: Map<string, Spent>;
  /** Redis's own time per command over the measured ticks (INFO commandstats). */
  readonly server: Map<string, Spent>;
  readonly slowest: SlowCommand[];
  /** CPU time Redis used over the measured ticks, all of them. */
  readonly redisCpuMs: number;
}

/** Scenario A: `count` subscriptions uniform over `zones` and the day; `ticks` minute ticks. */
export function spreadScenario(
  bench: Bench,
  options: { count: number; ticks: number; zones: readonly string[]; start: Date },
): Promise<Measured> {
  const clock = new FakeClock(options.start);
  return withHarness(bench, 'bench-spread', clock, async (harness) => {
    const random = randomSource(20260615);
    const placeAt = (): Placement => ({
      timezone: options.zones[Math.floor(random() * options.zones.length)],
      minuteOfDay: Math.floor(random() * MINUTES_PER_DAY),
    });
    const seeded = bench.keepData
      ? await reuseSeeded(bench, harness, options.count, placeAt, clock)
      : await seedMeasured(bench, harness, options.count, placeAt, 'spread-');
    // The first tick sets the watermark; each later one scans the one minute that is new.
    return measureTicks('bench-spread', bench, harness, options.zones, options.ticks, seeded);
  });
}

/**
 * With `keepData`, the seeding of an earlier run on the same Redis is used again when it
 * holds the same count: the ticks then start a day later per earlier run, so that their
 * occurrences (every subscription is due every day) were never claimed.
 */
async function reuseSeeded(
  bench: Bench,
  harness: SchedulerHarness,
  count: number,
  placeAt: () => Placement,
  clock: FakeClock,
): Promise<Seeded> {
  const marker = `${harness.keyPrefix}:bench-seeded`;
  const [admin] = each(bench.admin);
  const seededBefore = await admin.get(marker);
  if (seededBefore !== null && Number(seededBefore) !== count) {
    // Seeding on top would mix two spreads: the figures would be neither's.
    throw new Error(`BENCH_REDIS_URL holds ${seededBefore} seeded, not ${count}: use an empty one`);
  }
  if (seededBefore === null) {
    const seeded = await seedMeasured(bench, harness, count, placeAt, 'spread-');
    await admin.set(marker, count);
    return seeded;
  }
  const runs = await admin.incr(`${harness.keyPrefix}:bench-runs`);
  clock.set(new Date(clock.now().getTime() + runs * MINUTES_PER_DAY * MINUTE_MS));
  console.log(`reusing the ${count} subscriptions seeded before; ticks start ${runs} day(s) later`);
  return { count, seconds: 0, bytesPerSubscription: Number.NaN };
}

/** Scenario B: `count` subscriptions whose occurrences are all at the instant `at`. */
export function burstScenario(
  bench: Bench,
  options: { keyPrefix: string; count: number; at: Date; placements: readonly Placement[] },
): Promise<Measured> {
  const clock = new FakeClock(options.at);
  return withHarness(bench, options.keyPrefix, clock, async (harness) => {
    const { placements } = options;
    const placeAt = (index: number) => placements[index % placements.length];
    const seeded = await seedMeasured(bench, harness, options.count, placeAt, 'burst-');
    // The priming tick scans [at - lookahead, at); the measured one scans [at, at + 1 min).
    const { lookaheadMinutes } = harness.app.get<ConfigType<typeof schedulerConfig>>(
      schedulerConfig.KEY,
    );
    clock.set(new Date(options.at.getTime() - lookaheadMinutes * MINUTE_MS));
    const zones = [...new Set(placements.map((placement) => placement.timezone))];
    return measureTicks(options.keyPrefix, bench, harness, zones, 1, seeded);
  });
}

async function measureTicks(
  name: string,
  bench: Bench,
  harness: SchedulerHarness,
  zones: readonly string[],
  count: number,
  seeded: Seeded,
): Promise<Measured> {
  const profile = new Profile();
  instrument(harness.redis, harness.sink, profile);
  await harness.tick();
  profile.take();
  await watchSlowCommands(bench.admin, SLOW_MICROS);
  await resetCommandStats(bench.admin);
  const redisCpuBefore = await redisCpuMs(bench.admin);
  const ticks: TickSample[] = [];
  for (let tick = 0; tick < count; tick++) {
    harness.clock.advance(MINUTE_MS);
    ticks.push(await profiled(`${name}-tick-${tick + 1}`, () => timedTick(harness, zones)));
  }
  const redisCpu = (await redisCpuMs(bench.admin)) - redisCpuBefore;
  const server = await commandStats(bench.admin);
  const slowest = await slowestCommands(bench.admin, 5);
  return { seeded, ticks, profile: profile.take(), server, slowest, redisCpuMs: redisCpu };
}

async function withHarness<T>(
  bench: Bench,
  keyPrefix: string,
  clock: FakeClock,
  run: (harness: SchedulerHarness) => Promise<T>,
): Promise<T> {
  const sink = bench.sink === 'queue' ? new ForwardingSink() : undefined;
  const harness = await startSchedulerHarness({
    redisUrl: bench.redisEnv.REDIS_URL ?? '',
    env: bench.redisEnv,
    keyPrefix,
    clock,
    sink,
  });
  await sink?.attach(harness);
  try {
    return await run(harness);
  } finally {
    await harness.close();
  }
}

async function seedMeasured(
  bench: Bench,
  harness: SchedulerHarness,
  count: number,
  placeAt: (index: number) => Placement,
  userPrefix: string,
): Promise<Seeded> {
  const before = await usedMemory(bench.admin);
  const result = await seed(harness.app.get(SubscriptionStore), count, placeAt, userPrefix);
  const after = await usedMemory(bench.admin);
  return { ...result, bytesPerSubscription: (after - before) / count };
}

async function timedTick(harness: SchedulerHarness, zones: readonly string[]) {
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  const outcome = await harness.tick();
  const ms = performance.now() - started;
  const { user, system } = process.cpuUsage(cpuBefore);
  if (!outcome) throw new Error('the tick lease was taken: does another process use the prefix?');
  const windowMathMs = windowMath(zones, outcome.from, outcome.to);
  return { ms, cpuMs: (user + system) / 1000, outcome, windowMathMs };
}

/** The mean of repeated calls, as warm as the tick's own. */
function windowMath(zones: readonly string[], from: Date, to: Date): number {
  const repeats = 20;
  const started = performance.now();
  for (let repeat = 0; repeat < repeats; repeat++) {
    for (const zone of zones) localRanges(zone, from, to);
  }
  return (performance.now() - started) / repeats;
}
