import { chromium } from 'playwright-core';
import { ADMIN_TOKEN, API_TOKEN, ChimeProcess, startChime } from './support/chime-process.js';
import { request } from './support/http.js';

const CHROMIUM_FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

describe('queue dashboard', () => {
  let chime: ChimeProcess;

  beforeAll(async () => {
    chime = await startChime();
  });

  afterAll(async () => {
    await chime.stop();
  });

  it('refuses /admin/queues without the admin token, asking the browser for it', async () => {
    for (const token of [null, API_TOKEN]) {
      const answer = await request(chime.baseUrl, 'GET', '/admin/queues', { token });
      expect(answer.status).toBe(401);
      expect(answer.headers.get('www-authenticate')).toContain('Basic');
    }
    const api = await request(chime.baseUrl, 'GET', '/admin/queues/api/queues', {
      token: API_TOKEN,
    });
    expect(api.status).toBe(401);
  });

  it('lists the deliveries queue in a real browser given the admin token', async () => {
    // Playwright gives the browser a fresh, empty profile of its own.
    const browser = await chromium.launch({
      executablePath: '/usr/bin/chromium',
      args: CHROMIUM_FLAGS,
    });
    try {
      const context = await browser.newContext({
        httpCredentials: { username: 'admin', password: ADMIN_TOKEN },
      });
      const page = await context.newPage();
      const response = await page.goto(`${chime.baseUrl}/admin/queues`);
      expect(response?.status()).toBe(200);
      await page.getByText('deliveries', { exact: false }).first().waitFor({ timeout: 15_000 });
      expect(await page.title()).toContain('Bull');
      await context.close();
    } finally {
      await browser.close();
    }
  });
});
