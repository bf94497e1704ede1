/*
 * What the delivery queue costs in Redis per occurrence (issue 11, "completed-job retention
 * sized per million occurrences"): occurrences handed to the real DeliveryQueue, measured
 * while their jobs wait and once a worker has completed them (BullMQ keeps completed jobs
 * for JOB_OPTIONS' removeOnComplete age). Starts its own redis-server.
 */
import { Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { SystemClock } from '../src/common/clock.js';
import { dueOccurrence } from '../src/domain/occurrence.js';
import { DeliveryJobData, DeliveryQueue } from '../src/delivery/delivery.queue.js';
import { QueueGroups } from '../src/delivery/queue-groups.js';
import { RedisKeys } from '../src/store/redis-keys.js';
import { startRedisServer } from '../test/support/redis-server.js';
import { thousands } from './support/report.js';

const OCCURRENCES = Number(process.env.BENCH_OCCURRENCES ?? 100_000);
/** One delivery queue, so that every job lands in the queue measured. */
const KEYS = RedisKeys.forPrefix('chime', 16, 1);
const PREFIX = KEYS.queuePrefix(0);

async function usedMemory(redis: Redis): Promise<number> {
  const info = await redis.info('memory');
  return Number(/^used_memory:(\d+)/m.exec(info)?.[1]);
}

async function main(): Promise<void> {
  const server = await startRedisServer();
  const redis = new Redis(server.url);
  const connection = { url: server.url, maxRetriesPerRequest: null };
  const groups = new QueueGroups(connection, KEYS);
  const [queue] = groups.queues;
  try {
    const delivery = new DeliveryQueue(groups, KEYS, new SystemClock());
    const scheduledFor = new Date(Date.now() + 3_600_000);
    const occurrences = Array.from({ length: OCCURRENCES }, (_, index) =>
      dueOccurrence(
        { userId: `user-${index.toString(36).padStart(6, '0')}`, tag: 'morning-news' },
        { localDate: '2026-12-02', instant: scheduledFor },
        false,
      ),
    );
    const empty = await usedMemory(redis);
    await delivery.handOff(occurrences);
    const waiting = await usedMemory(redis);

    // Run every job now: promote the delayed ones and complete them with a no-op worker.
    const jobs = await queue.getDelayed(0, -1);
    await Promise.all(jobs.map((job) => job.promote()));
    let completed = 0;
    const worker = new Worker<DeliveryJobData>('deliveries', async () => undefined, {
      connection,
      prefix: PREFIX,
      concurrency: 50,
    });
    await new Promise<void>((resolve) =>
      worker.on('completed', () => {
        if (++completed === jobs.length) resolve();
      }),
    );
    await worker.close();
    const done = await usedMemory(redis);

    const perOccurrence = (bytes: number) => (bytes / OCCURRENCES).toFixed(0);
    console.log(`occurrences: ${thousands(OCCURRENCES)} in ${thousands(jobs.length)} jobs`);
    console.log(`waiting (delayed) jobs: ${perOccurrence(waiting - empty)} B per occurrence`);
    console.log(`completed jobs, kept:   ${perOccurrence(done - empty)} B per occurrence`);
    const perMillion = ((done - empty) / OCCURRENCES) * 1_000_000;
    console.log(`per million occurrences kept completed: ${(perMillion / 2 ** 20).toFixed(0)} MiB`);
  } finally {
    await groups.onApplicationShutdown();
    await redis.quit();
    await server.stop();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
