import { FakeClock } from '../../test/support/fake-clock.js';
import { aSubscription, anOccurrenceOf } from '../../test/support/factories.js';
import {
  InMemoryClaimStore,
  InMemoryHandOffStore,
  InMemorySchedulerStateStore,
  RecordingSink,
} from '../../test/support/fakes/scheduler-fakes.js';
import { InMemorySubscriptionStore } from '../../test/support/fakes/subscription-store.js';
import { valueOf } from '../../test/support/metrics.js';
import { Subscription } from '../domain/subscription.js';
import { ChimeMetrics } from '../metrics/chime-metrics.js';
import { ClockDrift } from './clock-drift.js';
import { RedisKeys } from '../store/redis-keys.js';
import { HandOffBatcher } from './hand-off-batcher.js';
import { HAND_OFF_RETRY_MS, OccurrenceDispatcher } from './occurrence-dispatcher.js';
import { SchedulerService } from './scheduler.service.js';

// The world's clock is simulated: the drift check stays off (0), as in the e2e harness.
const config = {
  lookaheadMinutes: 4,
  catchupMinutes: 15,
  dedupeTtlSeconds: 3600,
  maxClockDriftMs: 0,
};

/** Ada's subscriptions in Shanghai (UTC+8): 08:00 local is 00:00Z. */
const at = (time: string, overrides: Partial<Subscription> = {}) =>
  aSubscription({ tag: `at-${time}`, time, ...overrides });

function world(now: string) {
  const clock = new FakeClock(now);
  const subscriptions = new InMemorySubscriptionStore();
  const handOffs = new InMemoryHandOffStore();
  const claims = new InMemoryClaimStore(subscriptions, handOffs);
  const state = new InMemorySchedulerStateStore();
  const sink = new RecordingSink();
  const metrics = new ChimeMetrics();
  // One delivery queue: the batcher then groups by instant alone.
  const keys = RedisKeys.forPrefix('chime', 16, 1);
  const batcher = new HandOffBatcher(sink, handOffs, clock, keys);
  const replica = () => {
    const dispatcher = new OccurrenceDispatcher(
      subscriptions,
      claims,
      handOffs,
      sink,
      clock,
      metrics,
      batcher,
    );
    const drift = new ClockDrift(state, clock, metrics, config);
    return new SchedulerService(dispatcher, drift, state, handOffs, sink, metrics, clock, config);
  };
  const scheduler = replica();
  const tick = () => scheduler.dispatchDue(clock.now());
  return {
    clock,
    subscriptions,
    handOffs,
    claims,
    state,
    sink,
    metrics,
    batcher,
    scheduler,
    replica,
    tick,
  };
}

