import { Module } from '@nestjs/common';
import { ThrottlerModule } from '@nestjs/throttler';
import { appConfig } from '../config/configuration.js';
import { RedisThrottlerStorage } from '../store/redis-throttler.storage.js';
import { StoreModule } from '../store/store.module.js';
import { ClientRateLimitGuard } from './client-rate-limit.guard.js';
import { rateLimitOptions } from './rate-limit.options.js';

/**
 * Throttler counting in Redis (RedisThrottlerStorage), so that every replica sees the same
 * counts. AppModule installs ClientRateLimitGuard as a global guard, before the token guard.
 */
@Module({
  imports: [
    ThrottlerModule.forRootAsync({
      imports: [StoreModule],
      inject: [appConfig.KEY, RedisThrottlerStorage],
      useFactory: rateLimitOptions,
    }),
  ],
  providers: [ClientRateLimitGuard],
  exports: [ClientRateLimitGuard],
})
export class RateLimitModule {}
