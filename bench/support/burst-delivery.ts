import { BurstSampler, cpuSpent, Processes, readCpu, Sample } from './burst-sampler.js';
import { pollUntil, sleepUntil } from './burst-setup.js';
import { PhaseCost } from './burst-report.js';
import { commandStats, resetCommandStats } from './probe.js';
import { SinkProcess } from './sink-process.js';

/**
 * A burst's delivery phase: from 3 s before the instant until `count` have arrived or
 * `waitAfterMs` past the instant; then 2 s more, since a repeat would come after the last
 * first arrival. `toggle` runs as the phase starts and ends (chime's profilers).
 */
export async function measureDelivery(
  processes: Processes,
  sink: SinkProcess,
  phase: { instant: number; count: number; waitAfterMs: number; toggle?: () => void },
): Promise<PhaseCost & { samples: Sample[] }> {
  const { instant, count, waitAfterMs, toggle } = phase;
  await sleepUntil(instant - 3_000);
  const started = Date.now();
  await resetCommandStats(processes.admin);
  const cpuBefore = await readCpu(processes);
  const sampler = new BurstSampler(processes, () => sink.count(), instant);
  sampler.start();
  toggle?.();
  const all = await pollUntil(async () => (await sink.count()) >= count, instant + waitAfterMs, 50);
  toggle?.();
  const seconds = (Date.now() - started) / 1000;
  const cpu = cpuSpent(cpuBefore, await readCpu(processes));
  const commands = await commandStats(processes.admin);
  if (all) await new Promise((resolve) => setTimeout(resolve, 2_000));
  return { seconds, cpu, commands, samples: await sampler.stop() };
}
