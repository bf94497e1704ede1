import { Test } from '@nestjs/testing';
import { FakeClock, RunningClock } from '../../test/support/fake-clock.js';
import { aSubscription, anOccurrenceOf } from '../../test/support/factories.js';
import {
  FakeChannel,
  FakeDeliveryQueue,
  InMemoryDeadLetterStore,
  InMemoryDeliveryStore,
  InMemoryDeliveryIntakeStore,
  InMemoryHeldStore,
  InMemoryPolicyStore,
  InMemoryUserDataStore,
} from '../../test/support/fakes/delivery-fakes.js';
import { InMemorySubscriptionStore } from '../../test/support/fakes/subscription-store.js';
import { valueOf } from '../../test/support/metrics.js';
import { ChannelRegistry } from '../channels/channel.registry.js';
import { NOTIFICATION_CHANNELS } from '../channels/notification-channel.js';
import { Clock } from '../common/clock.js';
import { deliveryConfig } from '../config/configuration.js';
import { DeliveryError } from '../domain/delivery-error.js';
import { WEEKDAYS } from '../domain/local-time.js';
import { Subscription } from '../domain/subscription.js';
import { ChimeMetrics } from '../metrics/chime-metrics.js';
import { DeadLetterStore } from '../store/dead-letter.store.js';
import { serialise } from '../store/delivery-record.js';
import { DeliveryStore } from '../store/delivery.store.js';
import { DeliveryIntakeStore } from '../store/delivery-intake.store.js';
import { SubscriptionStore } from '../store/subscription.store.js';
import { HeldStore } from '../store/held.store.js';
import { PolicyStore } from '../store/policy.store.js';
import { UserDataStore } from '../store/user-data.store.js';
import { DeliveryItem, DeliveryQueue } from './delivery.queue.js';
import { DeliveryService } from './delivery.service.js';

/** Ada's 08:00 in Shanghai on 2026-11-25 is due at 00:00Z. */
const INSTANT = new Date('2026-11-25T00:00:00Z');
const subscription = aSubscription();
const config = { maxAttempts: 5, retryBackoffMs: 2000, concurrency: 4 };

const itemOf = (of: Subscription, attempt = 1): DeliveryItem => ({
  occurrence: serialise(anOccurrenceOf(of, '2026-11-25')),
  attempt,
});

async function world(clock: Clock = new FakeClock('2026-11-25T00:00:00.300Z')) {
  const subscriptions = new InMemorySubscriptionStore().seed(subscription);
  const store = new InMemoryDeliveryStore();
  const deadLetters = new InMemoryDeadLetterStore();
  const queue = new FakeDeliveryQueue();
  const channel = new FakeChannel('log', clock);
  const policies = new InMemoryPolicyStore();
  const held = new InMemoryHeldStore();
  const userData = new InMemoryUserDataStore();
  const moduleRef = await Test.createTestingModule({
    providers: [
      DeliveryService,
      ChannelRegistry,
      ChimeMetrics,
      { provide: NOTIFICATION_CHANNELS, useValue: [channel] },
      { provide: SubscriptionStore, useValue: subscriptions },
      { provide: DeliveryStore, useValue: store },
      {
        provide: DeliveryIntakeStore,
        useValue: new InMemoryDeliveryIntakeStore(store, subscriptions, policies),
      },
      { provide: DeadLetterStore, useValue: deadLetters },
      { provide: PolicyStore, useValue: policies },
      { provide: HeldStore, useValue: held },
      { provide: UserDataStore, useValue: userData },
      { provide: DeliveryQueue, useValue: queue },
      { provide: Clock, useValue: clock },
      { provide: deliveryConfig.KEY, useValue: config },
    ],
  }).compile();
  const service = moduleRef.get(DeliveryService);
  const metrics = moduleRef.get(ChimeMetrics);
  const statuses = () => store.log.map(({ status, attempt }) => `${status}@${attempt}`);
  return {
    ...{ clock, subscriptions, store, deadLetters, queue, channel, service, metrics, statuses },
    ...{ policies, held, userData },
  };
}

