import { Cluster, type Redis } from 'ioredis';
import { DomainError } from '../common/domain-error.js';
import { keySlot } from './key-slot.js';
import type { RedisClient } from './redis-client.js';

/**
 * How long a write waits for its replicas. Replication on a healthy network takes well under
 * a millisecond; a second says a replica is gone or far behind, not slow.
 */
export const REPLICA_ACK_TIMEOUT_MS = 1000;

/** Fewer replicas than REDIS_MIN_REPLICAS_ACK confirmed a write in time (SPEC 8). */
export class ReplicasNotAcknowledged extends DomainError {
  constructor(
    readonly acknowledged: number,
    readonly required: number,
    timeoutMs: number,
  ) {
    super(
      'REPLICAS_NOT_ACKNOWLEDGED',
      503,
      `the write reached ${acknowledged} of the ${required} Redis replica(s) it needs within ` +
        `${timeoutMs} ms; it may be lost on a failover: retry`,
    );
  }
}

/**
 * Waits until `required` replicas acknowledged every write this client made so far on the
 * node that owns `key` (Redis' WAIT), and throws ReplicasNotAcknowledged when fewer did
 * within `timeoutMs`. `required` 0 returns at once.
 *
 * Contract for the caller (SPEC 8's REDIS_MIN_REPLICAS_ACK):
 * - Call it after the write it guards has answered and before answering 2xx, on the same
 *   client and with a key of that write: WAIT counts the writes of its own connection, and on
 *   a cluster it goes to the master that the client's slot map gives the key, which is the
 *   one that took the write (ioredis routes every command through that map).
 * - On ReplicasNotAcknowledged the write has happened on the primary and is not undone; the
 *   answer is a 503 and the client may retry (the write must be idempotent, as a PUT is).
 * - WAIT holds the connection it runs on: commands queued behind it on the shared client
 *   wait too, up to `timeoutMs` when a replica lags or is gone.
 * - On a cluster, a failover between the write and the WAIT can make the new master answer
 *   for a write it never saw; the window is the time between the two calls.
 */
export async function awaitReplicas(
  client: RedisClient,
  key: string,
  required: number,
  timeoutMs = REPLICA_ACK_TIMEOUT_MS,
): Promise<void> {
  if (required <= 0) return;
  const node = client instanceof Cluster ? masterOwning(client, key) : client;
  const acknowledged = node ? await node.wait(required, timeoutMs) : 0;
  if (acknowledged < required) {
    throw new ReplicasNotAcknowledged(acknowledged, required, timeoutMs);
  }
}

/** The pooled connection to the master that the cluster's slot map gives `key`. */
function masterOwning(cluster: Cluster, key: string): Redis | undefined {
  const owner = cluster.slots[keySlot(key)]?.[0];
  if (owner === undefined) return undefined;
  return cluster
    .nodes('master')
    .find((node) => `${node.options.host}:${node.options.port}` === owner);
}
