/*
 * The tick's cost at scale (issue 3, "Scale"): a minute's tick over 1,000,000 subscriptions
 * spread over the day, and one tick that claims 100,000 occurrences due in the same minute.
 * Starts its own redis-server; see bench/README.md for the command and the figures.
 */
import 'reflect-metadata';
import { cpus, loadavg } from 'node:os';
import { Logger } from '@nestjs/common';
import { Redis } from 'ioredis';
import { startRedisCluster } from '../test/support/redis-cluster.js';
import { startRedisServer } from '../test/support/redis-server.js';
import { fixed, thousands } from './support/report.js';
import { Bench, burstScenario, Measured, spreadScenario } from './support/scenarios.js';
import { SinkChoice } from './support/sinks.js';
import { printReport } from './support/tick-report.js';

const SPREAD = Number(process.env.BENCH_SPREAD ?? 1_000_000);
const BURST = Number(process.env.BENCH_BURST ?? 100_000);
const TICKS = Number(process.env.BENCH_TICKS ?? 30);
const SINK: SinkChoice = process.env.BENCH_SINK === 'queue' ? 'queue' : 'memory';
/**
 * `node` (one redis-server), `cluster` (three masters, no replicas: on two cores a replica
 * per master would only take CPU from the masters), or both, one after the other in one run.
 */
const TOPOLOGIES = (process.env.BENCH_TOPOLOGIES ?? 'node').split(',').map((name) => name.trim());
/**
 * A running redis-server to use instead of starting one (one node only), left running: A's
 * seeding is then reused by later runs of the same BENCH_SPREAD (seeding 10M takes minutes).
 */
const REDIS_URL = process.env.BENCH_REDIS_URL;
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

interface Topology {
  readonly bench: Bench;
  stop(): Promise<void>;
}

async function startTopology(name: string): Promise<Topology> {
  if (name === 'cluster') {
    const cluster = await startRedisCluster({ masters: 3, replicasPerMaster: 0 });
    const admins = cluster.masterPorts.map((port) => new Redis(port, '127.0.0.1'));
    return {
      bench: {
        redisEnv: { REDIS_URL: '', REDIS_CLUSTER_NODES: cluster.seeds },
        admin: admins,
        sink: SINK,
      },
      stop: async () => {
        admins.forEach((admin) => admin.disconnect());
        await cluster.stop();
      },
    };
  }
  if (name !== 'node') throw new Error(`BENCH_TOPOLOGIES: ${name} is neither node nor cluster`);
  if (REDIS_URL) {
    const admin = new Redis(REDIS_URL);
    return {
      bench: { redisEnv: { REDIS_URL }, admin, sink: SINK, keepData: true },
      stop: async () => void admin.disconnect(),
    };
  }
  const server = await startRedisServer();
  const admin = new Redis(server.url);
  return {
    bench: { redisEnv: { REDIS_URL: server.url }, admin, sink: SINK },
    stop: async () => {
      admin.disconnect();
      await server.stop();
    },
  };
}

interface Figures {
  readonly spread: Measured;
  readonly bursts: Record<string, Measured>;
}

async function runOn(name: string): Promise<Figures> {
  const topology = await startTopology(name);
  const { bench } = topology;
  try {
    console.log(`\n## ${name === 'cluster' ? 'Redis Cluster, 3 masters' : 'one redis-server'}`);
    await printMachine(Array.isArray(bench.admin) ? bench.admin[0] : (bench.admin as Redis));
    const spread = await spreadScenario(bench, {
      count: SPREAD,
      ticks: TICKS,
      zones: ZONES_USED,
      start: SPREAD_START,
    });
    const burst = (keyPrefix: string, placements: typeof BURST_ZONES) =>
      burstScenario(bench, { keyPrefix, count: BURST, at: BURST_AT, placements });
    // A kept Redis holds the bursts' claims of an earlier run: they are not measured again.
    const bursts: Record<string, Measured> = {};
    if (!REDIS_URL) {
      bursts['B1 (one zone)'] = await burst('bench-burst-utc', BURST_ZONES.slice(0, 1));
      bursts['B2 (four zones)'] = await burst('bench-burst-4tz', BURST_ZONES);
    }
    printReport(spread, bursts, { tickMs: TICK_GOAL_MS, burstMs: BURST_GOAL_MS });
    return { spread, bursts };
  } finally {
    await topology.stop();
  }
}

async function main(): Promise<void> {
  // One log line per handed-off occurrence would drown the tables; warnings still show.
  Logger.overrideLogger(['error', 'warn']);
  const figures = new Map<string, Figures>();
  for (const name of TOPOLOGIES) figures.set(name, await runOn(name));
  const node = figures.get('node');
  const cluster = figures.get('cluster');
  if (node && cluster) printRatios(node, cluster);
}

/** The cluster's figures over one node's, from the same run. */
function printRatios(node: Figures, cluster: Figures): void {
  const median = (values: number[]) =>
    [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
  const tickFigures = ({ spread }: Figures) => ({
    'A tick p50 ms': median(spread.ticks.map((tick) => tick.ms)),
    'A tick max ms': Math.max(...spread.ticks.map((tick) => tick.ms)),
    'A Node CPU ms a tick': median(spread.ticks.map((tick) => tick.cpuMs)),
    'A Redis CPU ms a tick': spread.redisCpuMs / spread.ticks.length,
    'bytes a subscription (1 of A)': spread.seeded.bytesPerSubscription,
  });
  const burstFigures = ({ bursts }: Figures) =>
    Object.fromEntries(
      Object.entries(bursts).flatMap(([name, measured]) => [
        [`${name} ms`, measured.ticks[0].ms],
        [`${name} Node CPU ms`, measured.ticks[0].cpuMs],
        [`${name} Redis CPU ms`, measured.redisCpuMs],
      ]),
    );
  const onNode = { ...tickFigures(node), ...burstFigures(node) };
  const onCluster = { ...tickFigures(cluster), ...burstFigures(cluster) };
  console.log('\n## Cluster / node, this run');
  console.log('| figure | node | cluster | cluster / node |');
  console.log('| --- | --- | --- | --- |');
  for (const [figure, value] of Object.entries(onNode)) {
    const other = onCluster[figure as keyof typeof onCluster];
    console.log(`| ${figure} | ${fixed(value)} | ${fixed(other)} | ${fixed(other / value, 2)} |`);
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