describe('DeliveryService.deliver', () => {
  it('never sends before the instant when the job wakes early', async () => {
    const w = await world(new RunningClock(new Date(INSTANT.getTime() - 150)));

    await w.service.deliver([itemOf(subscription)], 'job-1');

    expect(w.channel.sent).toHaveLength(1);
    expect(w.channel.sent[0].at.getTime()).toBeGreaterThanOrEqual(INSTANT.getTime());
  });

  it('sends an occurrence that still matches its subscription and logs it delivered', async () => {
    const w = await world();

    await w.service.deliver([itemOf(subscription)], 'job-1');

    expect(w.channel.sent.map(({ notification }) => notification)).toEqual([
      {
        occurrenceId: 'ada|news|2026-11-25',
        userId: 'ada',
        tag: 'news',
        scheduledFor: INSTANT,
        late: false,
        title: 'news',
        message: '',
        data: {},
        target: null,
      },
    ]);
    expect(w.store.log).toEqual([
      expect.objectContaining({ status: 'delivered', attempt: 1, channel: 'log', late: false }),
    ]);
  });

  it('sends nothing and logs cancelled when the subscription changed, paused or went away', async () => {
    const w = await world();
    const moved = aSubscription({ userId: 'bob', time: '09:00' });
    const paused = aSubscription({ userId: 'cy', paused: true });
    const gone = aSubscription({ userId: 'dee' });
    const queued = [moved, paused, gone].map((of) => itemOf({ ...of, time: '08:00' }));
    w.subscriptions.seed(moved, paused);

    await w.service.deliver(queued, 'job-1');

    expect(w.channel.sent).toEqual([]);
    expect(w.store.log.map(({ userId, status, channel }) => [userId, status, channel])).toEqual([
      ['bob', 'cancelled', 'log'],
      ['cy', 'cancelled', 'log'],
      ['dee', 'cancelled', null],
    ]);
    expect(await valueOf(w.metrics.occurrencesCancelled)).toBe(3);
  });

  it('arms again, once its cancellation is logged, only a subscription whose schedule moved', async () => {
    const w = await world();
    const moved = aSubscription({ userId: 'bob', time: '09:00' });
    const paused = aSubscription({ userId: 'cy', paused: true });
    const gone = aSubscription({ userId: 'dee' });
    w.subscriptions.seed(moved, paused);
    const armed: string[] = [];
    w.service.onScheduleMoved(async (subscription) => {
      expect(w.store.log.map(({ status }) => status)).toContain('cancelled');
      armed.push(`${subscription.userId} ${subscription.time}`);
    });

    const queued = [moved, paused, gone].map((of) => itemOf({ ...of, time: '08:00' }));
    await w.service.deliver(queued, 'job-1');

    expect(armed).toEqual(['bob 09:00']);
  });

  it('sends nothing for an occurrence another job holds', async () => {
    const w = await world();
    await w.store.acquire(
      [{ occurrenceId: 'ada|news|2026-11-25', scheduledFor: new Date(0) }],
      'job-0',
    );

    await w.service.deliver([itemOf(subscription)], 'job-1');

    expect(w.channel.sent).toEqual([]);
    expect(w.store.log).toEqual([]);
  });

  it('does not send again, when the job runs again, what it finished', async () => {
    const w = await world();

    await w.service.deliver([itemOf(subscription)], 'job-1');
    await w.service.deliver([itemOf(subscription)], 'job-1');

    expect(w.channel.sent).toHaveLength(1);
  });

  it('sends, when the job runs again after a crash, what it had taken but not finished', async () => {
    const w = await world();
    await w.store.acquire(
      [{ occurrenceId: 'ada|news|2026-11-25', scheduledFor: new Date(0) }],
      'job-1',
    );

    await w.service.deliver([itemOf(subscription)], 'job-1');

    expect(w.channel.sent).toHaveLength(1);
  });
});

