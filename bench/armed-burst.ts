/*
 * The armed-at-write burst (issue 13): N webhook subscriptions created through the API of a
 * real `node dist/main.js` about two minutes before the minute they share. The ticks have
 * scanned that minute already, so each write claims its own occurrence; the run shows what
 * the write path then queues, what it costs Redis, and when the burst arrives at a local sink
 * in a process of its own. Starts its own redis-server; see bench/README.md.
 *
 *   npm run bench:burst:armed -- [N]     (N defaults to 20,000)
 *
 * `BENCH_ARMED_AHEAD_S` (120): how long before the instant seeding starts; past
 * (LOOKAHEAD_MINUTES - 1) minutes the ticks claim the burst instead, the comparison the issue
 * draws. `BENCH_CHIME_MAIN=<other tree>/dist/main.js` runs another build (before and after).
 * `BENCH_CPU_PROFILE=<dir>` writes chime's V8 CPU profile of the delivery phase there.
 */
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import { ADMIN_TOKEN, API_TOKEN, startChime } from '../test/support/chime-process.js';
import { startRedisServer } from '../test/support/redis-server.js';
import { seedThroughApi } from './support/api-seed.js';
import { analyse, arrivalsPerSecond } from './support/burst-analysis.js';
import { printBurstReport } from './support/burst-report.js';
import { cpuSpent, Processes, readCpu } from './support/burst-sampler.js';
import {
  Cleanup,
  printLoadAtEnd,
  printMachine,
  sleepUntil,
  wholeMinuteAfter,
} from './support/burst-setup.js';
import { printHandOffs, waitForHandOffs } from './support/armed-phases.js';
import { measureDelivery } from './support/burst-delivery.js';
import { commandStats, resetCommandStats, usedMemory } from './support/probe.js';
import { Scrape } from './support/scrape.js';
import { SinkProcess } from './support/sink-process.js';

const COUNT = Number(process.argv[2] ?? 20_000);
const AHEAD_MS = Number(process.env.BENCH_ARMED_AHEAD_S ?? 120) * 1000;
/** What the bench changes of chime's defaults: a prefix of its own and no rate limit. */
const CHANGED_SETTINGS: Record<string, string> = {
  KEY_PREFIX: 'bench-armed',
  RATE_LIMIT_PER_MINUTE: '0',
  ...(process.env.BENCH_DELIVERY_CONCURRENCY
    ? { DELIVERY_CONCURRENCY: process.env.BENCH_DELIVERY_CONCURRENCY }
    : {}),
};
const CHIME_MAIN = process.env.BENCH_CHIME_MAIN;
/** `BENCH_CPU_PROFILE=<dir>`: chime's V8 CPU profile of the delivery phase goes there. */
const PROFILE_DIR = process.env.BENCH_CPU_PROFILE;
const PROFILER = fileURLToPath(new URL('./support/profile-on-signal.js', import.meta.url));
const PROFILE_SETTINGS: Record<string, string> = PROFILE_DIR
  ? { NODE_OPTIONS: `--import=${PROFILER}`, CHIME_CPU_PROFILE_DIR: resolve(PROFILE_DIR) }
  : {};
/** The delivery phase ends this long after the instant if not all have arrived. */
const WAIT_AFTER_MS = 30_000;
const SEED_IN_FLIGHT = 64;
const GOAL_MS = 3_000;
const GOAL_BYTES = 900;
const RUN_BOUND_MS = 12 * 60_000;
/** Time for chime to start before the instant is chosen, so that seeding starts on time. */
const START_MARGIN_MS = 15_000;
const TAG = 'armed';
const userIdOf = (index: number) => `a${index}`;

