import { RedisKeys } from '../src/store/redis-keys.js';
import { DeliveryStore } from '../src/store/delivery.store.js';
import { SchedulerStateStore } from '../src/store/scheduler-state.store.js';
import { DeliverySink } from '../src/domain/delivery-sink.js';
import { InProcessDeliverySink } from './support/in-process-sink.js';
import { DueOccurrence } from '../src/domain/occurrence.js';
import { testRedisUrl, uniquePrefix } from './support/chime-process.js';
import { FakeClock } from './support/fake-clock.js';
import { SchedulerHarness, startSchedulerHarness } from './support/scheduler-harness.js';

const MINUTE = 60_000;

function handedOff(harness: SchedulerHarness): string[] {
  return (harness.sink as InProcessDeliverySink).occurrences().map(describe);
}

function describe(o: DueOccurrence): string {
  return `${o.occurrenceId} ${o.scheduledFor.toISOString()}${o.late ? ' late' : ''}`;
}

/**
 * Ticks at second 0 of every minute from the clock's time up to `until` (exclusive), and
 * runs the delivery worker over what is due, as its jobs would.
 */
async function tickEveryMinute(harness: SchedulerHarness, until: string): Promise<void> {
  while (harness.clock.now().getTime() < Date.parse(until)) {
    await harness.tick();
    await harness.deliverDue();
    harness.clock.advance(MINUTE);
  }
}

/** Fails its first hand-off as a process killed between claim and hand-off would. */
class CrashingOnceSink extends InProcessDeliverySink {
  private crashed = false;
  override async handOff(occurrences: readonly DueOccurrence[]): Promise<void> {
    if (!this.crashed) {
      this.crashed = true;
      throw new Error('killed between claim and hand-off');
    }
    return super.handOff(occurrences);
  }
}

const harnesses: SchedulerHarness[] = [];

async function start(clockAt: string, options: { sink?: DeliverySink; keyPrefix?: string } = {}) {
  const harness = await startSchedulerHarness({
    redisUrl: testRedisUrl(),
    keyPrefix: options.keyPrefix ?? uniquePrefix('sched'),
    clock: new FakeClock(clockAt),
    sink: options.sink,
  });
  harnesses.push(harness);
  return harness;
}

afterEach(async () => {
  await Promise.all(harnesses.splice(0).map((harness) => harness.close()));
});

it('hands an occurrence off once, at its exact instant, claimed within the lookahead', async () => {
  const chime = await start('2026-11-25T08:50:00Z');
  await chime.tick();
  await chime.subscribe('ada', 'news', { time: '09:00', timezone: 'UTC' });
  chime.clock.advance(MINUTE);
  await tickEveryMinute(chime, '2026-11-25T08:57:00Z');
  expect(handedOff(chime)).toEqual([]);
  await tickEveryMinute(chime, '2026-11-25T09:10:00Z');
  expect(handedOff(chime)).toEqual(['ada|news|2026-11-25 2026-11-25T09:00:00.000Z']);
  const sentKey = chime.app.get(RedisKeys).sent('ada|news|2026-11-25');
  expect(await chime.redis.ttl(sentKey)).toBeGreaterThan(25 * 3600);
});

it('hands the 02:30 New York subscription off once, at 03:00 EDT on spring-forward day', async () => {
  const chime = await start('2026-03-08T04:00:00Z');
  await chime.subscribe('ada', 'gap', { time: '02:30', timezone: 'America/New_York' });
  await tickEveryMinute(chime, '2026-03-08T09:00:00Z');
  expect(handedOff(chime)).toEqual(['ada|gap|2026-03-08 2026-03-08T07:00:00.000Z']);
});

it('hands the 01:30 New York subscription off once, at the earlier 01:30 EDT on fall-back day', async () => {
  const chime = await start('2026-11-01T04:00:00Z');
  await chime.subscribe('ada', 'overlap', { time: '01:30', timezone: 'America/New_York' });
  await tickEveryMinute(chime, '2026-11-01T08:00:00Z');
  expect(handedOff(chime)).toEqual(['ada|overlap|2026-11-01 2026-11-01T05:30:00.000Z']);
});

