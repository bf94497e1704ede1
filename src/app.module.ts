import { Module } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { ScheduleModule } from '@nestjs/schedule';
import { APP_FILTER, APP_GUARD } from '@nestjs/core';
import { AdminModule } from './admin/admin.module.js';
import { BearerTokenGuard } from './access/bearer-token.guard.js';
import { CommonModule } from './common/common.module.js';
import { HttpExceptionFilter } from './common/http-exception.filter.js';
import { configNamespaces } from './config/configuration.js';
import { validateEnvironment } from './config/environment.js';
import { HealthModule } from './health/health.module.js';
import { MetricsRegistryModule } from './metrics/metrics-registry.module.js';
import { MetricsModule } from './admin/metrics.module.js';
import { ClientRateLimitGuard } from './access/client-rate-limit.guard.js';
import { RateLimitModule } from './access/rate-limit.module.js';
import { RedisModule } from './redis/redis.module.js';
import { SubscriptionsModule } from './subscriptions/subscriptions.module.js';

@Module({
  imports: [
    ConfigModule.forRoot({
      isGlobal: true,
      load: configNamespaces,
      validate: (raw) => {
        validateEnvironment(raw);
        return raw;
      },
    }),
    ScheduleModule.forRoot(),
    CommonModule,
    MetricsRegistryModule,
    RedisModule,
    HealthModule,
    RateLimitModule,
    SubscriptionsModule,
    AdminModule,
    MetricsModule,
  ],
  providers: [
    // Global guards run in this order: a client over its limit is refused before its token is checked.
    { provide: APP_GUARD, useExisting: ClientRateLimitGuard },
    { provide: APP_GUARD, useClass: BearerTokenGuard },
    { provide: APP_FILTER, useClass: HttpExceptionFilter },
  ],
})
export class AppModule {}
