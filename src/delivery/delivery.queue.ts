import { createHash } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import type { JobsOptions } from 'bullmq';
import { Clock } from '../common/clock.js';
import { DeliverySink } from '../domain/delivery-sink.js';
import { DueOccurrence } from '../domain/occurrence.js';
import { SerialisedOccurrence, serialise } from '../store/delivery-record.js';
import { RedisKeys } from '../store/redis-keys.js';
import { QueueGroups } from './queue-groups.js';

/** One occurrence in a job, with the number of the attempt the job makes. */
export interface DeliveryItem {
  readonly occurrence: SerialisedOccurrence;
  readonly attempt: number;
  /** Who held the occurrence before this job (the failed attempt's job, or a dead letter's end). */
  readonly takeOverFrom?: string;
  /** Not sent before this instant (ISO): the end of the quiet hours or snooze that held it. */
  readonly notBefore?: string;
}

export interface DeliveryJobData {
  readonly items: DeliveryItem[];
}

/**
 * Occurrences due at the same instant share a job: a 100k burst is 1,000 jobs, not 100,000.
 * Jobs of 500 were no faster in the burst bench (bench/README.md), and a replica that dies
 * mid-job holds fewer occurrences back until BullMQ's stalled-job check recovers the job.
 */
export const BATCH_SIZE = 100;
const BULK_ADD = 200;
/**
 * A job wakes this long before its instant and waits in the worker, which never sends early
 * (DeliveryService): a job that woke at its instant was taken 45-65 ms after it, and a worker
 * takes its jobs one round trip at a time (the 40th 110-175 ms after), so a burst of 200 jobs
 * started sending 0.3-1.1 s late. Woken early, the jobs are in the worker when their instant
 * comes.
 */
export const WAKE_EARLY_MS = 1_000;
const DAY_SECONDS = 86_400;
const JOB_STATES = ['waiting', 'delayed', 'active', 'completed', 'failed'] as const;

/**
 * Two retry layers, each with its own job. chime retries a failed send itself, per
 * occurrence (MAX_ATTEMPTS, RETRY_BACKOFF_MS: a new attempt job each time, see
 * DeliveryService). BullMQ's attempts are for a job whose run failed as a whole before its
 * sends were decided (Redis unreachable while taking ownership or reading subscriptions): the
 * rerun sends only what was not finished.
 *
 * A completed job is kept an hour (at most COMPLETED_KEPT of them), so that the same job
 * handed off again (a crash between hand-off and its confirmation, a rerun queueing its
 * retry again) is a no-op; what comes later is held by the occurrence's delivery state, so
 * nothing is sent twice either way. A kept job costs about 270 B of Redis per occurrence
 * (`npm run bench:jobs`): COMPLETED_KEPT jobs of 100 are at most about 130 MiB.
 */
const JOB_RUN_ATTEMPTS = 5;
const COMPLETED_KEPT = 5000;
const JOB_OPTIONS: JobsOptions = {
  attempts: JOB_RUN_ATTEMPTS,
  backoff: { type: 'exponential', delay: 1000 },
  removeOnComplete: { age: 3600, count: COMPLETED_KEPT },
  removeOnFail: { age: DAY_SECONDS },
};

/**
 * The BullMQ queues of deliveries (QueueGroups): each job runs at its occurrences' instant,
 * in the queue of their group of buckets; a job never mixes groups. Job ids are hashes,
 * never raw user or occurrence ids (BullMQ refuses ids with ':').
 */
@Injectable()
export class DeliveryQueue extends DeliverySink {
  constructor(
    private readonly groups: QueueGroups,
    private readonly keys: RedisKeys,
    private readonly clock: Clock,
  ) {
    super();
  }

  async handOff(occurrences: readonly DueOccurrence[]): Promise<void> {
    const byGroup = groupedBy(occurrences, (o) => this.keys.queueGroupOfOccurrence(o.occurrenceId));
    await Promise.all([...byGroup].map(([group, ofGroup]) => this.handOffToGroup(group, ofGroup)));
  }