it('sends Lord Howe (30-minute shift) and Kathmandu (+05:45) subscriptions once each at their instants', async () => {
  const chime = await start('2026-10-03T14:00:00Z');
  await chime.subscribe('ada', 'lord-howe-gap', { time: '02:15', timezone: 'Australia/Lord_Howe' });
  await chime.subscribe('ada', 'lord-howe', { time: '03:00', timezone: 'Australia/Lord_Howe' });
  await chime.subscribe('ada', 'kathmandu', { time: '21:50', timezone: 'Asia/Kathmandu' });
  await tickEveryMinute(chime, '2026-10-03T17:00:00Z');
  expect(handedOff(chime).sort()).toEqual([
    'ada|kathmandu|2026-10-03 2026-10-03T16:05:00.000Z',
    'ada|lord-howe-gap|2026-10-04 2026-10-03T15:30:00.000Z',
    'ada|lord-howe|2026-10-04 2026-10-03T16:00:00.000Z',
  ]);
});

it('claims each occurrence once when two replicas tick and replay the same windows', async () => {
  const keyPrefix = uniquePrefix('replicas');
  const first = await start('2026-11-25T08:50:00Z', { keyPrefix });
  const second = await start('2026-11-25T08:50:00Z', { keyPrefix });
  for (let minute = 0; minute < 30; minute++) {
    await first.subscribe(`user-${minute}`, 'tag', {
      time: `09:${String(minute).padStart(2, '0')}`,
    });
  }
  const keys = RedisKeys.forPrefix(keyPrefix);
  const holders = new Set<string>();
  while (first.clock.now().getTime() < Date.parse('2026-11-25T09:40:00Z')) {
    await Promise.all([first.tick(), second.tick()]);
    // Every bucket's tick of the minute ran once, by one of the two.
    const minute = first.clock.now().toISOString().slice(0, 16);
    const leases = keys.allBuckets().map((b) => keys.bucketTickLease(b, minute));
    const holdersOfMinute = await first.redis.mget(...leases);
    expect(holdersOfMinute.every((holder) => holder !== null)).toBe(true);
    holdersOfMinute.forEach((holder) => holders.add(holder!));
    first.clock.advance(MINUTE);
    second.clock.advance(MINUTE);
  }
  const from = new Date('2026-11-25T09:00:00Z');
  const to = new Date('2026-11-25T09:30:00Z');
  const replays = await Promise.all([
    first.scheduler.replay(from, to),
    second.scheduler.replay(from, to),
  ]);
  const all = [...handedOff(first), ...handedOff(second)];
  expect(all).toHaveLength(30);
  expect(new Set(all).size).toBe(30);
  expect(holders.size).toBeLessThanOrEqual(2);
  expect(replays.map((r) => r.duplicates)).toEqual([30, 30]);
});

it('delivers occurrences missed by a 10-minute jump late, and the rest on time', async () => {
  const chime = await start('2026-11-25T08:50:00Z');
  for (const time of ['08:55', '08:58', '09:03'])
    await chime.subscribe('ada', `at-${time}`, { time });
  await chime.tick();
  chime.clock.set('2026-11-25T09:00:00Z');
  await chime.tick();
  expect(handedOff(chime)).toEqual([
    'ada|at-08:55|2026-11-25 2026-11-25T08:55:00.000Z late',
    'ada|at-08:58|2026-11-25 2026-11-25T08:58:00.000Z late',
    'ada|at-09:03|2026-11-25 2026-11-25T09:03:00.000Z',
  ]);
});

it('skips and counts occurrences older than CATCHUP_MINUTES after a 20-minute jump', async () => {
  const chime = await start('2026-11-25T08:50:00Z');
  for (const time of ['08:54', '08:56', '09:12'])
    await chime.subscribe('ada', `at-${time}`, { time });
  await chime.tick();
  chime.clock.set('2026-11-25T09:10:00Z');
  const outcome = await chime.tick();
  expect(handedOff(chime)).toEqual([
    'ada|at-08:56|2026-11-25 2026-11-25T08:56:00.000Z late',
    'ada|at-09:12|2026-11-25 2026-11-25T09:12:00.000Z',
  ]);
  expect(outcome?.skipped).toBe(1);
  expect((await chime.queries.status()).skippedTotal).toBe(1);
});

it('loses nothing when the process dies between claiming and handing off', async () => {
  const chime = await start('2026-11-25T08:50:00Z', { sink: new CrashingOnceSink() });
  await chime.subscribe('ada', 'news', { time: '08:52' });
  await expect(chime.tick()).rejects.toThrow('killed between claim and hand-off');
  expect((await chime.queries.status()).unconfirmedHandOffs).toBe(1);
  chime.clock.advance(MINUTE);
  await chime.tick();
  expect(handedOff(chime)).toEqual(['ada|news|2026-11-25 2026-11-25T08:52:00.000Z']);
  expect((await chime.queries.status()).unconfirmedHandOffs).toBe(0);
  await tickEveryMinute(chime, '2026-11-25T09:00:00Z');
  expect(handedOff(chime)).toHaveLength(1);
});

