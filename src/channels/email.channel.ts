import { mkdir, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Inject, Injectable, OnApplicationShutdown } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { isEmail } from 'class-validator';
import { createTransport, Transporter } from 'nodemailer';
import { deliveryConfig } from '../config/configuration.js';
import { DeliveryError } from '../domain/delivery-error.js';
import { Notification } from '../domain/notification.js';
import { NotificationChannel } from './notification-channel.js';

/**
 * Sends mail through a pooled SMTP transport (nodemailer), or, when SMTP_URL is unset,
 * writes each message as an `.eml` file to MAIL_OUTBOX_DIR.
 */
@Injectable()
export class EmailChannel implements NotificationChannel, OnApplicationShutdown {
  readonly name = 'email';
  private readonly transport: Transporter;
  private readonly outboxDir: string | null;

  constructor(
    @Inject(deliveryConfig.KEY) private readonly config: ConfigType<typeof deliveryConfig>,
  ) {
    const { smtpUrl, outboxDir } = config.mail;
    this.transport = smtpUrl
      ? createTransport({ url: smtpUrl, pool: true })
      : createTransport({ streamTransport: true, buffer: true, newline: 'unix' });
    this.outboxDir = smtpUrl ? null : outboxDir;
  }

  async validateTarget(target: string | null): Promise<string | null> {
    if (target === null) return 'target is required for the email channel';
    return isEmail(target) ? null : 'target must be an email address for the email channel';
  }

  async send(notification: Notification): Promise<void> {
    let info: { message?: Buffer };
    try {
      info = await this.transport.sendMail({
        from: this.config.mail.from,
        to: notification.target!,
        subject: notification.title,
        text: notification.message,
        headers: { 'X-Chime-Occurrence': notification.occurrenceId },
      });
    } catch (error) {
      throw asDeliveryError(error);
    }
    if (this.outboxDir) await this.writeToOutbox(this.outboxDir, notification, info.message!);
  }

  async onApplicationShutdown(): Promise<void> {
    this.transport.close();
  }

  private async writeToOutbox(
    dir: string,
    notification: Notification,
    message: Buffer,
  ): Promise<void> {
    await mkdir(dir, { recursive: true });
    const name = `${notification.scheduledFor.toISOString().replace(/[:.]/g, '-')}_${safeFileName(notification.occurrenceId)}.eml`;
    // Written aside, then renamed: whoever watches the outbox never reads half a message.
    const path = join(dir, name);
    await writeFile(`${path}.part`, message);
    await rename(`${path}.part`, path);
  }
}

function safeFileName(text: string): string {
  return text.replace(/[^A-Za-z0-9_.@+-]/g, '_');
}

/** SMTP 4xx answers and connection failures may pass later; 5xx answers will not. */
function asDeliveryError(error: unknown): DeliveryError {
  const { responseCode, message } = error as { responseCode?: number; message: string };
  const permanent = responseCode !== undefined && responseCode >= 500;
  return new DeliveryError(responseCode ? `SMTP ${responseCode}: ${message}` : message, !permanent);
}