async function main(cleanup: Cleanup): Promise<void> {
  const redis = await startRedisServer();
  cleanup.add(() => redis.stop());
  const admin = new Redis(redis.url);
  cleanup.add(() => admin.disconnect());
  await printMachine(admin, CHIME_MAIN === undefined);
  const sink = await SinkProcess.start();
  cleanup.add(() => sink.stop());
  const chime = await startChime(
    { REDIS_URL: redis.url, ...CHANGED_SETTINGS, ...PROFILE_SETTINGS },
    CHIME_MAIN ? { main: resolve(CHIME_MAIN) } : {},
  );
  cleanup.add(() => chime.stop());
  if (CHIME_MAIN) console.log(`chime: ${resolve(CHIME_MAIN)}`);
  const processes: Processes = { chimePids: [chime.child.pid!], sinkPid: sink.child.pid!, admin };

  const instant = wholeMinuteAfter(AHEAD_MS + START_MARGIN_MS);
  // A second past the minute: the tick of that minute has scanned (it claims nothing of T).
  const seedAt = instant.getTime() - AHEAD_MS + 1_000;
  console.log(
    `${COUNT} subscriptions due at ${instant.toISOString()}, created from ` +
      `${new Date(seedAt).toISOString()} (${(instant.getTime() - seedAt) / 1000} s before)`,
  );
  await sleepUntil(seedAt);
  const before = await usedMemory(admin);
  const scrapeBefore = await Scrape.of([chime.baseUrl]);
  await resetCommandStats(admin);
  const cpuBefore = await readCpu(processes);
  const seed = await seedThroughApi({
    baseUrl: chime.baseUrl,
    apiToken: API_TOKEN,
    count: COUNT,
    inFlight: SEED_IN_FLIGHT,
    body: {
      time: instant.toISOString().slice(11, 16),
      timezone: 'UTC',
      channel: 'webhook',
      target: sink.url('/hook'),
    },
    userId: userIdOf,
    tag: TAG,
  });
  const seeded = await usedMemory(admin);
  const claimed = async () =>
    (await Scrape.of([chime.baseUrl])).value('chime_occurrences_claimed_total');
  const claimedMeanwhile =
    (await claimed()) - scrapeBefore.value('chime_occurrences_claimed_total');
  const handOffs = await waitForHandOffs(
    chime.baseUrl,
    ADMIN_TOKEN,
    COUNT,
    instant.getTime() - 5_000,
  );
  const queued = await usedMemory(admin);
  const seedCost = {
    seconds: seed.seconds,
    cpu: cpuSpent(cpuBefore, await readCpu(processes)),
    commands: await commandStats(admin),
  };
  const scrapeAfter = await Scrape.of([chime.baseUrl]);
  const tickDelta = (name: string) => scrapeAfter.value(name) - scrapeBefore.value(name);

  const delivery = await measureDelivery(processes, sink, {
    instant: instant.getTime(),
    count: COUNT,
    waitAfterMs: WAIT_AFTER_MS,
    toggle: PROFILE_DIR ? () => process.kill(chime.child.pid!, 'SIGUSR2') : undefined,
  });
  const records = await sink.records();
  const ids = new Set(
    Array.from({ length: COUNT }, (_, index) => {
      return `${userIdOf(index)}|${TAG}|${instant.toISOString().slice(0, 10)}`;
    }),
  );
  const figures = analyse(records, ids, instant.getTime());
  printBurstReport({
    count: COUNT,
    settings: Object.entries(CHANGED_SETTINGS)
      .map(([name, value]) => `${name}=${value}`)
      .join(', '),
    // The receiver's ceiling is bench:burst's figure; this bench measures the armed path.
    ceilings: [],
    replicas: 1,
    instant,
    seed: { seconds: seed.seconds, inFlight: SEED_IN_FLIGHT, claimedMeanwhile },
    memory: { before, seeded, queued, delivered: await usedMemory(admin) },
    claim: {
      ...seedCost,
      tickSeconds: tickDelta('chime_tick_duration_seconds_sum'),
      ticks: tickDelta('chime_tick_duration_seconds_count'),
      claimed: (await claimed()) - scrapeBefore.value('chime_occurrences_claimed_total'),
    },
    delivery: { ...delivery, arrivals: arrivalsPerSecond(records, instant.getTime()) },
    figures,
    outcomes: (await Scrape.of([chime.baseUrl])).byLabel('chime_deliveries_total', 'outcome'),
    goalMs: GOAL_MS,
  });
  printHandOffs({
    count: COUNT,
    handOffs,
    bytesPerSubscription: (queued - before) / COUNT,
    goalBytes: GOAL_BYTES,
    lastMs: figures.lastMs,
    goalMs: GOAL_MS,
    allOnce: figures.missing === 0 && figures.duplicates === 0 && figures.early === 0,
  });
  printLoadAtEnd();
}

const cleanup = new Cleanup();
cleanup.bound(RUN_BOUND_MS);
main(cleanup)
  .catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  })
  .finally(() => cleanup.run());
