import { Injectable, Logger } from '@nestjs/common';
import { Notification } from '../domain/notification.js';
import { notificationPayload } from './notification-payload.js';
import { NotificationChannel } from './notification-channel.js';

/** Writes one structured log line per notification; it has no target. */
@Injectable()
export class LogChannel implements NotificationChannel {
  readonly name = 'log';
  private readonly logger = new Logger(LogChannel.name);

  async validateTarget(target: string | null): Promise<string | null> {
    return target === null ? null : 'target must be absent for the log channel';
  }

  async send(notification: Notification): Promise<void> {
    this.logger.log({ msg: 'notification', ...notificationPayload(notification) });
  }
}
