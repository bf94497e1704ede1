import { Inject, Injectable } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { deliveryConfig } from '../../config/configuration.js';
import { NotificationChannel } from './notification-channel.js';
import { privateHostProblem } from './webhook-address.js';

const MAX_URL_LENGTH = 2048;

/** POSTs a JSON notification with Standard Webhooks headers to an http(s) URL. */
@Injectable()
export class WebhookChannel implements NotificationChannel {
  readonly name = 'webhook';

  constructor(
    @Inject(deliveryConfig.KEY) private readonly config: ConfigType<typeof deliveryConfig>,
  ) {}

  async validateTarget(target: string | null): Promise<string | null> {
    if (target === null) return 'target is required for the webhook channel';
    const url = URL.canParse(target) ? new URL(target) : null;
    if (!url || !['http:', 'https:'].includes(url.protocol) || target.length > MAX_URL_LENGTH) {
      return `target must be an http or https URL of at most ${MAX_URL_LENGTH} characters for the webhook channel`;
    }
    if (this.config.webhook.allowPrivate) return null;
    return privateHostProblem(url.hostname);
  }
}
