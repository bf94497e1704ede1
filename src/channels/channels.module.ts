import { Module } from '@nestjs/common';
import { ChannelRegistry } from './channel.registry.js';
import { EmailChannel } from './email.channel.js';
import { HostResolver } from './host-resolver.js';
import { LogChannel } from './log.channel.js';
import { NOTIFICATION_CHANNELS, NotificationChannel } from './notification-channel.js';
import { WebhookChannel } from './webhook.channel.js';

/** The registered channels; to add one, list its class here. */
const CHANNELS = [WebhookChannel, EmailChannel, LogChannel];

@Module({
  providers: [
    HostResolver,
    ...CHANNELS,
    {
      provide: NOTIFICATION_CHANNELS,
      inject: CHANNELS,
      useFactory: (...channels: NotificationChannel[]) => channels,
    },
    ChannelRegistry,
  ],
  exports: [ChannelRegistry],
})
export class ChannelsModule {}
