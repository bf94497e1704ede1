import { Module } from '@nestjs/common';
import { RedisSubscriptionStore } from './redis-subscription.store.js';
import { SubscriptionStore } from './subscription.store.js';

/** The subscription store alone, for the features that read subscriptions (the scheduler). */
@Module({
  providers: [{ provide: SubscriptionStore, useClass: RedisSubscriptionStore }],
  exports: [SubscriptionStore],
})
export class SubscriptionStoreModule {}
