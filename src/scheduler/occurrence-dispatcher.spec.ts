import { FakeClock } from '../../test/support/fake-clock.js';
import { aSubscription } from '../../test/support/factories.js';
import {
  InMemoryClaimStore,
  InMemoryHandOffStore,
  RecordingSink,
} from '../../test/support/fakes/scheduler-fakes.js';
import { InMemorySubscriptionStore } from '../../test/support/fakes/subscription-store.js';
import { valueOf } from '../../test/support/metrics.js';
import { Subscription } from '../domain/subscription.js';
import { ChimeMetrics } from '../metrics/chime-metrics.js';
import { RedisKeys } from '../store/redis-keys.js';
import { HandOffBatcher } from './hand-off-batcher.js';
import { HAND_OFF_RETRY_MS, OccurrenceDispatcher } from './occurrence-dispatcher.js';

/** 08:00 in Shanghai (UTC+8) on Wednesday 2026-11-25 is 00:00Z; the window holds it. */
const from = new Date('2026-11-24T23:58:00Z');
const to = new Date('2026-11-25T00:02:00Z');
const tick = { replay: false };

const user = (userId: string, overrides: Partial<Subscription> = {}) =>
  aSubscription({ userId, ...overrides });

function world(now = '2026-11-24T23:58:00Z') {
  const clock = new FakeClock(now);
  const subscriptions = new InMemorySubscriptionStore();
  const handOffs = new InMemoryHandOffStore();
  const claims = new InMemoryClaimStore(subscriptions, handOffs);
  const sink = new RecordingSink();
  const metrics = new ChimeMetrics();
  // One delivery queue: the batcher then groups by instant alone.
  const keys = RedisKeys.forPrefix('chime', 16, 1);
  const batcher = new HandOffBatcher(sink, handOffs, clock, keys);
  const dispatcher = new OccurrenceDispatcher(
    subscriptions,
    claims,
    handOffs,
    sink,
    clock,
    metrics,
    batcher,
  );
  return { clock, subscriptions, handOffs, claims, sink, metrics, batcher, dispatcher };
}

