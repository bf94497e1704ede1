import { Test } from '@nestjs/testing';
import { FakeClock } from '../../test/support/fake-clock.js';
import { FakeChannel } from '../../test/support/fakes/delivery-fakes.js';
import {
  InMemoryClaimStore,
  InMemoryHandOffStore,
  InMemorySchedulerStateStore,
  RecordingSink,
} from '../../test/support/fakes/scheduler-fakes.js';
import { InMemorySubscriptionStore } from '../../test/support/fakes/subscription-store.js';
import { ChannelRegistry } from '../channels/channel.registry.js';
import { LogChannel } from '../channels/log.channel.js';
import { NOTIFICATION_CHANNELS } from '../channels/notification-channel.js';
import { Clock } from '../common/clock.js';
import { appConfig, schedulerConfig } from '../config/configuration.js';
import { DeliverySink } from '../domain/delivery-sink.js';
import { Subscription } from '../domain/subscription.js';
import { ChimeMetrics } from '../metrics/chime-metrics.js';
import { HandOffBatcher } from '../scheduler/hand-off-batcher.js';
import { OccurrenceDispatcher } from '../scheduler/occurrence-dispatcher.js';
import { SchedulerCron } from '../scheduler/scheduler.cron.js';
import { ClockDrift } from '../scheduler/clock-drift.js';
import { SchedulerQueries } from '../scheduler/scheduler.queries.js';
import { SchedulerService } from '../scheduler/scheduler.service.js';
import { ClaimStore } from '../store/claim.store.js';
import { HandOffStore } from '../store/hand-off.store.js';
import { RedisKeys } from '../store/redis-keys.js';
import { SchedulerStateStore } from '../store/scheduler-state.store.js';
import { SubscriptionStore } from '../store/subscription.store.js';
import { PatchSubscriptionDto } from './dto/patch-subscription.dto.js';
import { PutSubscriptionDto } from './dto/put-subscription.dto.js';
import {
  InvalidSubscriptionError,
  SubscriptionConflictError,
  SubscriptionNotFoundError,
  TooManySubscriptionsError,
} from './subscription.errors.js';
import { SubscriptionsService } from './subscriptions.service.js';

const key = { userId: 'ada', tag: 'news' };
const body: PutSubscriptionDto = { time: '08:00', timezone: 'Asia/Shanghai', channel: 'log' };
const CREATED = new Date('2026-11-25T02:00:00Z');

/** Keeps the subscriptions it is asked to arm. */
class RecordingScheduler {
  readonly armed: Subscription[] = [];

  async arm(subscription: Subscription) {
    this.armed.push(subscription);
  }
}

async function world(maxTagsPerUser = 1000) {
  const clock = new FakeClock(CREATED);
  const store = new InMemorySubscriptionStore(maxTagsPerUser);
  const handOffs = new InMemoryHandOffStore();
  const scheduler = new RecordingScheduler();
  const webhook = new FakeChannel('webhook', clock);
  const moduleRef = await Test.createTestingModule({
    providers: [
      SubscriptionsService,
      SchedulerQueries,
      OccurrenceDispatcher,
      HandOffBatcher,
      { provide: RedisKeys, useValue: RedisKeys.forPrefix('chime') },
      ChannelRegistry,
      ChimeMetrics,
      { provide: NOTIFICATION_CHANNELS, useValue: [new LogChannel(), webhook] },
      { provide: SubscriptionStore, useValue: store },
      { provide: ClaimStore, useValue: new InMemoryClaimStore(store, handOffs) },
      { provide: HandOffStore, useValue: handOffs },
      { provide: SchedulerStateStore, useValue: new InMemorySchedulerStateStore() },
      { provide: DeliverySink, useValue: new RecordingSink() },
      { provide: SchedulerCron, useValue: { failureCount: () => 0 } },
      ClockDrift,
      { provide: schedulerConfig.KEY, useValue: { maxClockDriftMs: 0 } },
      { provide: SchedulerService, useValue: scheduler },
      { provide: Clock, useValue: clock },
      { provide: appConfig.KEY, useValue: { defaultTimezone: 'UTC', maxTagsPerUser } },
    ],
  }).compile();
  const service = moduleRef.get(SubscriptionsService);
  const registry = moduleRef.get(ChannelRegistry);
  const stored = () => store.get(key)!;
  const later = () => clock.advance(60_000);
  return { clock, store, scheduler, webhook, registry, service, stored, later };
}

