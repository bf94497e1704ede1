import type { ConnectionOptions } from 'bullmq';
import { Cluster, Redis, type RedisOptions } from 'ioredis';
import type { RedisCredentials, RedisTopology } from '../config/redis-topology.js';
import { coalesceNodeWrites, coalesceWrites } from './coalesced-writes.js';
import type { RedisClient } from './redis-client.js';

/** Between reconnect attempts: 200 ms more each time, at most 2 s. */
const reconnectDelay = (attempt: number) => Math.min(attempt * 200, 2000);

/**
 * No offline queue and one retry: while Redis is away (or a failover is under way), commands
 * fail at once, so that readiness turns 503 instead of requests piling up behind a reconnect.
 */
const FAIL_FAST = { enableOfflineQueue: false, maxRetriesPerRequest: 1 } as const;

/**
 * Automatic pipelining (the commands of one turn of the event loop in one socket write)
 * halved Redis' CPU per PUT in bench:api, but it is off: with it, the first tick after a
 * day-long outage needed more than 64 MB of heap where it needs less without it, and under
 * load it ran out of test/catch-up-memory's 80 MB (2026-12-02). Bounded memory comes first
 * (bench/README.md, "The subscribe API"). `coalesceWrites` gives the one write per turn
 * without it.
 */
const AUTO_PIPELINING = { enableAutoPipelining: false } as const;

/** chime's shared client on the configured topology; it connects in the background. */
export function createRedisClient(topology: RedisTopology): RedisClient {
  switch (topology.kind) {
    case 'single':
      return coalesceWrites(
        new Redis(topology.url, {
          ...FAIL_FAST,
          ...AUTO_PIPELINING,
          retryStrategy: reconnectDelay,
        }),
      );
    case 'sentinel':
      return coalesceWrites(
        new Redis({
          ...sentinelOptions(topology),
          ...FAIL_FAST,
          ...AUTO_PIPELINING,
          retryStrategy: reconnectDelay,
        }),
      );
    case 'cluster':
      // The cluster has its own offline queue; each node's connection keeps ioredis' own
      // (its commands come through the cluster's routing, which fails fast already). No
      // automatic pipelining: it routes a script by its first argument, which for the
      // scripts that take their key count first is that count, not a key. Each node's
      // socket coalesces its writes as one node's does.
      return coalesceNodeWrites(
        new Cluster([...topology.nodes], {
          enableOfflineQueue: false,
          clusterRetryStrategy: reconnectDelay,
          redisOptions: { ...nodeOptions(topology), maxRetriesPerRequest: 1 },
        }),
      );
  }
}

/**
 * BullMQ's connection on the same topology: options it builds its clients from, or, on a
 * cluster (which it cannot build from options), a Cluster it shares and the caller closes.
 * BullMQ's blocking worker requires `maxRetriesPerRequest: null`, and keeps the queue.
 */
export function createQueueConnection(topology: RedisTopology): ConnectionOptions {
  switch (topology.kind) {
    case 'single':
      return { url: topology.url, maxRetriesPerRequest: null };
    case 'sentinel':
      return { ...sentinelOptions(topology), maxRetriesPerRequest: null };
    case 'cluster':
      return new Cluster([...topology.nodes], {
        redisOptions: { ...nodeOptions(topology), maxRetriesPerRequest: null },
      });
  }
}

type SentinelOptions = Pick<
  RedisOptions,
  | 'username'
  | 'password'
  | 'tls'
  | 'sentinels'
  | 'name'
  | 'enableTLSForSentinelMode'
  | 'sentinelTLS'
>;

/** Username, password and TLS of every node's (or the primary's) connection. */
function nodeOptions(
  credentials: RedisCredentials,
): Pick<RedisOptions, 'username' | 'password' | 'tls'> {
  return {
    username: credentials.username,
    password: credentials.password,
    tls: credentials.tls ? {} : undefined,
  };
}

/**
 * The primary that the sentinels name: REDIS_TLS covers the sentinels and the primary;
 * the sentinels themselves are asked without a password. After a failover, ioredis asks them
 * again on reconnect: Sentinel closes the clients of a server it reconfigures, and ioredis
 * refuses a server whose ROLE is not master. ioredis' `failoverDetector` would only add a
 * second reconnect after each switch, and a SIGTERM that overlaps a reconnect hangs BullMQ's
 * close until the forced exit.
 */
function sentinelOptions(topology: Extract<RedisTopology, { kind: 'sentinel' }>): SentinelOptions {
  return {
    ...nodeOptions(topology),
    sentinels: [...topology.sentinels],
    name: topology.masterName,
    enableTLSForSentinelMode: topology.tls,
    sentinelTLS: topology.tls ? {} : undefined,
  };
}
