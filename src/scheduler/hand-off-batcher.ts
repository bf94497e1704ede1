import { BeforeApplicationShutdown, Injectable, Logger, OnModuleDestroy } from '@nestjs/common';
import { Clock } from '../common/clock.js';
import { DeliverySink } from '../domain/delivery-sink.js';
import { HandOffStore } from '../store/hand-off.store.js';
import { RedisKeys } from '../store/redis-keys.js';
import { batchWaitMs, ClaimedEntry, groupInstant, PendingBatch } from './hand-off-batch.js';

/**
 * Hands off together what this process's writes claimed for one instant (issue 13): a write
 * that arms inside the scanned horizon claims its own occurrence, and without this each
 * became a delivery job of one. Entries of one instant and one delivery queue (the queue
 * splits a hand-off by queue, so a batch of several would make smaller jobs; one user's
 * occurrences share a queue) wait here until HAND_OFF_BATCH of
 * them have come or HAND_OFF_MAX_WAIT_MS has passed (less near the instant), then leave as
 * one hand-off, in jobs of up to 100 like the tick's.
 *
 * Nothing waits here that Redis does not also hold: the claim script recorded each entry's
 * hand-off in the same step as its claim, and that record is confirmed only once its batch
 * is in the delivery queue. A crash, or a hand-off that fails, leaves the records to the next
 * tick's recovery (SchedulerService.recoverHandOffs), as for any claim.
 */
@Injectable()
export class HandOffBatcher implements OnModuleDestroy, BeforeApplicationShutdown {
  private readonly logger = new Logger(HandOffBatcher.name);
  private readonly pending = new Map<string, { batch: PendingBatch; timer: NodeJS.Timeout }>();
  private readonly leaving = new Set<Promise<void>>();
  private closing = false;

  constructor(
    private readonly sink: DeliverySink,
    private readonly handOffs: HandOffStore,
    private readonly clock: Clock,
    private readonly keys: RedisKeys,
  ) {}

  /** Takes what a claim won; it is handed off with others of its instant, soon. */
  add(entry: ClaimedEntry): void {
    if (entry.occurrences.length === 0) return;
    const instant = groupInstant(entry);
    const queue = this.keys.queueGroupOfOccurrence(entry.occurrences[0].occurrenceId);
    const key = `${instant}|${queue}`;
    const waitMs = this.closing ? 0 : batchWaitMs(instant, this.clock.now().getTime());
    let slot = this.pending.get(key);
    if (!slot) {
      const batch = new PendingBatch(instant);
      const timer = setTimeout(() => this.release(key), waitMs);
      slot = { batch, timer };
      this.pending.set(key, slot);
    }
    slot.batch.add(entry);
    if (slot.batch.full() || waitMs === 0) this.release(key);
  }

  /** Hands off everything waiting now, and resolves when every hand-off begun has ended. */
  async drain(): Promise<void> {
    for (const key of [...this.pending.keys()]) this.release(key);
    while (this.leaving.size > 0) await Promise.all([...this.leaving]);
  }

  /** Before the queue and Redis close: nothing more waits, and what waits leaves now. */
  onModuleDestroy(): Promise<void> {
    this.closing = true;
    return this.drain();
  }

  /** Writes answered while the modules closed may have handed off since. */
  beforeApplicationShutdown(): Promise<void> {
    return this.drain();
  }

  private release(key: string): void {
    const slot = this.pending.get(key);
    if (!slot) return;
    this.pending.delete(key);
    clearTimeout(slot.timer);
    const leaving = this.handOff(slot.batch).finally(() => this.leaving.delete(leaving));
    this.leaving.add(leaving);
  }

  private async handOff(batch: PendingBatch): Promise<void> {
    const occurrences = batch.occurrences();
    try {
      await this.sink.handOff(occurrences);
      await this.handOffs.confirmAll(batch.receipts());
    } catch (error) {
      // The records stay unconfirmed: a tick hands them off again once their retry time passes.
      this.logger.error(
        `handing off ${occurrences.length} occurrences due at ${new Date(batch.instant).toISOString()} failed, ` +
          `left to the next tick's recovery: ${(error as Error).message}`,
      );
    }
  }
}
