/*
 * The tick's cost at scale (issue 3, "Scale"): a minute's tick over 1,000,000 subscriptions
 * spread over the day, and one tick that claims 100,000 occurrences due in the same minute.
 * Starts its own redis-server; see bench/README.md for the command and the figures.
 */
import 'reflect-metadata';
import { cpus, loadavg } from 'node:os';
import { Logger } from '@nestjs/common';
import { Redis } from 'ioredis';
import { startRedisServer } from '../test/support/redis-server.js';
import { fixed, thousands } from './support/report.js';
import { Bench, burstScenario, spreadScenario } from './support/scenarios.js';
import { SinkChoice } from './support/sinks.js';
import { printReport } from './support/tick-report.js';

const SPREAD = Number(process.env.BENCH_SPREAD ?? 1_000_000);
const BURST = Number(process.env.BENCH_BURST ?? 100_000);
const TICKS = Number(process.env.BENCH_TICKS ?? 30);
const SINK: SinkChoice = process.env.BENCH_SINK === 'queue' ? 'queue' : 'memory';
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
/** How many of SPREAD_ZONES scenario A uses (all 20 unless told): the fixed cost per zone. */
const ZONES_USED = SPREAD_ZONES.slice(0, Number(process.env.BENCH_ZONES ?? SPREAD_ZONES.length));
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
  const bench: Bench = { redisUrl: server.url, admin, sink: SINK };
  try {
    await printMachine(admin);
    const spread = await spreadScenario(bench, {
      count: SPREAD,
      ticks: TICKS,
      zones: ZONES_USED,
      start: SPREAD_START,
    });
    const burst = (keyPrefix: string, placements: typeof BURST_ZONES) =>
      burstScenario(bench, { keyPrefix, count: BURST, at: BURST_AT, placements });
    const single = await burst('bench-burst-utc', BURST_ZONES.slice(0, 1));
    const mixed = await burst('bench-burst-4tz', BURST_ZONES);
    const bursts = { 'B1 (one zone)': single, 'B2 (four zones)': mixed };
    printReport(spread, bursts, { tickMs: TICK_GOAL_MS, burstMs: BURST_GOAL_MS });
  } finally {
    admin.disconnect();
    await server.stop();
  }
}

async function printMachine(admin: Redis): Promise<void> {
  const info = await admin.info('server');
  const redis = /^redis_version:(.+)$/m.exec(info)?.[1].trim();
  console.log(`node ${process.version}, redis ${redis}, ${cpus().length} x ${cpus()[0].model}`);
  console.log(
    `spread ${thousands(SPREAD)} over ${ZONES_USED.length} zones, burst ${thousands(BURST)}, ` +
      `${TICKS} ticks, sink: ${SINK}, REDIS_BUCKETS ${process.env.REDIS_BUCKETS ?? 16}`,
  );
  console.log(
    `load average at the start: ${loadavg()
      .map((load) => fixed(load, 2))
      .join(' ')}`,
  );
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
