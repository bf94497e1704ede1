import { loadavg } from 'node:os';
import { fixed, mean, percentile, printTable, thousands } from './report.js';
import { Measured } from './scenarios.js';

export interface Goals {
  readonly tickMs: number;
  readonly burstMs: number;
}

/** Prints every table of bench/tick.ts; the figures in bench/README.md are these. */
export function printReport(spread: Measured, bursts: Record<string, Measured>, goals: Goals) {
  const all: Record<string, Measured> = { 'A (spread)': spread, ...bursts };
  printSeeding(all);
  printSpread(spread);
  printBursts(bursts);
  for (const [name, measured] of Object.entries(all)) printProfile(name, measured);
  for (const [name, measured] of Object.entries(all)) printServer(name, measured);
  printSlowest(all);
  printGoals(spread, bursts, goals);
  console.log(
    `\nload average at the end: ${loadavg()
      .map((load) => fixed(load, 2))
      .join(' ')}`,
  );
}

function printSeeding(all: Record<string, Measured>): void {
  printTable(
    'Seeding (RedisSubscriptionStore.save, 2,000 in flight)',
    ['scenario', 'subscriptions', 'seconds', 'saves/s', 'Redis bytes/subscription'],
    Object.entries(all).map(([name, { seeded }]) => [
      name,
      thousands(seeded.count),
      fixed(seeded.seconds),
      thousands(seeded.count / seeded.seconds),
      thousands(seeded.bytesPerSubscription),
    ]),
  );
}

function printSpread({ seeded, ticks, redisCpuMs }: Measured): void {
  const durations = ticks.map((tick) => tick.ms);
  const cpu = `${fixed(mean(ticks.map((tick) => tick.cpuMs)))} / ${fixed(redisCpuMs / ticks.length)}`;
  const due = ticks.map((tick) => tick.outcome.due);
  const enqueued = ticks.reduce((sum, tick) => sum + tick.outcome.enqueued, 0);
  printTable(
    `A: ${ticks.length} consecutive minute ticks over ${thousands(seeded.count)} subscriptions`,
    [
      'p50 ms',
      'p95 ms',
      'max ms',
      'mean ms',
      'CPU ms node / redis',
      'due/tick (min-max)',
      'enqueued',
    ],
    [
      [
        ...[50, 95, 100].map((p) => fixed(percentile(durations, p))),
        fixed(mean(durations)),
        cpu,
        `${fixed(mean(due))} (${Math.min(...due)}-${Math.max(...due)})`,
        thousands(enqueued),
      ],
    ],
  );
  console.log(`\nEach tick, ms: ${durations.map((ms) => fixed(ms, 0)).join(' ')}`);
}

function printBursts(bursts: Record<string, Measured>): void {
  const [first] = Object.values(bursts);
  if (!first) return;
  printTable(
    `B: one tick, occurrences due at ${first.ticks[0].outcome.from.toISOString()}`,
    ['scenario', 'tick ms', 'CPU ms node / redis', 'due', 'enqueued', 'duplicates', 'claims/s'],
    Object.entries(bursts).map(([name, { ticks, redisCpuMs }]) => {
      const [{ ms, cpuMs, outcome }] = ticks;
      const counts = [outcome.due, outcome.enqueued, outcome.duplicates].map(thousands);
      const perSecond = thousands(outcome.enqueued / (ms / 1000));
      return [name, fixed(ms), `${fixed(cpuMs)} / ${fixed(redisCpuMs)}`, ...counts, perSecond];
    }),
  );
}

/** Where a tick's time goes, per tick, seen from the process; the rest is JavaScript. */
function printProfile(name: string, { ticks, profile }: Measured): void {
  const tickMs = mean(ticks.map((tick) => tick.ms));
  const share = (ms: number) => `${fixed((100 * ms) / tickMs, 0)} %`;
  const rows = [...profile].map(([label, spent]) => {
    const ms = spent.ms / ticks.length;
    return [label, fixed(ms, 2), fixed(spent.calls / ticks.length), share(ms)];
  });
  const awaited = [...profile.values()].reduce((sum, spent) => sum + spent.ms, 0);
  const rest = tickMs - awaited / ticks.length;
  const windowMs = mean(ticks.map((tick) => tick.windowMathMs));
  // Claim batches run several at a time: their awaited times overlap and can sum past the tick.
  if (rest >= 0) {
    rows.push(['rest: JavaScript (scan loop, filters, GC)', fixed(rest, 2), '', share(rest)]);
  } else {
    rows.push(['rest: n/a (batches in flight overlap; steps sum past the tick)', '-', '', '-']);
  }
  rows.push(['  of which localRanges, all zones', fixed(windowMs, 2), '', share(windowMs)]);
  rows.push(['whole tick', fixed(tickMs, 2), '', '100 %']);
  printTable(`Profile ${name}, per tick`, ['step', 'ms', 'calls', 'share'], rows);
}

/** Redis's own execution time, per tick: what the round trips above spend inside Redis. */
function printServer(name: string, { ticks, server }: Measured): void {
  const rows = [...server]
    .slice(0, 8)
    .map(([command, spent]) => [
      command,
      fixed(spent.ms / ticks.length, 2),
      fixed(spent.calls / ticks.length),
    ]);
  printTable(`Redis server time ${name}, per tick`, ['command', 'ms', 'calls'], rows);
}

function printSlowest(all: Record<string, Measured>): void {
  const rows = Object.entries(all).flatMap(([name, { slowest }]) =>
    slowest.length === 0
      ? [[name, 'none of 1 ms or more', '']]
      : slowest.map(({ micros, command }) => [name, command, fixed(micros / 1000, 2)]),
  );
  printTable(
    'Slowest Redis commands in the measured ticks (SLOWLOG)',
    ['scenario', 'command', 'ms'],
    rows,
  );
}

function printGoals(spread: Measured, bursts: Record<string, Measured>, goals: Goals): void {
  const durations = spread.ticks.map((tick) => tick.ms);
  const burstRuns = Object.values(bursts);
  const worstBurst = Math.max(...burstRuns.map(({ ticks }) => ticks[0].ms));
  const verdict = (ms: number, goal: number) => (ms <= goal ? 'met' : 'NOT met');
  const tickGoal = `A: every tick <= ${goals.tickMs} ms`;
  const p50 = percentile(durations, 50);
  const burstGoal = [
    `B: ${thousands(burstRuns[0]?.seeded.count ?? 0)} claimed <= ${goals.burstMs} ms`,
    `worst ${fixed(worstBurst)} ms`,
    verdict(worstBurst, goals.burstMs),
  ];
  printTable(
    'Goals',
    ['goal', 'measured', 'verdict'],
    [
      [
        tickGoal,
        `max ${fixed(Math.max(...durations))} ms`,
        verdict(Math.max(...durations), goals.tickMs),
      ],
      [`A (median tick <= ${goals.tickMs} ms)`, `p50 ${fixed(p50)} ms`, verdict(p50, goals.tickMs)],
      ...(burstRuns.length === 0 ? [] : [burstGoal]),
    ],
  );
}
