import { RedisKeys } from '../src/store/redis-keys.js';
import { API_TOKEN, ChimeProcess, startChime } from './support/chime-process.js';
import { request } from './support/http.js';
import { closeClient } from './support/redis-processes.js';
import { type PrimaryWithReplica, startPrimaryWithReplica } from './support/redis-replication.js';

const HOOK_TIMEOUT_MS = 30_000;

describe('REDIS_MIN_REPLICAS_ACK=1: a subscription write answers once a replica has it', () => {
  let servers: PrimaryWithReplica;
  let chime: ChimeProcess;

  beforeAll(async () => {
    servers = await startPrimaryWithReplica();
    chime = await startChime({ REDIS_URL: servers.primary.url, REDIS_MIN_REPLICAS_ACK: '1' });
  }, HOOK_TIMEOUT_MS);

  afterAll(async () => {
    await chime?.stop();
    await servers?.stop();
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
    expect(await servers.replicaClient.hexists(userKey, 'news')).toBe(1);

    await closeClient(servers.replicaClient);
    await servers.replica.stop();
    const unacknowledged = await put('sport');
    expect(unacknowledged.status).toBe(503);
    expect(unacknowledged.body).toMatchObject({ code: 'REPLICAS_NOT_ACKNOWLEDGED' });
    const deleted = await request(chime.baseUrl, 'DELETE', '/subscriptions/ada/news', {
      token: API_TOKEN,
    });
    expect(deleted.status).toBe(503);
  }, 30_000);
});
