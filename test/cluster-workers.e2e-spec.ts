import { readFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import {
  ADMIN_TOKEN,
  API_TOKEN,
  ChimeProcess,
  runChimeToExit,
  startChime,
} from './support/chime-process.js';
import {
  floorToMinute,
  MINUTE_MS,
  occurrenceIdAt,
  subscribeAt,
  uniqueUser,
} from './support/delivery-api.js';
import { request } from './support/http.js';
import { freePort, startRedisServer } from './support/redis-server.js';
import { waitFor } from './support/wait-for.js';
import { WebhookSink } from './support/webhook-sink.js';

const HOOK_TIMEOUT_MS = 60_000;
const WORKERS = 3;
const BURST = 150;
/** Subscribing BURST subscriptions needs some seconds before the instant. */
const SET_UP_MS = 15_000;

/** The pids of a process's children, from /proc (Linux). */
function childrenOf(pid: number): number[] {
  const children = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim();
  return children === '' ? [] : children.split(' ').map(Number);
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function sample(text: string, series: string): number {
  const line = text.split('\n').find((candidate) => candidate.startsWith(`${series} `));
  return line ? Number(line.slice(series.length + 1)) : NaN;
}

async function scrape(chime: ChimeProcess): Promise<string> {
  const answer = await request<string>(chime.baseUrl, 'GET', '/metrics');
  expect(answer.status).toBe(200);
  return answer.body;
}

function exitOf(chime: ChimeProcess): Promise<{ code: number | null; signal: string | null }> {
  if (chime.exited()) {
    return Promise.resolve({ code: chime.child.exitCode, signal: chime.child.signalCode });
  }
  return new Promise((resolve) =>
    chime.child.once('exit', (code, signal) => resolve({ code, signal })),
  );
}

describe(`WORKERS=${WORKERS}: one node:cluster primary and its workers`, () => {
  let sink: WebhookSink;
  let chime: ChimeProcess;

  beforeAll(async () => {
    sink = await WebhookSink.start();
    chime = await startChime({ WORKERS: String(WORKERS) });
    await waitFor(
      () => childrenOf(chime.child.pid!).length === WORKERS,
      20_000,
      () => 'workers',
    );
  }, HOOK_TIMEOUT_MS);

  afterAll(async () => {
    await chime?.stop();
    await sink?.stop();
  }, HOOK_TIMEOUT_MS);

  it(
    'delivers a burst due at one instant once each, none before the instant, and /metrics counts each delivery once',
    async () => {
      const userId = uniqueUser('workers');
      const now = Date.now();
      let instant = floorToMinute(now) + MINUTE_MS;
      if (instant - now < SET_UP_MS) instant += MINUTE_MS;
      const tags = Array.from({ length: BURST }, (_, index) => `burst-${index}`);
      for (let start = 0; start < BURST; start += 25) {
        await Promise.all(
          tags.slice(start, start + 25).map((tag) =>
            subscribeAt(chime, userId, tag, instant, {
              channel: 'webhook',
              target: sink.url('/burst'),
            }),
          ),
        );
      }
      expect(Date.now()).toBeLessThan(instant);

      await sink.waitForRequests(BURST, '/burst', instant - Date.now() + 30_000);
      // Any second send of the same occurrence would come after the last first one.
      await new Promise((resolve) => setTimeout(resolve, 3_000));
      const received = sink.requests('/burst');
      const ids = received.map((one) => one.headers['webhook-id']);
      expect(received).toHaveLength(BURST);
      expect(new Set(ids).size).toBe(BURST);
      expect(new Set(ids)).toEqual(
        new Set(tags.map((tag) => occurrenceIdAt(userId, tag, instant))),
      );
      expect(received.filter((one) => one.receivedAt < instant)).toEqual([]);

      // Whichever worker answers, the counters are every worker's, summed once.
      const delivered = 'chime_deliveries_total{channel="webhook",outcome="delivered"}';
      for (let scrapeNumber = 0; scrapeNumber < 2 * WORKERS; scrapeNumber++) {
        const text = await scrape(chime);
        expect(sample(text, delivered)).toBe(BURST);
        expect(sample(text, 'chime_subscriptions')).toBe(BURST);
      }
    },
    3 * MINUTE_MS,
  );

  it('serves /metrics that promtool finds nothing wrong with in the chime_ families', async () => {
    const text = await scrape(chime);
    expect(text).toContain('# TYPE chime_ticks_total counter');
    expect(text).toContain('# TYPE chime_delivery_lateness_seconds histogram');
    expect(text.match(/^# TYPE chime_subscriptions gauge$/gm)).toHaveLength(1);
    const promtool = spawnSync('promtool', ['check', 'metrics'], { input: text, encoding: 'utf8' });
    const complaints = `${promtool.stdout}${promtool.stderr}`
      .split('\n')
      .filter((line) => line.includes('chime_'));
    expect(complaints).toEqual([]);
  });

  it(
    'replaces a worker that dies, and keeps answering',
    async () => {
      const [victim] = childrenOf(chime.child.pid!);
      process.kill(victim, 'SIGKILL');
      await waitFor(
        () => {
          const now = childrenOf(chime.child.pid!);
          return now.length === WORKERS && !now.includes(victim);
        },
        30_000,
        () => `a replacement for worker ${victim}`,
      );
      const health = await request(chime.baseUrl, 'GET', '/admin/health', { token: ADMIN_TOKEN });
      expect(health.status).toBe(200);
      expect(chime.exited()).toBe(false);
    },
    HOOK_TIMEOUT_MS,
  );

  it(
    'stops every worker on SIGTERM and exits 0, leaving no process behind',
    async () => {
      const workers = childrenOf(chime.child.pid!);
      expect(workers).toHaveLength(WORKERS);
      const exit = exitOf(chime);
      chime.child.kill('SIGTERM');
      expect(await exit).toEqual({ code: 0, signal: null });
      expect(workers.filter(isRunning)).toEqual([]);
    },
    HOOK_TIMEOUT_MS,
  );
});

describe('WORKERS: the primary and the ends of its workers', () => {
  it(
    'leaves no worker behind when the primary itself is killed',
    async () => {
      const chime = await startChime({ WORKERS: '2' });
      try {
        await waitFor(
          () => childrenOf(chime.child.pid!).length === 2,
          20_000,
          () => 'workers',
        );
        const workers = childrenOf(chime.child.pid!);
        await chime.stop('SIGKILL');
        await waitFor(
          () => workers.every((pid) => !isRunning(pid)),
          20_000,
          () => 'no worker',
        );
      } finally {
        await chime.stop('SIGKILL');
      }
    },
    HOOK_TIMEOUT_MS,
  );

  it(
    'exits 1 when its workers fail their start-up checks, naming the reason',
    async () => {
      const redis = await startRedisServer(undefined, ['--maxmemory-policy', 'allkeys-lru']);
      try {
        const { code, output } = await runChimeToExit({
          REDIS_URL: redis.url,
          API_TOKEN,
          ADMIN_TOKEN,
          PORT: String(await freePort()),
          WORKERS: '2',
        });
        expect(code).toBe(1);
        expect(output).toContain('maxmemory-policy allkeys-lru');
        expect(output).toContain('before it was ready');
      } finally {
        await redis.stop();
      }
    },
    HOOK_TIMEOUT_MS,
  );

  it('refuses WORKERS=0, naming it', async () => {
    const { code, output } = await runChimeToExit({
      API_TOKEN,
      ADMIN_TOKEN,
      WORKERS: '0',
    });
    expect(code).toBe(1);
    expect(output).toContain('WORKERS');
  });
});
