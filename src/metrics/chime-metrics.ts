import cluster from 'node:cluster';
import { Injectable } from '@nestjs/common';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { offerToPrimary, ScrapedRegistry } from './cluster-metrics.js';

const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 300];

/**
 * Every metric chime exposes at /metrics (Prometheus naming conventions). What a process
 * counts is in `perProcess`, summed over the workers when there are several (WORKERS); the
 * stored state read at scrape time is in `registry`, which /metrics serves whole.
 */
@Injectable()
export class ChimeMetrics {
  private readonly perProcess = new Registry();
  readonly registry = new ScrapedRegistry(this.perProcess);

  readonly ticks = new Counter({
    name: 'chime_ticks_total',
    help: 'Scheduler ticks, by outcome: ran, skipped (another replica held the minute), failed',
    labelNames: ['outcome'] as const,
    registers: [this.perProcess],
  });
  readonly tickDuration = new Histogram({
    name: 'chime_tick_duration_seconds',
    help: 'Time a tick took, from lease to watermark',
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [this.perProcess],
  });
  readonly occurrencesDue = this.counter(
    'chime_occurrences_due_total',
    'Occurrences found due by a scan (claimed or duplicate)',
  );
  readonly occurrencesClaimed = this.counter(
    'chime_occurrences_claimed_total',
    'Occurrences claimed and handed to delivery',
  );
  readonly occurrencesDuplicate = this.counter(
    'chime_occurrences_duplicate_total',
    'Occurrences found already claimed',
  );
  readonly occurrencesSkipped = this.counter(
    'chime_occurrences_skipped_total',
    'Occurrences not sent: paused, before their schedule was set, or older than the catch-up horizon',
  );
  readonly occurrencesCancelled = this.counter(
    'chime_occurrences_cancelled_total',
    'Queued occurrences not sent because their subscription changed, paused or went away',
  );
  readonly clockDrift = new Gauge({
    name: 'chime_clock_drift_seconds',
    help: "This machine's clock minus Redis's, as last measured (the workers' average)",
    aggregator: 'average',
    registers: [this.perProcess],
  });
  readonly recordFailures = this.counter(
    'chime_delivery_record_failures_total',
    'Sends that succeeded but whose delivery record could not be written after every retry',
  );
  readonly deliveries = new Counter({
    name: 'chime_deliveries_total',
    help: 'Delivery attempts by channel and outcome: delivered, retrying, failed, dead, cancelled',
    labelNames: ['channel', 'outcome'] as const,
    registers: [this.perProcess],
  });
  readonly lateness = new Histogram({
    name: 'chime_delivery_lateness_seconds',
    help: 'Time from an occurrence instant to its successful send, by channel',
    labelNames: ['channel'] as const,
    buckets: LATENCY_BUCKETS,
    registers: [this.perProcess],
  });
  readonly queueJobs = new Gauge({
    name: 'chime_queue_jobs',
    help: 'Delivery queue jobs by state, read at scrape time',
    labelNames: ['state'] as const,
    registers: [this.registry],
  });
  readonly redisPing = new Histogram({
    name: 'chime_redis_ping_duration_seconds',
    help: 'Round trip of a Redis PING, measured at each scrape and health check',
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1],
    registers: [this.perProcess],
  });
  readonly subscriptions = this.gauge(
    'chime_subscriptions',
    'Subscriptions stored, read at scrape time',
  );
  readonly deadLetters = this.gauge(
    'chime_dead_letters',
    'Dead letters waiting, read at scrape time',
  );
  readonly schedulerLag = this.gauge(
    'chime_scheduler_lag_seconds',
    'Seconds since the last completed tick, read at scrape time',
  );

  constructor() {
    collectDefaultMetrics({ register: this.perProcess });
    if (cluster.isWorker) offerToPrimary(this.perProcess);
  }

  private counter(name: string, help: string): Counter {
    return new Counter({ name, help, registers: [this.perProcess] });
  }

  /** A gauge of stored state, read at scrape time by the process that answers the scrape. */
  private gauge(name: string, help: string): Gauge {
    return new Gauge({ name, help, registers: [this.registry] });
  }
}
