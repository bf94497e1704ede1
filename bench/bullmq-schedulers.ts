/*
 * Issue 13's comparison: BullMQ's own way to send N daily notifications due at one minute,
 * beside chime's bench:burst. One BullMQ job scheduler per subscription
 * (`upsertJobScheduler`, a cron pattern at the instant's minute in UTC), and a BullMQ Worker
 * in a process of its own (bench/support/bullmq-sender.ts) that sends each job as a signed
 * webhook of chime's shape to the same receiver as bench:burst (burst-sink.ts, its own
 * process). It reports what bench:burst reports of the delivery: first / p50 / last after
 * the instant, once each, none early, the rate, and each process's CPU.
 *
 *   npm run bench:bullmq -- [N]     (N defaults to 20,000)
 *
 * `BENCH_BULLMQ_CONCURRENCY` (100): the Worker's concurrency (BullMQ's own default is 1).
 */
import { ChildProcess, fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import pLimit from 'p-limit';
import { startRedisServer, stopProcess } from '../test/support/redis-server.js';
import { analyse, BurstFigures, goalMet } from './support/burst-analysis.js';
import { measureDelivery } from './support/burst-delivery.js';
import { Processes } from './support/burst-sampler.js';
import { Cleanup, printLoadAtEnd, printMachine, wholeMinuteAfter } from './support/burst-setup.js';
import type { SenderJob } from './support/bullmq-sender.js';
import { usedMemory } from './support/probe.js';
import { fixed, printTable, thousands } from './support/report.js';
import { SinkProcess } from './support/sink-process.js';

const COUNT = Number(process.argv[2] ?? 20_000);
const CONCURRENCY = Number(process.env.BENCH_BULLMQ_CONCURRENCY ?? 100);
const QUEUE = 'notifications';
const PREFIX = 'bench-bullmq';
const TAG = 'news';
const UPSERTS_IN_FLIGHT = 64;
/** A guess of upserts a second, only to leave seeding time before the instant. */
const UPSERT_RATE_GUESS = 1_000;
const WAIT_AFTER_MS = 90_000;
const RUN_BOUND_MS = 10 * 60_000;
const SENDER_SCRIPT = fileURLToPath(new URL('./support/bullmq-sender.js', import.meta.url));
const userIdOf = (index: number) => `q${index}`;

async function main(cleanup: Cleanup): Promise<void> {
  const redis = await startRedisServer();
  cleanup.add(() => redis.stop());
  const admin = new Redis(redis.url);
  cleanup.add(() => admin.disconnect());
  await printMachine(admin, false);
  const sink = await SinkProcess.start();
  cleanup.add(() => sink.stop());
  const before = await usedMemory(admin);

  const instant = wholeMinuteAfter((COUNT / UPSERT_RATE_GUESS) * 1000 + 20_000);
  console.log(`${COUNT} BullMQ job schedulers due at ${instant.toISOString()} (UTC)`);
  // BullMQ does not close a connection it was given.
  const connection = new Redis(redis.url, { maxRetriesPerRequest: null });
  cleanup.add(() => connection.disconnect());
  const queue = new Queue<SenderJob>(QUEUE, { connection, prefix: PREFIX });
  cleanup.add(() => queue.close());
  const seedSeconds = await upsertSchedulers(queue, instant);
  const delayed = await queue.getDelayedCount();
  const seeded = await usedMemory(admin);
  console.log(`upserted in ${fixed(seedSeconds)} s; ${thousands(delayed)} jobs delayed`);

  const sender = await startSender(redis.url, sink.url('/hook'));
  cleanup.add(() => stopProcess(sender));
  const processes: Processes = { chimePids: [sender.pid!], sinkPid: sink.child.pid!, admin };
  const delivery = await measureDelivery(processes, sink, {
    instant: instant.getTime(),
    count: COUNT,
    waitAfterMs: WAIT_AFTER_MS,
  });
  const figures = analyse(await sink.records(), expectedIds(instant), instant.getTime());
  printFigures(figures, { seedSeconds, bytes: (seeded - before) / COUNT });
  printTable(
    `Delivery: from 3 s before the instant until the last arrival: ${fixed(delivery.seconds)} s wall`,
    ['process', 'CPU ms', 'a delivery'],
    Object.entries(delivery.cpu).map(([name, ms]) => [
      name === 'chime' ? 'BullMQ worker' : name,
      thousands(ms),
      `${thousands((ms * 1000) / COUNT)} µs`,
    ]),
  );
}

/** One scheduler per subscription, firing daily at the instant's minute. */
async function upsertSchedulers(queue: Queue<SenderJob>, instant: Date): Promise<number> {
  const pattern = `${instant.getUTCMinutes()} ${instant.getUTCHours()} * * *`;
  const started = Date.now();
  const limit = pLimit(UPSERTS_IN_FLIGHT);
  await Promise.all(
    Array.from({ length: COUNT }, (_, index) =>
      limit(() =>
        queue.upsertJobScheduler(
          `${userIdOf(index)}|${TAG}`,
          { pattern, tz: 'UTC' },
          { name: 'notify', data: { userId: userIdOf(index), tag: TAG } },
        ),
      ),
    ),
  );
  return (Date.now() - started) / 1000;
}

function startSender(redisUrl: string, sinkUrl: string): Promise<ChildProcess> {
  const child = fork(SENDER_SCRIPT, [], {
    env: {
      ...process.env,
      BENCH_REDIS_URL: redisUrl,
      BENCH_QUEUE: QUEUE,
      BENCH_PREFIX: PREFIX,
      BENCH_SINK_URL: sinkUrl,
      BENCH_CONCURRENCY: String(CONCURRENCY),
    },
    stdio: 'inherit',
  });
  return new Promise((resolve, reject) => {
    child.once('message', () => resolve(child));
    child.once('exit', (code) => reject(new Error(`the BullMQ sender exited (${code})`)));
  });
}

function expectedIds(instant: Date): Set<string> {
  const date = instant.toISOString().slice(0, 10);
  return new Set(Array.from({ length: COUNT }, (_, index) => `${userIdOf(index)}|${TAG}|${date}`));
}

function printFigures(figures: BurstFigures, seed: { seedSeconds: number; bytes: number }) {
  const rate = figures.received / (figures.lastMs / 1000);
  printTable(
    `BullMQ job schedulers: ${thousands(COUNT)} due in the same minute (Worker concurrency ${CONCURRENCY})`,
    ['figure', 'value'],
    [
      ['job schedulers (upsertJobScheduler, 64 in flight)', thousands(COUNT)],
      ['seeding', `${fixed(seed.seedSeconds)} s, ${thousands(COUNT / seed.seedSeconds)}/s`],
      ['Redis bytes per scheduler (its job included)', thousands(seed.bytes)],
      ['received / distinct', `${thousands(figures.received)} / ${thousands(figures.distinct)}`],
      [
        'first / p50 / last after the instant',
        `${thousands(figures.firstMs)} / ${thousands(figures.p50Ms)} / ${thousands(figures.lastMs)} ms`,
      ],
      [
        'early / duplicates / missing',
        `${figures.early} / ${figures.duplicates} / ${figures.missing}`,
      ],
      [
        'unexpected ids / wrong scheduledFor',
        `${figures.unexpected} / ${figures.wrongScheduledFor}`,
      ],
      ['rate: received / (last - instant)', `${thousands(rate)}/s`],
      ['all once, none early', goalMet(figures, Number.POSITIVE_INFINITY) ? 'yes' : 'NO'],
    ],
  );
}

const cleanup = new Cleanup();
cleanup.bound(RUN_BOUND_MS);
main(cleanup)
  .then(() => printLoadAtEnd())
  .catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  })
  .finally(() => cleanup.run());
