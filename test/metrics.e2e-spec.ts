import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ChimeProcess, startChime } from './support/chime-process.js';
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
    const dir = mkdtempSync(join(tmpdir(), 'chime-prometheus-'));
    const port = await freePort();
    const target = new URL(chime.baseUrl).host;
    writeFileSync(
      join(dir, 'prometheus.yml'),
      `global:\n  scrape_interval: 1s\nscrape_configs:\n  - job_name: chime\n    static_configs:\n      - targets: ['${target}']\n`,
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
      const query = async (promql: string) => {
        const url = `http://127.0.0.1:${port}/api/v1/query?query=${encodeURIComponent(promql)}`;
        type QueryAnswer = { data?: { result?: { value: [number, string] }[] } };
        // Until its storage is ready Prometheus answers 503 in plain text: no result yet.
        const answer = (await fetch(url)
          .then((response) => (response.ok ? response.json() : null))
          .catch(() => null)) as QueryAnswer | null;
        return answer?.data?.result ?? [];
      };
      await waitFor(async () => (await query('up{job="chime"}'))[0]?.value[1] === '1', 25_000);
      const ticks = await query('chime_ticks_total');
      expect(ticks.length).toBeGreaterThanOrEqual(1);
    } finally {
      await stopProcess(prometheus);
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
