import { Module } from '@nestjs/common';
import { ClaimStore } from './claim.store.js';
import { DeliveryStore } from './delivery.store.js';
import { RedisClaimStore } from './redis-claim.store.js';
import { RedisDeliveryStore } from './redis-delivery.store.js';
import { RedisKeys } from './redis-keys.js';
import { RedisSubscriptionStore } from './redis-subscription.store.js';
import { RedisThrottlerStorage } from './redis-throttler.storage.js';
import { SubscriptionStore } from './subscription.store.js';

/** Every Redis port, bound to its adapter, and the key namer they share. */
@Module({
  providers: [
    RedisKeys,
    { provide: SubscriptionStore, useClass: RedisSubscriptionStore },
    { provide: ClaimStore, useClass: RedisClaimStore },
    { provide: DeliveryStore, useClass: RedisDeliveryStore },
    RedisThrottlerStorage,
  ],
  exports: [RedisKeys, SubscriptionStore, ClaimStore, DeliveryStore, RedisThrottlerStorage],
})
export class StoreModule {}
