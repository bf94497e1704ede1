import { Inject, Injectable } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { Clock } from '../common/clock.js';
import { schedulerConfig } from '../config/configuration.js';
import { ChimeMetrics } from '../metrics/chime-metrics.js';
import { SchedulerStateStore } from '../store/scheduler-state.store.js';

/**
 * How far this process's clock is from Redis's. Each replica's clock decides "never early",
 * and one running ahead would move the shared watermark forward for every replica, so a
 * replica too far off (MAX_CLOCK_DRIFT_MS; 0 turns the check off) does not tick.
 */
@Injectable()
export class ClockDrift {
  constructor(
    private readonly progress: SchedulerStateStore,
    private readonly clock: Clock,
    private readonly metrics: ChimeMetrics,
    @Inject(schedulerConfig.KEY) private readonly config: ConfigType<typeof schedulerConfig>,
  ) {}

  /** Local minus Redis time in ms, from the middle of the TIME round trip. */
  async measure(): Promise<number> {
    const before = this.clock.now().getTime();
    const server = (await this.progress.serverTime()).getTime();
    const after = this.clock.now().getTime();
    const drift = Math.round((before + after) / 2 - server);
    this.metrics.clockDrift.set(drift / 1000);
    return drift;
  }

  tooFar(driftMs: number): boolean {
    return this.config.maxClockDriftMs > 0 && Math.abs(driftMs) > this.config.maxClockDriftMs;
  }

  /** Throws when this process's clock is too far from Redis's to tick. */
  async assertCloseEnough(): Promise<void> {
    const drift = await this.measure();
    if (!this.tooFar(drift)) return;
    throw new Error(
      `this clock is ${drift} ms ${drift > 0 ? 'ahead of' : 'behind'} Redis's (MAX_CLOCK_DRIFT_MS ` +
        `${this.config.maxClockDriftMs}): not ticking until it is synchronised (NTP)`,
    );
  }
}