/** Whether the service throws at once or rejects, the caller sees a rejection. */
const attempt = (write: () => Promise<unknown>) => Promise.resolve().then(write);

describe('SubscriptionsService.put', () => {
  it('creates a subscription with the defaults for what the body leaves out', async () => {
    const w = await world();

    const { created, subscription } = await w.service.put(key, { time: '08:00', channel: 'log' });

    expect(created).toBe(true);
    expect(subscription).toMatchObject({
      timezone: 'UTC',
      days: ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'],
      title: 'news',
      message: '',
      paused: false,
      createdAt: CREATED.toISOString(),
      updatedAt: CREATED.toISOString(),
      nextRunAt: '2026-11-25T08:00:00.000Z',
    });
    expect(w.stored().armedAt).toEqual(CREATED);
  });

  it('replaces a subscription whole, keeping createdAt', async () => {
    const w = await world();
    await w.service.put(key, { ...body, message: 'hello', title: 'Morning' });
    w.later();

    const { created, subscription } = await w.service.put(key, body);

    expect(created).toBe(false);
    expect(subscription).toMatchObject({
      title: 'news',
      message: '',
      createdAt: CREATED.toISOString(),
      updatedAt: w.clock.now().toISOString(),
    });
  });

  it('creates without reading first, and replaces from what the lost first save answered', async () => {
    const w = await world();

    await w.service.put(key, { ...body, title: 'Morning' });
    const findsOfCreate = w.store.finds;
    w.later();
    const { created, subscription } = await w.service.put(key, body);

    expect(findsOfCreate).toBe(0);
    expect(w.store.finds).toBe(0);
    expect(created).toBe(false);
    expect(subscription).toMatchObject({ title: 'news', createdAt: CREATED.toISOString() });
    expect(w.stored().revision).toBe(2);
  });

  it('checks the target once for a write that tries again', async () => {
    const w = await world();
    await w.service.put(key, { ...body, channel: 'webhook', target: 'https://example.com/a' });
    const check = w.registry.problemsWith.bind(w.registry);
    let checks = 0;
    w.registry.problemsWith = (...args) => (checks++, check(...args));
    w.store.interfere(2);

    await w.service.put(key, { ...body, channel: 'webhook', target: 'https://example.com/b' });

    expect(checks).toBe(1);
    expect(w.stored().target).toBe('https://example.com/b');
  });

  it('does not count its first guess among the five tries before 409', async () => {
    const w = await world();
    await w.service.put(key, body);
    w.store.interfere(5);
    await w.service.put(key, { ...body, title: 'Morning' });
    w.store.interfere(6);

    const write = attempt(() => w.service.put(key, { ...body, title: 'Evening' }));

    await expect(write).rejects.toThrow(SubscriptionConflictError);
    expect(w.stored().title).toBe('Morning');
  });

  it('rejects a channel that is not registered and stores nothing', async () => {
    const w = await world();

    const write = attempt(() => w.service.put(key, { ...body, channel: 'sms' }));

    await expect(write).rejects.toThrow(InvalidSubscriptionError);
    await expect(write).rejects.toMatchObject({
      details: ['channel must be one of: log, webhook'],
    });
    expect(w.store.all()).toEqual([]);
    expect(w.scheduler.armed).toEqual([]);
  });

  it('rejects a target the channel refuses and stores nothing', async () => {
    const w = await world();
    w.webhook.refuseTargets('target must be an http(s) URL');

    const write = attempt(() => w.service.put(key, { ...body, channel: 'webhook', target: 'x' }));

    await expect(write).rejects.toMatchObject({
      code: 'INVALID_SUBSCRIPTION',
      details: ['target must be an http(s) URL'],
    });
    expect(w.store.all()).toEqual([]);
  });
});

