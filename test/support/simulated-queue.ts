import { createHash } from 'node:crypto';
import { Clock } from '../../src/common/clock.js';
import { DeliveryItem } from '../../src/delivery/delivery.queue.js';
import { DueOccurrence } from '../../src/domain/occurrence.js';
import { serialise } from '../../src/store/delivery-record.js';

/** A delayed job as BullMQ would hold it: its id (the worker's owner) and when it runs. */
export interface SimulatedJob {
  readonly id: string;
  readonly at: number;
  readonly items: readonly DeliveryItem[];
}

/**
 * The delivery queue's surface (DeliveryQueue) as a time-ordered list of jobs, for a
 * simulation that runs each job through the real DeliveryService when the fake clock reaches
 * it. As in BullMQ, a job id added again is a no-op, and a job's delay is from the clock's now.
 */
export class SimulatedDeliveryQueue {
  private readonly pending: SimulatedJob[] = [];
  private readonly known = new Set<string>();
  jobsRun = 0;

  constructor(private readonly clock: Clock) {}

  /** Occurrences handed off together at the same instant share a job, as the real queue does. */
  async handOff(occurrences: readonly DueOccurrence[]): Promise<void> {
    const byInstant = new Map<number, DueOccurrence[]>();
    for (const occurrence of occurrences) {
      const instant = occurrence.scheduledFor.getTime();
      byInstant.set(instant, [...(byInstant.get(instant) ?? []), occurrence]);
    }
    for (const [instant, batch] of byInstant) {
      const ids = batch.map((occurrence) => occurrence.occurrenceId).sort();
      const items = batch.map((occurrence) => ({ occurrence: serialise(occurrence), attempt: 1 }));
      this.add(jobId('b', String(instant), ...ids), instant, items);
    }
  }

  attemptJobId(item: DeliveryItem, idSeed = ''): string {
    return jobId('a', item.occurrence.occurrenceId, String(item.attempt), idSeed);
  }

  async enqueueAttempt(item: DeliveryItem, delayMs: number, id: string): Promise<void> {
    this.add(id, this.clock.now().getTime() + delayMs, [item]);
  }

  async enqueueHeld(items: readonly DeliveryItem[], releaseAt: Date, heldBy: string) {
    const ids = items.map((item) => item.occurrence.occurrenceId);
    const at = Math.max(releaseAt.getTime(), this.clock.now().getTime());
    this.add(jobId('h', String(releaseAt.getTime()), heldBy, ...ids), at, items);
  }

  async counts() {
    return { waiting: 0, delayed: this.pending.length, active: 0, completed: 0, failed: 0 };
  }

  /** Takes the earliest job due before `before` (ms), or null; ties run in the order added. */
  takeDue(before: number): SimulatedJob | null {
    if (this.pending.length === 0 || this.pending[0].at >= before) return null;
    this.jobsRun++;
    return this.pending.shift()!;
  }

  /** Jobs still waiting. */
  waiting(): readonly SimulatedJob[] {
    return this.pending;
  }

  private add(id: string, at: number, items: readonly DeliveryItem[]): void {
    if (this.known.has(id)) return;
    this.known.add(id);
    let index = this.pending.length;
    while (index > 0 && this.pending[index - 1].at > at) index--;
    this.pending.splice(index, 0, { id, at, items });
  }
}

/** Ids as the real queue makes them: a kind and a hash of what the job is. */
function jobId(kind: string, ...parts: string[]): string {
  return `${kind}-${createHash('sha256').update(parts.join('\n')).digest('hex').slice(0, 32)}`;
}