it("loses nothing when a write's batched hand-off fails: the tick after its retry time hands it off", async () => {
  const chime = await start('2026-11-25T08:50:00Z', { sink: new CrashingOnceSink() });
  await tickEveryMinute(chime, '2026-11-25T08:54:00Z');
  chime.clock.set('2026-11-25T08:54:30Z');
  const created = (await chime.subscribe('ada', 'soon', { time: '08:56' })) as any;
  expect(created.subscription.nextRunAt).toBe('2026-11-25T08:56:00.000Z');
  expect(handedOff(chime)).toEqual([]);
  expect((await chime.queries.status()).unconfirmedHandOffs).toBe(1);
  chime.clock.set('2026-11-25T08:55:30Z');
  await chime.tick();
  expect(handedOff(chime)).toEqual(['ada|soon|2026-11-25 2026-11-25T08:56:00.000Z']);
  expect((await chime.queries.status()).unconfirmedHandOffs).toBe(0);
  await tickEveryMinute(chime, '2026-11-25T09:00:00Z');
  expect(handedOff(chime)).toHaveLength(1);
});

it('first fires the next day for a subscription created at 09:00:30 for 09:00', async () => {
  const chime = await start('2026-11-25T08:50:00Z');
  await tickEveryMinute(chime, '2026-11-25T09:01:00Z');
  chime.clock.set('2026-11-25T09:00:30Z');
  const created = (await chime.subscribe('ada', 'late-start', { time: '09:00' })) as any;
  expect(created.subscription.nextRunAt).toBe('2026-11-26T09:00:00.000Z');
  chime.clock.set('2026-11-25T09:01:00Z');
  await tickEveryMinute(chime, '2026-11-25T09:10:00Z');
  expect(handedOff(chime)).toEqual([]);
  chime.clock.set('2026-11-26T08:50:00Z');
  await tickEveryMinute(chime, '2026-11-26T09:05:00Z');
  expect(handedOff(chime)).toEqual(['ada|late-start|2026-11-26 2026-11-26T09:00:00.000Z']);
});

it('sends nothing more today when the time moves from 09:00 to 10:00 after the day’s send', async () => {
  const chime = await start('2026-11-25T08:50:00Z');
  await chime.subscribe('ada', 'moved', { time: '09:00' });
  await tickEveryMinute(chime, '2026-11-25T09:30:00Z');
  expect(handedOff(chime)).toHaveLength(1);
  const moved = (await chime.subscriptions.patch(
    { userId: 'ada', tag: 'moved' },
    { time: '10:00' },
  )) as any;
  expect(moved.subscription.nextRunAt).toBe('2026-11-26T10:00:00.000Z');
  await tickEveryMinute(chime, '2026-11-25T10:30:00Z');
  expect(handedOff(chime)).toEqual(['ada|moved|2026-11-25 2026-11-25T09:00:00.000Z']);
  chime.clock.set('2026-11-26T09:50:00Z');
  await tickEveryMinute(chime, '2026-11-26T10:05:00Z');
  expect(handedOff(chime)).toEqual([
    'ada|moved|2026-11-25 2026-11-25T09:00:00.000Z',
    'ada|moved|2026-11-26 2026-11-26T10:00:00.000Z',
  ]);
});

it('re-sends nothing when the clock jumps backwards', async () => {
  const chime = await start('2026-11-25T08:50:00Z');
  await chime.subscribe('ada', 'news', { time: '09:00' });
  await tickEveryMinute(chime, '2026-11-25T09:05:00Z');
  chime.clock.set('2026-11-25T08:55:00Z');
  await tickEveryMinute(chime, '2026-11-25T09:05:00Z');
  expect(handedOff(chime)).toEqual(['ada|news|2026-11-25 2026-11-25T09:00:00.000Z']);
});

