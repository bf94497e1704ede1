/*
 * The receiver's ceiling (issue 13): autocannon, in a process of its own (`fork`), POSTs
 * bodies and headers shaped like chime's webhooks to the burst's receiver as fast as it
 * answers, on CONNECTIONS kept-alive connections. A bare HTTP client: what the receiver can
 * take on this machine beside Redis and an idle chime, measured in the same run as chime.
 */
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';

export const CONNECTIONS = 64;
const WARM_UP_S = 2;
const MEASURE_S = 10;

export interface Ceiling {
  readonly connections: number;
  readonly seconds: number;
  /** 2xx answers a second over the measured seconds. */
  readonly perSecond: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly non2xx: number;
  readonly errors: number;
}

interface Order {
  readonly url: string;
}

/** A body of chime's shape and size (SPEC 5), for an occurrence of the burst. */
function webhookRequest(): autocannon.Request {
  let n = 0;
  return {
    method: 'POST',
    setupRequest: (request) => {
      const index = n++;
      const occurrenceId = `c${index}|burst|2026-12-02`;
      const body = JSON.stringify({
        type: 'subscription.notification',
        occurrenceId,
        userId: `c${index}`,
        tag: 'burst',
        scheduledFor: '2026-12-02T12:00:00.000Z',
        late: false,
        title: '',
        message: '',
        data: {},
      });
      return {
        ...request,
        body,
        headers: {
          'content-type': 'application/json',
          'user-agent': 'chime',
          'webhook-id': occurrenceId,
          'webhook-timestamp': String(Math.floor(Date.now() / 1000)),
        },
      };
    },
  };
}

async function load(url: string, seconds: number): Promise<autocannon.Result> {
  return autocannon({
    url,
    connections: CONNECTIONS,
    duration: seconds,
    requests: [webhookRequest()],
  });
}

/** In the forked process: warm up, measure, report to the parent, exit. */
async function runAsChild(): Promise<void> {
  const order = await new Promise<Order>((resolve) => process.once('message', resolve));
  await load(order.url, WARM_UP_S);
  const result = await load(order.url, MEASURE_S);
  const ceiling: Ceiling = {
    connections: CONNECTIONS,
    seconds: result.duration,
    perSecond: result['2xx'] / result.duration,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    non2xx: result.non2xx,
    errors: result.errors,
  };
  process.send!(ceiling, () => process.exit(0));
}

/** Measures the receiver at `url` from a process of its own; about WARM_UP_S + MEASURE_S. */
export function measureCeiling(url: string): Promise<Ceiling> {
  const child = fork(fileURLToPath(import.meta.url), ['--child'], { stdio: 'inherit' });
  return new Promise((resolve, reject) => {
    child.once('message', (ceiling: Ceiling) => resolve(ceiling));
    child.once('exit', (code) => reject(new Error(`the ceiling's autocannon exited with ${code}`)));
    child.send({ url } satisfies Order);
  });
}

if (process.argv[2] === '--child') void runAsChild();
