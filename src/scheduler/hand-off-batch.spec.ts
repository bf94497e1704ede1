import { FakeClock } from '../../test/support/fake-clock.js';
import { aSubscription, anOccurrenceOf } from '../../test/support/factories.js';
import { InMemoryHandOffStore, RecordingSink } from '../../test/support/fakes/scheduler-fakes.js';
import { RedisKeys } from '../store/redis-keys.js';
import {
  batchWaitMs,
  groupInstant,
  HAND_OFF_BATCH,
  HAND_OFF_LEAD_MS,
  HAND_OFF_MAX_WAIT_MS,
  PendingBatch,
} from './hand-off-batch.js';
import { HandOffBatcher } from './hand-off-batcher.js';

const instant = Date.parse('2026-11-25T00:01:00Z');
const receipt = (record: string) => ({ bucket: 0, record });

describe('batchWaitMs (how long claimed occurrences wait for others of their instant)', () => {
  it('waits HAND_OFF_MAX_WAIT_MS when the instant is far ahead', () => {
    expect(batchWaitMs(instant, instant - 120_000)).toBe(HAND_OFF_MAX_WAIT_MS);
  });

  it('never waits past HAND_OFF_LEAD_MS before the instant', () => {
    const now = instant - HAND_OFF_LEAD_MS - 50;

    expect(batchWaitMs(instant, now)).toBe(50);
  });

  it('does not wait at all for an instant that near, or one already past (catch-up)', () => {
    expect(batchWaitMs(instant, instant - HAND_OFF_LEAD_MS)).toBe(0);
    expect(batchWaitMs(instant, instant - 10)).toBe(0);
    expect(batchWaitMs(instant, instant + 60_000)).toBe(0);
  });
});

describe('PendingBatch', () => {
  const occurrence = (userId: string) =>
    anOccurrenceOf(aSubscription({ userId, time: '08:01' }), '2026-11-25');

  it('hands off every entry it took, with every receipt, in order', () => {
    const batch = new PendingBatch(instant);
    batch.add({ occurrences: [occurrence('ada')], receipts: [receipt('r1')] });
    batch.add({ occurrences: [occurrence('bob')], receipts: [receipt('r2')] });

    expect(batch.occurrences().map((o) => o.userId)).toEqual(['ada', 'bob']);
    expect(batch.receipts()).toEqual([receipt('r1'), receipt('r2')]);
  });

  it('is full at HAND_OFF_BATCH occurrences, a job of the delivery queue', () => {
    const batch = new PendingBatch(instant);
    for (let index = 0; index < HAND_OFF_BATCH - 1; index++) {
      batch.add({ occurrences: [occurrence(`u${index}`)], receipts: [receipt(`r${index}`)] });
    }
    expect(batch.full()).toBe(false);

    batch.add({ occurrences: [occurrence('last')], receipts: [receipt('last')] });

    expect(batch.full()).toBe(true);
  });
});

describe('groupInstant', () => {
  it("is an entry's earliest instant, so that none of its occurrences waits past its own", () => {
    const today = anOccurrenceOf(aSubscription({ time: '08:01' }), '2026-11-25');
    const tomorrow = anOccurrenceOf(aSubscription({ time: '08:01' }), '2026-11-26');

    expect(groupInstant({ occurrences: [tomorrow, today], receipts: [] })).toBe(
      today.scheduledFor.getTime(),
    );
  });
});

describe('HandOffBatcher', () => {
  it('hands off apart what one instant sends through different delivery queues, together what one queue sends', async () => {
    const keys = RedisKeys.forPrefix('chime', 16, 4);
    const sink = new RecordingSink();
    const handOffs = new InMemoryHandOffStore();
    const batcher = new HandOffBatcher(sink, handOffs, new FakeClock('2026-11-24T23:59:00Z'), keys);
    const users = Array.from({ length: 40 }, (_, index) => `user${index}`);
    const queueOf = (userId: string) => keys.queueGroupOf(keys.bucketOf(userId));
    const occurrences = users.map((userId) =>
      anOccurrenceOf(aSubscription({ userId, time: '08:01' }), '2026-11-25'),
    );

    occurrences.forEach((occurrence) =>
      batcher.add({
        occurrences: [occurrence],
        receipts: [handOffs.record([occurrence], new Date(0))],
      }),
    );
    await batcher.drain();

    const queuesOfBatches = sink.batches.map((batch) => [
      ...new Set(batch.map((o) => queueOf(o.userId))),
    ]);
    expect(queuesOfBatches.every((queues) => queues.length === 1)).toBe(true);
    expect(new Set(queuesOfBatches.flat()).size).toBe(sink.batches.length);
    expect(sink.ids().sort()).toEqual(occurrences.map((o) => o.occurrenceId).sort());
    expect(await handOffs.unconfirmedCount()).toBe(0);
  });
});
