import { Redis } from 'ioredis';
import { API_TOKEN, ChimeProcess, startChime } from './support/chime-process.js';
import { request } from './support/http.js';
import { snapshotOutsideTicks } from './support/redis-snapshot.js';

const HOOK_TIMEOUT_MS = 30_000;

describe('MAX_TAGS_PER_USER', () => {
  let chime: ChimeProcess;
  let redis: Redis;
  const api = (method: string, path: string, body?: unknown) =>
    request(chime.baseUrl, method, path, { token: API_TOKEN, body });
  const subscribe = (userId: string, tag: string, time = '08:00') =>
    api('PUT', `/subscriptions/${userId}/${tag}`, { time, channel: 'log' });

  beforeAll(async () => {
    chime = await startChime({ MAX_TAGS_PER_USER: '3' });
    redis = new Redis(chime.redisUrl);
  }, HOOK_TIMEOUT_MS);

  afterAll(async () => {
    redis?.disconnect();
    await chime?.stop();
  }, HOOK_TIMEOUT_MS);

  it('refuses one subscription more than the limit with a stable code, changing nothing', async () => {
    for (const tag of ['a', 'b', 'c']) expect((await subscribe('full', tag)).status).toBe(201);
    const before = await snapshotOutsideTicks(redis, chime.keyPrefix);

    const refused = await subscribe('full', 'd');

    expect(refused.status).toBe(422);
    expect(refused.body).toMatchObject({ statusCode: 422, code: 'TOO_MANY_SUBSCRIPTIONS' });
    expect(refused.body.message).toContain('MAX_TAGS_PER_USER');
    expect(await snapshotOutsideTicks(redis, chime.keyPrefix)).toEqual(before);
  });

  it('still replaces and changes the subscriptions of a user at the limit, and counts users apart', async () => {
    for (const tag of ['a', 'b', 'c']) await subscribe('busy', tag);
    expect((await subscribe('busy', 'b', '09:00')).status).toBe(200);
    expect((await api('PATCH', '/subscriptions/busy/c', { paused: true })).status).toBe(200);
    expect((await subscribe('other', 'a')).status).toBe(201);
    expect((await api('DELETE', '/subscriptions/busy/a')).status).toBe(204);
    expect((await subscribe('busy', 'd')).status).toBe(201);
  });
});
