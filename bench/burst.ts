/*
 * The delivery burst (issue 4): N webhook subscriptions due in the same minute, seeded
 * through the API of a real `node dist/main.js`, claimed by its own minute tick and sent to
 * a local sink in a process of its own. Starts its own redis-server; see bench/README.md.
 *
 *   npm run bench:burst -- [N]     (N defaults to 100,000)
 *
 * With `BENCH_QUIET_SHARE=0.1`, that share of the users has quiet hours from a minute before
 * the instant to QUIET_MINUTES after it (issue 14): their occurrences are held and leave,
 * in a burst of their own, when the window ends; the others leave on time. Each group is
 * reported on its own.
 */
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import { API_TOKEN, startChime } from '../test/support/chime-process.js';
import { startRedisCluster } from '../test/support/redis-cluster.js';
import { startRedisServer } from '../test/support/redis-server.js';
import { seedThroughApi } from './support/api-seed.js';
import { analyse, arrivalsPerSecond } from './support/burst-analysis.js';
import type { SinkRecords } from './support/burst-sink.js';
import { BurstRun, printBurstReport } from './support/burst-report.js';
import { measureCeiling } from './support/burst-ceiling.js';
import { measureDelivery } from './support/burst-delivery.js';
import { cpuSpent, Processes, readCpu, withDescendants } from './support/burst-sampler.js';
import {
  Cleanup,
  pollUntil,
  printLoadAtEnd,
  printMachine,
  sleepUntil,
  wholeMinuteAfter,
} from './support/burst-setup.js';
import { Admins, commandStats, each, resetCommandStats, usedMemory } from './support/probe.js';
import { Scrape } from './support/scrape.js';
import { SinkProcess } from './support/sink-process.js';

const COUNT = Number(process.argv[2] ?? 100_000);
/**
 * chime's own settings the bench changes: only those it needs (a loopback receiver, one
 * client seeding 100k) and those its knobs set. Everything else is chime's default.
 */
const CHIME_SETTINGS: Record<string, string> = {
  KEY_PREFIX: 'bench-burst',
  WEBHOOK_ALLOW_PRIVATE: 'true',
  RATE_LIMIT_PER_MINUTE: '0',
  LOG_LEVEL: process.env.BENCH_LOG_LEVEL ?? 'info',
  ...(process.env.BENCH_DELIVERY_CONCURRENCY
    ? { DELIVERY_CONCURRENCY: process.env.BENCH_DELIVERY_CONCURRENCY }
    : {}),
  ...(process.env.BENCH_WORKERS ? { WORKERS: process.env.BENCH_WORKERS } : {}),
  ...(process.env.BENCH_LOOKAHEAD_MINUTES
    ? { LOOKAHEAD_MINUTES: process.env.BENCH_LOOKAHEAD_MINUTES }
    : {}),
};
/** A guess used only to place the instant; the run reports the real rate. */
const SEED_RATE_GUESS = Number(process.env.BENCH_SEED_RATE ?? 500);
/** chime processes against the same Redis and KEY_PREFIX (SPEC 4 allows any number). */
const REPLICAS = Number(process.env.BENCH_REPLICAS ?? 1);
/**
 * With `BENCH_CPU_PROFILE=<dir>`, chime's CPU profiles go there: `-1` of the claiming tick,
 * `-2` of the delivery phase.
 */
const PROFILE_DIR = process.env.BENCH_CPU_PROFILE;
const PROFILER = fileURLToPath(new URL('./support/profile-on-signal.js', import.meta.url));
const CHIME_NODE_OPTIONS =
  process.env.BENCH_CHIME_NODE_OPTIONS ?? (PROFILE_DIR ? `--import=${PROFILER}` : undefined);
