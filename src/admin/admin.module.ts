import { Module } from '@nestjs/common';
import { SchedulerModule } from '../scheduler/scheduler.module.js';
import { SubscriptionStoreModule } from '../subscriptions/subscription-store.module.js';
import { AdminHealthController } from './admin-health.controller.js';
import { AdminStatsController } from './admin-stats.controller.js';
import { AdminTicksController } from './admin-ticks.controller.js';

@Module({
  imports: [SchedulerModule, SubscriptionStoreModule],
  controllers: [AdminHealthController, AdminStatsController, AdminTicksController],
})
export class AdminModule {}
