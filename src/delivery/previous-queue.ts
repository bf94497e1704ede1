import {
  Inject,
  Injectable,
  Logger,
  OnApplicationBootstrap,
  OnModuleDestroy,
} from '@nestjs/common';
import { Job, Queue } from 'bullmq';
import { Clock } from '../common/clock.js';
import { REDIS_CLIENT, type RedisClient } from '../redis/redis-client.js';
import { RedisKeys } from '../store/redis-keys.js';
import { StoreLayout } from '../store/store-layout.js';
import { DeliveryItem, DeliveryJobData } from './delivery.queue.js';
import { DELIVERY_QUEUE, QueueGroups } from './queue-groups.js';

const PENDING = ['waiting', 'delayed', 'prioritized', 'active', 'waiting-children'] as const;
/**
 * The BullMQ keys of a queue that has pending jobs (`QueueKeys`: `wait` is `waiting`) or that
 * exists at all (`meta`): where none is, there is nothing to move or remove.
 */
const QUEUE_KEYS = [
  'meta',
  'wait',
  'paused',
  'delayed',
  'prioritized',
  'active',
  'waiting-children',
];
const MOVE_BATCH = 500;
const RETRY_MS = 60_000;

/**
 * Delivery queues that no worker of this replica serves are emptied into the queues that do:
 * the queue before its prefix was hash-tagged (`{p}:bull`), the one queue before there were
 * several (`{p}:{bull}`), and the groups above a lowered DELIVERY_QUEUES. A job's items go to
 * their groups' queues under the job's own id (ids are per queue), with its remaining delay,
 * so that a job that had started and died still owns the delivery states it took; then the
 * old queue is removed. A job still locked by a live worker is left for the next try, every
 * minute until nothing is pending there. A job moved twice is sent once: the occurrence's
 * delivery state decides who sends. Once they are gone, the old queues are looked at every
 * minute still: a replica of an earlier version, running beside this one in a rolling
 * upgrade, may queue into them, and its jobs would wait there for no worker once it stops.
 */
@Injectable()
export class PreviousQueueDrain implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(PreviousQueueDrain.name);
  private sources: Queue<DeliveryJobData>[] = [];
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly groups: QueueGroups,
    private readonly keys: RedisKeys,
    private readonly layout: StoreLayout,
    private readonly clock: Clock,
    @Inject(REDIS_CLIENT) private readonly redis: RedisClient,
  ) {}

  /** Opens no queue where none is: a BullMQ queue opened writes keys of its own. */
  onApplicationBootstrap(): void {
    void this.lookAgain();
  }

  async onModuleDestroy(): Promise<void> {
    clearTimeout(this.timer);
    await Promise.all(this.sources.map((queue) => queue.close().catch(() => undefined)));
  }

  /** Moves what is pending; true once every old queue is gone. */
  async drain(): Promise<boolean> {
    try {
      if (this.sources.length === 0) this.sources = await this.openSources();
      const left: Queue<DeliveryJobData>[] = [];
      for (const source of this.sources) {
        if (!(await this.drainOne(source))) left.push(source);
      }
      await Promise.all(this.sources.filter((q) => !left.includes(q)).map((q) => q.close()));
      this.sources = left;
      if (left.length === 0) {
        this.after(RETRY_MS, () => this.lookAgain());
        return true;
      }
    } catch (error) {
      this.logger.warn(`could not move the old queues' jobs yet: ${(error as Error).message}`);
    }
    this.after(RETRY_MS, () => this.drain());
    return false;
  }

  private after(ms: number, work: () => Promise<unknown>): void {
    this.timer = setTimeout(() => void work(), ms).unref();
  }

  /** Drains when an old queue exists or holds pending jobs; a key read each, on the shared client. */
  private async lookAgain(): Promise<void> {
    try {
      const keys = (await this.oldPrefixes()).flatMap((prefix) =>
        QUEUE_KEYS.map((type) => `${prefix}:${DELIVERY_QUEUE}:${type}`),
      );
      // One key a command: the first prefix's keys carry no hash tag, so they span slots.
      const found = await Promise.all(keys.map((key) => this.redis.exists(key)));
      if (found.some((count) => count > 0)) {
        await this.drain();
        return;
      }
    } catch {
      // Redis away: the next minute looks again.
    }
    this.after(RETRY_MS, () => this.lookAgain());
  }

  private async openSources(): Promise<Queue<DeliveryJobData>[]> {
    return (await this.oldPrefixes()).map((prefix) => this.groups.open(prefix));
  }

  private async oldPrefixes(): Promise<string[]> {
    const most = await this.layout.mostDeliveryQueues();
    const unserved = Array.from({ length: most - this.keys.deliveryQueues }, (_, index) =>
      this.keys.queuePrefix(this.keys.deliveryQueues + index),
    );
    return [this.keys.previousQueuePrefix(), this.keys.singleQueuePrefix(), ...unserved];
  }

  /** True once `source` holds nothing pending and is removed. */
  private async drainOne(source: Queue<DeliveryJobData>): Promise<boolean> {
    const moved = await this.movePending(source);
    if (moved > 0) this.logger.log(`moved ${moved} jobs from ${source.opts.prefix}`);
    if ((await source.getJobCountByTypes(...PENDING)) > 0) return false;
    await source.obliterate({ force: true });
    return true;
  }

  private async movePending(source: Queue<DeliveryJobData>): Promise<number> {
    let moved = 0;
    for (;;) {
      const jobs = (await source.getJobs([...PENDING], 0, MOVE_BATCH - 1)).filter(Boolean);
      let progress = 0;
      for (const job of jobs) {
        if (await this.move(job, source)) progress++;
      }
      moved += progress;
      if (progress === 0 || jobs.length < MOVE_BATCH) return moved;
    }
  }

  /** False for a job still locked by its worker. */
  private async move(job: Job<DeliveryJobData>, source: Queue<DeliveryJobData>): Promise<boolean> {
    if ((await job.getState()) === 'active' && (await this.isLocked(job, source))) return false;
    const dueAt = job.timestamp + (job.opts.delay ?? 0);
    const delay = Math.max(0, dueAt - this.clock.now().getTime());
    const { attempts, backoff, removeOnComplete, removeOnFail } = job.opts;
    for (const [group, items] of this.itemsByGroup(job.data.items)) {
      await this.groups.queues[group].add(
        job.name,
        { items },
        { jobId: job.id, delay, attempts, backoff, removeOnComplete, removeOnFail },
      );
    }
    try {
      await job.remove();
      return true;
    } catch {
      return false;
    }
  }

  private itemsByGroup(items: readonly DeliveryItem[]): Map<number, DeliveryItem[]> {
    const byGroup = new Map<number, DeliveryItem[]>();
    for (const item of items) {
      const group = this.keys.queueGroupOfOccurrence(item.occurrence.occurrenceId);
      byGroup.set(group, [...(byGroup.get(group) ?? []), item]);
    }
    return byGroup;
  }

  /** A job of a queue without workers stays active after its worker died, its lock expired. */
  private async isLocked(
    job: Job<DeliveryJobData>,
    source: Queue<DeliveryJobData>,
  ): Promise<boolean> {
    return (await this.redis.exists(source.toKey(`${job.id}:lock`))) === 1;
  }
}
