import { Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { Cron } from '@nestjs/schedule';
import { Clock } from '../common/clock.js';
import { ChimeMetrics } from '../metrics/chime-metrics.js';
import { SchedulerService } from './scheduler.service.js';

/**
 * Runs the tick at second 0 of every minute, and once at start-up to catch up after
 * downtime. @nestjs/schedule only logs what a job throws, so failures are caught here.
 */
@Injectable()
export class SchedulerCron implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(SchedulerCron.name);
  private running: Promise<void> = Promise.resolve();
  private failures = 0;
  private stopped = false;

  constructor(
    private readonly scheduler: SchedulerService,
    private readonly clock: Clock,
    private readonly metrics: ChimeMetrics,
  ) {}

  @Cron('0 * * * * *', { name: 'chime-tick' })
  tick(): Promise<void> {
    return this.run(this.clock.now());
  }

  onApplicationBootstrap(): void {
    void this.run(this.clock.now());
  }

  /** On shutdown: no new ticks, and the one in flight finishes before Redis closes. */
  async onModuleDestroy(): Promise<void> {
    this.stopped = true;
    await this.running;
  }

  /** Ticks that threw since start-up. */
  failureCount(): number {
    return this.failures;
  }

  private run(now: Date): Promise<void> {
    if (this.stopped) return this.running;
    this.running = this.running.then(() => this.dispatch(now));
    return this.running;
  }

  private async dispatch(now: Date): Promise<void> {
    const endTimer = this.metrics.tickDuration.startTimer();
    try {
      const outcome = await this.scheduler.dispatchDue(now);
      this.metrics.ticks.inc({ outcome: outcome ? 'ran' : 'skipped' });
      if (outcome) endTimer();
    } catch (error) {
      this.failures++;
      this.metrics.ticks.inc({ outcome: 'failed' });
      this.logger.error(`tick at ${now.toISOString()} failed: ${(error as Error).message}`);
    }
  }
}
