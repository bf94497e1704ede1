import { Injectable } from '@nestjs/common';
import { NotificationChannel } from './notification-channel.js';

/** Writes one structured log line per notification; it has no target. */
@Injectable()
export class LogChannel implements NotificationChannel {
  readonly name = 'log';

  async validateTarget(target: string | null): Promise<string | null> {
    return target === null ? null : 'target must be absent for the log channel';
  }
}
