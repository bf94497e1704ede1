import { Module } from '@nestjs/common';
import { SubscriptionStoreModule } from '../subscriptions/subscription-store.module.js';
import { ClaimStore } from './claim.store.js';
import { DeliverySink, InProcessDeliverySink } from './delivery-sink.js';
import { OccurrenceScanner } from './occurrence-scanner.js';
import { RedisClaimStore } from './redis-claim.store.js';
import { SchedulerCron } from './scheduler.cron.js';
import { SchedulerService } from './scheduler.service.js';

@Module({
  imports: [SubscriptionStoreModule],
  providers: [
    { provide: ClaimStore, useClass: RedisClaimStore },
    { provide: DeliverySink, useClass: InProcessDeliverySink },
    OccurrenceScanner,
    SchedulerService,
    SchedulerCron,
  ],
  exports: [SchedulerService, ClaimStore, OccurrenceScanner, SchedulerCron],
})
export class SchedulerModule {}
