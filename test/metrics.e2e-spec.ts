import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ADMIN_TOKEN, API_TOKEN, ChimeProcess, startChime } from './support/chime-process.js';
import { replayMinute, subscribeDueNow } from './support/delivery-api.js';
import { request } from './support/http.js';
import { freePort, stopProcess } from './support/redis-server.js';
import { waitFor } from './support/wait-for.js';

async function scrape(chime: ChimeProcess): Promise<string> {
  const answer = await request<string>(chime.baseUrl, 'GET', '/metrics');
  expect(answer.status).toBe(200);
  expect(answer.headers.get('content-type')).toContain('text/plain');
  return answer.body;
}

type PromQuery = (promql: string) => Promise<{ value: [number, string] }[]>;

/** A real Prometheus with `scrapeConfigs` (YAML list items), queried through its HTTP API. */
async function withPrometheus(scrapeConfigs: string, use: (query: PromQuery) => Promise<void>) {
  const dir = mkdtempSync(join(tmpdir(), 'chime-prometheus-'));
  const port = await freePort();
  writeFileSync(
    join(dir, 'prometheus.yml'),
    `global:\n  scrape_interval: 1s\nscrape_configs:\n${scrapeConfigs}`,
  );
  const prometheus = spawn(
    'prometheus',
    [
      `--config.file=${join(dir, 'prometheus.yml')}`,
      `--storage.tsdb.path=${join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
    ],
    { stdio: 'ignore' },
  );
  try {
    await use(async (promql) => {
      const url = `http://127.0.0.1:${port}/api/v1/query?query=${encodeURIComponent(promql)}`;
      type QueryAnswer = { data?: { result?: { value: [number, string] }[] } };
      // Until its storage is up, Prometheus answers 503 in plain text: not an answer yet.
      const answer = (await fetch(url)
        .then((response) => response.json())
        .catch(() => null)) as QueryAnswer | null;
      return answer?.data?.result ?? [];
    });
  } finally {
    await stopProcess(prometheus);
    rmSync(dir, { recursive: true, force: true });
  }
}

function sample(text: string, series: string): number {
  const line = text.split('\n').find((candidate) => candidate.startsWith(`${series} `));
  return line ? Number(line.slice(series.length + 1)) : NaN;
}

describe('metrics', () => {
  let chime: ChimeProcess;

  beforeAll(async () => {
    chime = await startChime();
  });

  afterAll(async () => {
    await chime.stop();
  });

  it('serves Prometheus text without a token, and promtool finds nothing wrong with the chime_ families', async () => {
    const text = await scrape(chime);
    expect(text).toContain('# TYPE chime_ticks_total counter');
    expect(text).toContain('# TYPE chime_delivery_lateness_seconds histogram');
    const promtool = spawnSync('promtool', ['check', 'metrics'], { input: text, encoding: 'utf8' });
    const complaints = `${promtool.stdout}${promtool.stderr}`
      .split('\n')
      .filter((line) => line.includes('chime_'));
    expect(complaints).toEqual([]);
  });

  it('moves the tick, occurrence and delivery counters and the lateness histogram after a delivery', async () => {
    const before = await scrape(chime);
    const { instant } = await subscribeDueNow(chime, 'metrics-user', 'counted', { channel: 'log' });
    await replayMinute(chime, instant);
    const delivered = 'chime_deliveries_total{channel="log",outcome="delivered"}';
    await waitFor(async () => sample(await scrape(chime), delivered) >= 1, 15_000);
    const after = await scrape(chime);
    expect(sample(after, 'chime_ticks_total{outcome="ran"}')).toBeGreaterThanOrEqual(1);
    expect(sample(after, 'chime_occurrences_claimed_total')).toBe(
      sample(before, 'chime_occurrences_claimed_total') + 1,
    );
    expect(sample(after, 'chime_delivery_lateness_seconds_count{channel="log"}')).toBe(1);
    expect(sample(after, 'chime_subscriptions')).toBe(1);
    expect(sample(after, 'chime_queue_jobs{state="completed"}')).toBeGreaterThanOrEqual(1);
  });

  it('ships an example Prometheus configuration and alert rules that promtool accepts', () => {
    for (const args of [
      ['check', 'rules', 'config/chime.rules.yml'],
      ['check', 'config', 'config/prometheus.yml'],
    ]) {
      const result = spawnSync('promtool', args, { encoding: 'utf8' });
      expect({ args, status: result.status }).toEqual({ args, status: 0 });
    }
  });

  it('is scraped by a real Prometheus server', async () => {
    const target = new URL(chime.baseUrl).host;
    await withPrometheus(
      `  - job_name: chime\n    static_configs:\n      - targets: ['${target}']\n`,
      async (query) => {
        await waitFor(async () => (await query('up{job="chime"}'))[0]?.value[1] === '1', 25_000);
        const ticks = await query('chime_ticks_total');
        expect(ticks.length).toBeGreaterThanOrEqual(1);
      },
    );
  });

  it('documents /metrics as public while METRICS_TOKEN is unset', async () => {
    const { body } = await request(chime.baseUrl, 'GET', '/docs-json');
    expect(body.paths['/metrics'].get.security).toEqual([]);
    expect(body.paths['/metrics'].get.responses['401']).toBeUndefined();
    expect(body.components.securitySchemes.metricsToken).toBeUndefined();
  });
});

