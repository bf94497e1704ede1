import { API_TOKEN, ChimeProcess, startChime } from './support/chime-process.js';
import {
  deliveries,
  floorToMinute,
  MINUTE_MS,
  subscribeAt,
  uniqueUser,
  utcHHMM,
  waitForFirstTick,
} from './support/delivery-api.js';
import { request } from './support/http.js';
import { waitFor } from './support/wait-for.js';
import { WebhookSink } from './support/webhook-sink.js';

/** Hooks start or stop whole processes: more than jest's default 5 s on a busy machine. */
const HOOK_TIMEOUT_MS = 30_000;
/** SPEC 4: in a healthy service a delivery leaves within 2 s after its instant. */
const ON_TIME_MS = 2_000;
/** Subscribing and changing the subscriptions needs a few seconds before the instant. */
const SET_UP_MS = 5_000;

/** The next minute boundary at least SET_UP_MS away. */
function nextUsableMinute(now: number): number {
  const next = floorToMinute(now) + MINUTE_MS;
  return next - now < SET_UP_MS ? next + MINUTE_MS : next;
}

describe('delivery on the clock', () => {
  let sink: WebhookSink;
  let chime: ChimeProcess;

  beforeAll(async () => {
    sink = await WebhookSink.start();
    chime = await startChime();
    await waitForFirstTick(chime);
  }, HOOK_TIMEOUT_MS);

  afterAll(async () => {
    await chime?.stop();
    await sink?.stop();
  }, HOOK_TIMEOUT_MS);

  it('sends at its instant, once and not late, marks a retried send late, and sends nothing for subscriptions paused, deleted or moved before it', async () => {
    const userId = uniqueUser('clock');
    const instant = nextUsableMinute(Date.now());
    const subscribe = (tag: string) =>
      subscribeAt(chime, userId, tag, instant, { channel: 'webhook', target: sink.url(`/${tag}`) });
    const api = (method: string, tag: string, body?: unknown) =>
      request(chime.baseUrl, method, `/subscriptions/${userId}/${tag}`, { token: API_TOKEN, body });

    sink.script('/retried', [{ status: 503 }, { status: 200 }]);
    const [onTime, paused, deleted, moved, retried] = await Promise.all(
      ['on-time', 'paused', 'deleted', 'moved', 'retried'].map(subscribe),
    );
    const changes = await Promise.all([
      api('PATCH', 'paused', { paused: true }),
      api('DELETE', 'deleted'),
      api('PATCH', 'moved', { time: utcHHMM(instant + 60 * MINUTE_MS) }),
    ]);
    expect(changes.map((answer) => answer.status)).toEqual([200, 204, 200]);
    expect(Date.now()).toBeLessThan(instant);

    const [received] = await sink.waitForRequests(1, '/on-time', instant - Date.now() + 10_000);
    let cancelled: any[] = [];
    await waitFor(
      async () =>
        (cancelled = await deliveries(chime, { userId, status: 'cancelled' })).length >= 3,
      10_000,
      () => `three cancelled records; have ${JSON.stringify(cancelled)}`,
    );

    expect(received.receivedAt).toBeGreaterThanOrEqual(instant);
    expect(received.receivedAt - instant).toBeLessThanOrEqual(ON_TIME_MS);
    expect(received.body).toMatchObject({
      occurrenceId: onTime.occurrenceId,
      scheduledFor: new Date(instant).toISOString(),
      late: false,
    });
    // Claimed ahead of time, but sent again after RETRY_BACKOFF_MS (2 s): more than 2 s late.
    const [, retriedSend] = await sink.waitForRequests(2, '/retried', 10_000);
    expect(retriedSend.body).toMatchObject({ occurrenceId: retried.occurrenceId, late: true });
    expect(
      sink
        .requests()
        .map((request) => request.path)
        .filter((path) => path !== '/retried'),
    ).toEqual(['/on-time']);
    expect(cancelled.map((record) => record.occurrenceId).sort()).toEqual(
      [paused.occurrenceId, deleted.occurrenceId, moved.occurrenceId].sort(),
    );
    expect(await deliveries(chime, { userId, tag: 'on-time', status: 'delivered' })).toEqual([
      expect.objectContaining({ occurrenceId: onTime.occurrenceId, attempt: 1, late: false }),
    ]);
    await waitFor(
      async () =>
        (await deliveries(chime, { userId, tag: 'retried', status: 'delivered' })).length > 0,
      5_000,
      () => 'the retried delivery record',
    );
    expect(await deliveries(chime, { userId, tag: 'retried', status: 'delivered' })).toEqual([
      expect.objectContaining({ occurrenceId: retried.occurrenceId, attempt: 2, late: true }),
    ]);
  }, 90_000);
});
