import { Notification } from '../domain/notification.js';

/** What a notification says, as the webhook body (SPEC 5) and the log line carry it. */
export function notificationPayload(notification: Notification) {
  return {
    type: 'subscription.notification',
    occurrenceId: notification.occurrenceId,
    userId: notification.userId,
    tag: notification.tag,
    scheduledFor: notification.scheduledFor.toISOString(),
    late: notification.late,
    title: notification.title,
    message: notification.message,
    data: notification.data,
  };
}
