import type { RedisClient } from '../redis/redis-client.js';
import { toScore } from '../domain/local-time.js';
import { scheduleOf } from '../domain/schedule.js';
import { StoredSubscription, Subscription, SubscriptionKey } from '../domain/subscription.js';
import { RedisKeys, scheduleMember } from './redis-keys.js';
import { decodeSubscription, encodeSubscription, zonePartOf } from './subscription.codec.js';
import { SaveOutcome, SaveResult } from './subscription.store.js';

/** The save script's answers, -2 to 1. */
const SAVE_OUTCOMES: SaveOutcome[] = ['full', 'conflict', 'created', 'replaced'];

/*
 * A subscription's read and write in the bucketed layout, shared by the store and by the move
 * from the first layout (which must not wait for the store, the store waiting for it).
 */

export async function readSubscription(
  redis: RedisClient,
  keys: RedisKeys,
  key: SubscriptionKey,
): Promise<StoredSubscription | null> {
  const value = await redis.hget(keys.userSubscriptions(key.userId), key.tag);
  return value === null ? null : decodeSubscription(key, value);
}

/**
 * lua/save-subscription.lua: written whole if what is stored is still `current`; with it, the
 * bucket's horizon and whether `claimOf` is claimed, or on a conflict what is stored now.
 */
export async function writeSubscription(
  redis: RedisClient,
  keys: RedisKeys,
  subscription: Subscription,
  current: StoredSubscription | null,
  maxTagsPerUser: number,
  claimOf?: string,
): Promise<SaveResult> {
  const { userId, tag, timezone } = subscription;
  const bucket = keys.bucketOf(userId);
  const revision = (current?.revision ?? 0) + 1;
  const part = zonePartOf(subscription);
  const readPart = current === null ? part : zonePartOf(current);
  const readZone = current?.timezone ?? timezone;
  const scriptKeys = [
    keys.userSubscriptions(userId),
    keys.timezones(bucket),
    keys.timezoneSchedule(bucket, timezone, part),
    keys.channelCounts(bucket),
    keys.timezoneSchedule(bucket, readZone, readPart),
    keys.bucketSchedulerState(bucket),
    keys.zoneParts(bucket),
    keys.timezoneSchedule(bucket, readZone),
  ];
  if (claimOf !== undefined) scriptKeys.push(keys.sent(claimOf, bucket));
  const [code, horizon, claimed, stored] = await redis.chimeSaveSubscription(
    scriptKeys.length,
    ...scriptKeys,
    current === null ? '' : current.revision.toString(36),
    tag,
    scheduleMember(userId, tag),
    toScore(scheduleOf(subscription).time),
    timezone,
    current?.timezone ?? '',
    subscription.channel,
    maxTagsPerUser,
    encodeSubscription(subscription, revision),
    `${timezone}:${part}`,
    current === null ? '' : `${readZone}:${readPart}`,
  );
  const outcome = SAVE_OUTCOMES[code + 2];
  if (outcome === 'conflict') {
    return { outcome, stored: stored === null ? null : decodeSubscription(subscription, stored) };
  }
  if (outcome === 'full') return { outcome };
  return {
    outcome,
    bucketHorizon: horizon === null ? undefined : new Date(Number(horizon)),
    claimed: claimOf === undefined ? undefined : claimed === 1,
  };
}