/** `BENCH_CHIME_MAIN=<other tree>/dist/main.js` runs another build (before and after). */
const CHIME_MAIN = process.env.BENCH_CHIME_MAIN;
const SEED_IN_FLIGHT = 64;
const GOAL_MS = 10_000;
/** A burst later than this is reported with what had arrived; its missing may be only late. */
const WAIT_AFTER_MS = 60_000;
const RUN_BOUND_MS = 15 * 60_000;
/** chime's LOOKAHEAD_MINUTES (default 4): the tick claims an instant this long before it. */
const LOOKAHEAD_MINUTES = Number(process.env.BENCH_LOOKAHEAD_MINUTES ?? 4);
const LOOKAHEAD_MS = LOOKAHEAD_MINUTES * 60_000;
const TAG = 'burst';
const userIdOf = (index: number) => `u${index}`;
const QUIET_SHARE = Number(process.env.BENCH_QUIET_SHARE ?? 0);
const QUIET_EVERY = QUIET_SHARE > 0 ? Math.round(1 / QUIET_SHARE) : 0;
const QUIET_COUNT = QUIET_EVERY > 0 ? Math.ceil(COUNT / QUIET_EVERY) : 0;
/** Users 0, QUIET_EVERY, 2 * QUIET_EVERY ... are quiet at the instant. */
const isQuiet = (index: number) => QUIET_EVERY > 0 && index % QUIET_EVERY === 0;
const QUIET_MINUTES = 2;

/**
 * `node` (one redis-server) or `cluster` (three masters without replicas: on two cores a
 * replica per master would only take CPU from the masters).
 */
const TOPOLOGY = process.env.BENCH_TOPOLOGY ?? 'node';

interface Stack {
  readonly admin: Admins;
  readonly sink: SinkProcess;
  /** One base URL per chime replica; seeding goes through the first. */
  readonly chimeUrls: string[];
  readonly processes: Processes;
}

/** redis-server, the sink and REPLICAS chime processes sharing one KEY_PREFIX. */
async function startStack(cleanup: Cleanup): Promise<Stack> {
  const { redisEnv, admin } = await startRedis(cleanup);
  await printMachine(each(admin)[0]);
  console.log(`Redis: ${TOPOLOGY === 'cluster' ? 'a cluster of 3 masters' : 'one node'}`);
  if (CHIME_MAIN) console.log(`chime: ${resolve(CHIME_MAIN)}`);
  const sink = await SinkProcess.start();
  cleanup.add(() => sink.stop());
  const chimes = [];
  for (let replica = 0; replica < REPLICAS; replica++) {
    const chime = await startChime(
      {
        ...redisEnv,
        ...CHIME_SETTINGS,
        // e.g. `--import=<a module that starts node:inspector's profiler>`.
        ...(CHIME_NODE_OPTIONS ? { NODE_OPTIONS: CHIME_NODE_OPTIONS } : {}),
        ...(PROFILE_DIR ? { CHIME_CPU_PROFILE_DIR: resolve(PROFILE_DIR) } : {}),
      },
      CHIME_MAIN ? { main: resolve(CHIME_MAIN) } : {},
    );
    cleanup.add(() => chime.stop());
    chimes.push(chime);
  }
  const roots = chimes.map((chime) => chime.child.pid!);
  // With WORKERS > 1 each chime is a primary and its workers: their CPU is chime's.
  const processes = {
    get chimePids() {
      return withDescendants(roots);
    },
    sinkPid: sink.child.pid!,
    admin,
  };
  return { admin, sink, chimeUrls: chimes.map((chime) => chime.baseUrl), processes };
}

/** chime's Redis variables and the bench's own connections (to every master of a cluster). */
async function startRedis(
  cleanup: Cleanup,
): Promise<{ redisEnv: Record<string, string>; admin: Admins }> {
  if (TOPOLOGY === 'cluster') {
    const cluster = await startRedisCluster({ masters: 3, replicasPerMaster: 0 });
    cleanup.add(() => cluster.stop());
    const admins = cluster.masterPorts.map((port) => new Redis(port, '127.0.0.1'));
    cleanup.add(() => admins.forEach((admin) => admin.disconnect()));
    return { redisEnv: { REDIS_URL: '', REDIS_CLUSTER_NODES: cluster.seeds }, admin: admins };
  }
  if (TOPOLOGY !== 'node')
    throw new Error(`BENCH_TOPOLOGY: ${TOPOLOGY} is neither node nor cluster`);
  const redis = await startRedisServer();
  cleanup.add(() => redis.stop());
  const admin = new Redis(redis.url);
  cleanup.add(() => admin.disconnect());
  return { redisEnv: { REDIS_URL: redis.url }, admin };
}

