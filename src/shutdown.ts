import cluster from 'node:cluster';
import { INestApplication, Logger } from '@nestjs/common';

/** Longer than the delivery worker's grace period, so that it can finish first. */
export const FORCE_EXIT_MS = 25_000;

/**
 * On SIGTERM or SIGINT: stop ticking, let in-flight deliveries finish, close the queue and
 * Redis (Nest's shutdown hooks, in that order), then exit 0. Nest's own `enableShutdownHooks`
 * re-raises the signal instead, which makes the exit code 143. In one process a second
 * signal ends it at once; a cluster worker waits for its primary (cluster-primary.ts).
 */
export function closeOnSignals(app: INestApplication): void {
  const logger = new Logger('Shutdown');
  let closing = false;
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    // A cluster worker gets Ctrl-C's SIGINT from the terminal and then the primary's SIGTERM:
    // the first one closes, the second is not to kill it midway.
    const listen = cluster.isWorker ? process.on.bind(process) : process.once.bind(process);
    listen(signal, () => {
      if (closing) return;
      closing = true;
      logger.log(`${signal}: finishing in-flight work, then exiting`);
      const force = setTimeout(() => {
        logger.error(`shutdown took over ${FORCE_EXIT_MS} ms; exiting anyway`);
        process.exit(1);
      }, FORCE_EXIT_MS);
      force.unref();
      app.close().then(
        () => process.exit(0),
        (error: unknown) => {
          logger.error(`shutdown failed: ${(error as Error).message}`);
          process.exit(1);
        },
      );
    });
  }
}