it('claims at once a subscription created inside the window the ticks have already scanned', async () => {
  const chime = await start('2026-11-25T08:50:00Z');
  await tickEveryMinute(chime, '2026-11-25T08:59:00Z');
  chime.clock.set('2026-11-25T08:58:30Z');
  await chime.subscribe('ada', 'soon', { time: '09:00' });
  expect(handedOff(chime)).toEqual(['ada|soon|2026-11-25 2026-11-25T09:00:00.000Z']);
  chime.clock.set('2026-11-25T08:59:00Z');
  await tickEveryMinute(chime, '2026-11-25T09:10:00Z');
  expect(handedOff(chime)).toHaveLength(1);
});

it('leaves out paused subscriptions and disabled weekdays, counting paused ones as skipped', async () => {
  const chime = await start('2026-11-25T08:00:00Z'); // a Wednesday
  await chime.subscribe('ada', 'paused', { time: '09:00', paused: true });
  await chime.subscribe('ada', 'weekend', { time: '09:00', days: ['sat', 'sun'] });
  await chime.subscribe('ada', 'weekday', { time: '09:00', days: ['wed'] });
  const counts = await chime.scheduler.replay(
    new Date('2026-11-25T08:00:00Z'),
    new Date('2026-11-25T10:00:00Z'),
  );
  expect(counts).toEqual({ due: 1, enqueued: 1, duplicates: 0, skipped: 1 });
  expect(handedOff(chime)).toEqual(['ada|weekday|2026-11-25 2026-11-25T09:00:00.000Z']);
});

it('re-arms on a repeated write when arming failed after the first one was saved', async () => {
  const chime = await start('2026-11-25T08:50:00Z');
  await tickEveryMinute(chime, '2026-11-25T08:59:00Z');
  chime.clock.set('2026-11-25T08:58:30Z');
  // The scheduler's state cannot be read for a moment: the write is saved, its arming fails.
  const keys = RedisKeys.forPrefix(chime.keyPrefix);
  const state = keys.bucketSchedulerState(keys.bucketOf('ada'));
  await chime.redis.rename(state, `${state}:aside`);
  await chime.redis.set(state, 'unreadable');
  await expect(chime.subscribe('ada', 'soon', { time: '09:00' })).rejects.toThrow();
  await chime.redis.del(state);
  await chime.redis.rename(`${state}:aside`, state);
  expect(handedOff(chime)).toEqual([]);

  await chime.subscribe('ada', 'soon', { time: '09:00' });
  expect(handedOff(chime)).toEqual(['ada|soon|2026-11-25 2026-11-25T09:00:00.000Z']);
});

it('claims nothing from days ago when an old subscription is written again', async () => {
  const chime = await start('2026-11-22T08:50:00Z');
  await chime.subscribe('ada', 'news', { time: '09:00' });
  await tickEveryMinute(chime, '2026-11-22T09:05:00Z');
  expect(handedOff(chime)).toEqual(['ada|news|2026-11-22 2026-11-22T09:00:00.000Z']);
  // Three days on, that day's claim has expired; a title change re-arms the subscription.
  await chime.redis.del(RedisKeys.forPrefix(chime.keyPrefix).sent('ada|news|2026-11-22'));
  chime.clock.set('2026-11-25T08:50:00Z');
  await chime.tick();
  await chime.subscribe('ada', 'news', { time: '09:00', title: 'renamed' });
  expect(handedOff(chime)).toEqual(['ada|news|2026-11-22 2026-11-22T09:00:00.000Z']);
});