describe('SchedulerService.dispatchDue (the minute tick)', () => {
  it('claims on its first tick what is due from its minute to the end of the lookahead', async () => {
    const w = world('2026-11-24T23:58:20Z');
    w.subscriptions.seed(at('07:57'), at('08:00'), at('08:01'), at('08:02'));

    const outcome = await w.tick();

    expect(outcome).toEqual({
      from: new Date('2026-11-24T23:58:00Z'),
      to: new Date('2026-11-25T00:02:00Z'),
      due: 2,
      enqueued: 2,
      duplicates: 0,
      skipped: 0,
    });
    expect(w.sink.ids().sort()).toEqual(['ada|at-08:00|2026-11-25', 'ada|at-08:01|2026-11-25']);
    expect(w.sink.handedOff.every((occurrence) => !occurrence.late)).toBe(true);
  });

  it('moves the horizon and the watermark to the end of its lookahead and records the tick', async () => {
    const w = world('2026-11-24T23:58:20Z');

    await w.tick();

    expect(w.state.current).toEqual({
      watermark: new Date('2026-11-25T00:02:00Z'),
      horizon: new Date('2026-11-25T00:02:00Z'),
      lastTickAt: new Date('2026-11-24T23:58:20Z'),
      skippedTotal: 0,
    });
  });

  it('runs each minute once: a replica that does not hold the lease does nothing', async () => {
    const w = world('2026-11-24T23:58:00Z');
    w.subscriptions.seed(at('08:00'));
    const other = w.replica();

    expect(await w.tick()).not.toBeNull();
    expect(await other.dispatchDue(w.clock.now())).toBeNull();

    expect(w.sink.ids()).toEqual(['ada|at-08:00|2026-11-25']);
    w.clock.advance(60_000);
    expect(await other.dispatchDue(w.clock.now())).not.toBeNull();
  });

  it('continues from the watermark, so each minute claims only the minute newly in view', async () => {
    const w = world('2026-11-24T23:58:00Z');
    w.subscriptions.seed(at('08:00'), at('08:02'));
    await w.tick();
    w.clock.advance(60_000);

    const outcome = await w.tick();

    expect(outcome).toMatchObject({
      from: new Date('2026-11-25T00:02:00Z'),
      to: new Date('2026-11-25T00:03:00Z'),
      enqueued: 1,
      duplicates: 0,
    });
    expect(w.sink.ids()).toEqual(['ada|at-08:00|2026-11-25', 'ada|at-08:02|2026-11-25']);
  });

  it('delivers late, after a short downtime, what was never claimed', async () => {
    const w = world('2026-11-25T00:05:10Z');
    w.state.current = { ...w.state.current, watermark: new Date('2026-11-24T23:55:00Z') };
    w.subscriptions.seed(at('08:00'));

    const outcome = await w.tick();

    expect(outcome).toMatchObject({ from: new Date('2026-11-24T23:55:00Z'), skipped: 0 });
    expect(w.sink.handedOff).toEqual([anOccurrenceOf(at('08:00'), '2026-11-25', true)]);
  });

  it('skips and counts what passed more than CATCHUP_MINUTES ago, and catches up the rest', async () => {
    const w = world('2026-11-25T00:30:00Z');
    w.state.current = { ...w.state.current, watermark: new Date('2026-11-24T23:00:00Z') };
    w.subscriptions.seed(at('08:00'), at('08:20'));

    const outcome = await w.tick();

    expect(outcome).toMatchObject({
      from: new Date('2026-11-25T00:15:00Z'),
      enqueued: 1,
      skipped: 1,
    });
    expect(w.sink.ids()).toEqual(['ada|at-08:20|2026-11-25']);
    expect(w.state.current.skippedTotal).toBe(1);
    expect(await valueOf(w.metrics.occurrencesSkipped)).toBe(1);
  });

  it('does not count as missed an occurrence claimed before the downtime', async () => {
    const w = world('2026-11-25T00:30:00Z');
    w.state.current = { ...w.state.current, watermark: new Date('2026-11-24T23:00:00Z') };
    w.subscriptions.seed(at('08:00'));
    w.claims.claim('ada|at-08:00|2026-11-25');

    const outcome = await w.tick();

    expect(outcome).toMatchObject({ skipped: 0 });
    expect(w.state.current.skippedTotal).toBe(0);
  });

  it('counts missed occurrences at most one day back, however long the downtime', async () => {
    const w = world('2026-11-25T12:00:00Z');
    w.state.current = { ...w.state.current, watermark: new Date('2026-11-20T00:00:00Z') };
    w.subscriptions.seed(at('08:00'));

    const outcome = await w.tick();

    expect(outcome).toMatchObject({ skipped: 1, enqueued: 0 });
    expect(w.sink.handedOff).toEqual([]);
  });

  it('scans nothing and keeps the watermark when it is already past this tick', async () => {
    const w = world('2026-11-24T23:58:00Z');
    const ahead = new Date('2026-11-25T00:10:00Z');
    w.state.current = { ...w.state.current, watermark: ahead, horizon: ahead };
    w.subscriptions.seed(at('08:01'));

    const outcome = await w.tick();

    expect(outcome).toMatchObject({ due: 0, enqueued: 0, skipped: 0 });
    expect(w.sink.handedOff).toEqual([]);
    expect(w.state.current.watermark).toEqual(ahead);
  });

  it('first hands off again what a crashed replica claimed but never handed off', async () => {
    const w = world('2026-11-25T00:05:00Z');
    const stranded = anOccurrenceOf(at('08:04'), '2026-11-25');
    w.handOffs.record([stranded], new Date('2026-11-25T00:04:30Z'));

    await w.tick();

    expect(w.sink.handedOff).toEqual([stranded]);
    expect(await w.handOffs.unconfirmedCount()).toBe(0);
  });
});

