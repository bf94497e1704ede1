import { DeliveryProcessor } from '../../src/delivery/delivery.processor.js';
import { DeliveryQueue } from '../../src/delivery/delivery.queue.js';
import { DeliverySink } from '../../src/domain/delivery-sink.js';
import { DueOccurrence } from '../../src/domain/occurrence.js';
import { SchedulerHarness } from '../../test/support/scheduler-harness.js';

/** `memory`: the harness's in-process sink. `queue`: the product's BullMQ queue. */
export type SinkChoice = 'memory' | 'queue';

/**
 * The harness replaces the delivery sink before the app exists; this one stands in and
 * forwards to the app's own queue once it has booted, so a tick enqueues real BullMQ jobs.
 * The worker is paused: the fake clock makes jobs due at once in real time, and their
 * sends would compete with the ticks being measured.
 */
export class ForwardingSink extends DeliverySink {
  private target: DeliverySink | null = null;

  async attach(harness: SchedulerHarness): Promise<void> {
    this.target = harness.app.get(DeliveryQueue);
    await harness.app.get(DeliveryProcessor).pause();
  }

  handOff(occurrences: readonly DueOccurrence[]): Promise<void> {
    if (!this.target) throw new Error('the forwarding sink is not attached to an app yet');
    return this.target.handOff(occurrences);
  }
}
