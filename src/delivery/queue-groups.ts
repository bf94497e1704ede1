import { Inject, Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import { Queue } from 'bullmq';
import type { ConnectionOptions } from 'bullmq';
import { QUEUE_CONNECTION } from '../redis/redis.module.js';
import { RedisKeys } from '../store/redis-keys.js';
import type { DeliveryJobData } from './delivery.queue.js';

/** Every delivery queue's BullMQ name; the queues differ by their prefix (RedisKeys.queuePrefix). */
export const DELIVERY_QUEUE = 'deliveries';

/**
 * The delivery queues, one per group of buckets (DELIVERY_QUEUES): queue g serves the
 * buckets b with b mod DELIVERY_QUEUES = g and lives in bucket g's slot, so that on a cluster
 * the queues, and the work of their scripts, spread over the masters.
 */
@Injectable()
export class QueueGroups implements OnApplicationShutdown {
  private readonly logger = new Logger(QueueGroups.name);
  readonly queues: readonly Queue<DeliveryJobData>[];

  constructor(
    @Inject(QUEUE_CONNECTION) readonly connection: ConnectionOptions,
    private readonly keys: RedisKeys,
  ) {
    this.queues = keys.allQueueGroups().map((group) => this.open(keys.queuePrefix(group)));
  }

  /** The queue that serves an occurrence (by its id, `<userId>|...`). */
  forOccurrence(occurrenceId: string): Queue<DeliveryJobData> {
    return this.queues[this.keys.queueGroupOfOccurrence(occurrenceId)];
  }

  /** A queue of deliveries under another prefix (an earlier layout's, a group no longer used). */
  open(prefix: string): Queue<DeliveryJobData> {
    const queue = new Queue<DeliveryJobData>(DELIVERY_QUEUE, {
      connection: this.connection,
      prefix,
    });
    queue.on('error', (error: Error) => this.logger.warn(`queue ${prefix}: ${error.message}`));
    return queue;
  }

  /** After the workers have stopped (their onModuleDestroy): they may queue retries until then. */
  async onApplicationShutdown(): Promise<void> {
    await Promise.all(this.queues.map((queue) => queue.close().catch(() => undefined)));
  }
}
