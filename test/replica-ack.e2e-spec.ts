import { Redis } from 'ioredis';
import { awaitReplicas, ReplicasNotAcknowledged } from '../src/redis/replica-ack.js';
import { closeClient } from './support/redis-processes.js';
import { type PrimaryWithReplica, startPrimaryWithReplica } from './support/redis-replication.js';

const HOOK_TIMEOUT_MS = 30_000;
/** Short, to keep the refusals quick; chime's default is REPLICA_ACK_TIMEOUT_MS (1 s). */
const TIMEOUT_MS = 300;

describe('awaitReplicas (REDIS_MIN_REPLICAS_ACK) on a primary with one replica', () => {
  let servers: PrimaryWithReplica;
  let client: Redis;
  let replicaClient: Redis;

  beforeAll(async () => {
    servers = await startPrimaryWithReplica();
    ({ client, replicaClient } = servers);
  }, HOOK_TIMEOUT_MS);

  afterAll(async () => {
    await servers?.stop();
  }, HOOK_TIMEOUT_MS);

  it('resolves once the replica has the write', async () => {
    await client.set('t-ack:one', 'written');
    await awaitReplicas(client, 't-ack:one', 1, TIMEOUT_MS);
    expect(await replicaClient.get('t-ack:one')).toBe('written');
  });

  it('refuses when more replicas are required than acknowledged, saying how many did', async () => {
    await client.set('t-ack:two', 'written');
    const waited = awaitReplicas(client, 't-ack:two', 2, TIMEOUT_MS);
    await expect(waited).rejects.toBeInstanceOf(ReplicasNotAcknowledged);
    await expect(waited).rejects.toMatchObject({
      acknowledged: 1,
      required: 2,
      code: 'REPLICAS_NOT_ACKNOWLEDGED',
      status: 503,
    });
  });

  // Last: it stops the replica.
  it('refuses after the timeout once the replica is stopped; 0 required still answers', async () => {
    await closeClient(replicaClient);
    await servers.replica.stop();
    await client.set('t-ack:gone', 'written');
    const started = performance.now();
    const waited = awaitReplicas(client, 't-ack:gone', 1, TIMEOUT_MS);
    await expect(waited).rejects.toMatchObject({ acknowledged: 0, required: 1 });
    expect(performance.now() - started).toBeGreaterThanOrEqual(TIMEOUT_MS - 20);
    await expect(awaitReplicas(client, 't-ack:gone', 0)).resolves.toBeUndefined();
  });
});
