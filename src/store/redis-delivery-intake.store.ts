import { Inject, Injectable, Optional } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { REDIS_CLIENT, type RedisClient } from '../redis/redis-client.js';
import { schedulerConfig } from '../config/configuration.js';
import { Policy } from '../domain/policy.js';
import { StoredSubscription, SubscriptionKey } from '../domain/subscription.js';
import {
  DeliveryIntake,
  DeliveryIntakeClaim,
  DeliveryIntakeStore,
} from './delivery-intake.store.js';
import { decodePolicy } from './policy.store.js';
import { RedisKeys } from './redis-keys.js';
import { mapByBucket, scripted } from './redis-scripts.js';
import { StoreLayout } from './store-layout.js';
import { decodeSubscription } from './subscription.codec.js';
import { UnreadableSubscription } from './subscription.store.js';

const HELD: DeliveryIntake = { outcome: 'held' };
const UNREADABLE: DeliveryIntake = { outcome: 'unreadable' };
const TAKEN = 1;
const STATE_UNREADABLE = 2;
const SUBSCRIPTION_UNREADABLE = 3;

/** lua/take-deliveries.lua, a call per bucket of the claims. */
@Injectable()
export class RedisDeliveryIntakeStore extends DeliveryIntakeStore {
  private readonly redis: RedisClient;

  constructor(
    @Inject(REDIS_CLIENT) redis: RedisClient,
    private readonly keys: RedisKeys,
    @Inject(schedulerConfig.KEY) private readonly config: ConfigType<typeof schedulerConfig>,
    @Optional() private readonly layout?: StoreLayout,
  ) {
    super();
    this.redis = scripted(redis);
  }

  async take(claims: readonly DeliveryIntakeClaim[], owner: string): Promise<DeliveryIntake[]> {
    await this.layout?.ready();
    return mapByBucket(
      claims,
      (claim) => this.keys.bucketOf(claim.userId),
      (group) => this.takeInBucket(group, owner),
    );
  }

  private async takeInBucket(
    claims: readonly DeliveryIntakeClaim[],
    owner: string,
  ): Promise<DeliveryIntake[]> {
    const bucket = this.keys.bucketOf(claims[0].userId);
    const users = [...new Set(claims.map(({ userId }) => userId))];
    const userNumber = new Map(users.map((userId, index) => [userId, index + 1]));
    const keys = claims.map(({ occurrenceId }) => this.keys.deliveryState(occurrenceId, bucket));
    for (const userId of users) {
      keys.push(this.keys.userSubscriptions(userId, bucket), this.keys.policy(userId));
    }
    const args: (string | number)[] = [owner, this.config.dedupeTtlSeconds, users.length];
    for (const { takeOverFrom, scheduledFor, userId, tag } of claims) {
      args.push(takeOverFrom ?? '', scheduledFor.getTime(), userNumber.get(userId)!, tag);
    }
    const reply = await this.redis.chimeTakeDeliveries(keys.length, ...keys, ...args);
    const policies = new Map<string, Policy | null>();
    users.forEach((userId, index) => {
      const value = reply[2 * claims.length + index];
      if (value !== null) policies.set(userId, decodePolicy(value as string));
    });
    return claims.map(({ userId, tag }, index) =>
      intakeOf({ userId, tag }, reply[2 * index] as number, reply[2 * index + 1], policies),
    );
  }
}

function intakeOf(
  key: SubscriptionKey,
  code: number,
  value: string | number | null,
  policies: ReadonlyMap<string, Policy | null>,
): DeliveryIntake {
  if (code === STATE_UNREADABLE) return UNREADABLE;
  if (code !== TAKEN && code !== SUBSCRIPTION_UNREADABLE) return HELD;
  const policy = policies.get(key.userId) ?? null;
  if (code === SUBSCRIPTION_UNREADABLE) {
    return {
      outcome: 'taken',
      subscription: new UnreadableSubscription(key, String(value)),
      policy,
    };
  }
  return { outcome: 'taken', subscription: decoded(key, value as string | null), policy };
}

function decoded(
  key: SubscriptionKey,
  value: string | null,
): StoredSubscription | UnreadableSubscription | null {
  if (value === null) return null;
  try {
    return decodeSubscription(key, value);
  } catch (failure) {
    return new UnreadableSubscription(key, (failure as Error).message);
  }
}
