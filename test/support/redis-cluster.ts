import type { Redis } from 'ioredis';
import {
  closeClient,
  directClient,
  freePortsWithBus,
  redisCli,
  type RedisProcess,
  serverArgs,
  spawnRedis,
  stopAll,
  untilNoError,
  untilReplicasStream,
} from './redis-processes.js';
import { waitFor } from './wait-for.js';

export interface RedisClusterNode {
  readonly port: number;
  /** The master's port for a replica, undefined for a master (as created). */
  readonly replicaOf?: number;
  readonly process: RedisProcess;
}

export interface RedisCluster {
  /** `127.0.0.1:P1,127.0.0.1:P2,...`: every node, as REDIS_CLUSTER_NODES takes them. */
  readonly seeds: string;
  readonly ports: number[];
  /** The masters' ports, as created (before any failover). */
  readonly masterPorts: number[];
  readonly nodes: RedisClusterNode[];
  /** SIGKILLs the `index`-th master as created; resolves with its port. */
  killMaster(index: number): Promise<number>;
  /** The node's own client (not cluster-aware), for CONFIG, INFO, ROLE; closed on stop. */
  client(port: number): Redis;
  stop(): Promise<void>;
}

/** Nodes flag a silent peer as failing after this; replicas take over soon after. */
const NODE_TIMEOUT_MS = 1000;
const READY_WITHIN_MS = 20_000;

/**
 * A real Redis Cluster on loopback: `masters` masters with `replicasPerMaster` replicas each,
 * joined by `redis-cli --cluster create`, resolved once every node says `cluster_state:ok`,
 * knows every other node, and every master's replicas acknowledge its writes.
 */
export async function startRedisCluster(
  options: { masters?: number; replicasPerMaster?: number } = {},
): Promise<RedisCluster> {
  const masters = options.masters ?? 3;
  const replicasPerMaster = options.replicasPerMaster ?? 1;
  const ports = await freePortsWithBus(masters * (1 + replicasPerMaster));
  const processes = await Promise.all(ports.map((port) => spawnRedis(port, clusterNodeArgs(port))));
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
    await create(ports, replicasPerMaster);
    const ready = untilNoError(() => allReady(ports, client));
    await waitFor(ready, READY_WITHIN_MS, () => 'cluster_state:ok on every node');
    const nodes = await describeNodes(ports, processes, client);
    const masterPorts = nodes.filter((node) => node.replicaOf === undefined).map((n) => n.port);
    await Promise.all(
      masterPorts.map((port) => untilReplicasStream(client(port), replicasPerMaster)),
    );
    return {
      seeds: ports.map((port) => `127.0.0.1:${port}`).join(','),
      ports,
      masterPorts,
      nodes,
      client,
      stop,
      killMaster: async (index) => {
        const port = masterPorts[index];
        await processes[ports.indexOf(port)].stop('SIGKILL');
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

function clusterNodeArgs(port: number): (dir: string) => string[] {
  return (dir) => [
    ...serverArgs(port, dir),
    '--cluster-enabled',
    'yes',
    '--cluster-config-file',
    `${dir}/nodes.conf`,
    '--cluster-node-timeout',
    String(NODE_TIMEOUT_MS),
    // A replica takes over however long its master was silent: these clusters are seconds old.
    '--cluster-replica-validity-factor',
    '0',
  ];
}

async function create(ports: number[], replicasPerMaster: number): Promise<void> {
  const addresses = ports.map((port) => `127.0.0.1:${port}`);
  const args = [
    '--cluster',
    'create',
    ...addresses,
    '--cluster-replicas',
    String(replicasPerMaster),
  ];
  const { code, output } = await redisCli([...args, '--cluster-yes']);
  if (code !== 0) throw new Error(`redis-cli --cluster create failed (${code}):\n${output}`);
}

async function allReady(ports: number[], client: (port: number) => Redis): Promise<boolean> {
  const answers = await Promise.all(
    ports.map(async (port) => {
      const info = await client(port).cluster('INFO');
      const replication = await client(port).info('replication');
      const linkDown = /^master_link_status:down/m.test(replication);
      return info.includes('cluster_state:ok') && knowsAll(info, ports.length) && !linkDown;
    }),
  );
  return answers.every(Boolean);
}

function knowsAll(info: string, count: number): boolean {
  return new RegExp(`^cluster_known_nodes:${count}\\b`, 'm').test(info);
}

async function describeNodes(
  ports: number[],
  processes: RedisProcess[],
  client: (port: number) => Redis,
): Promise<RedisClusterNode[]> {
  return Promise.all(
    ports.map(async (port, index) => {
      const role = (await client(port).role()) as unknown[];
      const replicaOf = role[0] === 'slave' ? Number(role[2]) : undefined;
      return { port, replicaOf, process: processes[index] };
    }),
  );
}
