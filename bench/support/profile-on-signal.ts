/*
 * Loaded into chime with `--import` by `bench/burst.ts` when `BENCH_CPU_PROFILE=<dir>` is set
 * (Node 20 refuses `--cpu-prof` in NODE_OPTIONS): SIGUSR2 starts V8's CPU profiler, the next
 * SIGUSR2 writes `<dir>/chime-<pid>-<n>.cpuprofile`.
 */
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';
import { join } from 'node:path';

const directory = process.env.CHIME_CPU_PROFILE_DIR ?? '.';
const session = new Session();
session.connect();
let running = false;
let written = 0;

process.on('SIGUSR2', () => {
  if (!running) {
    session.post('Profiler.enable', () =>
      session.post('Profiler.start', () => {
        running = true;
      }),
    );
    return;
  }
  session.post('Profiler.stop', (error, result) => {
    running = false;
    if (error) return console.error(error);
    const file = join(directory, `chime-${process.pid}-${++written}.cpuprofile`);
    writeFileSync(file, JSON.stringify(result.profile));
  });
});