  private async handOffToGroup(
    group: number,
    occurrences: readonly DueOccurrence[],
  ): Promise<void> {
    const queue = this.groups.queues[group];
    const jobs = batchesByInstant(occurrences).map((batch) => ({
      name: 'deliver',
      data: {
        items: batch.map((occurrence) => ({ occurrence: serialise(occurrence), attempt: 1 })),
      },
      opts: {
        ...JOB_OPTIONS,
        // The instant is part of the id: a date claimed again for a new time is a new job.
        jobId: jobId(
          'b',
          String(batch[0].scheduledFor.getTime()),
          ...batch.map((o) => o.occurrenceId),
        ),
        delay: this.delayUntil(batch[0].scheduledFor),
      },
    }));
    for (let start = 0; start < jobs.length; start += BULK_ADD) {
      await queue.addBulk(jobs.slice(start, start + BULK_ADD));
    }
  }

  /** The id of the job that makes this attempt; `idSeed` tells apart attempts made again. */
  attemptJobId(item: DeliveryItem, idSeed = ''): string {
    return jobId('a', item.occurrence.occurrenceId, String(item.attempt), idSeed);
  }

  /** Queues one occurrence's attempt after `delayMs`, as the job `id`. */
  async enqueueAttempt(item: DeliveryItem, delayMs: number, id: string): Promise<void> {
    await this.groups
      .forOccurrence(item.occurrence.occurrenceId)
      .add('deliver', { items: [item] }, { ...JOB_OPTIONS, jobId: id, delay: delayMs });
  }

  /**
   * Queues items that their job (`heldBy`) holds until `releaseAt`, as one job per queue
   * that takes them over; the same items held by the same job until the same instant are the
   * same job.
   */
  async enqueueHeld(
    items: readonly DeliveryItem[],
    releaseAt: Date,
    heldBy: string,
  ): Promise<void> {
    const byGroup = groupedBy(items, (item) =>
      this.keys.queueGroupOfOccurrence(item.occurrence.occurrenceId),
    );
    for (const [group, ofGroup] of byGroup) {
      const id = jobId(
        'h',
        String(releaseAt.getTime()),
        heldBy,
        ...ofGroup.map((item) => item.occurrence.occurrenceId),
      );
      await this.groups.queues[group].add(
        'deliver',
        { items: ofGroup },
        { ...JOB_OPTIONS, jobId: id, delay: this.delayUntil(releaseAt) },
      );
    }
  }

  /** Jobs by state over every queue, for health and metrics. */
  async counts(): Promise<Record<(typeof JOB_STATES)[number], number>> {
    const perQueue = await Promise.all(
      this.groups.queues.map((queue) => queue.getJobCounts(...JOB_STATES)),
    );
    return Object.fromEntries(
      JOB_STATES.map((state) => [
        state,
        perQueue.reduce((sum, counts) => sum + (counts[state] ?? 0), 0),
      ]),
    ) as Record<(typeof JOB_STATES)[number], number>;
  }

  private delayUntil(instant: Date): number {
    return Math.max(0, instant.getTime() - WAKE_EARLY_MS - this.clock.now().getTime());
  }
}

function groupedBy<T>(values: readonly T[], keyOf: (value: T) => number): Map<number, T[]> {
  const groups = new Map<number, T[]>();
  for (const value of values) {
    const key = keyOf(value);
    const group = groups.get(key) ?? groups.set(key, []).get(key)!;
    group.push(value);
  }
  return groups;
}

function batchesByInstant(occurrences: readonly DueOccurrence[]): DueOccurrence[][] {
  const batches: DueOccurrence[][] = [];
  for (const group of groupedBy(occurrences, (o) => o.scheduledFor.getTime()).values()) {
    group.sort((a, b) => a.occurrenceId.localeCompare(b.occurrenceId));
    for (let start = 0; start < group.length; start += BATCH_SIZE) {
      batches.push(group.slice(start, start + BATCH_SIZE));
    }
  }
  return batches;
}

export function jobId(kind: string, ...parts: string[]): string {
  return `${kind}-${createHash('sha256').update(parts.join('\n')).digest('hex').slice(0, 32)}`;
}
