import { ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { stopProcess, waitForPing } from './redis-server.js';

/**
 * Every redis-server this test process started and has not stopped, and their folders:
 * killed and removed when the process exits, even when a test failed before its afterAll.
 */
const running = new Set<ChildProcess>();
const folders = new Set<string>();
process.once('exit', () => {
  for (const child of running) child.kill('SIGKILL');
  for (const folder of folders) rmSync(folder, { recursive: true, force: true });
});

export interface RedisProcess {
  readonly port: number;
  readonly dir: string;
  /** Stops it (SIGTERM, SIGKILL after 10 s) and removes its folder. */
  stop(signal?: NodeJS.Signals): Promise<void>;
  /** SIGSTOP until the returned function sends SIGCONT: a node that hangs, then recovers. */
  freeze(): () => void;
}

/**
 * A `redis-server` (or a sentinel, with `--sentinel`) on 127.0.0.1:`port`, answering PING,
 * with the arguments `argsFor` gives for its own new folder.
 */
export async function spawnRedis(
  port: number,
  argsFor: (dir: string) => string[],
): Promise<RedisProcess> {
  const dir = mkdtempSync(join(tmpdir(), 'chime-redis-'));
  folders.add(dir);
  const child = spawn('redis-server', argsFor(dir), { cwd: dir, stdio: 'ignore' });
  running.add(child);
  child.once('exit', () => running.delete(child));
  const stop = async (signal: NodeJS.Signals = 'SIGTERM') => {
    child.kill('SIGCONT');
    await stopProcess(child, signal);
    rmSync(dir, { recursive: true, force: true });
    folders.delete(dir);
  };
  try {
    await waitForPing(`redis://127.0.0.1:${port}`, child);
  } catch (error) {
    await stop('SIGKILL');
    throw error;
  }
  const freeze = () => {
    child.kill('SIGSTOP');
    return () => void child.kill('SIGCONT');
  };
  return { port, dir, stop, freeze };
}

/**
 * The arguments every test server shares: loopback only, nothing written to disk, and a
 * replica's first sync starts at once (Redis waits 5 s by default for more replicas).
 */
export function serverArgs(port: number, dir: string): string[] {
  return [
    '--port',
    String(port),
    '--bind',
    '127.0.0.1',
    '--save',
    '',
    '--appendonly',
    'no',
    '--dir',
    dir,
    '--repl-diskless-sync-delay',
    '0',
  ];
}

/** Stops every process, side by side. */
export async function stopAll(processes: Iterable<RedisProcess>): Promise<void> {
  await Promise.all([...processes].map((process) => process.stop('SIGKILL')));
}

/**
 * Free loopback ports, each with its cluster bus port (+10000) free too, none twice.
 * Picked at random below 55536 so that the bus port exists.
 */
export async function freePortsWithBus(count: number): Promise<number[]> {
  const ports: number[] = [];
  while (ports.length < count) {
    const port = 20000 + Math.floor(Math.random() * 30000);
    if (ports.some((taken) => Math.abs(taken - port) % 10000 === 0)) continue;
    if ((await canListen(port)) && (await canListen(port + 10000))) ports.push(port);
  }
  return ports;
}

function canListen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

/** Runs `redis-cli` with `args`; resolves with its exit code and everything it printed. */
export function redisCli(
  args: readonly string[],
): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn('redis-cli', [...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.on('exit', (code) => resolve({ code, output }));
  });
}

/** A plain client of one server that gives up at once: a killed server fails a poll, not hangs it. */
export function directClient(port: number): Redis {
  const client = new Redis(port, '127.0.0.1', {
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
  });
  client.on('error', () => undefined);
  return client;
}

/** Closes a client cleanly (QUIT), so that no disconnect timer outlives the test. */
export async function closeClient(client: Redis | undefined): Promise<void> {
  if (!client || client.status === 'end') return;
  await client.quit().then(
    () => undefined,
    () => client.disconnect(),
  );
}

/** `condition`, false while it throws (a server still starting, or just killed). */
export function untilNoError(condition: () => Promise<boolean>): () => Promise<boolean> {
  return () => condition().catch(() => false);
}

/**
 * Resolves once `replicas` replicas acknowledge a write on this primary: after its first
 * sync a replica gets the command stream only from its first ACK, up to a second later, and
 * a test's WAIT would wait for that. FLUSHALL is a write any master takes (these are empty).
 */
export async function untilReplicasStream(primary: Redis, replicas: number): Promise<void> {
  await primary.flushall();
  const acknowledged = await primary.wait(replicas, 10_000);
  if (acknowledged < replicas) throw new Error(`${acknowledged} of ${replicas} replicas stream`);
}