async function main(cleanup: Cleanup): Promise<void> {
  const { admin, sink, chimeUrls, processes } = await startStack(cleanup);
  console.log(`chime's settings changed by the bench: ${describeSettings()}`);
  // The receiver's ceiling, with chime started and idle; again after the burst.
  const ceilingBefore = await measureCeiling(sink.url('/ceiling'));
  await sink.reset();
  // Seeding must end before the tick that claims the instant (LOOKAHEAD - 1 min before it),
  // so that the tick, not each write, claims the whole burst at once.
  const seedGuessMs = (COUNT / SEED_RATE_GUESS) * 1000;
  const instant = wholeMinuteAfter(seedGuessMs + LOOKAHEAD_MS - 60_000 + 30_000);
  console.log(`${COUNT} subscriptions due at ${instant.toISOString()} (UTC)`);
  const before = await usedMemory(admin);
  if (QUIET_COUNT > 0) await seedQuietPolicies(chimeUrls[0], instant.getTime());
  const seed = await seedThroughApi({
    baseUrl: chimeUrls[0],
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
  const afterSeeding = await Scrape.of(chimeUrls);
  const claimedMeanwhile = afterSeeding.value('chime_occurrences_claimed_total');
  console.log(`seeded in ${seed.seconds.toFixed(1)} s; ${claimedMeanwhile} claimed meanwhile`);

  const claim = await measureClaim(processes, chimeUrls, afterSeeding, instant.getTime());
  const queued = await usedMemory(admin);
  const delivery = await measureDelivery(processes, sink, {
    instant: instant.getTime(),
    count: COUNT - QUIET_COUNT,
    waitAfterMs: WAIT_AFTER_MS,
    toggle: () => toggleChimeProfilers(processes),
  });
  const releasedAt = instant.getTime() + QUIET_MINUTES * 60_000;
  if (QUIET_COUNT > 0) {
    await pollUntil(async () => (await sink.count()) >= COUNT, releasedAt + WAIT_AFTER_MS, 100);
    await new Promise((resolve) => setTimeout(resolve, 2_000));
  }
  const records = await sink.records();
  const ceilingAfter = await measureCeiling(sink.url('/ceiling'));
  const ids = expectedIds(instant);
  printBurstReport({
    count: COUNT,
    settings: describeSettings(),
    replicas: REPLICAS,
    ceilings: [ceilingBefore, ceilingAfter],
    instant,
    seed: { seconds: seed.seconds, inFlight: SEED_IN_FLIGHT, claimedMeanwhile },
    memory: { before, seeded, queued, delivered: await usedMemory(admin) },
    claim,
    delivery: {
      ...delivery,
      arrivals: arrivalsPerSecond(recordsOf(records, ids.onTime), instant.getTime()),
    },
    figures: analyse(records, ids.onTime, instant.getTime(), { only: ids.onTime }),
    outcomes: (await Scrape.of(chimeUrls)).byLabel('chime_deliveries_total', 'outcome'),
    goalMs: GOAL_MS,
  });
  if (QUIET_COUNT > 0) printHeld(records, ids, instant.getTime(), releasedAt);
  printLoadAtEnd();
}

/** The settings chime runs with beside its defaults, as the report states them. */
function describeSettings(): string {
  return Object.entries(CHIME_SETTINGS)
    .map(([name, value]) => `${name}=${value}`)
    .join(', ');
}

/** The quiet users' policies, through the API: quiet from a minute before the instant. */
async function seedQuietPolicies(baseUrl: string, instant: number): Promise<void> {
  const hhmm = (at: number) => new Date(at).toISOString().slice(11, 16);
  const seed = await seedThroughApi({
    baseUrl,
    apiToken: API_TOKEN,
    count: QUIET_COUNT,
    inFlight: SEED_IN_FLIGHT,
    body: {
      timezone: 'UTC',
      quietHours: [{ from: hhmm(instant - 60_000), to: hhmm(instant + QUIET_MINUTES * 60_000) }],
    },
    userId: (index) => userIdOf(index * QUIET_EVERY),
    tag: TAG,
    path: (index) => `/users/${userIdOf(index * QUIET_EVERY)}/policy`,
    status: 200,
  });
  console.log(`${QUIET_COUNT} quiet users' policies set in ${seed.seconds.toFixed(1)} s`);
}

/** The held group against the end of its quiet window. */
function printHeld(
  records: SinkRecords,
  ids: ExpectedIds,
  instant: number,
  releasedAt: number,
): void {
  const held = analyse(records, ids.held, releasedAt, { scheduledFor: instant, only: ids.held });
  const ms = (value: number) => `${(value / 1000).toFixed(2)} s`;
  console.log(`\nheld by quiet hours until ${new Date(releasedAt).toISOString()}:`);
  console.log(
    `  expected / received / distinct: ${held.expected} / ${held.received} / ${held.distinct}`,
  );
  console.log(`  before the window's end (inside quiet hours): ${held.early}`);
  console.log(
    `  duplicates / missing / wrong scheduledFor: ${held.duplicates} / ${held.missing} / ${held.wrongScheduledFor}`,
  );
  console.log(
    `  first / p50 / p99 / last after the window's end: ${ms(held.firstMs)} / ${ms(held.p50Ms)} / ${ms(held.p99Ms)} / ${ms(held.lastMs)}`,
  );
  console.log(`  ${Math.round(held.perSecond)} a second`);
}

/** From the end of seeding until the burst is claimed (or 5 s before the instant). */
async function measureClaim(
  processes: Processes,
  chimeUrls: string[],
  before: Scrape,
  instant: number,
): Promise<BurstRun['claim']> {
  const started = Date.now();
  await resetCommandStats(processes.admin);
  const cpuBefore = await readCpu(processes);
  const claimingTick = instant - LOOKAHEAD_MS + 60_000;
  await sleepUntil(claimingTick - 1_000);
  toggleChimeProfilers(processes);
  let after = before;
  await pollUntil(
    async () => {
      after = await Scrape.of(chimeUrls);
      return after.value('chime_occurrences_claimed_total') >= COUNT;
    },
    instant - 5_000,
    250,
  );
  toggleChimeProfilers(processes);
  const cpu = cpuSpent(cpuBefore, await readCpu(processes));
  const delta = (name: string) => after.value(name) - before.value(name);
  return {
    seconds: (Date.now() - started) / 1000,
    cpu,
    commands: await commandStats(processes.admin),
    tickSeconds: delta('chime_tick_duration_seconds_sum'),
    ticks: delta('chime_tick_duration_seconds_count'),
    claimed: after.value('chime_occurrences_claimed_total'),
  };
}

/** SIGUSR2 starts or stops the profiler that `BENCH_CPU_PROFILE` loads into chime. */
function toggleChimeProfilers({ chimePids }: Processes): void {
  if (PROFILE_DIR) for (const pid of chimePids) process.kill(pid, 'SIGUSR2');
}

/** The records of the ids in `group`. */
function recordsOf(records: SinkRecords, group: ReadonlySet<string>): SinkRecords {
  const kept = records.ids.flatMap((id, index) => (group.has(id) ? [index] : []));
  const pick = (values: Float64Array) => Float64Array.from(kept, (index) => values[index]);
  return {
    ids: kept.map((index) => records.ids[index]),
    receivedAt: pick(records.receivedAt),
    receivedWall: pick(records.receivedWall),
    scheduledFor: pick(records.scheduledFor),
  };
}

interface ExpectedIds {
  readonly onTime: Set<string>;
  readonly held: Set<string>;
}

/** Every occurrence id the burst should deliver (`<userId>|<tag>|<local date>`), by group. */
function expectedIds(instant: Date): ExpectedIds {
  const localDate = instant.toISOString().slice(0, 10);
  const ids: ExpectedIds = { onTime: new Set(), held: new Set() };
  for (let index = 0; index < COUNT; index++) {
    (isQuiet(index) ? ids.held : ids.onTime).add(`${userIdOf(index)}|${TAG}|${localDate}`);
  }
  return ids;
}

const cleanup = new Cleanup();
cleanup.bound(RUN_BOUND_MS);
main(cleanup)
  .catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  })
  .finally(() => cleanup.run());
