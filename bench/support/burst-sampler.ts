import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { Admins, each, redisCpuMs } from './probe.js';

/** `getconf CLK_TCK` on Linux: /proc/<pid>/stat counts CPU time in hundredths of a second. */
const CLOCK_TICKS_PER_SECOND = 100;

/** CPU time (user + system) a process has used so far, in ms, from /proc/<pid>/stat. */
export function processCpuMs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // The command name may hold spaces; the fields after it do not.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const [utime, stime] = [Number(fields[11]), Number(fields[12])];
  return ((utime + stime) * 1000) / CLOCK_TICKS_PER_SECOND;
}

/** `pids` and every process they started (a cluster primary's workers), from /proc. */
export function withDescendants(pids: readonly number[]): number[] {
  const all: number[] = [];
  const visit = (pid: number) => {
    all.push(pid);
    const children = childrenOf(pid);
    for (const child of children) visit(child);
  };
  pids.forEach(visit);
  return all;
}

function childrenOf(pid: number): number[] {
  try {
    const listed = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim();
    return listed === '' ? [] : listed.split(' ').map(Number);
  } catch {
    return []; // it has ended
  }
}

/** Busy CPU time of the whole machine (every core, every process), in ms, from /proc/stat. */
export function machineCpuMs(): number {
  const [, ...ticks] = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/);
  // user nice system idle iowait irq softirq steal: all but idle and iowait are busy.
  const [user, nice, system, , , irq, softirq, steal] = ticks.map(Number);
  return ((user + nice + system + irq + softirq + steal) * 1000) / CLOCK_TICKS_PER_SECOND;
}

/** CPU used by every process of the burst, in ms, at one moment. */
export interface CpuReading {
  readonly chime: number;
  readonly redis: number;
  readonly sink: number;
  readonly bench: number;
  /** Everything else on the machine: other sessions' work shows here. */
  readonly others: number;
}

export interface Processes {
  /** Every chime replica's; their CPU is added up. */
  readonly chimePids: readonly number[];
  readonly sinkPid: number;
  /** The node, or every master of a cluster. */
  readonly admin: Admins;
}

/** A process that has just ended has no /proc entry left: its last second is lost. */
function cpuMsOrZero(pid: number): number {
  try {
    return processCpuMs(pid);
  } catch {
    return 0;
  }
}

export async function readCpu(processes: Processes): Promise<CpuReading> {
  const { user, system } = process.cpuUsage();
  const ours = {
    chime: processes.chimePids.reduce((sum, pid) => sum + cpuMsOrZero(pid), 0),
    redis: await redisCpuMs(processes.admin),
    sink: processCpuMs(processes.sinkPid),
    bench: (user + system) / 1000,
  };
  const machine = machineCpuMs();
  return { ...ours, others: machine - ours.chime - ours.redis - ours.sink - ours.bench };
}

export function cpuSpent(before: CpuReading, after: CpuReading): CpuReading {
  return {
    chime: after.chime - before.chime,
    redis: after.redis - before.redis,
    sink: after.sink - before.sink,
    bench: after.bench - before.bench,
    others: after.others - before.others,
  };
}

/** One second of the burst: what arrived and who used the CPU. */
export interface Sample {
  /** Seconds since the instant, at the end of the sample. */
  readonly at: number;
  readonly received: number;
  readonly cpu: CpuReading;
  /** Round trip of a PING from the bench, ms: how long Redis keeps others waiting. */
  readonly pingMs: number;
}

/** Samples every `everyMs` until stopped; `received()` asks the sink how many arrived. */
export class BurstSampler {
  private readonly samples: Sample[] = [];
  private running = true;
  private done: Promise<void> = Promise.resolve();

  constructor(
    private readonly processes: Processes,
    private readonly received: () => Promise<number>,
    private readonly instant: number,
    private readonly everyMs = 1000,
  ) {}

  start(): void {
    this.done = this.loop();
  }

  async stop(): Promise<Sample[]> {
    this.running = false;
    await this.done;
    return this.samples;
  }

  private async loop(): Promise<void> {
    let previous = await readCpu(this.processes);
    while (this.running) {
      await new Promise((resolve) => setTimeout(resolve, this.everyMs));
      const started = performance.now();
      await each(this.processes.admin)[0].ping();
      const pingMs = performance.now() - started;
      const reading = await readCpu(this.processes);
      const received = await this.received();
      const at = (Date.now() - this.instant) / 1000;
      this.samples.push({ at, received, cpu: cpuSpent(previous, reading), pingMs });
      previous = reading;
    }
  }
}
