import { Inject, Injectable, OnApplicationShutdown } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import ipaddr from 'ipaddr.js';
import { Webhook } from 'standardwebhooks';
import { Agent } from 'undici';
import { Clock } from '../common/clock.js';
import { deliveryConfig } from '../config/configuration.js';
import { DeliveryError } from '../domain/delivery-error.js';
import { Notification } from '../domain/notification.js';
import { HostResolver } from './host-resolver.js';
import { NotificationChannel } from './notification-channel.js';
import { OriginLimiter } from './origin-limiter.js';
import {
  guardedLookup,
  isPublicAddress,
  PrivateAddressError,
  privateHostProblem,
} from './webhook-address.js';
import { notificationPayload } from './notification-payload.js';
import { postForStatus } from './status-post.js';

const MAX_URL_LENGTH = 2048;
/**
 * Sends in flight to one origin. A receiver's backlog waits here, before its deadline
 * starts, and holds no connection to anyone else.
 */
export const SENDS_PER_ORIGIN = 100;
/** Of an answer's body, read at most this to keep its connection; a longer one closes it. */
const DRAINED_BYTES = 64 * 1024;

/** POSTs a JSON notification with Standard Webhooks headers to an http(s) URL. */
@Injectable()
export class WebhookChannel implements NotificationChannel, OnApplicationShutdown {
  readonly name = 'webhook';
  private readonly agent: Agent;
  private readonly signer: Webhook | null;
  private readonly origins = new OriginLimiter(SENDS_PER_ORIGIN);

  constructor(
    @Inject(deliveryConfig.KEY) private readonly config: ConfigType<typeof deliveryConfig>,
    private readonly clock: Clock,
    private readonly resolver: HostResolver,
  ) {
    const { allowPrivate, secret } = config.webhook;
    this.agent = new Agent({
      keepAliveTimeout: 30_000,
      connect: { lookup: guardedLookup(resolver, allowPrivate) },
    });
    this.signer = secret ? new Webhook(secret) : null;
  }

  async validateTarget(target: string | null): Promise<string | null> {
    if (target === null) return 'target is required for the webhook channel';
    const url = URL.canParse(target) ? new URL(target) : null;
    if (!url || !['http:', 'https:'].includes(url.protocol) || target.length > MAX_URL_LENGTH) {
      return `target must be an http or https URL of at most ${MAX_URL_LENGTH} characters for the webhook channel`;
    }
    if (this.config.webhook.allowPrivate) return null;
    return privateHostProblem(url.hostname, this.resolver);
  }

  async send(notification: Notification): Promise<void> {
    const url = new URL(notification.target!);
    this.refusePrivateLiteral(url.hostname);
    const status = await this.origins.run(url.origin, () => this.post(url, notification));
    if (status < 200 || status >= 300) throw DeliveryError.fromHttpStatus(status);
  }

  async onApplicationShutdown(): Promise<void> {
    await this.agent.close();
  }

  /** The status, within one deadline for connecting, sending and the headers (postForStatus). */
  private async post(url: URL, notification: Notification): Promise<number> {
    const body = JSON.stringify(notificationPayload(notification));
    try {
      return await postForStatus(this.agent, {
        url,
        headers: this.headers(notification.occurrenceId, body),
        body,
        timeoutMs: this.config.webhook.timeoutMs,
        drainedBytes: DRAINED_BYTES,
      });
    } catch (error) {
      throw asDeliveryError(error);
    }
  }

  private headers(occurrenceId: string, body: string): Record<string, string> {
    const now = this.clock.now();
    const headers: Record<string, string> = {
      'content-type': 'application/json',
      'user-agent': 'chime',
      'webhook-id': occurrenceId,
      'webhook-timestamp': String(Math.floor(now.getTime() / 1000)),
    };
    if (this.signer) headers['webhook-signature'] = this.signer.sign(occurrenceId, now, body);
    return headers;
  }

  /** Literal IPs skip DNS, so the connect-time lookup never sees them. */
  private refusePrivateLiteral(hostname: string): void {
    const host = hostname.replace(/^\[(.*)\]$/, '$1');
    if (this.config.webhook.allowPrivate || !ipaddr.isValid(host) || isPublicAddress(host)) return;
    throw new DeliveryError(`target ${host} is a loopback, private or link-local address`, false);
  }
}

function asDeliveryError(error: unknown): DeliveryError {
  if (error instanceof DeliveryError) return error;
  const cause = (error as { cause?: unknown }).cause;
  // undici passes a lookup's error on as it is, or as the cause of its own.
  for (const candidate of [error, cause]) {
    if (candidate instanceof DeliveryError) return candidate;
    if (candidate instanceof PrivateAddressError)
      return new DeliveryError(candidate.message, false);
  }
  return new DeliveryError((error as Error).message, true);
}
