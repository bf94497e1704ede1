/*
 * The tick's cost at scale (issue 3, "Scale"): a minute's tick over 1,000,000 subscriptions
 * spread over the day, and one tick that claims 100,000 occurrences due in the same minute.
 * Starts its own redis-server; see bench/README.md for the command and the figures.
 */
import 'reflect-metadata';
import { cpus } from 'node:os';
import { Logger } from '@nestjs/common';
import { Redis } from 'ioredis';
import { startRedisServer } from '../test/support/redis-server.js';
import { fixed, mean, percentile, printTable, thousands } from './support/report.js';
import { Bench, burstScenario, Measured, spreadScenario } from './support/scenarios.js';

const SPREAD = Number(process.env.BENCH_SPREAD ?? 1_000_000);
const BURST = Number(process.env.BENCH_BURST ?? 100_000);
const TICKS = Number(process.env.BENCH_TICKS ?? 30);
const TICK_GOAL_MS = 50;
const BURST_GOAL_MS = 1000;

/** Whole, half and quarter hour offsets, both hemispheres, with and without DST. */
const SPREAD_ZONES = [
  'UTC',
  'Europe/London',
  'Europe/Paris',
  'Europe/Moscow',
  'Africa/Cairo',
  'Africa/Lagos',
  'Asia/Dubai',
  'Asia/Kolkata',
  'Asia/Kathmandu',
  'Asia/Shanghai',
  'Asia/Tokyo',
  'Australia/Adelaide',
  'Australia/Sydney',
  'Pacific/Auckland',
  'Pacific/Chatham',
  'America/Sao_Paulo',
  'America/St_Johns',
  'America/New_York',
  'America/Denver',
  'America/Los_Angeles',
];
/** The ticks cross midnight UTC, so the UTC-like zones' windows wrap over it. */
const SPREAD_START = new Date('2026-06-15T23:45:00Z');
const BURST_AT = new Date('2026-01-12T09:00:00Z');
/** 09:00 UTC in January, in four zones' local times. */
const BURST_ZONES = [
  { timezone: 'UTC', minuteOfDay: 9 * 60 },
  { timezone: 'Europe/Paris', minuteOfDay: 10 * 60 },
  { timezone: 'Asia/Kolkata', minuteOfDay: 14 * 60 + 30 },
  { timezone: 'America/New_York', minuteOfDay: 4 * 60 },
];

async function main(): Promise<void> {
  // One log line per handed-off occurrence would drown the tables; warnings still show.
  Logger.overrideLogger(['error', 'warn']);
  const server = await startRedisServer();
  const admin = new Redis(server.url);
  const bench: Bench = { redisUrl: server.url, admin };
  try {
    await printMachine(admin);
    const spread = await spreadScenario(bench, {
      count: SPREAD,
      ticks: TICKS,
      zones: SPREAD_ZONES,
      start: SPREAD_START,
    });
    const burst = (keyPrefix: string, placements: typeof BURST_ZONES) =>
      burstScenario(bench, { keyPrefix, count: BURST, at: BURST_AT, placements });
    const single = await burst('bench-burst-utc', BURST_ZONES.slice(0, 1));
    const mixed = await burst('bench-burst-4tz', BURST_ZONES);
    report(spread, { 'B1 (one zone)': single, 'B2 (four zones)': mixed });
  } finally {
    admin.disconnect();
    await server.stop();
  }
}

async function printMachine(admin: Redis): Promise<void> {
  const info = await admin.info('server');
  const redis = /^redis_version:(.+)$/m.exec(info)?.[1].trim();
  console.log(`node ${process.version}, redis ${redis}, ${cpus().length} x ${cpus()[0].model}`);
  console.log(`spread ${thousands(SPREAD)}, burst ${thousands(BURST)}, ${TICKS} ticks`);
}