it('does not tick while its clock is more than MAX_CLOCK_DRIFT_MS off Redis, and ticks once it is back', async () => {
  const ahead = new Date(Math.floor(Date.now() / MINUTE) * MINUTE + 10 * MINUTE);
  const chime = await startSchedulerHarness({
    redisUrl: testRedisUrl(),
    keyPrefix: uniquePrefix('drift'),
    clock: new FakeClock(ahead.toISOString()),
    env: { MAX_CLOCK_DRIFT_MS: '1000' },
  });
  harnesses.push(chime);
  const dueAt = new Date(ahead.getTime() + 2 * MINUTE).toISOString().slice(11, 16);
  await chime.subscribe('ada', 'news', { time: dueAt, timezone: 'UTC' });

  await expect(chime.tick()).rejects.toThrow(/ahead of Redis's/);
  const status = await chime.queries.status();
  expect(status.clockTooFar).toBe(true);
  expect(status.clockDriftMs).toBeGreaterThan(5 * MINUTE);
  expect(status.watermark).toBeNull();
  expect(handedOff(chime)).toEqual([]);

  chime.clock.set(new Date().toISOString());
  expect((await chime.queries.status()).clockTooFar).toBe(false);
  await expect(chime.tick()).resolves.not.toBeNull();
});

it("still owes the day's new time when the queued send was cancelled because the time moved", async () => {
  const chime = await start('2026-11-25T08:50:00Z');
  await chime.subscribe('ada', 'news', { time: '09:00' });
  await tickEveryMinute(chime, '2026-11-25T08:59:00Z');
  expect(handedOff(chime)).toEqual(['ada|news|2026-11-25 2026-11-25T09:00:00.000Z']);
  // At 08:59 the time moves to 10:00, beyond the scanned horizon: at 09:00 the worker finds
  // the queued send no longer matching and cancels it; the 10:00 tick claims the date again.
  await chime.subscribe('ada', 'news', { time: '10:00' });
  await tickEveryMinute(chime, '2026-11-25T10:05:00Z');
  expect(await chime.delivered()).toEqual(['ada|news|2026-11-25 2026-11-25T10:00:00.000Z']);
});

it('sends a date at its new time when the time moves nearer than the lookahead while queued', async () => {
  const chime = await start('2026-11-25T08:50:00Z');
  await chime.subscribe('ada', 'news', { time: '09:00' });
  await tickEveryMinute(chime, '2026-11-25T08:58:00Z');
  await chime.subscribe('ada', 'news', { time: '08:59' });
  await tickEveryMinute(chime, '2026-11-25T09:05:00Z');
  expect(handedOff(chime)).toEqual([
    'ada|news|2026-11-25 2026-11-25T09:00:00.000Z',
    'ada|news|2026-11-25 2026-11-25T08:59:00.000Z',
  ]);
  expect(await chime.delivered()).toEqual(['ada|news|2026-11-25 2026-11-25T08:59:00.000Z']);
});

it('sends a date at its new time when the time moved while its send was starting', async () => {
  const chime = await start('2026-11-25T08:50:00Z');
  await chime.subscribe('ada', 'news', { time: '09:00' });
  await tickEveryMinute(chime, '2026-11-25T09:00:00Z');
  // The 09:00 job has taken the occurrence (it is in flight) when the time moves to 09:02:
  // the write cannot claim the date, and the job, reading the subscription, cancels.
  const [queued] = (chime.sink as InProcessDeliverySink).occurrences();
  const job = `harness-${queued.occurrenceId}@${queued.scheduledFor.getTime()}`;
  const deliveries = chime.app.get(DeliveryStore);
  await deliveries.acquire([queued], job);
  await chime.subscribe('ada', 'news', { time: '09:02' });
  await tickEveryMinute(chime, '2026-11-25T09:05:00Z');
  expect(await chime.delivered()).toEqual(['ada|news|2026-11-25 2026-11-25T09:02:00.000Z']);
});

it('sends a date once when its first send was delivered, whatever the time moves to', async () => {
  const chime = await start('2026-11-25T08:50:00Z');
  await chime.subscribe('ada', 'news', { time: '09:00' });
  await tickEveryMinute(chime, '2026-11-25T09:01:00Z');
  await chime.subscribe('ada', 'news', { time: '09:03' });
  await chime.subscribe('ada', 'news', { time: '10:00' });
  await tickEveryMinute(chime, '2026-11-25T10:05:00Z');
  expect(await chime.delivered()).toEqual(['ada|news|2026-11-25 2026-11-25T09:00:00.000Z']);
});

it("scans next minute the buckets whose leases a replica that died took, from each bucket's watermark", async () => {
  const chime = await start('2026-11-25T08:50:00Z');
  const users = Array.from({ length: 12 }, (_, index) => `user-${index}`);
  for (const userId of users) await chime.subscribe(userId, 'news', { time: '09:00' });
  await tickEveryMinute(chime, '2026-11-25T08:56:00Z');
  expect(handedOff(chime)).toEqual([]);
  // At 08:56 another replica takes every bucket's lease, then dies before it scans.
  const progress = chime.app.get(SchedulerStateStore);
  for (const bucket of progress.buckets()) {
    expect(await progress.acquireTickLease(bucket, chime.clock.now(), 'dead replica')).toBe(true);
  }
  expect(await chime.tick()).toBeNull();
  chime.clock.advance(MINUTE);

  await chime.tick();
  expect(handedOff(chime).sort()).toEqual(
    users.map((userId) => `${userId}|news|2026-11-25 2026-11-25T09:00:00.000Z`).sort(),
  );
});
