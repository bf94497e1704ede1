import { goalMet, BurstFigures } from './burst-analysis.js';
import type { Ceiling } from './burst-ceiling.js';
import { CpuReading, Sample } from './burst-sampler.js';
import { Spent } from './probe.js';
import { fixed, percentile, printTable, thousands } from './report.js';

/** What one phase of the run cost each process, and Redis per command. */
export interface PhaseCost {
  readonly seconds: number;
  readonly cpu: CpuReading;
  readonly commands: Map<string, Spent>;
}

export interface BurstRun {
  readonly count: number;
  /** chime's settings the bench changed (`NAME=value, ...`); the rest are its defaults. */
  readonly settings: string;
  readonly replicas: number;
  /** The receiver's ceiling, measured before seeding and after the burst. */
  readonly ceilings: readonly Ceiling[];
  readonly instant: Date;
  readonly seed: { seconds: number; inFlight: number; claimedMeanwhile: number };
  readonly memory: { before: number; seeded: number; queued: number; delivered: number };
  readonly claim: PhaseCost & { tickSeconds: number; ticks: number; claimed: number };
  readonly delivery: PhaseCost & { samples: Sample[]; arrivals: number[] };
  readonly figures: BurstFigures;
  /** chime's own `chime_deliveries_total`, by outcome. */
  readonly outcomes: Map<string, number>;
  readonly goalMs: number;
}

/** Issue 13: chime delivers at least this share of what a bare client gets from the receiver. */
export const CEILING_SHARE_GOAL = 0.6;

export function printBurstReport(run: BurstRun): void {
  printFigures(run);
  printCeiling(run);
  printMemory(run);
  printCost('Claim: the tick that claims the burst', run.claim);
  console.log(
    `\nclaiming tick(s): ${run.claim.ticks} ran, ${fixed(run.claim.tickSeconds, 2)} s in all ` +
      `(chime_tick_duration_seconds), ${thousands(run.claim.claimed)} claimed`,
  );
  printCost('Delivery: from 3 s before the instant until the last arrival', run.delivery);
  printTimeline(run.delivery.samples, run.delivery.arrivals);
  const outcomes = [...run.outcomes].map(([outcome, n]) => `${outcome} ${thousands(n)}`);
  console.log(`\nchime_deliveries_total: ${outcomes.join(', ') || 'none'}`);
}

function printFigures(run: BurstRun) {
  const { count, seed, figures, memory, goalMs } = run;
  const met = goalMet(figures, goalMs) ? 'met' : 'NOT met';
  const setting = `${run.replicas} chime(s); ${run.settings}; the rest chime's defaults`;
  printTable(
    `Burst: ${thousands(count)} webhooks due in the same minute (${setting})`,
    ['figure', 'value'],
    [
      ['subscriptions (PUT through the API)', thousands(count)],
      [
        `seeding (${seed.inFlight} in flight)`,
        `${fixed(seed.seconds)} s, ${thousands(count / seed.seconds)}/s`,
      ],
      ['claimed by the write path while seeding', thousands(seed.claimedMeanwhile)],
      ['received / distinct', `${thousands(figures.received)} / ${thousands(figures.distinct)}`],
      ['first / last after the instant', `${ms(figures.firstMs)} / ${ms(figures.lastMs)}`],
      [
        'lateness p50 / p99 / max',
        `${ms(figures.p50Ms)} / ${ms(figures.p99Ms)} / ${ms(figures.maxMs)}`,
      ],
      ['early (before the instant)', thousands(figures.early)],
      ['duplicates (same webhook-id again)', thousands(figures.duplicates)],
      ['missing', thousands(figures.missing)],
      [
        'unexpected ids / wrong scheduledFor',
        `${figures.unexpected} / ${figures.wrongScheduledFor}`,
      ],
      ['deliveries per second (received / (last - first))', thousands(figures.perSecond)],
      ['Redis bytes per subscription', thousands((memory.seeded - memory.before) / count)],
      [`goal: all once, none early, last <= ${goalMs / 1000} s`, met],
    ],
  );
}

/** chime's rate: what arrived over the time from the instant to the last arrival. */
export function rateFromInstant(figures: BurstFigures): number {
  return (figures.received * 1000) / figures.lastMs;
}