function report(spread: Measured, bursts: Record<string, Measured>): void {
  const all: Record<string, Measured> = { 'A (spread)': spread, ...bursts };
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
  const durations = spread.ticks.map((tick) => tick.ms);
  const due = spread.ticks.map((tick) => tick.outcome.due);
  printTable(
    `A: ${TICKS} consecutive minute ticks over ${thousands(SPREAD)} subscriptions`,
    ['p50 ms', 'p95 ms', 'max ms', 'mean ms', 'due/tick mean (min-max)', 'enqueued in all'],
    [
      [
        ...[50, 95, 100].map((p) => fixed(percentile(durations, p))),
        fixed(mean(durations)),
        `${fixed(mean(due))} (${Math.min(...due)}-${Math.max(...due)})`,
        thousands(spread.ticks.reduce((sum, tick) => sum + tick.outcome.enqueued, 0)),
      ],
    ],
  );
  printTable(
    `B: one tick, ${thousands(BURST)} occurrences due at ${BURST_AT.toISOString()}`,
    ['scenario', 'tick ms', 'due', 'enqueued', 'duplicates', 'claims/s'],
    Object.entries(bursts).map(([name, { ticks }]) => {
      const [{ ms, outcome }] = ticks;
      const counts = [outcome.due, outcome.enqueued, outcome.duplicates].map(thousands);
      return [name, fixed(ms), ...counts, thousands(outcome.enqueued / (ms / 1000))];
    }),
  );
  for (const [name, measured] of Object.entries(all)) printProfile(name, measured);
  printSlowest(all);
  printGoals(spread, bursts);
}

/** Where a tick's time goes, per tick; the remainder is JavaScript and Nest. */
function printProfile(name: string, { ticks, profile }: Measured): void {
  const tickMs = mean(ticks.map((tick) => tick.ms));
  const share = (ms: number) => `${fixed((100 * ms) / tickMs, 0)} %`;
  const rows = [...profile].map(([label, spent]) => {
    const ms = spent.ms / ticks.length;
    return [label, fixed(ms, 2), fixed(spent.calls / ticks.length), share(ms)];
  });
  const measured = [...profile.values()].reduce((sum, spent) => sum + spent.ms, 0);
  const rest = tickMs - measured / ticks.length;
  const windowMs = mean(ticks.map((tick) => tick.windowMathMs));
  rows.push(['rest: JavaScript (scan loop, filters, Nest)', fixed(rest, 2), '', share(rest)]);
  rows.push(['  of which localRanges, all zones', fixed(windowMs, 2), '', share(windowMs)]);
  rows.push(['whole tick', fixed(tickMs, 2), '', '100 %']);
  printTable(`Profile ${name}, per tick`, ['step', 'ms', 'calls', 'share'], rows);
}

function printSlowest(all: Record<string, Measured>): void {
  const rows = Object.entries(all).flatMap(([name, { slowest }]) =>
    slowest.length === 0
      ? [[name, 'none of 1 ms or more', '']]
      : slowest.map(({ micros, command }) => [name, command, fixed(micros / 1000, 2)]),
  );
  printTable(
    'Slowest Redis commands during the measured ticks (SLOWLOG)',
    ['scenario', 'command', 'ms'],
    rows,
  );
}

function printGoals(spread: Measured, bursts: Record<string, Measured>): void {
  const worstTick = Math.max(...spread.ticks.map((tick) => tick.ms));
  const worstBurst = Math.max(...Object.values(bursts).map(({ ticks }) => ticks[0].ms));
  const verdict = (ms: number, goal: number) => (ms <= goal ? 'met' : 'NOT met');
  printTable(
    'Goals',
    ['goal', 'measured (worst)', 'verdict'],
    [
      [
        `A: a tick <= ${TICK_GOAL_MS} ms`,
        `${fixed(worstTick)} ms`,
        verdict(worstTick, TICK_GOAL_MS),
      ],
      [
        `B: scan and claim <= ${BURST_GOAL_MS} ms`,
        `${fixed(worstBurst)} ms`,
        verdict(worstBurst, BURST_GOAL_MS),
      ],
    ],
  );
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