describe('SubscriptionsService.patch', () => {
  it('rejects a patch that sets no field', async () => {
    const w = await world();
    await w.service.put(key, body);

    const write = attempt(() => w.service.patch(key, { title: undefined }));

    await expect(write).rejects.toThrow(InvalidSubscriptionError);
    expect(w.stored().revision).toBe(1);
  });

  it('says not found for a subscription that does not exist', async () => {
    const w = await world();

    const write = attempt(() => w.service.patch(key, { title: 'Morning' }));

    await expect(write).rejects.toThrow(SubscriptionNotFoundError);
    expect(w.store.all()).toEqual([]);
  });

  it('changes only the fields it sets', async () => {
    const w = await world();
    await w.service.put(key, { ...body, message: 'hello' });

    const { created, subscription } = await w.service.patch(key, { title: 'Morning' });

    expect(created).toBe(false);
    expect(subscription).toMatchObject({ title: 'Morning', message: 'hello', time: '08:00' });
  });
});

describe('SubscriptionsService writes under contention', () => {
  it('reads again and retries a write that lost to a concurrent writer', async () => {
    const w = await world();
    await w.service.put(key, body);
    w.store.interfere(4);

    await w.service.patch(key, { title: 'Morning' });

    expect(w.stored().title).toBe('Morning');
  });

  it('answers 409 SUBSCRIPTION_CONFLICT after five lost writes, saving nothing of its own', async () => {
    const w = await world();
    await w.service.put(key, body);
    w.store.interfere(5);

    const write = attempt(() => w.service.patch(key, { title: 'Morning' }));

    await expect(write).rejects.toThrow(SubscriptionConflictError);
    await expect(write).rejects.toMatchObject({ status: 409, code: 'SUBSCRIPTION_CONFLICT' });
    expect(w.stored().title).toBe('news');
  });

  it('arms once for a write saved after losing, and not for one that gave up', async () => {
    const w = await world();
    await w.service.put(key, body);
    w.store.interfere(4);
    await w.service.patch(key, { title: 'Morning' });
    w.store.interfere(5);

    await attempt(() => w.service.patch(key, { title: 'Evening' })).catch(() => undefined);

    expect(w.scheduler.armed.map((s) => s.title)).toEqual(['news', 'Morning']);
  });
});

describe('SubscriptionsService armedAt (the tick never sends from before it)', () => {
  it('arms a new subscription from the moment it is created', async () => {
    const w = await world();

    await w.service.put(key, body);

    expect(w.scheduler.armed).toEqual([expect.objectContaining({ ...key, armedAt: CREATED })]);
  });

  it.each<[string, PatchSubscriptionDto]>([
    ['time', { time: '09:00' }],
    ['timezone', { timezone: 'Asia/Tokyo' }],
    ['days', { days: ['mon', 'tue'] }],
  ])('moves armedAt and arms again on a change of %s', async (_, change) => {
    const w = await world();
    await w.service.put(key, body);
    w.later();

    await w.service.patch(key, change);

    expect(w.stored().armedAt).toEqual(w.clock.now());
    expect(w.scheduler.armed.map((s) => s.armedAt)).toEqual([CREATED, w.clock.now()]);
  });

  it.each<[string, PatchSubscriptionDto]>([
    ['title', { title: 'Morning' }],
    ['message', { message: 'hello' }],
    ['data', { data: { edition: 2 } }],
    ['channel and target', { channel: 'webhook', target: 'https://example.com/hook' }],
  ])('keeps armedAt on a change of %s alone, and arms again with it unmoved', async (_, change) => {
    const w = await world();
    await w.service.put(key, body);
    w.later();

    await w.service.patch(key, change);

    expect(w.stored().armedAt).toEqual(CREATED);
    expect(w.scheduler.armed.map((s) => s.armedAt)).toEqual([CREATED, CREATED]);
    expect(w.scheduler.armed[1]).toMatchObject(change);
  });

  it('keeps armedAt when a PUT states the same schedule again', async () => {
    const w = await world();
    await w.service.put(key, body);
    w.later();

    await w.service.put(key, { ...body, title: 'Morning' });

    expect(w.stored().armedAt).toEqual(CREATED);
    expect(w.scheduler.armed.map((s) => s.armedAt)).toEqual([CREATED, CREATED]);
  });

  it('keeps armedAt on pause, and moves it on resume; each write arms', async () => {
    const w = await world();
    await w.service.put(key, body);
    w.later();

    await w.service.patch(key, { paused: true });
    expect(w.stored().armedAt).toEqual(CREATED);
    expect(w.scheduler.armed.map((s) => [s.armedAt, s.paused])).toEqual([
      [CREATED, false],
      [CREATED, true],
    ]);

    w.later();
    await w.service.patch(key, { paused: false });
    expect(w.stored().armedAt).toEqual(w.clock.now());
    expect(w.scheduler.armed.map((s) => s.armedAt)).toEqual([CREATED, CREATED, w.clock.now()]);
  });
});

