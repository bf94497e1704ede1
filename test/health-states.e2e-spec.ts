import { createServer, Server } from 'node:http';
import { ADMIN_TOKEN, ChimeProcess, startChime } from './support/chime-process.js';
import { replayMinute, subscribeDueNow, waitForFirstTick } from './support/delivery-api.js';
import { request } from './support/http.js';
import { RedisServer, startRedisServer } from './support/redis-server.js';
import { waitFor } from './support/wait-for.js';

const adminHealth = (chime: ChimeProcess) =>
  request(chime.baseUrl, 'GET', '/admin/health', { token: ADMIN_TOKEN });

describe('health states against a real Redis that stops and starts', () => {
  let redis: RedisServer;
  let chime: ChimeProcess;
  let refusingSink: Server;
  let sinkUrl: string;

  beforeAll(async () => {
    redis = await startRedisServer();
    chime = await startChime({ REDIS_URL: redis.url, MAX_ATTEMPTS: '1' });
    // Ready does not wait for the start-up tick; on a busy machine it ends a moment later.
    await waitForFirstTick(chime);
    refusingSink = createServer((_, response) => response.writeHead(400).end());
    await new Promise<void>((resolve) => refusingSink.listen(0, '127.0.0.1', resolve));
    sinkUrl = `http://127.0.0.1:${(refusingSink.address() as { port: number }).port}/hook`;
  });

  afterAll(async () => {
    await chime.stop();
    await redis.stop();
    refusingSink.close();
  });

  it('is ok with Redis up, showing the scheduler, the queue and the dead letters', async () => {
    const answer = await adminHealth(chime);
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({
      status: 'ok',
      reasons: [],
      redis: { status: 'up' },
      queue: { waiting: 0, failed: 0 },
      deadLetters: { total: 0, lastFifteenMinutes: 0 },
    });
    expect(answer.body.scheduler.lastTickAt).not.toBeNull();
    expect(answer.body.scheduler.lagSeconds).toBeLessThan(120);
    // One machine, one clock: the drift from Redis's TIME is the round trip's noise.
    expect(Math.abs(answer.body.scheduler.clockDriftMs)).toBeLessThan(1000);
  });

  it('is down (503), and not ready, while Redis is stopped, and ok again once it is back', async () => {
    const port = redis.port;
    await redis.stop();
    const down = await adminHealth(chime);
    expect(down.status).toBe(503);
    expect(down.body).toMatchObject({ status: 'down', redis: { status: 'down' } });
    expect((await request(chime.baseUrl, 'GET', '/health/ready')).status).toBe(503);
    expect((await request(chime.baseUrl, 'GET', '/health/live')).status).toBe(200);

    redis = await startRedisServer(port);
    const ready = async () => (await request(chime.baseUrl, 'GET', '/health/ready')).status === 200;
    await waitFor(ready, 20_000);
    const back = await adminHealth(chime);
    expect(back.status).toBe(200);
    expect(back.body.redis.status).toBe('up');
  });

  it('is degraded after a delivery gives up, naming the reason', async () => {
    const fields = { channel: 'webhook', target: sinkUrl };
    const { instant } = await subscribeDueNow(chime, 'health-user', 'refused', fields);
    await replayMinute(chime, instant);
    await waitFor(async () => (await adminHealth(chime)).body.status === 'degraded', 20_000);
    const degraded = await adminHealth(chime);
    expect(degraded.status).toBe(200);
    expect(degraded.body.deadLetters).toEqual({ total: 1, lastFifteenMinutes: 1 });
    expect(degraded.body.reasons).toEqual(['1 deliveries gave up in the last 15 minutes']);
  });
});
