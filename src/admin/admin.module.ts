import { Module } from '@nestjs/common';
import { DeliveryModule } from '../delivery/delivery.module.js';
import { SchedulerModule } from '../scheduler/scheduler.module.js';
import { StoreModule } from '../store/store.module.js';
import { AdminDeliveriesController } from './admin-deliveries.controller.js';
import { AdminHealthController } from './admin-health.controller.js';
import { AdminHealthService } from './admin-health.service.js';
import { QueueDashboard, queueDashboardImports } from './queue-dashboard.js';
import { AdminStatsController } from './admin-stats.controller.js';
import { AdminTicksController } from './admin-ticks.controller.js';

@Module({
  imports: [SchedulerModule, StoreModule, DeliveryModule, ...queueDashboardImports],
  providers: [AdminHealthService, QueueDashboard],
  controllers: [
    AdminHealthController,
    AdminStatsController,
    AdminTicksController,
    AdminDeliveriesController,
  ],
})
export class AdminModule {}