describe('SubscriptionsService MAX_TAGS_PER_USER', () => {
  it('answers 422 TOO_MANY_SUBSCRIPTIONS for one subscription more, writing and arming nothing', async () => {
    const w = await world(2);
    await w.service.put({ userId: 'ada', tag: 'a' }, body);
    await w.service.put({ userId: 'ada', tag: 'b' }, body);

    const write = attempt(() => w.service.put({ userId: 'ada', tag: 'c' }, body));

    await expect(write).rejects.toThrow(TooManySubscriptionsError);
    await expect(write).rejects.toMatchObject({ status: 422, code: 'TOO_MANY_SUBSCRIPTIONS' });
    expect(w.store.all().map(({ tag }) => tag)).toEqual(['a', 'b']);
    expect(w.scheduler.armed.map(({ tag }) => tag)).toEqual(['a', 'b']);
  });

  it('still replaces a subscription the user holds, and counts each user alone', async () => {
    const w = await world(2);
    await w.service.put({ userId: 'ada', tag: 'a' }, body);
    await w.service.put({ userId: 'ada', tag: 'b' }, body);

    const replaced = await w.service.put({ userId: 'ada', tag: 'a' }, { ...body, time: '09:00' });
    const other = await w.service.put({ userId: 'bob', tag: 'a' }, body);

    expect(replaced).toMatchObject({ created: false, subscription: { time: '09:00' } });
    expect(other.created).toBe(true);
  });
});

describe('SubscriptionsService.listByUser', () => {
  async function withTags(...tags: string[]) {
    const w = await world();
    for (const tag of tags) await w.service.put({ userId: 'ada', tag }, body);
    await w.service.put({ userId: 'bob', tag: 'a' }, body);
    return w;
  }

  it('pages in byte order of tag, naming the last tag while more follow', async () => {
    const w = await withTags('b', 'c-1', 'B', 'a');

    const first = await w.service.listByUser('ada', null, 2);
    const second = await w.service.listByUser('ada', first.lastTag, 2);

    expect(first.items.map(({ tag }) => tag)).toEqual(['B', 'a']);
    expect(first.lastTag).toBe('a');
    expect(second.items.map(({ tag }) => tag)).toEqual(['b', 'c-1']);
    expect(second.lastTag).toBeNull();
  });

  it('presents each subscription as a GET does', async () => {
    const w = await withTags('news');

    const { items, lastTag } = await w.service.listByUser('ada', null, 10);

    expect(items).toEqual([await w.service.get(key)]);
    expect(lastTag).toBeNull();
  });

  it('is empty, with no last tag, after the last tag or for a user with none', async () => {
    const w = await withTags('a', 'b');

    expect(await w.service.listByUser('ada', 'b', 10)).toEqual({
      items: [],
      unreadable: [],
      lastTag: null,
    });
    expect(await w.service.listByUser('cy', null, 10)).toEqual({
      items: [],
      unreadable: [],
      lastTag: null,
    });
  });
});
