import { Injectable, Logger, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { Job, Worker } from 'bullmq';
import { RedisKeys } from '../store/redis-keys.js';
import { DeliveryJobData } from './delivery.queue.js';
import { DeliveryService } from './delivery.service.js';
import { DELIVERY_QUEUE, QueueGroups } from './queue-groups.js';

/**
 * Jobs a process works on at once, per queue; DELIVERY_CONCURRENCY bounds the sends inside
 * them, across every queue. A job ends with its slowest send, so this many jobs that each hold
 * a stalled receiver (until WEBHOOK_TIMEOUT_MS) hold the queue's worker: 64 leaves room for
 * 50 such jobs beside the others, and their waiting items cost memory only (at most 6,400
 * occurrences a queue).
 */
const JOBS_AT_ONCE = 64;
/** On shutdown, in-flight sends get this long to finish; then the jobs are left to recovery. */
const SHUTDOWN_GRACE_MS = 15_000;

/**
 * The workers, one per delivery queue, in every replica. A replica killed mid-job loses
 * nothing: BullMQ's stalled-job check hands the job to another worker, which sends what was
 * not finished.
 */
@Injectable()
export class DeliveryProcessor implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger(DeliveryProcessor.name);
  private workers: Worker<DeliveryJobData>[] = [];

  constructor(
    private readonly deliveries: DeliveryService,
    private readonly groups: QueueGroups,
    private readonly keys: RedisKeys,
  ) {}

  onModuleInit(): void {
    this.workers = this.keys.allQueueGroups().map((group) => {
      const worker = new Worker<DeliveryJobData>(DELIVERY_QUEUE, (job) => this.process(job), {
        connection: this.groups.connection,
        prefix: this.keys.queuePrefix(group),
        concurrency: JOBS_AT_ONCE,
        maxStalledCount: 10,
      });
      worker.on('error', (error: Error) =>
        this.logger.warn(`delivery queue ${group}: ${error.message}`),
      );
      return worker;
    });
  }

  /** Stops taking jobs (and waits for the running ones), in every queue; for benches. */
  async pause(): Promise<void> {
    await Promise.all(this.workers.map((worker) => worker.pause(true)));
  }

  async process(job: Job<DeliveryJobData>): Promise<void> {
    const lastRun = job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
    await this.deliveries.deliver(job.data.items, job.id!, lastRun);
  }

  /** Before Redis closes: stop taking jobs and let the running ones finish, within a bound. */
  async onModuleDestroy(): Promise<void> {
    const closed = Promise.all(this.workers.map((worker) => worker.close())).then(() => true);
    const finished = await Promise.race([closed, delay(SHUTDOWN_GRACE_MS, false)]);
    if (!finished) {
      this.logger.warn('in-flight deliveries did not finish in time; their jobs will be retried');
      await Promise.all(this.workers.map((worker) => worker.close(true)));
    }
  }
}

function delay<T>(ms: number, value: T): Promise<T> {
  return new Promise((resolve) => setTimeout(resolve, ms, value).unref());
}
