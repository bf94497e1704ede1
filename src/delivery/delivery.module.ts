import { BullModule } from '@nestjs/bullmq';
import { Module } from '@nestjs/common';
import type { ConnectionOptions } from 'bullmq';
import { QUEUE_CONNECTION } from '../redis/redis.module.js';
import { RedisKeys } from '../store/redis-keys.js';
import { DeliverySink } from '../domain/delivery-sink.js';
import { StoreModule } from '../store/store.module.js';
import { ChannelsModule } from '../channels/channels.module.js';
import { DeliveryProcessor } from './delivery.processor.js';
import { DELIVERY_QUEUE, DeliveryQueue } from './delivery.queue.js';
import { DeliveryService } from './delivery.service.js';
import { PreviousQueueDrain } from './previous-queue.js';

@Module({
  imports: [
    BullModule.forRootAsync({
      imports: [StoreModule],
      inject: [QUEUE_CONNECTION, RedisKeys],
      useFactory: (connection: ConnectionOptions, keys: RedisKeys) => ({
        connection,
        prefix: keys.queuePrefix(),
      }),
    }),
    BullModule.registerQueue({ name: DELIVERY_QUEUE }),
    StoreModule,
    ChannelsModule,
  ],
  providers: [
    DeliveryQueue,
    { provide: DeliverySink, useExisting: DeliveryQueue },
    DeliveryService,
    DeliveryProcessor,
    PreviousQueueDrain,
  ],
  exports: [DeliverySink, DeliveryQueue, DeliveryService],
})
export class DeliveryModule {}
