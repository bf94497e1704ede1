import { writeFile } from 'node:fs/promises';
import { Session } from 'node:inspector/promises';
import { join } from 'node:path';

/** Where `BENCH_CPU_PROFILE` asks for V8 CPU profiles of the measured work, if it does. */
const PROFILE_DIR = process.env.BENCH_CPU_PROFILE;

/**
 * Runs `work`, and with `BENCH_CPU_PROFILE=<dir>` records this process's CPU profile of it as
 * `<dir>/<name>.cpuprofile` (open it in Chrome DevTools or summarise it with
 * `node dist-bench/bench/profile-summary.js <file>`).
 */
export async function profiled<T>(name: string, work: () => Promise<T>): Promise<T> {
  if (!PROFILE_DIR) return work();
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.setSamplingInterval', { interval: 100 });
  await session.post('Profiler.start');
  try {
    return await work();
  } finally {
    const { profile } = await session.post('Profiler.stop');
    const file = join(PROFILE_DIR, `${name.replace(/[^\w-]+/g, '-')}.cpuprofile`);
    await writeFile(file, JSON.stringify(profile));
    session.disconnect();
  }
}
