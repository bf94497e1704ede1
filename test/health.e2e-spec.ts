import { ADMIN_TOKEN, API_TOKEN, ChimeProcess, startChime } from './support/chime-process.js';
import { request } from './support/http.js';

describe('health', () => {
  let chime: ChimeProcess;

  beforeAll(async () => {
    chime = await startChime();
  });

  afterAll(async () => {
    await chime.stop();
  });

  it('answers /health/live without a token', async () => {
    const answer = await request(chime.baseUrl, 'GET', '/health/live');
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual({ status: 'ok' });
  });

  it('answers /health/ready 200 while Redis answers', async () => {
    const answer = await request(chime.baseUrl, 'GET', '/health/ready');
    expect(answer.status).toBe(200);
    expect(answer.body.details.redis.status).toBe('up');
  });

  it('shows Redis latency, version and uptime on /admin/health to the admin token only', async () => {
    const anonymous = await request(chime.baseUrl, 'GET', '/admin/health');
    const withApiToken = await request(chime.baseUrl, 'GET', '/admin/health', { token: API_TOKEN });
    const admin = await request(chime.baseUrl, 'GET', '/admin/health', { token: ADMIN_TOKEN });
    expect(anonymous.status).toBe(401);
    expect(withApiToken.status).toBe(401);
    expect(admin.status).toBe(200);
    expect(admin.body).toMatchObject({
      status: 'ok',
      version: expect.any(String),
      redis: { status: 'up' },
    });
    expect(admin.body.redis.latencyMs).toBeGreaterThanOrEqual(0);
    expect(admin.body.uptimeSeconds).toBeGreaterThanOrEqual(0);
  });
});
