import { Processor, WorkerHost } from '@nestjs/bullmq';
import { Logger, OnModuleDestroy } from '@nestjs/common';
import type { Job } from 'bullmq';
import { DELIVERY_QUEUE, DeliveryJobData } from './delivery.queue.js';
import { DeliveryService } from './delivery.service.js';

/**
 * Jobs a process works on at once; DELIVERY_CONCURRENCY bounds the sends inside them. A job
 * ends with its slowest send, so this many jobs that each hold a stalled receiver (until
 * WEBHOOK_TIMEOUT_MS) hold the worker: 64 leaves room for 50 such jobs beside the others,
 * and their waiting items cost memory only (at most 6,400 occurrences).
 */
const JOBS_AT_ONCE = 64;
/** On shutdown, in-flight sends get this long to finish; then the jobs are left to recovery. */
const SHUTDOWN_GRACE_MS = 15_000;

/**
 * The worker, in every replica. A replica killed mid-job loses nothing: BullMQ's stalled-job
 * check hands the job to another worker, which sends what was not finished.
 */
@Processor(DELIVERY_QUEUE, { concurrency: JOBS_AT_ONCE, maxStalledCount: 10 })
export class DeliveryProcessor extends WorkerHost implements OnModuleDestroy {
  private readonly logger = new Logger(DeliveryProcessor.name);

  constructor(private readonly deliveries: DeliveryService) {
    super();
  }

  async process(job: Job<DeliveryJobData>): Promise<void> {
    const lastRun = job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
    await this.deliveries.deliver(job.data.items, job.id!, lastRun);
  }

  /** Before Redis closes: stop taking jobs and let the running ones finish, within a bound. */
  async onModuleDestroy(): Promise<void> {
    const closed = this.worker.close().then(() => true);
    const finished = await Promise.race([closed, delay(SHUTDOWN_GRACE_MS, false)]);
    if (!finished) {
      this.logger.warn('in-flight deliveries did not finish in time; their jobs will be retried');
      await this.worker.close(true);
    }
  }
}

function delay<T>(ms: number, value: T): Promise<T> {
  return new Promise((resolve) => setTimeout(resolve, ms, value).unref());
}