describe('OccurrenceDispatcher.dispatch', () => {
  it('claims every occurrence due in [from, to) and hands the won ones to delivery', async () => {
    const w = world();
    w.subscriptions.seed(user('ada'), user('bob'), user('cy', { time: '08:02' }));

    const counts = await w.dispatcher.dispatch(from, to, tick);

    expect(counts).toEqual({ due: 2, enqueued: 2, duplicates: 0, skipped: 0 });
    expect(w.sink.ids().sort()).toEqual(['ada|news|2026-11-25', 'bob|news|2026-11-25']);
    expect(w.sink.handedOff[0].scheduledFor).toEqual(new Date('2026-11-25T00:00:00Z'));
  });

  it('counts an occurrence claimed already as a duplicate and does not hand it off again', async () => {
    const w = world();
    w.subscriptions.seed(user('ada'), user('bob'));
    w.claims.claim('ada|news|2026-11-25');

    const counts = await w.dispatcher.dispatch(from, to, tick);

    expect(counts).toEqual({ due: 2, enqueued: 1, duplicates: 1, skipped: 0 });
    expect(w.sink.ids()).toEqual(['bob|news|2026-11-25']);
  });

  it('sends each occurrence once when two replicas scan the same window', async () => {
    const w = world();
    w.subscriptions.seed(user('ada'));
    const other = world();
    const replica = new OccurrenceDispatcher(
      w.subscriptions,
      w.claims,
      w.handOffs,
      w.sink,
      w.clock,
      other.metrics,
      w.batcher,
    );

    await Promise.all([w.dispatcher.dispatch(from, to, tick), replica.dispatch(from, to, tick)]);

    expect(w.sink.ids()).toEqual(['ada|news|2026-11-25']);
  });

  it('skips a paused subscription and one armed after its instant, handing off neither', async () => {
    const w = world();
    w.subscriptions.seed(
      user('ada', { paused: true }),
      user('bob', { armedAt: new Date('2026-11-25T00:00:01Z') }),
    );

    const counts = await w.dispatcher.dispatch(from, to, tick);

    expect(counts).toEqual({ due: 0, enqueued: 0, duplicates: 0, skipped: 2 });
    expect(w.sink.handedOff).toEqual([]);
  });

  it('replays, on an operator request, an occurrence from before armedAt but not a paused one', async () => {
    const w = world();
    w.subscriptions.seed(
      user('ada', { paused: true }),
      user('bob', { armedAt: new Date('2026-11-25T00:00:01Z') }),
    );

    const counts = await w.dispatcher.dispatch(from, to, { replay: true });

    expect(counts).toEqual({ due: 1, enqueued: 1, duplicates: 0, skipped: 1 });
    expect(w.sink.ids()).toEqual(['bob|news|2026-11-25']);
  });

  it('counts nothing for a subscription whose weekday is not enabled that day', async () => {
    const w = world();
    w.subscriptions.seed(user('ada', { days: ['mon', 'tue'] }));

    const counts = await w.dispatcher.dispatch(from, to, tick);

    expect(counts).toEqual({ due: 0, enqueued: 0, duplicates: 0, skipped: 0 });
    expect(w.sink.handedOff).toEqual([]);
  });

  it('marks late an occurrence claimed after its instant, and on time one claimed before', async () => {
    const w = world('2026-11-25T00:01:00Z');
    w.subscriptions.seed(
      user('ada'),
      user('bob', { time: '08:01' }),
      user('cy', { time: '08:01' }),
    );
    w.clock.set('2026-11-25T00:00:30Z');

    await w.dispatcher.dispatch(from, to, tick);

    const late = Object.fromEntries(w.sink.handedOff.map((o) => [o.userId, o.late]));
    expect(late).toEqual({ ada: true, bob: false, cy: false });
  });

  it('claims in batches of at most 500 and hands off and confirms every batch', async () => {
    const w = world();
    const users = Array.from({ length: 1201 }, (_, index) => user(`user-${index}`));
    w.subscriptions.seed(...users);

    const counts = await w.dispatcher.dispatch(from, to, tick);

    expect(counts.enqueued).toBe(1201);
    expect(w.claims.batchSizes).toEqual([500, 500, 201]);
    expect(new Set(w.sink.ids()).size).toBe(1201);
    expect(await w.handOffs.unconfirmedCount()).toBe(0);
  });

  it('leaves a claimed batch unconfirmed when delivery refuses it, to be handed off a minute later', async () => {
    const w = world();
    w.subscriptions.seed(user('ada'));
    w.sink.failNext();

    await expect(w.dispatcher.dispatch(from, to, tick)).rejects.toThrow('queue unavailable');

    expect(await w.handOffs.unconfirmedCount()).toBe(1);
    const now = w.clock.now().getTime();
    const early = new Date(now + HAND_OFF_RETRY_MS - 1);
    expect(await w.handOffs.takeUnconfirmed(early, early, 10)).toEqual([]);
    const retry = new Date(now + HAND_OFF_RETRY_MS);
    const [stale] = await w.handOffs.takeUnconfirmed(retry, retry, 10);
    expect(stale.occurrences.map((o) => o.occurrenceId)).toEqual(['ada|news|2026-11-25']);
  });

  it('counts due, claimed, duplicate and skipped occurrences in the metrics', async () => {
    const w = world();
    w.subscriptions.seed(user('ada'), user('bob'), user('cy', { paused: true }));
    w.claims.claim('bob|news|2026-11-25');

    await w.dispatcher.dispatch(from, to, tick);

    const { occurrencesDue, occurrencesClaimed, occurrencesDuplicate, occurrencesSkipped } =
      w.metrics;
    expect(await valueOf(occurrencesDue)).toBe(2);
    expect(await valueOf(occurrencesClaimed)).toBe(1);
    expect(await valueOf(occurrencesDuplicate)).toBe(1);
    expect(await valueOf(occurrencesSkipped)).toBe(1);
  });
});

describe('OccurrenceDispatcher.countClaimable', () => {
  it('counts what a tick would send, claimed or not, and claims nothing', async () => {
    const w = world();
    w.subscriptions.seed(user('ada'), user('bob'), user('cy', { paused: true }));
    w.claims.claim('bob|news|2026-11-25');

    expect(await w.dispatcher.countClaimable(from, to, { unclaimedOnly: false })).toBe(2);
    expect(await w.dispatcher.countClaimable(from, to, { unclaimedOnly: true })).toBe(1);

    expect(w.sink.handedOff).toEqual([]);
    expect(await w.handOffs.unconfirmedCount()).toBe(0);
    expect(await w.dispatcher.dispatch(from, to, tick)).toMatchObject({ enqueued: 1 });
  });
});
