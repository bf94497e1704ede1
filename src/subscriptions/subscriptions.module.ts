import { Module } from '@nestjs/common';
import { ChannelsModule } from '../channels/channels.module.js';
import { SchedulerModule } from '../scheduler/scheduler.module.js';
import { StoreModule } from '../store/store.module.js';
import { SubscriptionsController } from './subscriptions.controller.js';
import { SubscriptionsService } from './subscriptions.service.js';

@Module({
  imports: [StoreModule, ChannelsModule, SchedulerModule],
  controllers: [SubscriptionsController],
  providers: [SubscriptionsService],
})
export class SubscriptionsModule {}
