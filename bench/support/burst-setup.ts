import { execFileSync } from 'node:child_process';
import { cpus, loadavg } from 'node:os';
import { Redis } from 'ioredis';
import { fixed } from './report.js';

const MINUTE_MS = 60_000;

/** Everything a bench started, stopped in reverse order once, on success, failure or abort. */
export class Cleanup {
  private readonly stoppers: (() => Promise<void> | void)[] = [];
  private stopping: Promise<void> | null = null;

  add(stop: () => Promise<void> | void): void {
    this.stoppers.push(stop);
  }

  run(): Promise<void> {
    this.stopping ??= (async () => {
      for (const stop of this.stoppers.reverse()) {
        await Promise.resolve()
          .then(stop)
          .catch((error: unknown) => console.error('cleanup:', error));
      }
    })();
    return this.stopping;
  }

  /** Aborts the run after `ms` (and on Ctrl-C), stopping everything it started. */
  bound(ms: number): void {
    const abort = (why: string) => {
      console.error(`\naborting: ${why}`);
      void this.run().finally(() => process.exit(1));
    };
    setTimeout(() => abort(`the run took more than ${ms / 60_000} minutes`), ms).unref();
    process.once('SIGINT', () => abort('SIGINT'));
    process.once('SIGTERM', () => abort('SIGTERM'));
  }
}

/** Node, Redis, the CPUs and the load; with `chime`, the commit its `dist/` came from. */
export async function printMachine(admin: Redis, chime = true): Promise<void> {
  const info = await admin.info('server');
  const redis = /^redis_version:(.+)$/m.exec(info)?.[1].trim();
  const load = loadavg()
    .map((value) => fixed(value, 2))
    .join(' ');
  console.log(`node ${process.version}, redis ${redis}, ${cpus().length} x ${cpus()[0].model}`);
  const commit = chime ? `chime at ${describeCommit()}; ` : '';
  console.log(`${commit}load average at the start: ${load}`);
}

/** The commit the measured `dist/` was built from, and whether `src/` differed from it. */
function describeCommit(): string {
  const git = (...args: string[]) =>
    execFileSync('git', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  try {
    const commit = git('rev-parse', '--short', 'HEAD');
    return git('status', '--porcelain', '--', 'src') ? `${commit} with changes in src/` : commit;
  } catch {
    return 'an unknown commit (no git)';
  }
}

export function printLoadAtEnd(): void {
  const load = loadavg()
    .map((value) => fixed(value, 2))
    .join(' ');
  console.log(`\nload average at the end: ${load}`);
}

/** The first whole minute at least `ms` from now. */
export function wholeMinuteAfter(ms: number): Date {
  return new Date(Math.ceil((Date.now() + ms) / MINUTE_MS) * MINUTE_MS);
}

export function sleepUntil(instant: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, Math.max(0, instant - Date.now())));
}

/** Polls `check` every `everyMs` until it holds or `deadline` (epoch ms) passes. */
export async function pollUntil(
  check: () => Promise<boolean>,
  deadline: number,
  everyMs: number,
): Promise<boolean> {
  for (;;) {
    if (await check()) return true;
    if (Date.now() >= deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}
