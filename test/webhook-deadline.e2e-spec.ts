import { ChimeProcess, startChime } from './support/chime-process.js';
import {
  replayMinute,
  subscribeDueNow,
  uniqueUser,
  waitForRecord,
} from './support/delivery-api.js';
import { SlowReceiver, Trickle } from './support/slow-receiver.js';

/** Hooks start or stop whole processes: more than jest's default 5 s on a busy machine. */
const HOOK_TIMEOUT_MS = 30_000;
const WEBHOOK_TIMEOUT_MS = 1_500;
/** Scheduling and logging an outcome take a little; a busy machine adds some more. */
const SLACK_MS = 1_000;

describe('a webhook send has one deadline, whatever the receiver trickles', () => {
  let chime: ChimeProcess;
  const receivers: SlowReceiver[] = [];

  /**
   * Sends one webhook to a receiver answering as `trickle`; its first record, the time the
   * replay was asked for (the send cannot begin before it) and the time the receiver saw it.
   */
  async function sendTo(trickle: Trickle, accept: (record: any) => boolean) {
    const receiver = await SlowReceiver.start(trickle);
    receivers.push(receiver);
    const userId = uniqueUser('deadline');
    const due = await subscribeDueNow(chime, userId, 'ping', {
      channel: 'webhook',
      target: receiver.url(),
    });
    const replayAt = Date.now();
    expect(await replayMinute(chime, due.instant)).toMatchObject({ enqueued: 1 });
    const records = await waitForRecord(chime, userId, accept, WEBHOOK_TIMEOUT_MS * 4);
    expect(receiver.requestsAt).toHaveLength(1);
    return { record: records.find(accept), replayAt, requestAt: receiver.requestsAt[0] };
  }

  beforeAll(async () => {
    // A retry a minute later: each test sees its first attempt only.
    chime = await startChime({
      WEBHOOK_TIMEOUT_MS: String(WEBHOOK_TIMEOUT_MS),
      RETRY_BACKOFF_MS: '60000',
    });
  }, HOOK_TIMEOUT_MS);

  afterAll(async () => {
    await chime?.stop();
    await Promise.all(receivers.map((receiver) => receiver.stop()));
  }, HOOK_TIMEOUT_MS);

  it.each([
    ['sends a 102 Processing every second and never a status', { kind: 'informational' }],
    ['trickles its status line a byte a second', { kind: 'status-line' }],
  ] as const)(
    'retries a receiver that %s as timed out at WEBHOOK_TIMEOUT_MS',
    async (_, trickle) => {
      const { record, replayAt, requestAt } = await sendTo(trickle, (r) => r.status === 'retrying');

      expect(record).toMatchObject({ attempt: 1, error: expect.stringMatching(/timed out/) });
      const at = Date.parse(record.at);
      // Not before the deadline: measured from the replay's request, which precedes the send
      // (the receiver's own arrival time can lag the send's start on a busy machine).
      expect(at - replayAt).toBeGreaterThanOrEqual(WEBHOOK_TIMEOUT_MS - 100);
      expect(at - requestAt).toBeLessThanOrEqual(WEBHOOK_TIMEOUT_MS + SLACK_MS);
    },
    20_000,
  );

  it.each([
    [200, 'delivered'],
    [503, 'retrying'],
  ])(
    'takes a %i whose body trickles as %s at once, without waiting for the body',
    async (status, outcome) => {
      const trickle = { kind: 'body', status } as const;
      const { record, requestAt } = await sendTo(trickle, (r) => r.status !== 'cancelled');

      expect(record).toMatchObject({ attempt: 1, status: outcome });
      expect(Date.parse(record.at) - requestAt).toBeLessThanOrEqual(SLACK_MS);
    },
    20_000,
  );
});
