import { Module } from '@nestjs/common';
import { ThrottlerModule } from '@nestjs/throttler';
import { appConfig } from '../config/configuration.js';
import { ClientRateLimitGuard } from './client-rate-limit.guard.js';
import { rateLimitOptions } from './rate-limit.options.js';

/**
 * Throttler with its default in-memory storage: each process counts its own requests.
 * AppModule installs ClientRateLimitGuard as a global guard, before the token guard.
 */
@Module({
  imports: [
    ThrottlerModule.forRootAsync({ inject: [appConfig.KEY], useFactory: rateLimitOptions }),
  ],
  providers: [ClientRateLimitGuard],
  exports: [ClientRateLimitGuard],
})
export class RateLimitModule {}