function printCeiling({ ceilings, figures }: BurstRun): void {
  if (ceilings.length === 0) return;
  const rows = ceilings.map((ceiling, index) => [
    index === 0 ? 'receiver ceiling, before seeding' : 'receiver ceiling, after the burst',
    `${thousands(ceiling.perSecond)}/s`,
    `${fixed(ceiling.p50Ms, 1)} / ${fixed(ceiling.p99Ms, 1)} ms`,
    `${ceiling.non2xx} / ${ceiling.errors}`,
  ]);
  const ceiling = Math.max(...ceilings.map((one) => one.perSecond));
  const rate = rateFromInstant(figures);
  const ratio = rate / ceiling;
  const met = ratio >= CEILING_SHARE_GOAL && goalMet(figures, Number.POSITIVE_INFINITY);
  printTable(
    `The receiver's ceiling: autocannon, ${ceilings[0].connections} connections, ${ceilings[0].seconds} s, its own process`,
    ['run', '2xx a second', 'p50 / p99', 'non-2xx / errors'],
    [
      ...rows,
      ['chime: received / (last - instant)', `${thousands(rate)}/s`, '-', '-'],
      ['ratio to the higher ceiling', fixed(ratio, 2), '-', '-'],
      [
        `goal: ratio >= ${CEILING_SHARE_GOAL}, all once, none early`,
        met ? 'met' : 'NOT met',
        '-',
        '-',
      ],
    ],
  );
}

function printMemory({ memory, count }: BurstRun): void {
  const mb = (bytes: number) => fixed(bytes / 1024 / 1024, 1);
  const per = (bytes: number) => thousands((bytes - memory.before) / count);
  printTable(
    'Redis used_memory (INFO memory)',
    ['moment', 'MB', 'bytes per subscription above the empty store'],
    [
      ['before seeding', mb(memory.before), '0'],
      ['after seeding', mb(memory.seeded), per(memory.seeded)],
      ['after the claiming tick (claims, queue jobs)', mb(memory.queued), per(memory.queued)],
      [
        'after delivery (delivery state, log, done jobs)',
        mb(memory.delivered),
        per(memory.delivered),
      ],
    ],
  );
}

function printCost(title: string, { seconds, cpu, commands }: PhaseCost): void {
  const share = (ms: number) => `${fixed((100 * ms) / (seconds * 1000), 0)} %`;
  printTable(
    `${title}: ${fixed(seconds, 1)} s wall`,
    ['process', 'CPU ms', 'of one core'],
    Object.entries(cpu).map(([name, ms]) => [name, thousands(ms), share(ms)]),
  );
  // Redis 7 names subcommands `config|resetstat`: the bench's own, not chime's.
  const rows = [...commands]
    .filter(([command]) => !command.startsWith('config'))
    .slice(0, 10)
    .map(([command, spent]) => [
      command,
      thousands(spent.calls),
      fixed(spent.ms),
      fixed((spent.ms * 1000) / spent.calls, 1),
    ]);
  printTable(`${title}: Redis time by command`, ['command', 'calls', 'ms', 'µs/call'], rows);
}

function printTimeline(samples: Sample[], arrivals: number[]): void {
  const rows = samples.map((sample, index) => [
    fixed(sample.at, 1),
    thousands(sample.received - (samples[index - 1]?.received ?? 0)),
    thousands(sample.received),
    ...[sample.cpu.chime, sample.cpu.redis, sample.cpu.sink, sample.cpu.others].map((ms) =>
      fixed(ms / 10, 0),
    ),
    fixed(sample.pingMs, 1),
  ]);
  printTable(
    'Second by second (CPU in % of one core since the sample before)',
    ['t (s)', 'arrived', 'received', 'chime %', 'redis %', 'sink %', 'others %', 'PING ms'],
    rows,
  );
  const pings = samples.map((sample) => sample.pingMs);
  console.log(
    `\nPING from the bench: p50 ${ms(percentile(pings, 50))}, max ${ms(Math.max(...pings))}`,
  );
  console.log(`arrivals per second after the instant: ${arrivals.map(thousands).join(' ')}`);
}

function ms(value: number): string {
  return Number.isFinite(value) ? `${thousands(value)} ms` : '-';
}
