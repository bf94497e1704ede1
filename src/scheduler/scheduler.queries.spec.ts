import { Test } from '@nestjs/testing';
import { FakeClock } from '../../test/support/fake-clock.js';
import { aSubscription } from '../../test/support/factories.js';
import {
  InMemoryClaimStore,
  InMemoryHandOffStore,
  InMemorySchedulerStateStore,
  RecordingSink,
} from '../../test/support/fakes/scheduler-fakes.js';
import { InMemorySubscriptionStore } from '../../test/support/fakes/subscription-store.js';
import { Clock } from '../common/clock.js';
import { DeliverySink } from '../domain/delivery-sink.js';
import { ChimeMetrics } from '../metrics/chime-metrics.js';
import { ClaimStore } from '../store/claim.store.js';
import { HandOffStore } from '../store/hand-off.store.js';
import { RedisKeys } from '../store/redis-keys.js';
import { SchedulerStateStore } from '../store/scheduler-state.store.js';
import { SubscriptionStore } from '../store/subscription.store.js';
import { HandOffBatcher } from './hand-off-batcher.js';
import { OccurrenceDispatcher } from './occurrence-dispatcher.js';
import { SchedulerCron } from './scheduler.cron.js';
import { schedulerConfig } from '../config/configuration.js';
import { ClockDrift } from './clock-drift.js';
import { SchedulerQueries } from './scheduler.queries.js';

/** Wednesday 2026-11-25, 10:00 in Shanghai (UTC+8). */
const NOW = '2026-11-25T02:00:00Z';

async function world() {
  const clock = new FakeClock(NOW);
  const subscriptions = new InMemorySubscriptionStore();
  const handOffs = new InMemoryHandOffStore();
  const claims = new InMemoryClaimStore(subscriptions, handOffs);
  const state = new InMemorySchedulerStateStore();
  const moduleRef = await Test.createTestingModule({
    providers: [
      SchedulerQueries,
      OccurrenceDispatcher,
      HandOffBatcher,
      { provide: RedisKeys, useValue: RedisKeys.forPrefix('chime') },
      ChimeMetrics,
      { provide: Clock, useValue: clock },
      { provide: SubscriptionStore, useValue: subscriptions },
      { provide: ClaimStore, useValue: claims },
      { provide: HandOffStore, useValue: handOffs },
      { provide: SchedulerStateStore, useValue: state },
      { provide: DeliverySink, useValue: new RecordingSink() },
      { provide: SchedulerCron, useValue: { failureCount: () => 2 } },
      ClockDrift,
      { provide: schedulerConfig.KEY, useValue: { maxClockDriftMs: 0 } },
    ],
  }).compile();
  const queries = moduleRef.get(SchedulerQueries);
  const horizonAt = (instant: string) => state.advanceHorizon(0, new Date(instant));
  return { clock, subscriptions, claims, handOffs, state, queries, horizonAt };
}

describe('SchedulerQueries.nextRunAt', () => {
  it("is today's instant when it is still ahead and not claimed", async () => {
    const w = await world();
    await w.horizonAt('2026-11-25T02:04:00Z');

    const next = await w.queries.nextRunAt(aSubscription({ time: '20:00' }));

    expect(next).toEqual(new Date('2026-11-25T12:00:00Z'));
  });

  it("is tomorrow's instant once today's has passed", async () => {
    const w = await world();

    const next = await w.queries.nextRunAt(aSubscription({ time: '09:00' }));

    expect(next).toEqual(new Date('2026-11-26T01:00:00Z'));
  });

  it('is the claimed instant when the claim lies inside the horizon: its delivery is queued', async () => {
    const w = await world();
    await w.horizonAt('2026-11-25T02:04:00Z');
    w.claims.claim('ada|news|2026-11-25');

    const next = await w.queries.nextRunAt(aSubscription({ time: '10:02' }));

    expect(next).toEqual(new Date('2026-11-25T02:02:00Z'));
  });

  it("skips to the next date when today's date was claimed beyond the horizon by an earlier schedule", async () => {
    const w = await world();
    await w.horizonAt('2026-11-25T02:04:00Z');
    // Sent at 08:00 this morning; the time has since moved to 20:00.
    w.claims.claim('ada|news|2026-11-25');

    const next = await w.queries.nextRunAt(aSubscription({ time: '20:00' }));

    expect(next).toEqual(new Date('2026-11-26T12:00:00Z'));
  });

  it('is null for a paused subscription', async () => {
    const w = await world();

    expect(await w.queries.nextRunAt(aSubscription({ paused: true }))).toBeNull();
  });

  it('is null when no weekday is enabled', async () => {
    const w = await world();

    expect(await w.queries.nextRunAt(aSubscription({ days: [] }))).toBeNull();
  });

  it('is never before armedAt, even when armedAt is ahead of this clock', async () => {
    const w = await world();
    const armedAt = new Date('2026-11-27T05:00:00Z');

    const next = await w.queries.nextRunAt(aSubscription({ time: '12:00', armedAt }));

    expect(next).toEqual(new Date('2026-11-28T04:00:00Z'));
  });

  it('skips the enabled weekdays only', async () => {
    const w = await world();

    const next = await w.queries.nextRunAt(aSubscription({ time: '20:00', days: ['fri'] }));

    expect(next).toEqual(new Date('2026-11-27T12:00:00Z'));
  });
});

describe('SchedulerQueries status and counts', () => {
  it('reports the watermark, last tick, skipped total, unconfirmed hand-offs and clock drift', async () => {
    const w = await world();
    await w.state.completeTick(0, new Date('2026-11-25T02:04:00Z'), 3);
    await w.state.recordTick(new Date(NOW));
    w.handOffs.record([], new Date(NOW));
    w.state.serverNow = new Date(Date.parse(NOW) - 3_000);

    expect(await w.queries.status()).toEqual({
      lastTickAt: new Date(NOW),
      watermark: new Date('2026-11-25T02:04:00Z'),
      skippedTotal: 3,
      unconfirmedHandOffs: 1,
      clockDriftMs: 3_000,
      clockTooFar: false,
    });
    expect(w.queries.failedTicks()).toBe(2);
  });

  it('counts the occurrences due in a window, claimed or not', async () => {
    const w = await world();
    w.subscriptions.seed(
      aSubscription({ tag: 'a', time: '10:01' }),
      aSubscription({ tag: 'b', time: '10:02' }),
      aSubscription({ tag: 'c', time: '10:30' }),
    );
    w.claims.claim('ada|a|2026-11-25');

    const due = await w.queries.countDue(new Date(NOW), new Date('2026-11-25T02:05:00Z'));

    expect(due).toBe(2);
  });
});
