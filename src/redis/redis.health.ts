import { Inject, Injectable } from '@nestjs/common';
import { HealthIndicatorService } from '@nestjs/terminus';
import { Cluster } from 'ioredis';
import { ChimeMetrics } from '../metrics/chime-metrics.js';
import { REDIS_CLIENT, type RedisClient } from './redis-client.js';

const PING_TIMEOUT_MS = 1000;

/**
 * Redis answers PING within a second: up, with the round trip's latency. A cluster must be
 * ready too, and say `cluster_state:ok` (every slot served).
 */
@Injectable()
export class RedisHealthIndicator {
  constructor(
    @Inject(REDIS_CLIENT) private readonly redis: RedisClient,
    private readonly indicators: HealthIndicatorService,
    private readonly metrics: ChimeMetrics,
  ) {}

  async check(key = 'redis') {
    const indicator = this.indicators.check(key);
    const started = performance.now();
    try {
      await withTimeout(this.probe(), PING_TIMEOUT_MS);
      const elapsedMs = performance.now() - started;
      this.metrics.redisPing.observe(elapsedMs / 1000);
      return indicator.up({ latencyMs: round(elapsedMs) });
    } catch (error) {
      return indicator.down({ message: (error as Error).message });
    }
  }

  private async probe(): Promise<void> {
    if (this.redis instanceof Cluster) await assertClusterReady(this.redis);
    await this.redis.ping();
  }
}

async function assertClusterReady(cluster: Cluster): Promise<void> {
  if (cluster.status !== 'ready') throw new Error(`Redis Cluster is ${cluster.status}, not ready`);
  const info = await cluster.cluster('INFO');
  const state = /^cluster_state:(\S+)/m.exec(info)?.[1];
  if (state !== 'ok') throw new Error(`Redis Cluster says cluster_state:${state ?? 'unknown'}`);
}

function round(ms: number): number {
  return Math.round(ms * 100) / 100;
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
