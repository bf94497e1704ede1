/*
 * The subscribe API's speed (issue 13): chime's PUT, GET and PATCH of one subscription
 * against a minimal Fastify + ioredis server doing the same writes (support/api-baseline.ts),
 * one after the other in the same run, with autocannon in this process. Starts its own
 * redis-server; see bench/README.md.
 *
 *   npm run bench:api
 *
 * BENCH_CHIME_MAIN=<path to another tree's dist/main.js> measures that build instead (before
 * and after); BENCH_CPU_PROFILE=<dir> writes CPU profiles of chime's measured phases
 * (chime-<pid>-1 PUT, -2 GET, -3 PATCH).
 */
import { ChildProcess, spawn } from 'node:child_process';
import { createWriteStream, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import { freePort, startRedisServer, stopProcess } from '../test/support/redis-server.js';
import {
  CONNECTIONS,
  load,
  LoadFigures,
  localHHMM,
  MEASURE_S,
  Operation,
  Requests,
  TARGET,
  WARM_UP_S,
  ZONES,
} from './support/api-load.js';
import { machineCpuMs, processCpuMs } from './support/burst-sampler.js';
import { Cleanup, printLoadAtEnd, printMachine } from './support/burst-setup.js';
import { redisCpuMs } from './support/probe.js';
import { fixed, printTable, thousands } from './support/report.js';

const CHIME_MAIN = resolve(process.env.BENCH_CHIME_MAIN ?? 'dist/main.js');
const BASELINE = fileURLToPath(new URL('./support/api-baseline.js', import.meta.url));
const PROFILER = fileURLToPath(new URL('./support/profile-on-signal.js', import.meta.url));
const PROFILE_DIR = process.env.BENCH_CPU_PROFILE;
/** BENCH_CHIME_ONLY=1 skips the baseline (profiling); the table then is not printed. */
const CHIME_ONLY = process.env.BENCH_CHIME_ONLY === '1';
/** chime's NODE_OPTIONS, if any: BENCH_CHIME_NODE_OPTIONS, or the profiler's `--import`. */
const CHIME_NODE_OPTIONS =
  process.env.BENCH_CHIME_NODE_OPTIONS ?? (PROFILE_DIR ? `--import=${PROFILER}` : undefined);
const API_TOKEN = 'bench-api-token-0123456789';
const ADMIN_TOKEN = 'bench-admin-token-0123456789';
const OPERATIONS: Operation[] = ['PUT', 'GET', 'PATCH'];
const GOAL_RATIO = 0.6;
const GOAL_P99_MS = 25;
const RUN_BOUND_MS = 5 * 60_000;
const HOUR_MS = 3_600_000;

interface Server {
  readonly name: string;
  readonly baseUrl: string;
  readonly child: ChildProcess;
}

/** Starts `node <script>` with `env` (stdout and stderr to a file) and waits for its port. */
async function startServer(
  name: string,
  args: string[],
  env: Record<string, string>,
  logDir: string,
): Promise<Server> {
  const port = await freePort();
  const log = createWriteStream(join(logDir, `${name}.log`));
  await new Promise((ready) => log.once('open', ready));
  const child = spawn(process.execPath, args, {
    cwd: logDir,
    env: { PATH: process.env.PATH, PORT: String(port), ...env },
    stdio: ['ignore', log, log],
  });
  const baseUrl = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 20_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`${name} exited; see ${logDir}/${name}.log`);
    const up = await fetch(`${baseUrl}/health/ready`).then(
      (response) => response.status < 500,
      () => false,
    );
    if (up) return { name, baseUrl, child };
    await new Promise((wait) => setTimeout(wait, 100));
  }
  throw new Error(`${name} did not answer within 20 s; see ${logDir}/${name}.log`);
}

interface Measured extends LoadFigures {
  /** CPU per 2xx answer, in microseconds: the server's, Redis', and the rest of the machine's. */
  readonly serverCpuUs: number;
  readonly redisCpuUs: number;
  readonly othersCpuUs: number;
}

/** Warm-up, then the measured run, of each operation in turn. */
async function measure(server: Server, requests: Requests, admin: Redis): Promise<Measured[]> {
  const figures: Measured[] = [];
  const cpu = async () => {
    const [own, redis] = [processCpuMs(server.child.pid!), await redisCpuMs(admin)];
    const bench = process.cpuUsage();
    return {
      own,
      redis,
      others: machineCpuMs() - own - redis - (bench.user + bench.system) / 1000,
    };
  };
  for (const operation of OPERATIONS) {
    await load(server.baseUrl, requests, operation, WARM_UP_S);
    const profiling = PROFILE_DIR !== undefined && server.name === 'chime';
    if (profiling) server.child.kill('SIGUSR2');
    const before = await cpu();
    const measured = await load(server.baseUrl, requests, operation, MEASURE_S);
    const after = await cpu();
    if (profiling) server.child.kill('SIGUSR2');
    const perRequest = (ms: number) => (ms * 1000) / measured.ok;
    const spent = {
      serverCpuUs: perRequest(after.own - before.own),
      redisCpuUs: perRequest(after.redis - before.redis),
      othersCpuUs: perRequest(after.others - before.others),
    };
    console.log(
      `${server.name} ${operation}: ${thousands(measured.perSecond)}/s, p50 ${measured.p50} ms, ` +
        `p99 ${measured.p99} ms, ${measured.ok} 2xx, ${measured.failed} not; CPU per 2xx: ` +
        `${server.name} ${thousands(spent.serverCpuUs)} us, redis ${thousands(spent.redisCpuUs)} us, ` +
        `other processes ${thousands(spent.othersCpuUs)} us`,
    );
    figures.push({ ...measured, ...spent });
  }
  return figures;
}

