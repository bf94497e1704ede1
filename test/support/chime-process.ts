import { ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { freePort, stopProcess } from './redis-server.js';

/** The built app, as the Dockerfile runs it. */
const MAIN = resolve('dist/main.js');

/**
 * A folder without a `.env`: chime reads `.env` from its working directory, and the one that
 * scripts/start.sh writes in the clone must not leak into tests.
 */
function emptyWorkingDirectory(): string {
  const dir = mkdtempSync(join(tmpdir(), 'chime-cwd-'));
  if (workingDirectories.size === 0) {
    process.once('exit', () => {
      for (const made of workingDirectories) rmSync(made, { recursive: true, force: true });
    });
  }
  workingDirectories.add(dir);
  return dir;
}

const workingDirectories = new Set<string>();

export const API_TOKEN = 'test-api-token-0123456789';
export const ADMIN_TOKEN = 'test-admin-token-0123456789';

export interface ChimeProcess {
  readonly baseUrl: string;
  readonly keyPrefix: string;
  readonly redisUrl: string;
  readonly child: ChildProcess;
  /** Everything the process wrote to stdout and stderr so far. */
  output(): string;
  /** Whether it has ended, by itself or by a signal (a V8 out-of-memory abort is SIGABRT). */
  exited(): boolean;
  stop(signal?: NodeJS.Signals): Promise<void>;
}

/** The shared test Redis that global-setup started. */
export function testRedisUrl(): string {
  const url = process.env.CHIME_TEST_REDIS_URL;
  if (!url) throw new Error('CHIME_TEST_REDIS_URL is unset: run e2e tests through jest');
  return url;
}

/**
 * Where chime connects in a topology project (jest.config.js: CHIME_TEST_TOPOLOGY, with the
 * servers topology-env-*.ts started), or null on the one node of the plain e2e project.
 */
function topologyEnv(): Record<string, string> | null {
  switch (process.env.CHIME_TEST_TOPOLOGY) {
    case 'cluster':
      return { REDIS_URL: '', REDIS_CLUSTER_NODES: required('CHIME_TEST_CLUSTER_NODES') };
    case 'sentinel':
      return {
        REDIS_URL: '',
        REDIS_SENTINELS: required('CHIME_TEST_SENTINELS'),
        REDIS_SENTINEL_MASTER: required('CHIME_TEST_SENTINEL_MASTER'),
      };
    default:
      return null;
  }
}

function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is unset: the topology project's set-up sets it`);
  return value;
}

export function uniquePrefix(name: string): string {
  return `t-${name}-${randomBytes(3).toString('hex')}`;
}

/**
 * Starts the built app exactly as the Dockerfile does (`node dist/main.js`) with its own
 * KEY_PREFIX, and waits until it answers /health/ready (unless `untilReady` is false: then
 * until it answers at all). `main` runs another build (a bench's before and after).
 */
export async function startChime(
  env: Record<string, string> = {},
  { untilReady = true, main = MAIN }: { untilReady?: boolean; main?: string } = {},
): Promise<ChimeProcess> {
  const port = await freePort();
  const keyPrefix = env.KEY_PREFIX ?? uniquePrefix('chime');
  const topology = env.REDIS_URL === undefined ? topologyEnv() : null;
  const redisUrl = env.REDIS_URL ?? (topology ? '' : testRedisUrl());
  const child = spawn('node', [main], {
    cwd: emptyWorkingDirectory(),
    env: {
      PATH: process.env.PATH,
      PORT: String(port),
      REDIS_URL: redisUrl,
      KEY_PREFIX: keyPrefix,
      API_TOKEN,
      ADMIN_TOKEN,
      WEBHOOK_ALLOW_PRIVATE: 'true',
      LOG_LEVEL: 'warn',
      ...topology,
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const chime: ChimeProcess = {
    baseUrl: `http://127.0.0.1:${port}`,
    keyPrefix,
    redisUrl,
    child,
    output: () => output,
    exited: () => child.exitCode !== null || child.signalCode !== null,
    stop: (signal) => stopProcess(child, signal),
  };
  await waitUntilReady(chime, untilReady);
  return chime;
}

async function waitUntilReady(chime: ChimeProcess, untilReady = true): Promise<void> {
  const deadline = Date.now() + 20_000;
  while (Date.now() < deadline) {
    if (chime.exited()) {
      const { exitCode, signalCode } = chime.child;
      throw new Error(`chime exited with ${exitCode ?? signalCode}:\n${chime.output()}`);
    }
    const ready = await fetch(`${chime.baseUrl}/health/ready`).then(
      (response) => response.ok || !untilReady,
      () => false,
    );
    if (ready) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  await chime.stop('SIGKILL');
  throw new Error(`chime did not become ready within 20 s:\n${chime.output()}`);
}

/** Runs `node dist/main.js` with `env` and resolves when it exits on its own. */
export function runChimeToExit(
  env: Record<string, string>,
): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn('node', [MAIN], {
      cwd: emptyWorkingDirectory(),
      env: { PATH: process.env.PATH, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const killer = setTimeout(() => child.kill('SIGKILL'), 20_000);
    // 'close', not 'exit': 'exit' may come before the last of stdout and stderr is read.
    child.on('close', (code) => {
      clearTimeout(killer);
      resolve({ code, output });
    });
  });
}
