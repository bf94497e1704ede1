import { Module } from '@nestjs/common';
import { ClaimStore } from './claim.store.js';
import { DeadLetterStore } from './dead-letter.store.js';
import { DeliveryStore } from './delivery.store.js';
import { DeliveryIntakeStore } from './delivery-intake.store.js';
import { HandOffStore } from './hand-off.store.js';
import { HeldStore } from './held.store.js';
import { HistoryStore } from './history.store.js';
import { PolicyStore } from './policy.store.js';
import { UserDataStore } from './user-data.store.js';
import { RedisUserDataStore } from './redis-user-data.store.js';
import { RedisClaimStore } from './redis-claim.store.js';
import { RedisDeadLetterStore } from './redis-dead-letter.store.js';
import { RedisDeliveryStore } from './redis-delivery.store.js';
import { RedisDeliveryIntakeStore } from './redis-delivery-intake.store.js';
import { RedisHandOffStore } from './redis-hand-off.store.js';
import { RedisHeldStore } from './redis-held.store.js';
import { RedisHistoryStore } from './redis-history.store.js';
import { RedisPolicyStore } from './redis-policy.store.js';
import { RedisKeys } from './redis-keys.js';
import { RedisSchedulerStateStore } from './redis-scheduler-state.store.js';
import { RedisSubscriptionStore } from './redis-subscription.store.js';
import { SchedulerStateStore } from './scheduler-state.store.js';
import { RedisThrottlerStorage } from './redis-throttler.storage.js';
import { SubscriptionStore } from './subscription.store.js';
import { StoreLayout } from './store-layout.js';

/** Every Redis port, bound to its adapter, and the key namer they share. */
@Module({
  providers: [
    RedisKeys,
    StoreLayout,
    { provide: SubscriptionStore, useClass: RedisSubscriptionStore },
    { provide: ClaimStore, useClass: RedisClaimStore },
    { provide: HandOffStore, useClass: RedisHandOffStore },
    { provide: SchedulerStateStore, useClass: RedisSchedulerStateStore },
    { provide: DeliveryStore, useClass: RedisDeliveryStore },
    { provide: DeliveryIntakeStore, useClass: RedisDeliveryIntakeStore },
    { provide: DeadLetterStore, useClass: RedisDeadLetterStore },
    { provide: PolicyStore, useClass: RedisPolicyStore },
    { provide: HeldStore, useClass: RedisHeldStore },
    { provide: HistoryStore, useClass: RedisHistoryStore },
    { provide: UserDataStore, useClass: RedisUserDataStore },
    RedisThrottlerStorage,
  ],
  exports: [
    RedisKeys,
    StoreLayout,
    SubscriptionStore,
    ClaimStore,
    HandOffStore,
    SchedulerStateStore,
    DeliveryStore,
    DeliveryIntakeStore,
    DeadLetterStore,
    PolicyStore,
    HeldStore,
    HistoryStore,
    UserDataStore,
    RedisThrottlerStorage,
  ],
})
export class StoreModule {}
