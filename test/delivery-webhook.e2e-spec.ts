import { Webhook } from 'standardwebhooks';
import { ADMIN_TOKEN, ChimeProcess, startChime } from './support/chime-process.js';
import {
  deadLetters,
  deliveries,
  DueSubscription,
  replayMinute,
  subscribeAt,
  subscribeDueNow,
  floorToMinute,
  MINUTE_MS,
  uniqueUser,
  waitForDeadLetter,
  waitForRecord,
  webhookSecret,
} from './support/delivery-api.js';
import { request } from './support/http.js';
import { WebhookSink } from './support/webhook-sink.js';

/** Hooks start or stop whole processes: more than jest's default 5 s on a busy machine. */
const HOOK_TIMEOUT_MS = 30_000;
const RETRY_BACKOFF_MS = 100;
const WEBHOOK_TIMEOUT_MS = 500;

/**
 * Small retry and timeout settings keep the failure paths quick. One process: a retry must
 * find the connection its attempt before left open, and each worker of WORKERS > 1 has its
 * own connections (test/cluster-workers covers several).
 */
const QUICK_DELIVERY = {
  WORKERS: '1',
  MAX_ATTEMPTS: '3',
  RETRY_BACKOFF_MS: String(RETRY_BACKOFF_MS),
  WEBHOOK_TIMEOUT_MS: String(WEBHOOK_TIMEOUT_MS),
};

