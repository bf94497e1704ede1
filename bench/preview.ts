/*
 * The preview's speed (issue 14): `GET /subscriptions/:userId/:tag/preview?count=100` of a
 * real `node dist/main.js` on its own redis-server, for subscriptions whose rules make the
 * preview work (a DST zone, quiet hours that cross midnight, a snooze, skip dates, a `dst`
 * choice), one request at a time, after a warm-up; beside it, the pure function alone
 * (domain/preview.ts) on the same subscriptions, to tell chime's HTTP path from the rules.
 */
import { performance } from 'node:perf_hooks';
import { API_TOKEN, startChime } from '../test/support/chime-process.js';
import { startRedisServer } from '../test/support/redis-server.js';
import { request } from '../test/support/http.js';
import { previewOccurrences } from '../src/domain/preview.js';
import { validatePolicy } from '../src/domain/policy-validation.js';
import { DEFAULT_OCCURRENCE_RULES } from '../src/domain/decision.js';
import { WEEKDAYS } from '../src/domain/local-time.js';
import { Cleanup, printLoadAtEnd } from './support/burst-setup.js';
import { fixed } from './support/report.js';

const USERS = 200;
const REQUESTS = Number(process.env.BENCH_REQUESTS ?? 2_000);
const WARM_UP = 200;
const COUNT = 100;
const GOAL_P99_MS = 20;
const ZONES = ['America/New_York', 'Europe/London', 'Australia/Lord_Howe', 'Asia/Kolkata'];

function subscriptionBody(index: number) {
  const day = (offset: number) =>
    new Date(Date.now() + offset * 86_400_000).toISOString().slice(0, 10);
  return {
    time: `${String(index % 24).padStart(2, '0')}:30`,
    timezone: ZONES[index % ZONES.length],
    days: index % 2 === 0 ? [...WEEKDAYS] : ['mon', 'wed', 'fri'],
    channel: 'log',
    skipDates: [day(3), day(10), day(40)],
    dst: { gap: 'skip', overlap: index % 3 === 0 ? 'last' : 'first' },
    maxLatenessMinutes: index % 4 === 0 ? 120 : null,
  };
}

function policyBody(index: number) {
  return {
    timezone: ZONES[(index + 1) % ZONES.length],
    quietHours: [
      { from: '22:00', to: '07:00' },
      { from: '12:00', to: '13:30', days: ['sat', 'sun'] },
    ],
    onQuiet: index % 5 === 0 ? 'drop' : 'hold',
    snoozeUntil: new Date(Date.now() + (index % 7) * 86_400_000).toISOString(),
  };
}

function percentiles(samples: number[]) {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (p: number) => sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))];
  return { p50: at(0.5), p99: at(0.99), max: sorted[sorted.length - 1] };
}

async function main(): Promise<void> {
  const cleanup = new Cleanup();
  cleanup.bound(10 * 60_000);
  try {
    const server = await startRedisServer(undefined, ['--maxmemory-policy', 'noeviction']);
    cleanup.add(() => server.stop());
    const chime = await startChime({ REDIS_URL: server.url, RATE_LIMIT_PER_MINUTE: '0' });
    cleanup.add(() => chime.stop());
    const api = (method: string, path: string, body?: unknown) =>
      request(chime.baseUrl, method, path, { token: API_TOKEN, body });
    for (let index = 0; index < USERS; index++) {
      await api('PUT', `/users/u${index}/policy`, policyBody(index));
      const created = await api('PUT', `/subscriptions/u${index}/news`, subscriptionBody(index));
      if (created.status !== 201) throw new Error(`PUT answered ${created.status}`);
    }

    const http: number[] = [];
    for (let n = 0; n < WARM_UP + REQUESTS; n++) {
      const started = performance.now();
      const answer = await api('GET', `/subscriptions/u${n % USERS}/news/preview?count=${COUNT}`);
      const spent = performance.now() - started;
      if (answer.status !== 200 || answer.body.items.length !== COUNT) {
        throw new Error(`preview answered ${answer.status}`);
      }
      if (n >= WARM_UP) http.push(spent);
    }

    const pure: number[] = [];
    const now = new Date();
    for (let n = 0; n < WARM_UP + REQUESTS; n++) {
      const index = n % USERS;
      const { policy } = validatePolicy(policyBody(index), 'UTC');
      const body = subscriptionBody(index);
      const subscription = {
        userId: `u${index}`,
        tag: 'news',
        ...DEFAULT_OCCURRENCE_RULES,
        ...body,
        days: body.days as (typeof WEEKDAYS)[number][],
        dst: body.dst as { gap: 'skip'; overlap: 'first' | 'last' },
        paused: false,
      };
      const started = performance.now();
      previewOccurrences(subscription, policy!, now, COUNT);
      if (n >= WARM_UP) pure.push(performance.now() - started);
    }

    const [h, p] = [percentiles(http), percentiles(pure)];
    console.log(
      `preview of ${COUNT} occurrences, ${REQUESTS} requests one at a time, ${USERS} users`,
    );
    console.log('| path                         | p50 ms | p99 ms | max ms |');
    console.log('| ---------------------------- | ------ | ------ | ------ |');
    console.log(
      `| GET .../preview (HTTP)       | ${fixed(h.p50, 2)} | ${fixed(h.p99, 2)} | ${fixed(h.max, 2)} |`,
    );
    console.log(
      `| previewOccurrences (in-proc) | ${fixed(p.p50, 2)} | ${fixed(p.p99, 2)} | ${fixed(p.max, 2)} |`,
    );
    console.log(
      `goal: p99 <= ${GOAL_P99_MS} ms over HTTP: ${h.p99 <= GOAL_P99_MS ? 'met' : 'NOT met'}`,
    );
    printLoadAtEnd();
  } finally {
    await cleanup.run();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
