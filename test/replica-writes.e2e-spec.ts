import { Redis } from 'ioredis';
import { RedisKeys } from '../src/store/redis-keys.js';
import { API_TOKEN, ChimeProcess, startChime } from './support/chime-process.js';
import { request } from './support/http.js';
import { type RedisServer, startRedisServer } from './support/redis-server.js';
import { closeClient, untilReplicasStream } from './support/redis-processes.js';
import { waitFor } from './support/wait-for.js';

const HOOK_TIMEOUT_MS = 30_000;

describe('REDIS_MIN_REPLICAS_ACK=1: a subscription write answers once a replica has it', () => {
  let primary: RedisServer;
  let replica: RedisServer;
  let client: Redis;
  let replicaClient: Redis;
  let chime: ChimeProcess;

  beforeAll(async () => {
    primary = await startRedisServer(undefined, ['--repl-diskless-sync-delay', '0']);
    replica = await startRedisServer(undefined, ['--replicaof', '127.0.0.1', String(primary.port)]);
    client = new Redis(primary.url);
    replicaClient = new Redis(replica.url);
    const linked = async () =>
      /^master_link_status:up/m.test(await replicaClient.info('replication'));
    await waitFor(linked, 10_000, () => 'replica linked');
    await untilReplicasStream(client, 1);
    chime = await startChime({ REDIS_URL: primary.url, REDIS_MIN_REPLICAS_ACK: '1' });
  }, HOOK_TIMEOUT_MS);

  afterAll(async () => {
    await chime?.stop();
    await closeClient(client);
    await closeClient(replicaClient);
    await replica?.stop();
    await primary?.stop();
  }, HOOK_TIMEOUT_MS);

  const put = (tag: string) =>
    request(chime.baseUrl, 'PUT', `/subscriptions/ada/${tag}`, {
      token: API_TOKEN,
      body: { time: '08:00', channel: 'log' },
    });

  it('answers 201 with the write on the replica, and 503 REPLICAS_NOT_ACKNOWLEDGED without one', async () => {
    const acknowledged = await put('news');
    expect(acknowledged.status).toBe(201);
    const userKey = RedisKeys.forPrefix(chime.keyPrefix).userSubscriptions('ada');
    expect(await replicaClient.hexists(userKey, 'news')).toBe(1);

    await closeClient(replicaClient);
    await replica.stop();
    const unacknowledged = await put('sport');
    expect(unacknowledged.status).toBe(503);
    expect(unacknowledged.body).toMatchObject({ code: 'REPLICAS_NOT_ACKNOWLEDGED' });
    const deleted = await request(chime.baseUrl, 'DELETE', '/subscriptions/ada/news', {
      token: API_TOKEN,
    });
    expect(deleted.status).toBe(503);
  }, 30_000);
});
