import { Module } from '@nestjs/common';
import { DeliveryModule } from '../delivery/delivery.module.js';
import { SubscriptionStoreModule } from '../store/subscription-store.module.js';
import { ClaimStore } from '../store/claim.store.js';
import { OccurrenceScanner } from './occurrence-scanner.js';
import { RedisClaimStore } from '../store/redis-claim.store.js';
import { SchedulerCron } from './scheduler.cron.js';
import { SchedulerService } from './scheduler.service.js';

@Module({
  imports: [SubscriptionStoreModule, DeliveryModule],
  providers: [
    { provide: ClaimStore, useClass: RedisClaimStore },
    OccurrenceScanner,
    SchedulerService,
    SchedulerCron,
  ],
  exports: [SchedulerService, ClaimStore, OccurrenceScanner, SchedulerCron],
})
export class SchedulerModule {}