describe('SchedulerService.arm (a schedule just set)', () => {
  /** A tick at 23:58 has scanned up to 00:02Z; the clock is then at 23:59:10. */
  async function afterATick() {
    const w = world('2026-11-24T23:58:00Z');
    await w.tick();
    w.clock.set('2026-11-24T23:59:10Z');
    return w;
  }

  /** Arms as a write does, then lets what it claimed leave the batcher. */
  async function armNew(w: Awaited<ReturnType<typeof afterATick>>, subscription: Subscription) {
    w.subscriptions.seed(subscription);
    await w.scheduler.arm(subscription);
    await w.batcher.drain();
  }

  it('claims at once an occurrence before the horizon, which the ticks have scanned already', async () => {
    const w = await afterATick();

    await armNew(w, at('08:01', { armedAt: w.clock.now() }));

    expect(w.sink.ids()).toEqual(['ada|at-08:01|2026-11-25']);
    expect(await w.handOffs.unconfirmedCount()).toBe(0);
  });

  it('leaves to the ticks what lies beyond the horizon', async () => {
    const w = await afterATick();

    await armNew(w, at('08:02', { armedAt: w.clock.now() }));
    await armNew(w, at('08:30', { armedAt: w.clock.now() }));

    expect(w.sink.handedOff).toEqual([]);
  });

  it('never claims an occurrence whose instant is before armedAt', async () => {
    const w = await afterATick();
    w.clock.set('2026-11-25T00:00:30Z');

    await armNew(w, at('08:00', { armedAt: w.clock.now() }));
    await armNew(w, at('08:01', { armedAt: w.clock.now() }));

    expect(w.sink.ids()).toEqual(['ada|at-08:01|2026-11-25']);
  });

  it('does not hand off again an occurrence a tick claimed already', async () => {
    const w = world('2026-11-24T23:58:00Z');
    w.subscriptions.seed(at('08:00'));
    await w.tick();
    w.clock.set('2026-11-24T23:59:10Z');

    await armNew(w, at('08:00', { days: ['wed', 'thu'], armedAt: w.clock.now() }));

    expect(w.sink.ids()).toEqual(['ada|at-08:00|2026-11-25']);
  });

  it('claims nothing for a paused subscription', async () => {
    const w = await afterATick();

    await armNew(w, at('08:01', { armedAt: w.clock.now(), paused: true }));

    expect(w.sink.handedOff).toEqual([]);
  });

  it('claims nothing again when the same subscription is armed again', async () => {
    const w = await afterATick();
    const subscription = at('08:01', { armedAt: w.clock.now() });

    await armNew(w, subscription);
    await w.scheduler.arm(subscription);
    await w.batcher.drain();

    expect(w.sink.ids()).toEqual(['ada|at-08:01|2026-11-25']);
  });

  it("looks back no further than CATCHUP_MINUTES: an old subscription's edit claims nothing from days ago", async () => {
    const w = await afterATick();
    const old = { armedAt: new Date('2026-11-20T00:00:00Z') };

    await armNew(w, at('08:01', old));
    await armNew(w, at('07:30', old));

    expect(w.sink.ids()).toEqual(['ada|at-08:01|2026-11-25']);
  });

  it('claims, late, what passed within CATCHUP_MINUTES when arming after the ticks stopped', async () => {
    const w = await afterATick();
    w.clock.set('2026-11-25T00:10:00Z');
    const old = { armedAt: new Date('2026-11-20T00:00:00Z') };

    await armNew(w, at('08:00', old));
    await armNew(w, at('07:54', old));

    expect(w.sink.handedOff).toEqual([anOccurrenceOf(at('08:00'), '2026-11-25', true)]);
  });

  it('resolves once claimed: the occurrence then waits for its hand-off with its record kept', async () => {
    const w = await afterATick();
    const subscription = at('08:01', { armedAt: w.clock.now() });
    w.subscriptions.seed(subscription);

    await w.scheduler.arm(subscription);

    expect(await w.claims.areClaimed(['ada|at-08:01|2026-11-25'])).toEqual([true]);
    expect(w.sink.handedOff).toEqual([]);
    expect(await w.handOffs.unconfirmedCount()).toBe(1);
    await w.batcher.drain();
    expect(w.sink.ids()).toEqual(['ada|at-08:01|2026-11-25']);
    expect(await w.handOffs.unconfirmedCount()).toBe(0);
  });

  it('hands off in one batch what concurrent writes claim for one instant', async () => {
    const w = await afterATick();
    const users = ['ada', 'bob', 'cy', 'dee'];
    const subscriptions = users.map((userId) => at('08:01', { userId, armedAt: w.clock.now() }));
    w.subscriptions.seed(...subscriptions);

    await Promise.all(subscriptions.map((subscription) => w.scheduler.arm(subscription)));
    await w.batcher.drain();

    expect(w.sink.batches.map((batch) => batch.length)).toEqual([4]);
    expect(w.sink.ids().sort()).toEqual(users.map((user) => `${user}|at-08:01|2026-11-25`));
    expect(await w.handOffs.unconfirmedCount()).toBe(0);
  });

  it('hands off apart what writes claim for different instants', async () => {
    const w = await afterATick();
    const early = at('08:00', { userId: 'ada', armedAt: w.clock.now() });
    const later = at('08:01', { userId: 'bob', armedAt: w.clock.now() });
    w.subscriptions.seed(early, later);

    await Promise.all([w.scheduler.arm(early), w.scheduler.arm(later)]);
    await w.batcher.drain();

    expect(w.sink.batches.map((batch) => batch.map((o) => o.occurrenceId))).toEqual([
      ['ada|at-08:00|2026-11-25'],
      ['bob|at-08:01|2026-11-25'],
    ]);
  });

  it('leaves a batch whose hand-off failed to the tick that recovers it after its retry time', async () => {
    const w = await afterATick();
    const subscription = at('08:01', { armedAt: w.clock.now() });
    w.subscriptions.seed(subscription);
    w.sink.failNext();

    await w.scheduler.arm(subscription);
    await w.batcher.drain();
    expect(w.sink.handedOff).toEqual([]);
    expect(await w.handOffs.unconfirmedCount()).toBe(1);

    w.clock.set(new Date(w.clock.now().getTime() + HAND_OFF_RETRY_MS));
    await w.tick();

    expect(w.sink.ids()).toEqual(['ada|at-08:01|2026-11-25']);
    expect(await w.handOffs.unconfirmedCount()).toBe(0);
  });

  it('claims nothing before any tick has set a horizon', async () => {
    const w = world('2026-11-24T23:59:10Z');

    await armNew(w, at('08:01', { armedAt: w.clock.now() }));

    expect(w.sink.handedOff).toEqual([]);
  });
});

