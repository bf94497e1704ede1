import { Redis } from 'ioredis';
import { type RedisServer, startRedisServer } from './redis-server.js';
import { closeClient, untilReplicasStream } from './redis-processes.js';
import { waitFor } from './wait-for.js';

export interface PrimaryWithReplica {
  readonly primary: RedisServer;
  readonly replica: RedisServer;
  readonly client: Redis;
  readonly replicaClient: Redis;
  stop(): Promise<void>;
}

/** A real primary and one replica of it, linked and streaming, with a client of each. */
export async function startPrimaryWithReplica(): Promise<PrimaryWithReplica> {
  const primary = await startRedisServer(undefined, ['--repl-diskless-sync-delay', '0']);
  const replica = await startRedisServer(undefined, [
    '--replicaof',
    '127.0.0.1',
    String(primary.port),
  ]);
  const client = new Redis(primary.url);
  const replicaClient = new Redis(replica.url);
  const linked = async () =>
    /^master_link_status:up/m.test(await replicaClient.info('replication'));
  await waitFor(linked, 10_000, () => 'replica linked');
  await untilReplicasStream(client, 1);
  return {
    primary,
    replica,
    client,
    replicaClient,
    stop: async () => {
      await closeClient(client);
      await closeClient(replicaClient);
      await replica.stop();
      await primary.stop();
    },
  };
}