describe('webhook delivery', () => {
  const secret = webhookSecret();
  let sink: WebhookSink;
  let signed: ChimeProcess;
  let unsigned: ChimeProcess;

  /**
   * Subscribes `userId` to a webhook at `path` on the sink, due a minute ago, and replays
   * that minute: the send leaves well over 2 s after its instant, so it is `late`.
   */
  async function sendNow(chime: ChimeProcess, userId: string, path: string, extra = {}) {
    const due = await subscribeAt(chime, userId, 'ping', floorToMinute(Date.now()) - MINUTE_MS, {
      channel: 'webhook',
      target: sink.url(path),
      ...extra,
    });
    expect(await replayMinute(chime, due.instant)).toMatchObject({ enqueued: 1 });
    return due;
  }

  beforeAll(async () => {
    sink = await WebhookSink.start();
    [signed, unsigned] = await Promise.all([
      startChime({ ...QUICK_DELIVERY, WEBHOOK_SECRET: secret }),
      startChime(QUICK_DELIVERY),
    ]);
  }, HOOK_TIMEOUT_MS);

  afterAll(async () => {
    await Promise.all([signed?.stop(), unsigned?.stop()]);
    await sink?.stop();
  }, HOOK_TIMEOUT_MS);

  it('POSTs the SPEC 5 body with Standard Webhooks headers whose signature verifies', async () => {
    const userId = uniqueUser('body');
    const due = await sendNow(signed, userId, '/body', {
      title: 'Stand-up',
      message: 'Daily stand-up in 5 minutes',
      data: { room: 'blue', seats: 4 },
    });

    const [received] = await sink.waitForRequests(1, '/body');

    expect(received.method).toBe('POST');
    expect(received.headers['content-type']).toMatch(/^application\/json/);
    expect(received.body).toEqual({
      type: 'subscription.notification',
      occurrenceId: due.occurrenceId,
      userId,
      tag: 'ping',
      scheduledFor: new Date(due.instant).toISOString(),
      late: true,
      title: 'Stand-up',
      message: 'Daily stand-up in 5 minutes',
      data: { room: 'blue', seats: 4 },
    });
    expect(received.headers['webhook-id']).toBe(due.occurrenceId);
    const timestamp = Number(received.headers['webhook-timestamp']);
    expect(Math.abs(timestamp * 1000 - received.receivedAt)).toBeLessThan(5_000);
    expect(new Webhook(secret).verify(received.rawBody, received.headers)).toEqual(received.body);
    expect(() =>
      new Webhook(secret).verify(received.rawBody.replace('blue', 'red'), received.headers),
    ).toThrow();
  });

  it('carries any text and data through unchanged: non-ASCII, quotes, slashes, newlines', async () => {
    const content = {
      title: 'Réunion 会议 📅 "weekly" \\ a/b',
      message: 'Line one\nLine two\ttabbed \u0001 <tag> & ünïcödé — 100%',
      data: { path: '/a/b', nested: { list: [1, 2.5, null, true, 'x'], empty: {} }, quote: '"' },
    };
    await sendNow(signed, uniqueUser('text'), '/text', content);

    const [received] = await sink.waitForRequests(1, '/text');

    expect(received.body).toMatchObject(content);
    expect(new Webhook(secret).verify(received.rawBody, received.headers)).toEqual(received.body);
  });

  it('sends no webhook-signature header when WEBHOOK_SECRET is unset', async () => {
    const due = await sendNow(unsigned, uniqueUser('unsigned'), '/unsigned');

    const [received] = await sink.waitForRequests(1, '/unsigned');

    expect(received.headers['webhook-id']).toBe(due.occurrenceId);
    expect(received.headers['webhook-timestamp']).toMatch(/^\d+$/);
    expect(received.headers).not.toHaveProperty('webhook-signature');
  });

  it('retries 500 answers with doubling backoff under one webhook-id until a 200', async () => {
    const busy = { status: 500, body: '{"error":"busy"}' };
    sink.script('/retries', [busy, busy, { status: 200, body: '{"ok":true}' }]);
    const userId = uniqueUser('retries');
    const due = await sendNow(signed, userId, '/retries');

    const log = await waitForRecord(signed, userId, (record) => record.status === 'delivered');
    const received = sink.requests('/retries');

    expect(received).toHaveLength(3);
    expect(received.map((r) => r.headers['webhook-id'])).toEqual(Array(3).fill(due.occurrenceId));
    expect(received[1].receivedAt - received[0].receivedAt).toBeGreaterThanOrEqual(
      RETRY_BACKOFF_MS,
    );
    expect(received[2].receivedAt - received[1].receivedAt).toBeGreaterThanOrEqual(
      2 * RETRY_BACKOFF_MS,
    );
    expect(attempts(log)).toEqual([
      { status: 'retrying', attempt: 1, error: 'HTTP 500' },
      { status: 'retrying', attempt: 2, error: 'HTTP 500' },
      { status: 'delivered', attempt: 3 },
    ]);
    // Answers with a body keep their connection: chime drains it rather than closing it.
    expect(new Set(received.map((r) => r.remotePort)).size).toBe(1);
  });

  it('does not retry a 400, keeps it as a dead letter, and sends it again on retry', async () => {
    sink.script('/rejects', [{ status: 400 }]);
    const userId = uniqueUser('rejected');
    const due = await sendNow(signed, userId, '/rejects');

    const letter = await waitForDeadLetter(signed, due.occurrenceId);
    expect(letter).toMatchObject({ occurrenceId: due.occurrenceId, attempts: 1 });
    expect(typeof letter.id).toBe('string');
    expect(letter.lastError).toContain('400');
    const log = await waitForRecord(signed, userId, (record) => record.status === 'failed');
    expect(attempts(log)).toEqual([{ status: 'failed', attempt: 1, error: 'HTTP 400' }]);
    expect(sink.requests('/rejects')).toHaveLength(1);

    sink.script('/rejects', [{ status: 200 }]);
    const retried = await request(
      signed.baseUrl,
      'POST',
      `/admin/dead-letters/${letter.id}/retry`,
      { token: ADMIN_TOKEN },
    );
    expect(retried.status).toBe(202);
    expect(retried.body).toMatchObject({ id: letter.id, occurrenceId: due.occurrenceId });
    const received = await sink.waitForRequests(2, '/rejects');
    await waitForRecord(signed, userId, (record) => record.status === 'delivered');

    expect(received.map((r) => r.headers['webhook-id'])).toEqual([
      due.occurrenceId,
      due.occurrenceId,
    ]);
    expect((await deadLetters(signed)).map((item) => item.id)).not.toContain(letter.id);
  });

  it('answers 404 to retrying an unknown dead letter, and 401 to both routes without the admin token', async () => {
    const unknown = await request(signed.baseUrl, 'POST', '/admin/dead-letters/no-such-id/retry', {
      token: ADMIN_TOKEN,
    });
    const listAnonymous = await request(signed.baseUrl, 'GET', '/admin/dead-letters');
    const retryAnonymous = await request(signed.baseUrl, 'POST', '/admin/dead-letters/x/retry');
    const retryWrongToken = await request(signed.baseUrl, 'POST', '/admin/dead-letters/x/retry', {
      token: 'not-the-admin-token-at-all',
    });

    expect(unknown.status).toBe(404);
    expect(listAnonymous.status).toBe(401);
    expect(retryAnonymous.status).toBe(401);
    expect(retryWrongToken.status).toBe(401);
  });

  it('gives up after MAX_ATTEMPTS answers of 503 and keeps a dead letter', async () => {
    sink.script('/unavailable', [{ status: 503 }]);
    const userId = uniqueUser('exhausted');
    const due = await sendNow(signed, userId, '/unavailable');

    const letter = await waitForDeadLetter(signed, due.occurrenceId);
    const log = await waitForRecord(signed, userId, (record) => record.status === 'dead');

    expect(sink.requests('/unavailable')).toHaveLength(3);
    expect(letter).toMatchObject({ occurrenceId: due.occurrenceId, attempts: 3 });
    expect(letter.lastError).toContain('503');
    expect(attempts(log)).toEqual([
      { status: 'retrying', attempt: 1, error: 'HTTP 503' },
      { status: 'retrying', attempt: 2, error: 'HTTP 503' },
      { status: 'dead', attempt: 3, error: 'HTTP 503' },
    ]);
  });

  it('counts an answer slower than WEBHOOK_TIMEOUT_MS as a timeout and retries it', async () => {
    sink.script('/slow', [{ status: 200, delayMs: 3 * WEBHOOK_TIMEOUT_MS }, { status: 200 }]);
    const userId = uniqueUser('timeout');
    await sendNow(signed, userId, '/slow');

    const log = await waitForRecord(signed, userId, (record) => record.status === 'delivered');

    expect(sink.requests('/slow')).toHaveLength(2);
    const [first, second] = attempts(log);
    expect(first).toMatchObject({ status: 'retrying', attempt: 1 });
    expect(first.error).toMatch(/time(d)?[ -]?out/i);
    expect(second).toEqual({ status: 'delivered', attempt: 2 });
  });
});

