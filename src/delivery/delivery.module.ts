import { Module } from '@nestjs/common';
import { DeliverySink } from '../domain/delivery-sink.js';
import { StoreModule } from '../store/store.module.js';
import { ChannelsModule } from '../channels/channels.module.js';
import { DeliveryProcessor } from './delivery.processor.js';
import { DeliveryQueue } from './delivery.queue.js';
import { DeliveryService } from './delivery.service.js';
import { PreviousQueueDrain } from './previous-queue.js';
import { QueueGroups } from './queue-groups.js';

@Module({
  imports: [StoreModule, ChannelsModule],
  providers: [
    QueueGroups,
    DeliveryQueue,
    { provide: DeliverySink, useExisting: DeliveryQueue },
    DeliveryService,
    DeliveryProcessor,
    PreviousQueueDrain,
  ],
  exports: [DeliverySink, DeliveryQueue, DeliveryService, QueueGroups],
})
export class DeliveryModule {}
