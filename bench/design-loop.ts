/*
 * The design documents' ScheduleService, for comparison with bench/burst.ts: N members of a
 * ZSET scored HHMM, all due in the same minute, and a loop that for each member in turn
 * awaits `EXISTS sent:<id>`, then `LPUSH queue <payload>` and `SETEX sent:<id> <ttl> 1`: one
 * round trip per command, no pipelining. Starts its own redis-server and the same sink as
 * the burst bench, in a process of its own; see bench/README.md.
 *
 *   npm run bench:burst -- ... builds it; then: node dist-bench/bench/design-loop.js [N]
 */
import { performance } from 'node:perf_hooks';
import { Redis } from 'ioredis';
import { Agent, request } from 'undici';
import { startRedisServer } from '../test/support/redis-server.js';
import { analyse } from './support/burst-analysis.js';
import { Cleanup, printLoadAtEnd, printMachine, pollUntil } from './support/burst-setup.js';
import { fixed, printTable, thousands } from './support/report.js';
import { SinkProcess } from './support/sink-process.js';

const COUNT = Number(process.argv[2] ?? 100_000);
/** Workers that each pop one payload and POST it, as chime's DELIVERY_CONCURRENCY does. */
const SENDERS = Number(process.env.BENCH_DESIGN_SENDERS ?? 200);
const TTL_SECONDS = 86_400;
const SCORE = 900;
const LOCAL_DATE = '2026-01-12';
const SCHEDULE = 'design:subs:UTC';
const QUEUE = 'design:queue';
const WAIT_AFTER_MS = 120_000;

interface LoopResult {
  readonly seconds: number;
  readonly pushed: number;
}

/** The design's loop over every member due at SCORE, one awaited command at a time. */
async function scheduleDue(redis: Redis): Promise<LoopResult> {
  const started = performance.now();
  const members = await redis.zrangebyscore(SCHEDULE, SCORE, SCORE);
  let pushed = 0;
  for (const member of members) {
    const id = `${member}|${LOCAL_DATE}`;
    if (await redis.exists(`design:sent:${id}`)) continue;
    const payload = JSON.stringify({ occurrenceId: id, scheduledFor: Date.now() });
    await redis.lpush(QUEUE, payload);
    await redis.setex(`design:sent:${id}`, TTL_SECONDS, '1');
    pushed++;
  }
  return { seconds: (performance.now() - started) / 1000, pushed };
}

async function seedSchedule(redis: Redis): Promise<void> {
  for (let first = 0; first < COUNT; first += 10_000) {
    const pipeline = redis.pipeline();
    for (let i = first; i < Math.min(COUNT, first + 10_000); i++) {
      pipeline.zadd(SCHEDULE, SCORE, `user:u${i}|tag:burst`);
    }
    await pipeline.exec();
  }
}

/** Pops payloads one by one and POSTs each, with `webhook-id` and `scheduledFor` as chime's. */
function startSenders(url: string, redisUrl: string, instant: number, stop: () => boolean) {
  const agent = new Agent({ keepAliveTimeout: 30_000 });
  const scheduledFor = new Date(instant).toISOString();
  const sender = async () => {
    const redis = new Redis(redisUrl);
    try {
      while (!stop()) {
        const popped = await redis.brpop(QUEUE, 0.05);
        if (!popped) continue;
        const { occurrenceId } = JSON.parse(popped[1]) as { occurrenceId: string };
        const body = JSON.stringify({ occurrenceId, scheduledFor });
        const headers = { 'content-type': 'application/json', 'webhook-id': occurrenceId };
        const response = await request(url, { method: 'POST', body, headers, dispatcher: agent });
        await response.body.dump();
      }
    } finally {
      redis.disconnect();
    }
  };
  const all = Promise.all(Array.from({ length: SENDERS }, sender));
  return all.finally(() => agent.close());
}

async function main(cleanup: Cleanup): Promise<void> {
  const server = await startRedisServer();
  cleanup.add(() => server.stop());
  const redis = new Redis(server.url);
  cleanup.add(() => redis.disconnect());
  await printMachine(redis, false);
  const sink = await SinkProcess.start();
  cleanup.add(() => sink.stop());
  await seedSchedule(redis);

  // 1. The loop alone: how long the tick takes to hand N due members to the queue.
  const alone = await scheduleDue(redis);
  await redis.del(QUEUE);
  await flushSent(redis);

  // 2. End to end: the loop and the senders together, from the loop's start as the instant.
  let stopped = false;
  await new Promise((resolve) => setTimeout(resolve, 100));
  const instant = Date.now();
  const senders = startSenders(sink.url('/hook'), server.url, instant, () => stopped);
  const withSenders = await scheduleDue(redis);
  await pollUntil(async () => (await sink.count()) >= COUNT, instant + WAIT_AFTER_MS, 50);
  stopped = true;
  await senders;
  const ids = new Set(
    Array.from({ length: COUNT }, (_, i) => `user:u${i}|tag:burst|${LOCAL_DATE}`),
  );
  const figures = analyse(await sink.records(), ids, instant);
  printTable(
    `Design loop: ${thousands(COUNT)} members due at once (EXISTS, LPUSH, SETEX each, no pipelining)`,
    ['figure', 'value'],
    [
      ['loop alone: members handed to the queue', thousands(alone.pushed)],
      ['loop alone: seconds', fixed(alone.seconds, 2)],
      ['loop alone: members per second', thousands(alone.pushed / alone.seconds)],
      ['loop alone: µs per member (3 round trips)', fixed((alone.seconds * 1e6) / alone.pushed, 1)],
      [
        `end to end, ${SENDERS} senders popping one each: loop seconds`,
        fixed(withSenders.seconds, 2),
      ],
      [
        'first / last arrival after the loop started',
        `${ms(figures.firstMs)} / ${ms(figures.lastMs)}`,
      ],
      [
        'lateness p50 / p99 / max',
        `${ms(figures.p50Ms)} / ${ms(figures.p99Ms)} / ${ms(figures.maxMs)}`,
      ],
      ['duplicates / missing', `${figures.duplicates} / ${figures.missing}`],
      ['deliveries per second', thousands(figures.perSecond)],
    ],
  );
  printLoadAtEnd();
}

async function flushSent(redis: Redis): Promise<void> {
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', 'design:sent:*', 'COUNT', 10_000);
    if (keys.length > 0) await redis.unlink(...keys);
    cursor = next;
  } while (cursor !== '0');
}

function ms(value: number): string {
  return Number.isFinite(value) ? `${thousands(value)} ms` : '-';
}

const cleanup = new Cleanup();
cleanup.bound(15 * 60_000);
main(cleanup)
  .catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  })
  .finally(() => cleanup.run());