describe('SchedulerService.recoverHandOffs', () => {
  const now = new Date('2026-11-25T00:05:00Z');
  const stranded = anOccurrenceOf(at('08:04'), '2026-11-25');

  it('hands off again a claimed batch whose hand-off was never confirmed, and confirms it', async () => {
    const w = world(now.toISOString());
    w.handOffs.record([stranded], new Date(now.getTime() - 1000));

    expect(await w.scheduler.recoverHandOffs(now)).toBe(1);

    expect(w.sink.handedOff).toEqual([stranded]);
    expect(await w.handOffs.unconfirmedCount()).toBe(0);
  });

  it('leaves alone a hand-off whose retry time has not come', async () => {
    const w = world(now.toISOString());
    w.handOffs.record([stranded], new Date(now.getTime() + 30_000));

    expect(await w.scheduler.recoverHandOffs(now)).toBe(0);

    expect(w.sink.handedOff).toEqual([]);
    expect(await w.handOffs.unconfirmedCount()).toBe(1);
  });

  it('keeps the record when delivery refuses it again, and hands it off a retry later', async () => {
    const w = world(now.toISOString());
    w.handOffs.record([stranded], now);
    w.sink.failNext();

    await expect(w.scheduler.recoverHandOffs(now)).rejects.toThrow('queue unavailable');
    expect(await w.handOffs.unconfirmedCount()).toBe(1);
    expect(await w.scheduler.recoverHandOffs(now)).toBe(0);

    const later = new Date(now.getTime() + HAND_OFF_RETRY_MS);
    expect(await w.scheduler.recoverHandOffs(later)).toBe(1);
    expect(w.sink.handedOff).toEqual([stranded]);
  });

  it('recovers every stale batch, however many there are', async () => {
    const w = world(now.toISOString());
    for (let day = 1; day <= 1001; day++) {
      const localDate = new Date(Date.UTC(2020, 0, day)).toISOString().slice(0, 10);
      w.handOffs.record([anOccurrenceOf(at('08:04'), localDate)], now);
    }

    expect(await w.scheduler.recoverHandOffs(now)).toBe(1001);

    expect(await w.handOffs.unconfirmedCount()).toBe(0);
  });
});
