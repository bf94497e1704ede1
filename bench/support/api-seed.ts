import { performance } from 'node:perf_hooks';
import { Pool } from 'undici';

export interface ApiSeedOptions {
  readonly baseUrl: string;
  readonly apiToken: string;
  readonly count: number;
  /** Requests in flight at once, one kept-alive connection each. */
  readonly inFlight: number;
  /** What every subscription's body says, besides its path. */
  readonly body: Record<string, unknown>;
  readonly userId: (index: number) => string;
  readonly tag: string;
  /** Another resource than the subscription (a user's policy, say) and the status it answers. */
  readonly path?: (index: number) => string;
  readonly status?: number;
}

export interface ApiSeedResult {
  readonly count: number;
  readonly seconds: number;
  /** Finished at (epoch ms). */
  readonly endedAt: number;
}

/**
 * Subscribes `count` users through `PUT /subscriptions/:userId/:tag`, as clients would, with
 * `inFlight` requests at once. Every answer must be 201 Created (or `status`, for `path`).
 */
export async function seedThroughApi(options: ApiSeedOptions): Promise<ApiSeedResult> {
  const pool = new Pool(options.baseUrl, { connections: options.inFlight, pipelining: 1 });
  const body = JSON.stringify(options.body);
  const headers = {
    authorization: `Bearer ${options.apiToken}`,
    'content-type': 'application/json',
  };
  const started = performance.now();
  let next = 0;
  const worker = async () => {
    while (next < options.count) {
      const index = next++;
      const path =
        options.path?.(index) ??
        `/subscriptions/${encodeURIComponent(options.userId(index))}/${options.tag}`;
      const response = await pool.request({ method: 'PUT', path, body, headers });
      const text = await response.body.text();
      if (response.statusCode !== (options.status ?? 201)) {
        throw new Error(`seeding: PUT ${path} answered ${response.statusCode}: ${text}`);
      }
    }
  };
  try {
    await Promise.all(Array.from({ length: options.inFlight }, worker));
  } finally {
    await pool.close();
  }
  return {
    count: options.count,
    seconds: (performance.now() - started) / 1000,
    endedAt: Date.now(),
  };
}
