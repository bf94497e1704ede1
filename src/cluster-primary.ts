import cluster, { Worker } from 'node:cluster';
import type { Logger } from 'pino';
import { answerWorkersMetricsRequests } from './metrics/cluster-metrics.js';
import { FORCE_EXIT_MS } from './shutdown.js';

/** Past each worker's own bound (FORCE_EXIT_MS), the primary kills what is left. */
const KILL_AFTER_MS = FORCE_EXIT_MS + 5_000;

/**
 * The node:cluster primary of WORKERS > 1: it runs no Nest app and no Redis connection, it
 * forks the workers (each a whole chime, as replicas are: they share the port, and Redis
 * shares the ticks, the queue and the claims), answers /metrics' aggregation, and stops
 * them all on SIGTERM or SIGINT, exiting when the last has. Workers inherit stdout and
 * stderr: each log line is one write, so lines do not mix.
 *
 * A worker that ends before it listens stops chime with the worker's exit code (a start-up
 * check failed: another would fail the same way). One that ends later is replaced.
 */
export function runPrimary(workers: number, logger: Logger): void {
  const log = logger.child({ context: 'Cluster' });
  const listening = new WeakSet<Worker>();
  let stopping = false;
  let exitCode = 0;
  answerWorkersMetricsRequests();

  const fork = () => {
    const worker = cluster.fork();
    worker.once('listening', () => listening.add(worker));
    return worker;
  };
  const stop = (why: string, code: number) => {
    if (stopping) return;
    stopping = true;
    exitCode = code;
    log.info(`${why}: stopping ${aliveWorkers().length} worker(s)`);
    for (const worker of aliveWorkers()) worker.process.kill('SIGTERM');
    setTimeout(() => {
      log.error(`workers still running after ${KILL_AFTER_MS} ms; killing them`);
      for (const worker of aliveWorkers()) worker.process.kill('SIGKILL');
      process.exit(1);
    }, KILL_AFTER_MS).unref();
    exitWhenNoneLeft(exitCode);
  };

  cluster.on('exit', (worker, code, signal) => {
    const how = signal ?? `code ${code}`;
    if (stopping) {
      // A worker still starting has no handler yet: the signal itself ends it, cleanly.
      if (code !== 0 && signal !== 'SIGTERM') exitCode = exitCode || 1;
      exitWhenNoneLeft(exitCode);
      return;
    }
    if (!listening.has(worker)) {
      log.error(`worker ${worker.process.pid} ended (${how}) before it was ready`);
      stop('a worker failed to start', code || 1);
      return;
    }
    log.error(`worker ${worker.process.pid} ended (${how}); starting another`);
    fork();
  });
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.on(signal, () => stop(signal, 0));
  }
  log.info(`starting ${workers} workers (WORKERS)`);
  for (let index = 0; index < workers; index++) fork();
}

function aliveWorkers(): Worker[] {
  return Object.values(cluster.workers ?? {}).filter(
    (worker): worker is Worker => worker !== undefined && !worker.isDead(),
  );
}

function exitWhenNoneLeft(code: number): void {
  if (aliveWorkers().length === 0) process.exit(code);
}