describe('DeliveryService failures', () => {
  it.each([
    [1, 2000],
    [2, 4000],
    [3, 8000],
    [4, 16000],
  ])(
    'retries a retryable failure of attempt %i after RETRY_BACKOFF_MS * 2^(n-1) = %i ms, logging it retrying',
    async (attempt, delayMs) => {
      const w = await world();
      w.channel.failWith(DeliveryError.fromHttpStatus(503));

      await w.service.deliver([itemOf(subscription, attempt)], 'job-1');

      expect(w.queue.attempts).toEqual([
        {
          item: { ...itemOf(subscription, attempt + 1), takeOverFrom: 'job-1' },
          delayMs,
          id: expect.any(String),
        },
      ]);
      expect(w.store.log).toEqual([
        expect.objectContaining({ status: 'retrying', attempt, error: 'HTTP 503' }),
      ]);
      expect(await w.deadLetters.count()).toBe(0);
    },
  );

  it('lets the retry take the occurrence over from the failed job, which cannot send it again', async () => {
    const w = await world();
    w.channel.failWith(new DeliveryError('timeout', true));
    await w.service.deliver([itemOf(subscription)], 'job-1');
    const [retry] = w.queue.attempts;

    await w.service.deliver([retry.item], retry.id);
    await w.service.deliver([itemOf(subscription)], 'job-1');

    expect(w.channel.sent).toHaveLength(1);
    expect(w.statuses()).toEqual(['retrying@1', 'delivered@2']);
  });

  it('counts an error that is not a DeliveryError as retryable', async () => {
    const w = await world();
    w.channel.failWith(new Error('socket hang up'));

    await w.service.deliver([itemOf(subscription)], 'job-1');

    expect(w.queue.attempts).toHaveLength(1);
    expect(w.statuses()).toEqual(['retrying@1']);
  });

  it('gives up after MAX_ATTEMPTS: the last retryable failure becomes a `dead` dead letter', async () => {
    const w = await world();
    w.channel.failWith(DeliveryError.fromHttpStatus(503));

    await w.service.deliver([itemOf(subscription, 5)], 'job-5');

    expect(w.queue.attempts).toEqual([]);
    expect(w.statuses()).toEqual(['dead@5']);
    expect(w.deadLetters.all()).toEqual([
      expect.objectContaining({
        occurrenceId: 'ada|news|2026-11-25',
        occurrence: itemOf(subscription).occurrence,
        channel: 'log',
        status: 'dead',
        attempts: 5,
        lastError: 'HTTP 503',
        deadAt: w.clock.now().toISOString(),
      }),
    ]);
  });

  it('makes a failure no retry can fix (HTTP 404) a `failed` dead letter at once', async () => {
    const w = await world();
    w.channel.failWith(DeliveryError.fromHttpStatus(404));

    await w.service.deliver([itemOf(subscription)], 'job-1');

    expect(w.queue.attempts).toEqual([]);
    expect(w.statuses()).toEqual(['failed@1']);
    expect(w.deadLetters.all()).toEqual([
      expect.objectContaining({ status: 'failed', attempts: 1, lastError: 'HTTP 404' }),
    ]);
  });

  it('makes a subscription on a channel that is not registered a `failed` dead letter', async () => {
    const w = await world();
    const sms = aSubscription({ userId: 'bob', channel: 'sms' });
    w.subscriptions.seed(sms);

    await w.service.deliver([itemOf(sms)], 'job-1');

    expect(w.statuses()).toEqual(['failed@1']);
    expect(w.deadLetters.all()).toEqual([
      expect.objectContaining({ status: 'failed', lastError: 'channel sms is not registered' }),
    ]);
  });
});

describe('DeliveryService.retryDeadLetter', () => {
  it('sends a dead letter again from attempt 1, taking the occurrence over from its end', async () => {
    const w = await world();
    w.channel.failWith(DeliveryError.fromHttpStatus(503));
    await w.service.deliver([itemOf(subscription, 5)], 'job-5');
    const [letter] = w.deadLetters.all();

    const jobId = await w.service.retryDeadLetter(letter);

    const [retry] = w.queue.attempts;
    expect(retry).toEqual({
      item: { ...itemOf(subscription), takeOverFrom: 'dead' },
      delayMs: 0,
      id: jobId,
    });
    await w.service.deliver([retry.item], retry.id);
    expect(w.channel.sent).toHaveLength(1);
    expect(w.statuses()).toEqual(['dead@5', 'delivered@1']);
  });

  it('queues the retry, then removes the letter from the list', async () => {
    const w = await world();
    w.channel.failWith(DeliveryError.fromHttpStatus(404));
    await w.service.deliver([itemOf(subscription)], 'job-1');
    const [letter] = w.deadLetters.all();

    await w.service.retryDeadLetter(letter);

    expect(w.queue.attempts).toHaveLength(1);
    expect(await w.deadLetters.find(letter.id)).toBeNull();
    expect(await w.deadLetters.count()).toBe(0);
  });

  it('keeps the letter listed when its retry cannot be queued', async () => {
    const w = await world();
    w.channel.failWith(DeliveryError.fromHttpStatus(404));
    await w.service.deliver([itemOf(subscription)], 'job-1');
    const [letter] = w.deadLetters.all();
    w.queue.failNext();

    await expect(w.service.retryDeadLetter(letter)).rejects.toThrow('queue unavailable');

    expect(w.queue.attempts).toEqual([]);
    expect(await w.deadLetters.find(letter.id)).toEqual(letter);
  });

  it("names the retry's job after the letter: the same letter again, the same job", async () => {
    const w = await world();
    w.channel.failWith(DeliveryError.fromHttpStatus(404), DeliveryError.fromHttpStatus(404));
    await w.service.deliver([itemOf(subscription)], 'job-1');
    const [first] = w.deadLetters.all();
    const firstId = await w.service.retryDeadLetter(first);
    await w.service.deliver([w.queue.attempts[0].item], firstId);
    const [second] = w.deadLetters.all();

    expect(await w.service.retryDeadLetter(first)).toBe(firstId);
    expect(second.id).not.toBe(first.id);
    expect(await w.service.retryDeadLetter(second)).not.toBe(firstId);
  });
});

