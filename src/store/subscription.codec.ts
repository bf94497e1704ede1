import { Weekday } from '../domain/local-time.js';
import { StoredSubscription, Subscription } from '../domain/subscription.js';
import { canonicalTimezone } from '../domain/timezone.js';

/** The `paused` field of a paused subscription's HASH; the claim script compares with it. */
export const PAUSED_FLAG = '1';

/** A subscription's HASH fields (SPEC 3): everything but its place in the timezone ZSET. */
export function toHash(subscription: Subscription, revision: number): Record<string, string> {
  const hash: Record<string, string> = {
    userId: subscription.userId,
    tag: subscription.tag,
    time: subscription.time,
    timezone: subscription.timezone,
    days: subscription.days.join(','),
    channel: subscription.channel,
    title: subscription.title,
    message: subscription.message,
    data: JSON.stringify(subscription.data),
    paused: subscription.paused ? PAUSED_FLAG : '0',
    createdAt: subscription.createdAt.toISOString(),
    updatedAt: subscription.updatedAt.toISOString(),
    armedAt: subscription.armedAt.toISOString(),
    revision: String(revision),
  };
  if (subscription.target !== null) hash.target = subscription.target;
  return hash;
}

export function fromHash(hash: Record<string, string>): StoredSubscription | null {
  if (!hash.userId) return null;
  return {
    userId: hash.userId,
    tag: hash.tag,
    time: hash.time,
    timezone: answeredZone(hash.timezone),
    days: hash.days.split(',') as Weekday[],
    channel: hash.channel,
    target: hash.target ?? null,
    title: hash.title,
    message: hash.message,
    data: JSON.parse(hash.data) as Record<string, unknown>,
    paused: hash.paused === PAUSED_FLAG,
    createdAt: new Date(hash.createdAt),
    updatedAt: new Date(hash.updatedAt),
    armedAt: new Date(hash.armedAt),
    revision: Number(hash.revision),
  };
}

const answeredZones = new Map<string, string>();

/**
 * A zone stored before chime spelled zones as tzdata does (`Asia/Calcutta`) is answered in
 * IANA's spelling; its keys move to that name at the subscription's next write.
 */
export function answeredZone(stored: string): string {
  let answer = answeredZones.get(stored);
  if (answer === undefined) {
    answer = canonicalTimezone(stored);
    answeredZones.set(stored, answer);
  }
  return answer;
}
