import { Inject, Injectable } from '@nestjs/common';
import { NOTIFICATION_CHANNELS, NotificationChannel } from './notification-channel.js';

/** Finds a registered channel by name, and checks a channel/target pair. */
@Injectable()
export class ChannelRegistry {
  private readonly byName: ReadonlyMap<string, NotificationChannel>;

  constructor(@Inject(NOTIFICATION_CHANNELS) channels: NotificationChannel[]) {
    this.byName = new Map(channels.map((channel) => [channel.name, channel]));
  }

  names(): string[] {
    return [...this.byName.keys()];
  }

  find(name: string): NotificationChannel | undefined {
    return this.byName.get(name);
  }

  /** Every problem with sending through `channelName` to `target`; empty when none. */
  async problemsWith(channelName: string, target: string | null): Promise<string[]> {
    const channel = this.byName.get(channelName);
    if (!channel) return [`channel must be one of: ${this.names().join(', ')}`];
    const problem = await channel.validateTarget(target);
    return problem ? [problem] : [];
  }
}
