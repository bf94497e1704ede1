import { Notification } from '../domain/notification.js';

/**
 * A way to deliver notifications. Adding one is a class that implements this interface
 * and one line in `channels.module.ts`.
 */
export interface NotificationChannel {
  /** The value of a subscription's `channel` field that selects this channel. */
  readonly name: string;
  /**
   * Why `target` (null when the subscription has none) cannot receive this channel's
   * notifications, naming the field; null when it can.
   */
  validateTarget(target: string | null): Promise<string | null>;
  /**
   * Delivers the notification. Throws a `DeliveryError` saying whether a retry may help;
   * any other error counts as retryable.
   */
  send(notification: Notification): Promise<void>;
}

/** The DI token under which every channel is registered, as an array. */
export const NOTIFICATION_CHANNELS = Symbol('NOTIFICATION_CHANNELS');
