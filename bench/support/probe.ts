import { performance } from 'node:perf_hooks';
import { Redis } from 'ioredis';
import { DeliverySink } from '../../src/domain/delivery-sink.js';

export interface Spent {
  ms: number;
  calls: number;
}

/** Time spent, and calls made, per step of the tick; the steps run one after another. */
export class Profile {
  private readonly spent = new Map<string, Spent>();

  add(label: string, ms: number): void {
    const entry = this.spent.get(label) ?? { ms: 0, calls: 0 };
    entry.ms += ms;
    entry.calls += 1;
    this.spent.set(label, entry);
  }

  take(): Map<string, Spent> {
    const taken = new Map(this.spent);
    this.spent.clear();
    return taken;
  }
}

/**
 * Times the round trips the tick makes (client-side encoding and decoding included) and the
 * hand-off, by wrapping the methods of the harness's own instances. Whatever is left of a
 * tick's duration is JavaScript: window arithmetic, filtering, serialising, Nest.
 */
export function instrument(redis: Redis, sink: DeliverySink, profile: Profile): void {
  timeMethod(redis, 'smembers', 'SMEMBERS timezones', profile);
  timeMethod(redis, 'zrangebyscore', 'ZRANGEBYSCORE', profile);
  timeMethod(redis, 'chimeClaimDue', 'claim script that reads (HGET, SET NX, ZADD)', profile);
  timeMethod(redis, 'chimeClaimScanned', 'claim script of day parts (SET NX, ZADD)', profile);
  timeMethod(redis, 'zrem', 'confirm hand-off (ZREM)', profile);
  timeMethod(sink, 'handOff', 'sink hand-off', profile);
  timeExec(redis, 'pipeline', 'pipelines (zones, ZRANGEBYSCORE)', profile);
  for (const name of ['set', 'hgetall', 'chimeAdvance', 'chimeTakeUnconfirmed']) {
    timeMethod(redis, name, BOOKKEEPING, profile);
  }
  timeExec(redis, 'multi', BOOKKEEPING, profile);
}

const BOOKKEEPING = 'lease, state, horizon, watermark, recovery';

/** Times `exec` of every pipeline (or MULTI) the factory method creates. */
function timeExec(redis: Redis, factory: 'pipeline' | 'multi', label: string, profile: Profile) {
  const create = (redis[factory] as (...args: any[]) => any).bind(redis);
  (redis as any)[factory] = (...args: any[]) => {
    const created = create(...args);
    timeMethod(created, 'exec', label, profile);
    return created;
  };
}

/** Pipelines copy script commands from the client, so calls made on them pass untimed. */
function timeMethod(target: any, name: string, label: string, profile: Profile): void {
  const original = target[name] as (...args: unknown[]) => Promise<unknown>;
  target[name] = function timed(this: unknown, ...args: unknown[]) {
    if (this !== target) return original.apply(this, args);
    const started = performance.now();
    return original
      .apply(this, args)
      .finally(() => profile.add(label, performance.now() - started));
  };
}

/**
 * The servers a probe reads: one node, or every master of a cluster (their figures added up,
 * a connection to each: INFO, CONFIG and SLOWLOG are per node).
 */
export type Admins = Redis | readonly Redis[];

export const each = (admins: Admins): readonly Redis[] =>
  Array.isArray(admins) ? (admins as readonly Redis[]) : [admins as Redis];

async function summed(admins: Admins, read: (admin: Redis) => Promise<number>): Promise<number> {
  return (await Promise.all(each(admins).map(read))).reduce((sum, value) => sum + value, 0);
}

export function usedMemory(admins: Admins): Promise<number> {
  return summed(admins, async (admin) => {
    const info = await admin.info('memory');
    const match = /^used_memory:(\d+)/m.exec(info);
    if (!match) throw new Error('INFO memory has no used_memory');
    return Number(match[1]);
  });
}

export interface SlowCommand {
  readonly micros: number;
  readonly command: string;
}

/** Logs every command slower than `micros` from now on, forgetting older entries. */
export async function watchSlowCommands(admins: Admins, micros: number): Promise<void> {
  for (const admin of each(admins)) {
    await admin.config('SET', 'slowlog-log-slower-than', String(micros));
    await admin.config('SET', 'slowlog-max-len', '1024');
    await admin.slowlog('RESET');
  }
}

/** The slowest logged commands, slowest first, with the command and its first argument. */
export async function slowestCommands(admins: Admins, count: number): Promise<SlowCommand[]> {
  const logs = await Promise.all(each(admins).map((admin) => admin.slowlog('GET', 1024)));
  const entries = logs.flat() as [number, number, number, string[]][];
  return entries
    .map(([, , micros, args]) => ({ micros, command: describeCommand(args) }))
    .sort((a, b) => b.micros - a.micros)
    .slice(0, count);
}

/** Redis keeps at most 32 arguments of a logged command and says how many it left out. */
function describeCommand(args: string[]): string {
  const more = /^\.\.\. \((\d+) more arguments\)$/.exec(args.at(-1) ?? '');
  const total = args.length - 1 + (more ? Number(more[1]) - 1 : 0);
  // A script is named by its first key: the SHA says nothing to a reader.
  const shown = /^eval/i.test(args[0]) ? [args[0], args[3]] : args.slice(0, 2);
  return `${shown.join(' ')} (${total} args)`;
}

/** Forgets Redis's per-command counters (INFO commandstats); SLOWLOG is kept. */
export async function resetCommandStats(admins: Admins): Promise<void> {
  await Promise.all(each(admins).map((admin) => admin.config('RESETSTAT')));
}

/**
 * Redis's own execution time per command since the last reset, slowest first, without the
 * bench's own INFO, CONFIG and SLOWLOG. Commands a script runs count in the script's time
 * and again under their own names.
 */
export async function commandStats(admins: Admins): Promise<Map<string, Spent>> {
  const infos = await Promise.all(each(admins).map((admin) => admin.info('commandstats')));
  const stats = new Map<string, Spent>();
  for (const match of infos.join('\n').matchAll(/^cmdstat_([^:]+):calls=(\d+),usec=(\d+)/gm)) {
    const [, command, calls, micros] = match;
    if (['info', 'config', 'slowlog', 'cluster'].includes(command)) continue;
    const spent = stats.get(command) ?? { ms: 0, calls: 0 };
    stats.set(command, {
      ms: spent.ms + Number(micros) / 1000,
      calls: spent.calls + Number(calls),
    });
  }
  return new Map([...stats].sort(([, a], [, b]) => b.ms - a.ms));
}

/** CPU time Redis has used (user + system), in ms, from INFO cpu. */
export function redisCpuMs(admins: Admins): Promise<number> {
  return summed(admins, async (admin) => {
    const info = await admin.info('cpu');
    const seconds = (field: string) =>
      Number(new RegExp(`^${field}:([\\d.]+)`, 'm').exec(info)?.[1]);
    return (seconds('used_cpu_user') + seconds('used_cpu_sys')) * 1000;
  });
}
