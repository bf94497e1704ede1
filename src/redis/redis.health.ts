import { Injectable } from '@nestjs/common';
import { HealthIndicatorService } from '@nestjs/terminus';
import { Redis } from 'ioredis';

const PING_TIMEOUT_MS = 1000;

/** Redis answers PING within a second: up, with the round trip's latency. */
@Injectable()
export class RedisHealthIndicator {
  constructor(
    private readonly redis: Redis,
    private readonly indicators: HealthIndicatorService,
  ) {}

  async check(key = 'redis') {
    const indicator = this.indicators.check(key);
    const started = performance.now();
    try {
      await withTimeout(this.redis.ping(), PING_TIMEOUT_MS);
      return indicator.up({ latencyMs: round(performance.now() - started) });
    } catch (error) {
      return indicator.down({ message: (error as Error).message });
    }
  }
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
