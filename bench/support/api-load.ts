import autocannon from 'autocannon';

/** autocannon's settings for every phase of bench:api (issue 13). */
export const CONNECTIONS = 64;
export const WARM_UP_S = 2;
export const MEASURE_S = 10;
export const TARGET = 'http://127.0.0.1:9/hook';
/** Four zones, a new user each request, cycling. */
export const ZONES = ['UTC', 'America/New_York', 'Europe/Berlin', 'Asia/Shanghai'] as const;

export type Operation = 'PUT' | 'GET' | 'PATCH';

export interface LoadFigures {
  readonly operation: Operation;
  readonly perSecond: number;
  readonly p50: number;
  readonly p99: number;
  readonly ok: number;
  readonly failed: number;
}

/** `HH:MM` in `zone` at `instant`. */
export function localHHMM(instant: Date, zone: string): string {
  return new Intl.DateTimeFormat('en-GB', {
    timeZone: zone,
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  }).format(instant);
}

/**
 * The requests of one operation against `baseUrl`: PUT creates user `<run>-<n>` (n counting
 * up), GET and PATCH go through the users PUT created, one after another. PATCH moves the
 * time by a minute, so that every PATCH changes the schedule (and the ZSET score).
 */
export class Requests {
  private next = 0;
  created = 0;

  constructor(
    private readonly run: string,
    private readonly token: string,
    /** Per zone: PUT's time, then PATCH's two (a minute and two later). */
    private readonly times: readonly (readonly string[])[],
  ) {}

  request(operation: Operation): autocannon.Request {
    return {
      method: operation,
      headers: { authorization: `Bearer ${this.token}`, 'content-type': 'application/json' },
      setupRequest: (request) => this.setUp(operation, request),
    };
  }

  private setUp(operation: Operation, request: autocannon.Request): autocannon.Request {
    if (operation === 'PUT') {
      const n = this.created++;
      const timezone = ZONES[n % ZONES.length];
      const time = this.times[n % ZONES.length][0];
      const body = { time, timezone, channel: 'webhook', target: TARGET };
      return { ...request, path: this.path(n), body: JSON.stringify(body) };
    }
    const n = this.next++ % this.created;
    if (operation === 'GET') return { ...request, path: this.path(n), body: undefined };
    const time = this.times[n % ZONES.length][1 + (Math.floor(this.next / this.created) % 2)];
    return { ...request, path: this.path(n), body: JSON.stringify({ time }) };
  }

  private path(n: number): string {
    return `/subscriptions/${this.run}-${n}/news`;
  }
}

/** One autocannon run; the figures count 2xx answers only, and say how many were not. */
export async function load(
  baseUrl: string,
  requests: Requests,
  operation: Operation,
  seconds: number,
): Promise<LoadFigures> {
  const result = await autocannon({
    url: baseUrl,
    connections: CONNECTIONS,
    duration: seconds,
    requests: [requests.request(operation)],
  });
  const ok = result['2xx'];
  const failed = result.non2xx + result.errors + result.timeouts;
  return {
    operation,
    perSecond: ok / result.duration,
    p50: result.latency.p50,
    p99: result.latency.p99,
    ok,
    failed,
  };
}
