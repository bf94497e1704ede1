import { Module } from '@nestjs/common';
import { ChannelsModule } from '../channels/channels.module.js';
import { DeliveryModule } from '../delivery/delivery.module.js';
import { SchedulerModule } from '../scheduler/scheduler.module.js';
import { OccurrencesService } from './occurrences.service.js';
import { PolicyService } from './policy.service.js';
import { UsersController } from './users.controller.js';
import { UsersService } from './users.service.js';
import { StoreModule } from '../store/store.module.js';
import { SubscriptionsController } from './subscriptions.controller.js';
import { SubscriptionsService } from './subscriptions.service.js';

@Module({
  imports: [StoreModule, ChannelsModule, SchedulerModule, DeliveryModule],
  controllers: [SubscriptionsController, UsersController],
  providers: [SubscriptionsService, OccurrencesService, PolicyService, UsersService],
})
export class SubscriptionsModule {}