describe('DeliveryService: one bad item spoils no other', () => {
  const bob = aSubscription({ userId: 'bob' });

  it('makes an unreadable subscription a `failed` dead letter and sends the rest of the job', async () => {
    const w = await world();
    w.subscriptions.seed(bob);
    w.subscriptions.spoil(bob, 'field time is not HH:MM');

    await w.service.deliver([itemOf(subscription), itemOf(bob)], 'job-1');

    expect(w.channel.sent.map(({ notification }) => notification.userId)).toEqual(['ada']);
    expect(w.store.log.map(({ userId, status }) => [userId, status])).toEqual([
      ['bob', 'failed'],
      ['ada', 'delivered'],
    ]);
    expect(w.deadLetters.all()).toEqual([
      expect.objectContaining({
        occurrenceId: 'bob|news|2026-11-25',
        channel: null,
        status: 'failed',
        attempts: 1,
        lastError: 'unreadable: field time is not HH:MM',
      }),
    ]);
    expect(w.queue.attempts).toEqual([]);
  });

  it('makes an occurrence whose delivery state is unreadable a `failed` dead letter and sends the rest', async () => {
    const w = await world();
    w.subscriptions.seed(bob);
    w.store.spoil('bob|news|2026-11-25');

    await w.service.deliver([itemOf(subscription), itemOf(bob)], 'job-1');

    expect(w.channel.sent.map(({ notification }) => notification.userId)).toEqual(['ada']);
    expect(w.deadLetters.all()).toEqual([
      expect.objectContaining({
        occurrenceId: 'bob|news|2026-11-25',
        status: 'failed',
        lastError: 'unreadable: its delivery state is unreadable',
      }),
    ]);
    expect(w.queue.attempts).toEqual([]);
  });
});

describe('DeliveryService when the job cannot start (Redis unreachable)', () => {
  const bob = aSubscription({ userId: 'bob' });

  it('throws, sending and ending nothing, so that BullMQ runs the job again', async () => {
    const w = await world();
    w.subscriptions.seed(bob);
    w.store.failAcquire();

    await expect(
      w.service.deliver([itemOf(subscription), itemOf(bob)], 'job-1', false),
    ).rejects.toThrow('Connection is closed.');

    expect(w.channel.sent).toEqual([]);
    expect(w.store.log).toEqual([]);
    expect(await w.deadLetters.count()).toBe(0);

    await w.service.deliver([itemOf(subscription), itemOf(bob)], 'job-1', false);
    expect(w.channel.sent).toHaveLength(2);
  });

  it('on its last run, makes every item a `dead` dead letter instead of throwing', async () => {
    const w = await world();
    w.subscriptions.seed(bob);
    w.store.failAcquire();

    await w.service.deliver([itemOf(subscription), itemOf(bob)], 'job-1', true);

    expect(w.channel.sent).toEqual([]);
    expect(w.statuses()).toEqual(['dead@1', 'dead@1']);
    expect(
      w.deadLetters
        .all()
        .map(({ occurrenceId, status, channel, lastError }) => [
          occurrenceId,
          status,
          channel,
          lastError,
        ])
        .sort(),
    ).toEqual([
      ['ada|news|2026-11-25', 'dead', null, 'job failed: Connection is closed.'],
      ['bob|news|2026-11-25', 'dead', null, 'job failed: Connection is closed.'],
    ]);
  });
});

