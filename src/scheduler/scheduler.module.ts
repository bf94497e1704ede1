import { Module } from '@nestjs/common';
import { DeliveryModule } from '../delivery/delivery.module.js';
import { StoreModule } from '../store/store.module.js';
import { ClockDrift } from './clock-drift.js';
import { HandOffBatcher } from './hand-off-batcher.js';
import { OccurrenceDispatcher } from './occurrence-dispatcher.js';
import { RearmMovedSchedules } from './rearm-moved.js';
import { SchedulerCron } from './scheduler.cron.js';
import { SchedulerQueries } from './scheduler.queries.js';
import { SchedulerService } from './scheduler.service.js';

@Module({
  imports: [StoreModule, DeliveryModule],
  providers: [
    HandOffBatcher,
    OccurrenceDispatcher,
    ClockDrift,
    SchedulerService,
    SchedulerCron,
    SchedulerQueries,
    RearmMovedSchedules,
  ],
  exports: [SchedulerService, SchedulerQueries],
})
export class SchedulerModule {}
