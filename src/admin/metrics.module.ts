import { Module } from '@nestjs/common';
import { DeliveryModule } from '../delivery/delivery.module.js';
import { SchedulerModule } from '../scheduler/scheduler.module.js';
import { StoreModule } from '../store/store.module.js';
import { MetricsController } from './metrics.controller.js';

@Module({
  imports: [DeliveryModule, SchedulerModule, StoreModule],
  controllers: [MetricsController],
})
export class MetricsModule {}