describe("DeliveryService: a sent occurrence's record", () => {
  it('is written again on its own when it fails, never sending again', async () => {
    const w = await world();
    w.store.failRecords(2);

    await w.service.deliver([itemOf(subscription)], 'job-1');

    expect(w.channel.sent).toHaveLength(1);
    expect(w.statuses()).toEqual(['delivered@1']);
    expect(w.queue.attempts).toEqual([]);
    expect(await w.deadLetters.count()).toBe(0);
    expect(await valueOf(w.metrics.recordFailures)).toBe(0);
  });
});

describe('DeliveryService late (leaving more than 2 s after the instant)', () => {
  const lateOf = (w: Awaited<ReturnType<typeof world>>) => ({
    sent: w.channel.sent.map(({ notification }) => notification.late),
    logged: w.store.log.map(({ late }) => late),
  });

  it.each([
    ['00:00:02.000', false],
    ['00:00:02.001', true],
  ])('is decided at send time: sent at %s it is late: %s', async (time, late) => {
    const w = await world(new FakeClock(`2026-11-25T${time}Z`));

    await w.service.deliver([itemOf(subscription)], 'job-1');

    expect(lateOf(w)).toEqual({ sent: [late], logged: [late] });
  });

  it('is true for an occurrence claimed ahead but sent after a retry', async () => {
    const clock = new FakeClock('2026-11-25T00:00:00.300Z');
    const w = await world(clock);
    w.channel.failWith(DeliveryError.fromHttpStatus(503));
    await w.service.deliver([itemOf(subscription)], 'job-1');
    const [retry] = w.queue.attempts;
    expect(retry.item.occurrence.late).toBe(false);

    clock.advance(retry.delayMs);
    await w.service.deliver([retry.item], retry.id);

    expect(lateOf(w)).toEqual({ sent: [true], logged: [false, true] });
  });

  it('is false for an occurrence claimed after its instant but sent within 2 s of it', async () => {
    const w = await world();
    const claimedLate: DeliveryItem = {
      occurrence: serialise(anOccurrenceOf(subscription, '2026-11-25', true)),
      attempt: 1,
    };

    await w.service.deliver([claimedLate], 'job-1');

    expect(lateOf(w)).toEqual({ sent: [false], logged: [false] });
  });
});