function report(chime: Measured[], baseline: Measured[]): void {
  const rows = chime.map((ours, index) => {
    const theirs = baseline[index];
    const ratio = ours.perSecond / theirs.perSecond;
    const met = ours.operation !== 'PUT' ? '-' : ratio >= GOAL_RATIO && ours.p99 <= GOAL_P99_MS;
    return [
      ours.operation,
      thousands(ours.perSecond),
      `${ours.p50} / ${ours.p99}`,
      thousands(theirs.perSecond),
      `${theirs.p50} / ${theirs.p99}`,
      fixed(ratio, 2),
      `${thousands(ours.serverCpuUs)} / ${thousands(theirs.serverCpuUs)}`,
      met === '-' ? '-' : met ? 'met' : 'NOT met',
    ];
  });
  printTable(
    `chime against the baseline (${CONNECTIONS} connections, ${MEASURE_S} s after ${WARM_UP_S} s)`,
    [
      'request',
      'chime 2xx/s',
      'chime p50 / p99 ms',
      'baseline 2xx/s',
      'baseline p50 / p99 ms',
      'ratio',
      'server CPU us per 2xx, chime / baseline',
      `goal (>= ${GOAL_RATIO}, p99 <= ${GOAL_P99_MS} ms)`,
    ],
    rows,
  );
  const failed = [...chime, ...baseline].filter((figures) => figures.failed > 0);
  for (const { operation, failed: count } of failed) {
    console.log(`WARNING: ${count} ${operation} requests were not answered 2xx`);
  }
}

async function main(): Promise<void> {
  const cleanup = new Cleanup();
  cleanup.bound(RUN_BOUND_MS);
  try {
    const redis = await startRedisServer(undefined, [
      '--hash-max-listpack-value',
      '512',
      '--zset-max-listpack-entries',
      '1024',
    ]);
    cleanup.add(() => redis.stop());
    const admin = new Redis(redis.url);
    cleanup.add(() => admin.disconnect());
    await printMachine(admin, process.env.BENCH_CHIME_MAIN === undefined);
    const logDir = mkdtempSync(join(tmpdir(), 'chime-bench-api-'));
    const chimeEnv = {
      REDIS_URL: redis.url,
      KEY_PREFIX: 'bench-api',
      API_TOKEN,
      ADMIN_TOKEN,
      RATE_LIMIT_PER_MINUTE: '0',
      // The bench's target is a loopback URL (never called: the time is 12 h ahead).
      WEBHOOK_ALLOW_PRIVATE: 'true',
      ...(PROFILE_DIR ? { CHIME_CPU_PROFILE_DIR: resolve(PROFILE_DIR) } : {}),
      ...(CHIME_NODE_OPTIONS ? { NODE_OPTIONS: CHIME_NODE_OPTIONS } : {}),
    };
    console.log(`chime: node ${CHIME_MAIN}, its defaults but ${settings(chimeEnv)}`);
    console.log(`logs (chime's at LOG_LEVEL's default) in ${logDir}`);
    const chime = await startServer('chime', [CHIME_MAIN], chimeEnv, logDir);
    cleanup.add(() => stopProcess(chime.child));
    const baselineEnv = { REDIS_URL: redis.url, KEY_PREFIX: 'bench-baseline' };
    const baseline = await startServer('baseline', [BASELINE], baselineEnv, logDir);
    cleanup.add(() => stopProcess(baseline.child));

    const later = Date.now() + 12 * HOUR_MS;
    const times = ZONES.map((zone) =>
      [0, 1, 2].map((minutes) => localHHMM(new Date(later + minutes * 60_000), zone)),
    );
    const zones = ZONES.map((zone, index) => `${zone} ${times[index][0]}`).join(', ');
    console.log(
      `PUT: a new user each request, webhook ${TARGET}, the time 12 h ahead in ${zones}; ` +
        'GET and PATCH (its time a minute or two later) of the users PUT created, in turn',
    );
    const ours = await measure(chime, new Requests('c', API_TOKEN, times), admin);
    if (CHIME_ONLY) return;
    const theirs = await measure(baseline, new Requests('b', API_TOKEN, times), admin);
    report(ours, theirs);
    printLoadAtEnd();
  } finally {
    await cleanup.run();
  }
}

function settings(env: Record<string, string>): string {
  return Object.entries(env)
    .filter(([name]) => !['REDIS_URL', 'NODE_OPTIONS', 'CHIME_CPU_PROFILE_DIR'].includes(name))
    .map(([name, value]) => (name.endsWith('TOKEN') ? `${name} set` : `${name}=${value}`))
    .join(', ');
}

await main();
