import { Module } from '@nestjs/common';
import { ChannelsModule } from '../delivery/channels/channels.module.js';
import { RedisSubscriptionStore } from './redis-subscription.store.js';
import { SubscriptionStore } from './subscription.store.js';
import { SubscriptionsController } from './subscriptions.controller.js';
import { SubscriptionsService } from './subscriptions.service.js';

@Module({
  imports: [ChannelsModule],
  controllers: [SubscriptionsController],
  providers: [
    SubscriptionsService,
    { provide: SubscriptionStore, useClass: RedisSubscriptionStore },
  ],
  exports: [SubscriptionStore],
})
export class SubscriptionsModule {}
