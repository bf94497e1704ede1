import cluster from 'node:cluster';
import { AggregatorRegistry, Registry } from 'prom-client';

const REQUEST = 'chime:metrics-request';
const ANSWER = 'chime:metrics-answer';
/** prom-client gives up on a worker after 5 s; this covers that and the hop back. */
const ANSWER_TIMEOUT_MS = 10_000;

interface MetricsRequest {
  readonly type: typeof REQUEST;
  readonly id: number;
}

interface MetricsAnswer {
  readonly type: typeof ANSWER;
  readonly id: number;
  readonly text?: string;
  readonly error?: string;
}

/**
 * In the node:cluster primary: a worker scraped at /metrics asks here, and gets the metrics
 * of every worker (itself included) aggregated by prom-client's AggregatorRegistry: counters
 * and histograms summed, each default metric as prom-client defines it (the start time
 * left out, the version once, event-loop lag averaged).
 */
export function answerWorkersMetricsRequests(): void {
  const aggregator = new AggregatorRegistry();
  cluster.on('message', (worker, message: Partial<MetricsRequest>) => {
    if (message?.type !== REQUEST) return;
    aggregator.clusterMetrics().then(
      (text) => answer(worker, { type: ANSWER, id: message.id!, text }),
      (error: Error) => answer(worker, { type: ANSWER, id: message.id!, error: error.message }),
    );
  });
}

function answer(
  worker: { isConnected(): boolean; send(message: unknown): unknown },
  reply: MetricsAnswer,
) {
  if (worker.isConnected()) worker.send(reply);
}

/** In a worker: offers `registry` to the primary's aggregation (prom-client's own messages). */
export function offerToPrimary(registry: Registry): void {
  AggregatorRegistry.setRegistries([registry]);
  // Constructing one installs the listener that answers the primary's requests.
  new AggregatorRegistry();
}

let nextRequest = 0;

/** In a worker: every worker's metrics, aggregated, as the primary answers them. */
export function metricsOfAllWorkers(): Promise<string> {
  const id = nextRequest++;
  return new Promise((resolve, reject) => {
    const onMessage = (message: Partial<MetricsAnswer>) => {
      if (message?.type !== ANSWER || message.id !== id) return;
      done();
      if (message.error !== undefined)
        reject(new Error(`metrics of the workers: ${message.error}`));
      else resolve(message.text ?? '');
    };
    const timer = setTimeout(() => {
      done();
      reject(new Error('metrics of the workers: the primary did not answer'));
    }, ANSWER_TIMEOUT_MS);
    const done = () => {
      clearTimeout(timer);
      process.off('message', onMessage);
    };
    process.on('message', onMessage);
    process.send!({ type: REQUEST, id } satisfies MetricsRequest);
  });
}

/**
 * What /metrics serves: the metrics each process counts (in a worker, every worker's,
 * aggregated) followed by this registry's own, the stored state read from Redis at scrape
 * time by whichever process answers the scrape (summing those over workers would count the
 * same keys once per worker).
 */
export class ScrapedRegistry extends Registry {
  constructor(private readonly perProcess: Registry) {
    super();
  }

  override async metrics(): Promise<string> {
    const [counted, stored] = await Promise.all([
      cluster.isWorker ? metricsOfAllWorkers() : this.perProcess.metrics(),
      super.metrics(),
    ]);
    return [counted, stored]
      .map((text) => text.trim())
      .filter((text) => text !== '')
      .map((text) => `${text}\n`)
      .join('\n');
  }
}
