import {
  Inject,
  Injectable,
  Logger,
  OnApplicationBootstrap,
  OnModuleDestroy,
} from '@nestjs/common';
import { InjectQueue } from '@nestjs/bullmq';
import { Job, Queue } from 'bullmq';
import type { ConnectionOptions } from 'bullmq';
import { QUEUE_CONNECTION } from '../redis/redis.module.js';
import { RedisKeys } from '../store/redis-keys.js';
import { Clock } from '../common/clock.js';
import { DELIVERY_QUEUE, DeliveryJobData } from './delivery.queue.js';

const PENDING = ['waiting', 'delayed', 'prioritized', 'active', 'waiting-children'] as const;
const MOVE_BATCH = 500;
const RETRY_MS = 60_000;

/**
 * Jobs queued by a version whose queue prefix had no hash tag (`{p}:bull`) are moved to the
 * current queue with their ids and their remaining delay, then the old queue is removed.
 * A job still locked by a worker that died is moved once its lock expires: the move is tried
 * again every minute until nothing is pending there. A job moved twice is sent once: the
 * occurrence's delivery state decides who sends.
 */
@Injectable()
export class PreviousQueueDrain implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(PreviousQueueDrain.name);
  private readonly previous: Queue<DeliveryJobData>;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    @InjectQueue(DELIVERY_QUEUE) private readonly current: Queue<DeliveryJobData>,
    @Inject(QUEUE_CONNECTION) connection: ConnectionOptions,
    keys: RedisKeys,
    private readonly clock: Clock,
  ) {
    this.previous = new Queue(DELIVERY_QUEUE, { connection, prefix: keys.previousQueuePrefix() });
  }

  onApplicationBootstrap(): void {
    void this.drain();
  }

  async onModuleDestroy(): Promise<void> {
    clearTimeout(this.timer);
    await this.previous.close();
  }

  /** Moves what is pending; true once the previous queue is gone. */
  async drain(): Promise<boolean> {
    try {
      const moved = await this.movePending();
      const left = await this.previous.getJobCountByTypes(...PENDING);
      if (moved > 0) this.logger.log(`moved ${moved} jobs from the queue before its hash tag`);
      if (left === 0) {
        await this.previous.obliterate({ force: true });
        return true;
      }
    } catch (error) {
      this.logger.warn(`could not move the previous queue's jobs yet: ${(error as Error).message}`);
    }
    this.timer = setTimeout(() => void this.drain(), RETRY_MS).unref();
    return false;
  }

  private async movePending(): Promise<number> {
    let moved = 0;
    for (;;) {
      const jobs = await this.previous.getJobs([...PENDING], 0, MOVE_BATCH - 1);
      const movable = jobs.filter(Boolean);
      let progress = 0;
      for (const job of movable) {
        if (await this.move(job)) progress++;
      }
      moved += progress;
      if (progress === 0 || movable.length < MOVE_BATCH) return moved;
    }
  }

  /** False for a job still locked by its worker. */
  private async move(job: Job<DeliveryJobData>): Promise<boolean> {
    const dueAt = job.timestamp + (job.opts.delay ?? 0);
    const delay = Math.max(0, dueAt - this.clock.now().getTime());
    const { attempts, backoff, removeOnComplete, removeOnFail } = job.opts;
    await this.current.add(job.name, job.data, {
      jobId: job.id,
      delay,
      attempts,
      backoff,
      removeOnComplete,
      removeOnFail,
    });
    try {
      await job.remove();
      return true;
    } catch {
      return false;
    }
  }
}
