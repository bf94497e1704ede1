import { ChimeProcess, startChime } from './support/chime-process.js';
import {
  deliveries,
  floorToMinute,
  replayMinute,
  subscribeAt,
  uniqueUser,
} from './support/delivery-api.js';
import { SlowReceiver } from './support/slow-receiver.js';
import { waitFor } from './support/wait-for.js';
import { WebhookSink } from './support/webhook-sink.js';

/** Hooks start or stop whole processes: more than jest's default 5 s on a busy machine. */
const HOOK_TIMEOUT_MS = 30_000;
/** SPEC 4: in a healthy service a delivery leaves within 2 s after its instant (here: its release). */
const ON_TIME_MS = 2_000;
/** As many stalled receivers as DELIVERY_CONCURRENCY's former default of 50 sends. */
const SLOW_RECEIVERS = 50;
const NORMAL_RECEIVERS = 3;
/** The default WEBHOOK_TIMEOUT_MS: how long each slow receiver holds its send. */
const DEFAULT_TIMEOUT_MS = 5_000;

describe('receivers that stall do not hold back anyone else', () => {
  let sink: WebhookSink;
  let slow: SlowReceiver[] = [];
  let chime: ChimeProcess;

  beforeAll(async () => {
    sink = await WebhookSink.start();
    slow = await Promise.all(
      Array.from({ length: SLOW_RECEIVERS }, () => SlowReceiver.start({ kind: 'informational' })),
    );
    // The defaults: WEBHOOK_TIMEOUT_MS and DELIVERY_CONCURRENCY as shipped.
    chime = await startChime({ RETRY_BACKOFF_MS: '60000' });
  }, HOOK_TIMEOUT_MS);

  afterAll(async () => {
    await chime?.stop();
    await Promise.all([sink?.stop(), ...slow.map((receiver) => receiver.stop())]);
  }, HOOK_TIMEOUT_MS);

  it('sends to normal receivers within 2 s while 50 receivers due at the same instant trickle until the deadline', async () => {
    const userId = uniqueUser('stall');
    const instant = floorToMinute(Date.now());
    // The stalled ones first, and first by name: they are ahead of the others in the job.
    for (const [index, receiver] of slow.entries()) {
      await subscribeAt(chime, userId, `a-slow-${String(index).padStart(2, '0')}`, instant, {
        channel: 'webhook',
        target: receiver.url(),
      });
    }
    for (let index = 0; index < NORMAL_RECEIVERS; index++) {
      await subscribeAt(chime, userId, `z-normal-${index}`, instant, {
        channel: 'webhook',
        target: sink.url(`/normal-${index}`),
      });
    }

    // The replay claims and queues them as the tick does: one job, due at once.
    const releasedAt = Date.now();
    expect(await replayMinute(chime, instant)).toMatchObject({
      enqueued: SLOW_RECEIVERS + NORMAL_RECEIVERS,
    });
    const received = await sink.waitForRequests(NORMAL_RECEIVERS, undefined, 15_000);
    let timedOut: any[] = [];
    await waitFor(
      async () =>
        (timedOut = await deliveries(chime, { userId, status: 'retrying' })).length >=
        SLOW_RECEIVERS,
      20_000,
      () => `${SLOW_RECEIVERS} retrying records; have ${timedOut.length}`,
    );

    const lateness = received.map((request) => request.receivedAt - releasedAt);
    expect(Math.max(...lateness)).toBeLessThanOrEqual(ON_TIME_MS);
    // Every stalled receiver was being sent to at the same time as the normal ones.
    const slowStarts = slow.map((receiver) => receiver.requestsAt[0] - releasedAt);
    expect(Math.max(...slowStarts)).toBeLessThanOrEqual(ON_TIME_MS);
    expect(timedOut.every((record) => /timed out/.test(record.error))).toBe(true);
    const heldMs = timedOut.map((record) => Date.parse(record.at) - releasedAt);
    expect(Math.min(...heldMs)).toBeGreaterThanOrEqual(DEFAULT_TIMEOUT_MS - 100);
  }, 60_000);

  it('sends to normal receivers within 2 s while 50 stalled receivers each hold a job of their own', async () => {
    const userId = uniqueUser('stall-jobs');
    // Subscribed inside the lookahead, each is claimed by its own write: one job apiece.
    const instant = floorToMinute(Date.now() + 90_000);
    for (const [index, receiver] of slow.entries()) {
      await subscribeAt(chime, userId, `a-slow-${String(index).padStart(2, '0')}`, instant, {
        channel: 'webhook',
        target: receiver.url(),
      });
    }
    for (let index = 0; index < NORMAL_RECEIVERS; index++) {
      await subscribeAt(chime, userId, `z-normal-${index}`, instant, {
        channel: 'webhook',
        target: sink.url(`/own-job-${index}`),
      });
    }
    expect(Date.now()).toBeLessThan(instant);

    const received = await waitForPaths(sink, '/own-job-', NORMAL_RECEIVERS, instant + 30_000);
    const lateness = received.map((at) => at - instant);
    expect(Math.max(...lateness)).toBeLessThanOrEqual(ON_TIME_MS);
  }, 150_000);
});

/** When each request to a path starting with `prefix` arrived, once `count` have. */
async function waitForPaths(sink: WebhookSink, prefix: string, count: number, until: number) {
  const arrivals = () =>
    sink
      .requests()
      .filter((request) => request.path.startsWith(prefix))
      .map((request) => request.receivedAt);
  await waitFor(
    () => arrivals().length >= count,
    Math.max(0, until - Date.now()),
    () => `${count} requests to ${prefix}*; have ${arrivals().length}`,
  );
  return arrivals();
}