describe('metrics with METRICS_TOKEN set', () => {
  const METRICS_TOKEN = 'test-metrics-token-0123456789';
  let chime: ChimeProcess;

  beforeAll(async () => {
    chime = await startChime({ METRICS_TOKEN });
  });

  afterAll(async () => {
    await chime.stop();
  });

  it.each([
    ['no token', undefined],
    ['the API token', API_TOKEN],
    ['the admin token', ADMIN_TOKEN],
    ['a wrong token', `${METRICS_TOKEN}x`],
  ])('refuses /metrics with %s: 401, WWW-Authenticate: Bearer', async (_case, token) => {
    const answer = await request(chime.baseUrl, 'GET', '/metrics', { token });

    expect(answer.status).toBe(401);
    expect(answer.headers.get('www-authenticate')).toBe('Bearer');
    expect(JSON.stringify(answer.body)).not.toContain('chime_');
  });

  it('serves /metrics given Authorization: Bearer <METRICS_TOKEN>', async () => {
    const answer = await request<string>(chime.baseUrl, 'GET', '/metrics', {
      token: METRICS_TOKEN,
    });

    expect(answer.status).toBe(200);
    expect(answer.body).toContain('# TYPE chime_ticks_total counter');
  });

  it('documents /metrics with the metricsToken bearer scheme and its 401', async () => {
    const { body } = await request(chime.baseUrl, 'GET', '/docs-json');
    expect(body.paths['/metrics'].get.security).toEqual([{ metricsToken: [] }]);
    expect(body.paths['/metrics'].get.responses['401']).toBeDefined();
    expect(body.components.securitySchemes.metricsToken).toMatchObject({
      type: 'http',
      scheme: 'bearer',
    });
  });

  it("is scraped by a real Prometheus that sends the token as the README's scrape config says", async () => {
    const target = new URL(chime.baseUrl).host;
    const withToken = `  - job_name: chime\n    authorization:\n      type: Bearer\n      credentials: ${METRICS_TOKEN}\n    static_configs:\n      - targets: ['${target}']\n`;
    const without = `  - job_name: anonymous\n    static_configs:\n      - targets: ['${target}']\n`;
    await withPrometheus(`${withToken}${without}`, async (query) => {
      await waitFor(async () => (await query('up{job="chime"}'))[0]?.value[1] === '1', 25_000);
      await waitFor(async () => (await query('up{job="anonymous"}'))[0]?.value[1] === '0', 25_000);
      expect((await query('chime_ticks_total{job="chime"}')).length).toBeGreaterThanOrEqual(1);
      expect(await query('chime_ticks_total{job="anonymous"}')).toEqual([]);
    });
  });
});