describe('webhook delivery to a private address', () => {
  const chimes: ChimeProcess[] = [];
  let sink: WebhookSink;
  let refusing: ChimeProcess;
  let userId: string;
  let literal: DueSubscription;
  let named: DueSubscription;

  /**
   * Chime A (WEBHOOK_ALLOW_PRIVATE=true) accepts two loopback targets, a literal IP and a
   * name that resolves to one; chime B, on the same keys but refusing private addresses,
   * replays their minute.
   */
  beforeAll(async () => {
    sink = await WebhookSink.start();
    const allowing = await startChime({ ...QUICK_DELIVERY, WEBHOOK_ALLOW_PRIVATE: 'true' });
    chimes.push(allowing);
    userId = uniqueUser('private');
    literal = await subscribeDueNow(allowing, userId, 'literal', {
      channel: 'webhook',
      target: sink.url('/literal'),
    });
    named = await subscribeDueNow(allowing, userId, 'named', {
      channel: 'webhook',
      target: `http://localhost:${sink.port}/named`,
    });
    await allowing.stop();
    refusing = await startChime({
      ...QUICK_DELIVERY,
      KEY_PREFIX: allowing.keyPrefix,
      REDIS_URL: allowing.redisUrl,
      WEBHOOK_ALLOW_PRIVATE: 'false',
    });
    chimes.push(refusing);
    await replayMinute(refusing, literal.instant);
    if (named.instant !== literal.instant) await replayMinute(refusing, named.instant);
  }, 2 * HOOK_TIMEOUT_MS);

  afterAll(async () => {
    await Promise.all(chimes.map((chime) => chime.stop()));
    await sink?.stop();
  }, HOOK_TIMEOUT_MS);

  it('refuses at send time loopback targets accepted while WEBHOOK_ALLOW_PRIVATE was true', async () => {
    const literalLetter = await waitForDeadLetter(refusing, literal.occurrenceId);
    const namedLetter = await waitForDeadLetter(refusing, named.occurrenceId);
    const log = await deliveries(refusing, { userId });

    expect(sink.requests()).toEqual([]);
    expect(literalLetter.lastError).toContain('127.0.0.1');
    expect(namedLetter.lastError).toMatch(/127\.0\.0\.1|::1/);
    expect(log.filter((record) => record.status === 'delivered')).toEqual([]);
    expect(log.find((r) => r.occurrenceId === literal.occurrenceId)).toMatchObject({
      status: 'failed',
      error: expect.stringContaining('127.0.0.1'),
    });
  });

  it('does not retry a refused address, whether the URL names it or DNS resolves to it', async () => {
    const literalLetter = await waitForDeadLetter(refusing, literal.occurrenceId);
    const namedLetter = await waitForDeadLetter(refusing, named.occurrenceId);
    const log = await deliveries(refusing, { userId });

    expect(literalLetter.attempts).toBe(1);
    expect(namedLetter.attempts).toBe(1);
    expect(log.filter((record) => record.status !== 'failed')).toEqual([]);
  });
});

/** The log's attempts, oldest first, as status, attempt number and error. */
function attempts(log: any[]): { status: string; attempt: number; error?: string }[] {
  return [...log]
    .reverse()
    .map(({ status, attempt, error }) => ({ status, attempt, ...(error ? { error } : {}) }));
}
