import { ADMIN_TOKEN, API_TOKEN, ChimeProcess, startChime } from './support/chime-process.js';
import { MINUTE_MS, replayMinute, subscribeAt, subscribeDueNow } from './support/delivery-api.js';
import { request } from './support/http.js';

describe('POST /admin/ticks and GET /admin/stats', () => {
  let chime: ChimeProcess;

  beforeAll(async () => {
    chime = await startChime();
  });

  afterAll(async () => {
    await chime.stop();
  });

  const tick = (body: unknown, token: string | null = ADMIN_TOKEN) =>
    request(chime.baseUrl, 'POST', '/admin/ticks', { token, body });

  it('replays a window once: the second replay answers duplicates and enqueues nothing', async () => {
    const { instant } = await subscribeDueNow(chime, 'ticks-user', 'replayed', { channel: 'log' });
    expect(await replayMinute(chime, instant)).toEqual({
      due: 1,
      enqueued: 1,
      duplicates: 0,
      skipped: 0,
    });
    expect(await replayMinute(chime, instant)).toEqual({
      due: 1,
      enqueued: 0,
      duplicates: 1,
      skipped: 0,
    });
  });

  it('counts paused subscriptions in the window as skipped', async () => {
    const instant = Math.floor(Date.now() / MINUTE_MS) * MINUTE_MS + 10 * MINUTE_MS;
    await subscribeAt(chime, 'ticks-user', 'paused', instant, { channel: 'log', paused: true });
    expect(await replayMinute(chime, instant)).toEqual({
      due: 0,
      enqueued: 0,
      duplicates: 0,
      skipped: 1,
    });
  });

  it.each([
    [{ from: '2026-11-25T09:00:00Z' }, 'to'],
    [{ to: '2026-11-25T09:00:00Z' }, 'from'],
    [{ from: 'yesterday', to: '2026-11-25T09:00:00Z' }, 'from'],
    [{ from: '2026-11-25T09:00:00Z', to: '2026-11-25T09:00:00Z' }, 'to'],
    [{ from: '2026-11-25T10:00:00Z', to: '2026-11-25T09:00:00Z' }, 'to'],
    [{ from: '2026-11-25T09:00:00Z', to: '2026-11-26T09:00:01Z' }, 'to'],
    [{ from: '2026-11-25T09:00:00Z', to: '2026-11-25T10:00:00Z', extra: 1 }, 'extra'],
  ])('answers 400 naming the field for %j', async (body, field) => {
    const answer = await tick(body);
    expect(answer.status).toBe(400);
    expect(JSON.stringify(answer.body.message)).toContain(field);
  });

  it('accepts a window of exactly 24 hours', async () => {
    const answer = await tick({ from: '2020-01-01T00:00:00Z', to: '2020-01-02T00:00:00Z' });
    expect(answer.status).toBe(200);
  });

  it('needs the admin token', async () => {
    const window = { from: '2020-01-01T00:00:00Z', to: '2020-01-01T01:00:00Z' };
    expect((await tick(window, null)).status).toBe(401);
    expect((await tick(window, API_TOKEN)).status).toBe(401);
  });

  it('counts subscriptions by channel and timezone, and what is due in the next hour', async () => {
    const soon = Math.floor(Date.now() / MINUTE_MS) * MINUTE_MS + 30 * MINUTE_MS;
    await subscribeAt(chime, 'stats-user', 'soon', soon, { channel: 'log' });
    await request(chime.baseUrl, 'PUT', '/subscriptions/stats-user/shanghai', {
      token: API_TOKEN,
      body: {
        time: '08:00',
        timezone: 'Asia/Shanghai',
        channel: 'email',
        target: 'ada@example.com',
      },
    });
    const stats = await request(chime.baseUrl, 'GET', '/admin/stats', { token: ADMIN_TOKEN });
    expect(stats.status).toBe(200);
    expect(stats.body.subscriptions).toMatchObject({
      total: 4,
      byChannel: { log: 3, email: 1 },
      byTimezone: { UTC: 3, 'Asia/Shanghai': 1 },
    });
    const now = Date.now();
    const shanghaiEight = Math.ceil(now / 86_400_000) * 86_400_000; // 08:00 in Shanghai is 00:00Z
    const shanghaiDue = shanghaiEight - now < 3_600_000 ? 1 : 0;
    expect(stats.body.dueNextHour).toBe(1 + shanghaiDue);
    expect(stats.body.skippedTotal).toBe(0);
  });
});
