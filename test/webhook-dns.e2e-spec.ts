import { API_TOKEN, ChimeProcess, startChime } from './support/chime-process.js';
import {
  deliveries,
  floorToMinute,
  replayMinute,
  subscribeAt,
  uniqueUser,
} from './support/delivery-api.js';
import { request } from './support/http.js';
import { SilentDnsServer } from './support/slow-receiver.js';
import { waitFor } from './support/wait-for.js';
import { WebhookSink } from './support/webhook-sink.js';

/** Hooks start or stop whole processes: more than jest's default 5 s on a busy machine. */
const HOOK_TIMEOUT_MS = 30_000;
/** SPEC 4: in a healthy service a delivery leaves within 2 s after its instant (here: its release). */
const ON_TIME_MS = 2_000;
/** A name gets 2 s to resolve; a busy machine adds a little. */
const RESOLVE_BOUND_MS = 3_000;
/** More than libuv's 4 threads, which dns.lookup would hold for as long as the server is silent. */
const HANGING_HOSTS = 12;

const hangingHost = (index: number) => `hang-${index}.test`;

describe('webhook hosts whose nameserver never answers', () => {
  let dns: SilentDnsServer;
  let sink: WebhookSink;
  let strict: ChimeProcess;
  let open: ChimeProcess;

  const put = (chime: ChimeProcess, userId: string, tag: string, target: string) =>
    request(chime.baseUrl, 'PUT', `/subscriptions/${userId}/${tag}`, {
      token: API_TOKEN,
      body: { time: '08:00', timezone: 'UTC', channel: 'webhook', target },
    });

  beforeAll(async () => {
    [dns, sink] = await Promise.all([SilentDnsServer.start(), WebhookSink.start()]);
    const env = { DNS_SERVERS: dns.address, RETRY_BACKOFF_MS: '60000' };
    [strict, open] = await Promise.all([
      startChime({ ...env, WEBHOOK_ALLOW_PRIVATE: 'false' }),
      startChime({ ...env, WEBHOOK_ALLOW_PRIVATE: 'true' }),
    ]);
  }, HOOK_TIMEOUT_MS);

  afterAll(async () => {
    await Promise.all([strict?.stop(), open?.stop()]);
    await Promise.all([dns?.stop(), sink?.stop()]);
  }, HOOK_TIMEOUT_MS);

  it('answers subscribes to them with a 400 naming the host within 3 s, and localhost meanwhile at once', async () => {
    const userId = uniqueUser('dns');
    const started = Date.now();
    const hanging = Array.from({ length: HANGING_HOSTS }, (_, index) =>
      put(strict, userId, `hang-${index}`, `http://${hangingHost(index)}/hook`).then((answer) => ({
        answer,
        tookMs: Date.now() - started,
      })),
    );
    // /etc/hosts answers for localhost; the silent server is never asked about it.
    const local = await put(strict, userId, 'local', `http://localhost:${sink.port}/hook`);
    const localMs = Date.now() - started;
    const answers = await Promise.all(hanging);

    expect(local.status).toBe(400);
    expect(String(local.body.message)).toMatch(/"localhost" is a loopback, private or link-local/);
    expect(localMs).toBeLessThan(1_000);
    answers.forEach(({ answer, tookMs }, index) => {
      expect(answer.status).toBe(400);
      expect(String(answer.body.message)).toContain(`"${hangingHost(index)}" did not resolve`);
      expect(tookMs).toBeLessThanOrEqual(RESOLVE_BOUND_MS);
    });
    expect(dns.queries).toBeGreaterThanOrEqual(HANGING_HOSTS);
  });

  it('keeps sends to other receivers (localhost included) on time while sends to them wait for DNS', async () => {
    const userId = uniqueUser('dns-send');
    const instant = floorToMinute(Date.now());
    const subscribe = (tag: string, target: string) =>
      subscribeAt(open, userId, tag, instant, { channel: 'webhook', target });
    for (let index = 0; index < HANGING_HOSTS; index++) {
      await subscribe(`a-hang-${index}`, `http://${hangingHost(index)}/hook`);
    }
    await subscribe('z-localhost', `http://localhost:${sink.port}/localhost`);
    await subscribe('z-literal', sink.url('/literal'));

    const releasedAt = Date.now();
    expect(await replayMinute(open, instant)).toMatchObject({ enqueued: HANGING_HOSTS + 2 });
    const received = await sink.waitForRequests(2, undefined, 15_000);
    let failed: any[] = [];
    await waitFor(
      async () =>
        (failed = await deliveries(open, { userId, status: 'retrying' })).length >= HANGING_HOSTS,
      15_000,
      () => `${HANGING_HOSTS} retrying records; have ${JSON.stringify(failed)}`,
    );

    expect(received.map((request) => request.path).sort()).toEqual(['/literal', '/localhost']);
    for (const request of received) {
      expect(request.receivedAt - releasedAt).toBeLessThanOrEqual(ON_TIME_MS);
    }
    for (const record of failed) {
      expect(record.error).toMatch(/hang-\d+\.test did not resolve within 2000 ms/);
      expect(Date.parse(record.at) - releasedAt).toBeLessThanOrEqual(RESOLVE_BOUND_MS + 1_000);
    }
  }, 60_000);
});
