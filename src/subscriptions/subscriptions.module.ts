import { Module } from '@nestjs/common';
import { ChannelsModule } from '../delivery/channels/channels.module.js';
import { SchedulerModule } from '../scheduler/scheduler.module.js';
import { SubscriptionStoreModule } from './subscription-store.module.js';
import { SubscriptionsController } from './subscriptions.controller.js';
import { SubscriptionsService } from './subscriptions.service.js';

@Module({
  imports: [SubscriptionStoreModule, ChannelsModule, SchedulerModule],
  controllers: [SubscriptionsController],
  providers: [SubscriptionsService],
})
export class SubscriptionsModule {}
