import { Module } from '@nestjs/common';
import { DeliveryModule } from '../delivery/delivery.module.js';
import { StoreModule } from '../store/store.module.js';
import { OccurrenceScanner } from './occurrence-scanner.js';
import { SchedulerCron } from './scheduler.cron.js';
import { SchedulerService } from './scheduler.service.js';

@Module({
  imports: [StoreModule, DeliveryModule],
  providers: [OccurrenceScanner, SchedulerService, SchedulerCron],
  exports: [SchedulerService, OccurrenceScanner, SchedulerCron],
})
export class SchedulerModule {}