describe("DeliveryService and the user's policy (SPEC 7)", () => {
  // Ada's 08:00 Shanghai news is due at 00:00Z; quiet in Shanghai 07:30-09:00.
  const quietMorning = {
    timezone: 'Asia/Shanghai',
    quietHours: [{ from: '07:30', to: '09:00', days: [...WEEKDAYS] }],
    onQuiet: 'hold' as const,
    snoozeUntil: null,
  };
  const windowEnd = new Date('2026-11-25T01:00:00Z');

  it('holds an occurrence due in quiet hours until they end, listed and recorded held', async () => {
    const w = await world();
    w.policies.policies.set('ada', quietMorning);

    await w.service.deliver([itemOf(subscription)], 'job-1');

    expect(w.channel.sent).toEqual([]);
    expect(w.statuses()).toEqual(['held@1']);
    expect(w.queue.held).toEqual([
      {
        heldBy: 'job-1',
        releaseAt: windowEnd,
        items: [
          {
            ...itemOf(subscription),
            takeOverFrom: 'job-1',
            notBefore: windowEnd.toISOString(),
          },
        ],
      },
    ]);
    expect([...w.held.held.keys()]).toEqual(['ada|news|2026-11-25']);
  });

  it('sends a held occurrence when its job wakes after the window, late, and lists it no more', async () => {
    const w = await world(new FakeClock('2026-11-25T01:00:00.100Z'));
    w.policies.policies.set('ada', quietMorning);
    await w.held.add([
      { occurrenceId: 'ada|news|2026-11-25', heldBy: 'job-1', releaseAt: 0, item: {} },
    ]);
    w.store.holders.set('ada|news|2026-11-25', 'job-1');
    const held = {
      ...itemOf(subscription),
      takeOverFrom: 'job-1',
      notBefore: windowEnd.toISOString(),
    };

    await w.service.deliver([held], 'job-2');

    expect(w.channel.sent.map(({ notification }) => notification.late)).toEqual([true]);
    expect(w.statuses()).toEqual(['delivered@1']);
    expect(w.held.held.size).toBe(0);
  });

  it('sends a critical subscription through quiet hours', async () => {
    const critical = aSubscription({ critical: true });
    const w = await world();
    w.subscriptions.seed(critical);
    w.policies.policies.set('ada', quietMorning);

    await w.service.deliver([itemOf(critical)], 'job-1');

    expect(w.channel.sent).toHaveLength(1);
    expect(w.queue.held).toEqual([]);
  });

  it('drops an occurrence due in quiet hours when the policy says drop', async () => {
    const w = await world();
    w.policies.policies.set('ada', { ...quietMorning, onQuiet: 'drop' });

    await w.service.deliver([itemOf(subscription)], 'job-1');

    expect(w.channel.sent).toEqual([]);
    expect(w.statuses()).toEqual(['dropped@1']);
    expect(w.queue.held).toEqual([]);
  });

  it('expires a hold that would end past maxLatenessMinutes', async () => {
    const hurried = aSubscription({ maxLatenessMinutes: 30 });
    const w = await world();
    w.subscriptions.seed(hurried);
    w.policies.policies.set('ada', quietMorning);

    await w.service.deliver([itemOf(hurried)], 'job-1');

    expect(w.statuses()).toEqual(['expired@1']);
    expect(w.queue.held).toEqual([]);
  });

  it('expires a retry that would leave past maxLatenessMinutes', async () => {
    const hurried = aSubscription({ maxLatenessMinutes: 1 });
    const w = await world(new FakeClock('2026-11-25T00:01:00.001Z'));
    w.subscriptions.seed(hurried);

    await w.service.deliver([itemOf(hurried, 2)], 'job-1');

    expect(w.channel.sent).toEqual([]);
    expect(w.statuses()).toEqual(['expired@2']);
  });

  it('skips a skip date', async () => {
    const holiday = aSubscription({ skipDates: ['2026-11-25'] });
    const w = await world();
    w.subscriptions.seed(holiday);

    await w.service.deliver([itemOf(holiday)], 'job-1');

    expect(w.channel.sent).toEqual([]);
    expect(w.statuses()).toEqual(['skipped@1']);
  });

  it("hands an overlap: 'last' occurrence claimed at the earlier instant on to the later one", async () => {
    // New York falls back on 2026-11-01: 01:30 is 05:30Z (EDT), then 06:30Z (EST).
    const last = aSubscription({
      time: '01:30',
      timezone: 'America/New_York',
      dst: { gap: 'shift', overlap: 'last' },
    });
    const w = await world(new FakeClock('2026-11-01T05:30:00.100Z'));
    w.subscriptions.seed(last);
    const item = { occurrence: serialise(anOccurrenceOf(last, '2026-11-01')), attempt: 1 };
    expect(item.occurrence.scheduledFor).toBe('2026-11-01T05:30:00.000Z');

    await w.service.deliver([item], 'job-1');

    expect(w.channel.sent).toEqual([]);
    expect(w.statuses()).toEqual([]);
    expect(w.queue.held).toHaveLength(1);
    expect(w.queue.held[0].releaseAt).toEqual(new Date('2026-11-01T06:30:00Z'));
    expect(w.queue.held[0].items[0].occurrence.scheduledFor).toBe('2026-11-01T06:30:00.000Z');
    expect(w.queue.held[0].items[0].notBefore).toBeUndefined();
  });

  it('plans held occurrences again at once, each taken over from the job that held it', async () => {
    const w = await world();
    w.policies.policies.set('ada', quietMorning);
    await w.service.deliver([itemOf(subscription)], 'job-1');

    expect(await w.service.replanHeld('ada')).toBe(1);

    const replan = w.queue.held[1];
    expect(replan.releaseAt).toEqual(w.clock.now());
    expect(replan.items).toEqual([{ ...itemOf(subscription), takeOverFrom: 'job-1' }]);
    expect(w.held.held.size).toBe(0);
  });

  it('writes nothing for an item of a user erased since it was queued', async () => {
    const w = await world();
    await w.subscriptions.delete({ userId: 'ada', tag: 'news' });
    w.userData.erased.add('ada');

    await w.service.deliver([itemOf(subscription)], 'job-1');

    expect(w.channel.sent).toEqual([]);
    expect(w.store.log).toEqual([]);
    expect(w.store.holders.size).toBe(0);
  });
});
