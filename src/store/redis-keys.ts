import { Inject, Injectable } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { redisConfig } from '../config/configuration.js';

/** Every Redis key name chime uses, under `KEY_PREFIX` (SPEC 3). Nothing else builds a key. */
@Injectable()
export class RedisKeys {
  readonly prefix: string;

  constructor(@Inject(redisConfig.KEY) config: Pick<ConfigType<typeof redisConfig>, 'keyPrefix'>) {
    this.prefix = config.keyPrefix;
  }

  /** The names under `keyPrefix`, outside Nest (tests, benches, tools). */
  static forPrefix(keyPrefix: string): RedisKeys {
    return new RedisKeys({ keyPrefix });
  }

  /** ZSET of a timezone's subscriptions, scored HHMM. */
  timezoneSchedule(timezone: string): string {
    return `${this.timezoneSchedulePrefix()}${timezone}`;
  }

  /** What `timezoneSchedule` puts before the zone name, for scripts that derive the key. */
  timezoneSchedulePrefix(): string {
    return `${this.prefix}:subs:`;
  }

  subscription(userId: string, tag: string): string {
    return `${this.subscriptionPrefix()}${userId}|${tag}`;
  }

  /** What `subscription` puts before `<userId>|<tag>`, for scripts that derive the key. */
  subscriptionPrefix(): string {
    return `${this.prefix}:sub:`;
  }

  userTags(userId: string): string {
    return `${this.prefix}:user:${userId}`;
  }

  timezones(): string {
    return `${this.prefix}:timezones`;
  }

  sent(occurrenceId: string): string {
    return `${this.sentPrefix()}${occurrenceId}`;
  }

  /** What `sent` puts before the occurrence id, for scripts that derive the key. */
  sentPrefix(): string {
    return `${this.prefix}:sent:`;
  }

  /** HASH: subscriptions per channel, kept by the subscription scripts. */
  channelCounts(): string {
    return `${this.prefix}:stats:channels`;
  }

  /** HASH: the scheduler's watermark, horizon, last tick and skipped count. */
  schedulerState(): string {
    return `${this.prefix}:scheduler`;
  }

  /** ZSET: claimed occurrences not yet confirmed handed to delivery, scored by retry time. */
  handOffs(): string {
    return `${this.prefix}:handoff`;
  }

  /** STRING with TTL: who delivers an occurrence now (a job id), or how it ended. */
  deliveryState(occurrenceId: string): string {
    return `${this.deliveryStatePrefix()}${occurrenceId}`;
  }

  /** What `deliveryState` puts before the occurrence id, for scripts that derive the key. */
  deliveryStatePrefix(): string {
    return `${this.prefix}:delivery:`;
  }

  /** STREAM, capped: every delivery attempt's outcome. */
  deliveryLog(): string {
    return `${this.prefix}:deliveries`;
  }

  /** HASH: dead letters by id, as JSON. */
  deadLetters(): string {
    return `${this.prefix}:dead-letters`;
  }

  /** ZSET, score 0: `<deadAt ms>|<id>` of every dead letter, newest last in lexical order. */
  deadLetterIndex(): string {
    return `${this.prefix}:dead-letters:index`;
  }

  /** What BullMQ puts before its queue keys, so that they too live under KEY_PREFIX. */
  queuePrefix(): string {
    return `${this.prefix}:bull`;
  }

  /** What the rate limit's `:hits` and `:block` keys of one client start with (one slot). */
  rateLimit(client: string): string {
    return `${this.prefix}:ratelimit:{${client}}`;
  }

  /** STRING with TTL: which replica runs the tick of a minute. */
  tickLease(minute: string): string {
    return `${this.tickLeasePrefix()}${minute}`;
  }

  tickLeasePrefix(): string {
    return `${this.prefix}:lease:tick:`;
  }
}

/** The ZSET member of a subscription: `user:<userId>|tag:<tag>`. */
export function scheduleMember(userId: string, tag: string): string {
  return `user:${userId}|tag:${tag}`;
}

export function parseScheduleMember(member: string): { userId: string; tag: string } {
  const separator = member.indexOf('|tag:');
  if (!member.startsWith('user:') || separator === -1) {
    throw new Error(`not a schedule member: ${member}`);
  }
  return { userId: member.slice(5, separator), tag: member.slice(separator + 5) };
}
