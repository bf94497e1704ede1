import { Notification } from '../notification.js';

/** The JSON body of a webhook (SPEC 5). */
export function webhookBody(notification: Notification): string {
  return JSON.stringify({
    type: 'subscription.notification',
    occurrenceId: notification.occurrenceId,
    userId: notification.userId,
    tag: notification.tag,
    scheduledFor: notification.scheduledFor.toISOString(),
    late: notification.late,
    title: notification.title,
    message: notification.message,
    data: notification.data,
  });
}
