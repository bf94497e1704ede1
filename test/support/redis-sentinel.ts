import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import type { Redis } from 'ioredis';
import { freePort } from './redis-server.js';
import {
  closeClient,
  directClient,
  type RedisProcess,
  serverArgs,
  spawnRedis,
  stopAll,
  untilNoError,
  untilReplicasStream,
} from './redis-processes.js';
import { waitFor } from './wait-for.js';

export interface RedisSentinelSetup {
  /** `127.0.0.1:S1,127.0.0.1:S2,127.0.0.1:S3`, as REDIS_SENTINELS takes them. */
  readonly sentinels: string;
  readonly masterName: string;
  /** The port of the primary the sentinels name now. */
  primaryPort(): Promise<number>;
  /** The ports of the two replicas as started (one becomes the primary after a failover). */
  readonly replicaPorts: number[];
  /** A plain client of one server (not Sentinel-aware); closed on stop. */
  client(port: number): Redis;
  /** SIGKILLs the current primary; resolves with its port. */
  killPrimary(): Promise<number>;
  stop(): Promise<void>;
}

const MASTER_NAME = 'chime-primary';
const SENTINELS = 3;
const QUORUM = 2;
/** A silent primary is subjectively down after this; a failover follows within seconds. */
const DOWN_AFTER_MS = 1000;
const FAILOVER_TIMEOUT_MS = 5000;
const READY_WITHIN_MS = 20_000;

/**
 * A primary, two replicas (`--replicaof`) and three sentinels monitoring it as
 * `chime-primary`, each sentinel with its own writable configuration file. Resolves once
 * both replicas are linked and every sentinel knows both replicas and the other sentinels.
 */
export async function startRedisSentinel(): Promise<RedisSentinelSetup> {
  const processes: RedisProcess[] = [];
  const clients = new Map<number, Redis>();
  const client = (port: number) => {
    // A server closes its clients when it changes role (Sentinel's promotion): connect anew.
    const open = clients.get(port);
    if (!open || open.status === 'end') clients.set(port, directClient(port));
    return clients.get(port)!;
  };
  const stop = async () => {
    await Promise.all([...clients.values()].map(closeClient));
    await stopAll(processes);
  };
  try {
    const primary = await startServer(processes, []);
    const replicas = await Promise.all(
      [0, 1].map(() => startServer(processes, ['--replicaof', '127.0.0.1', String(primary)])),
    );
    await waitFor(
      untilNoError(() => linked(replicas, client)),
      READY_WITHIN_MS,
      () => 'replicas',
    );
    await untilReplicasStream(client(primary), replicas.length);
    const peers = await Promise.all(
      Array.from({ length: SENTINELS }, async () => ({ port: await freePort(), id: sentinelId() })),
    );
    const sentinels = await Promise.all(
      peers.map((self) => startSentinel(processes, { self, peers, primary, replicas })),
    );
    const know = untilNoError(() => sentinelsKnowAll(sentinels, client));
    await waitFor(know, READY_WITHIN_MS, () => 'sentinels know the replicas and each other');
    const primaryPort = () => currentPrimary(sentinels, client);
    return {
      sentinels: sentinels.map((port) => `127.0.0.1:${port}`).join(','),
      masterName: MASTER_NAME,
      replicaPorts: replicas,
      primaryPort,
      client,
      stop,
      killPrimary: async () => {
        const port = await primaryPort();
        await processes.find((server) => server.port === port)!.stop('SIGKILL');
        clients.get(port)?.disconnect();
        clients.delete(port);
        return port;
      },
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

async function startServer(processes: RedisProcess[], extra: string[]): Promise<number> {
  const port = await freePort();
  processes.push(await spawnRedis(port, (dir) => [...serverArgs(port, dir), ...extra]));
  return port;
}

interface SentinelPeer {
  readonly port: number;
  readonly id: string;
}

/**
 * Sentinel rewrites its configuration file as it learns: each needs its own, writable. Each
 * is told its peers and the replicas up front: discovering them takes seconds.
 */
async function startSentinel(
  processes: RedisProcess[],
  topology: { self: SentinelPeer; peers: SentinelPeer[]; primary: number; replicas: number[] },
): Promise<number> {
  const { self, peers, primary, replicas } = topology;
  const monitor = (line: string) => `sentinel ${line.replace('%', MASTER_NAME)}`;
  const sentinel = await spawnRedis(self.port, (dir) => {
    const file = `${dir}/sentinel.conf`;
    const lines = [
      `port ${self.port}`,
      'bind 127.0.0.1',
      `dir ${dir}`,
      `sentinel myid ${self.id}`,
      monitor(`monitor % 127.0.0.1 ${primary} ${QUORUM}`),
      monitor(`down-after-milliseconds % ${DOWN_AFTER_MS}`),
      monitor(`failover-timeout % ${FAILOVER_TIMEOUT_MS}`),
      monitor('parallel-syncs % 1'),
      ...replicas.map((port) => monitor(`known-replica % 127.0.0.1 ${port}`)),
      ...peers
        .filter((peer) => peer !== self)
        .map((peer) => monitor(`known-sentinel % 127.0.0.1 ${peer.port} ${peer.id}`)),
    ];
    writeFileSync(file, `${lines.join('\n')}\n`);
    return [file, '--sentinel'];
  });
  processes.push(sentinel);
  return self.port;
}

/** A sentinel's run id: 40 hex characters. */
function sentinelId(): string {
  return randomBytes(20).toString('hex');
}

async function linked(replicas: number[], client: (port: number) => Redis): Promise<boolean> {
  const infos = await Promise.all(replicas.map((port) => client(port).info('replication')));
  return infos.every((info) => /^master_link_status:up/m.test(info));
}

async function sentinelsKnowAll(
  sentinels: number[],
  client: (port: number) => Redis,
): Promise<boolean> {
  const known = await Promise.all(
    sentinels.map(async (port) => {
      const replicas = (await client(port).call('SENTINEL', 'REPLICAS', MASTER_NAME)) as unknown[];
      const peers = (await client(port).call('SENTINEL', 'SENTINELS', MASTER_NAME)) as unknown[];
      return replicas.length === 2 && peers.length === SENTINELS - 1;
    }),
  );
  return known.every(Boolean);
}

/**
 * The primary's port once every sentinel names the same server and that server answers
 * ROLE as master. The first sentinel to answer is not enough: just after a failover one may
 * still name the primary that was killed, and a client of that port fails its first command.
 */
async function currentPrimary(sentinels: number[], client: (port: number) => Redis) {
  let agreed: number | undefined;
  let seen = 'no answer';
  const settled = async () => {
    const named = await Promise.all(sentinels.map((port) => namedPrimary(client(port))));
    const [first] = named;
    seen = `sentinels name ${named.join(', ')}`;
    if (!named.every((port) => port === first)) return false;
    const [role] = (await client(first).role()) as [string];
    agreed = first;
    seen = `sentinels name ${first}, which answers ROLE ${role}`;
    return role === 'master';
  };
  await waitFor(
    untilNoError(settled),
    READY_WITHIN_MS,
    () => `sentinels agree on a primary (${seen})`,
  );
  return agreed!;
}

async function namedPrimary(sentinel: Redis): Promise<number> {
  const address = await sentinel.call('SENTINEL', 'GET-MASTER-ADDR-BY-NAME', MASTER_NAME);
  return Number((address as [string, string])[1]);
}
