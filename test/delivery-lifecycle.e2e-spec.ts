import { ChimeProcess, startChime } from './support/chime-process.js';
import {
  floorToMinute,
  occurrenceIdAt,
  replayMinute,
  subscribeAt,
  uniqueUser,
} from './support/delivery-api.js';
import { waitFor } from './support/wait-for.js';
import { WebhookSink } from './support/webhook-sink.js';

/** Hooks start or stop whole processes: more than jest's default 5 s on a busy machine. */
const HOOK_TIMEOUT_MS = 30_000;
const BURST = 300;
/** Jobs cut mid-run come back through BullMQ's stalled-job check, which can take ~30 s. */
const RECOVERY_MS = 60_000;

/** Runs `task` over `items`, at most `width` at a time. */
async function inParallel<T>(items: T[], width: number, task: (item: T) => Promise<unknown>) {
  const queue = [...items];
  const lane = async () => {
    for (let item = queue.shift(); item !== undefined; item = queue.shift()) await task(item);
  };
  await Promise.all(Array.from({ length: width }, lane));
}

describe('delivery across a shutdown', () => {
  const chimes: ChimeProcess[] = [];
  let sink: WebhookSink;
  const env = { DELIVERY_CONCURRENCY: '10', RATE_LIMIT_PER_MINUTE: '0' };

  beforeAll(async () => {
    sink = await WebhookSink.start();
    sink.answerByDefault({ status: 200, delayMs: 20 });
  });

  afterAll(async () => {
    await Promise.all(chimes.map((chime) => chime.stop()));
    await sink?.stop();
  }, HOOK_TIMEOUT_MS);

  it('loses no occurrence of a burst when SIGTERM arrives in the middle of it', async () => {
    const first = await startChime(env);
    chimes.push(first);
    const instant = floorToMinute(Date.now());
    const users = Array.from({ length: BURST }, (_, index) => uniqueUser(`burst-${index}`));
    await inParallel(users, 20, (userId) =>
      subscribeAt(first, userId, 'tick', instant, { channel: 'webhook', target: sink.url('/') }),
    );
    const expected = new Set(users.map((userId) => occurrenceIdAt(userId, 'tick', instant)));

    expect(await replayMinute(first, instant)).toMatchObject({ enqueued: BURST });
    await sink.waitForRequests(30);
    const receivedAtSignal = sink.requests().length;
    await first.stop('SIGTERM');
    const exitCode = first.child.exitCode;
    const receivedAtExit = sink.requests().length;
    const second = await startChime({ ...env, KEY_PREFIX: first.keyPrefix });
    chimes.push(second);
    const ids = () => new Set(sink.requests().map((request) => request.headers['webhook-id']));
    // On a timeout the assertions below show what is missing.
    await waitFor(() => ids().size >= expected.size, RECOVERY_MS).catch(() => undefined);

    const received = sink.requests();
    console.log(
      `SIGTERM after ${receivedAtSignal} of ${BURST} requests, ${receivedAtExit} by exit; ` +
        `${received.length} received in all, ${received.length - ids().size} repeats`,
    );
    expect(receivedAtSignal).toBeLessThan(BURST);
    expect(exitCode).toBe(0);
    expect(ids()).toEqual(expected);
    for (const request of received) {
      expect(request.body.occurrenceId).toBe(request.headers['webhook-id']);
    }
  }, 120_000);
});
