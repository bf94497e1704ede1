import { createHash } from 'node:crypto';
import { crc32 } from 'node:zlib';
import { Inject, Injectable } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { redisConfig } from '../config/configuration.js';

type KeysConfig = Pick<ConfigType<typeof redisConfig>, 'keyPrefix' | 'buckets' | 'deliveryQueues'>;

/**
 * Every Redis key name chime uses, under `KEY_PREFIX` (SPEC 3). Nothing else builds a key.
 *
 * Users are spread over `REDIS_BUCKETS` buckets: a user's bucket is the CRC-32 (zlib's) of
 * the UTF-8 `userId`, modulo the bucket count. Every key of one user and every key named
 * after one of the user's occurrences carries the hash tag `{<bucket>}`, so that on Redis
 * Cluster they share a slot and each script or pipeline touches one slot only.
 */
@Injectable()
export class RedisKeys {
  readonly prefix: string;
  readonly buckets: number;
  /** Delivery queues: queue g serves the buckets b with b mod deliveryQueues = g. */
  readonly deliveryQueues: number;

  constructor(@Inject(redisConfig.KEY) config: KeysConfig) {
    this.prefix = config.keyPrefix;
    this.buckets = config.buckets;
    this.deliveryQueues = config.deliveryQueues;
  }

  /** The names under `keyPrefix`, outside Nest (tests, benches, tools). */
  static forPrefix(
    keyPrefix: string,
    buckets = 16,
    deliveryQueues = Math.min(4, buckets),
  ): RedisKeys {
    return new RedisKeys({ keyPrefix, buckets, deliveryQueues });
  }

  bucketOf(userId: string): number {
    return crc32(userId) % this.buckets;
  }

  /** The bucket of an occurrence id `<userId>|<tag>|<date>` or a `<userId>|<tag>`. */
  bucketOfOccurrence(occurrenceId: string): number {
    return this.bucketOf(occurrenceId.slice(0, occurrenceId.indexOf('|')));
  }

  /** 0 to REDIS_BUCKETS - 1. */
  allBuckets(): number[] {
    return Array.from({ length: this.buckets }, (_, bucket) => bucket);
  }

  private inBucket(bucket: number): string {
    return `${this.prefix}:{${bucket}}`;
  }

  /** HASH: `layout` (2) and `buckets`, written when the data is created. */
  meta(): string {
    return `${this.prefix}:meta`;
  }

  /** SET: every DELIVERY_QUEUES a replica has run with, so that queues no longer used are drained. */
  deliveryQueueCounts(): string {
    return `${this.prefix}:delivery-queues`;
  }

  /** STRING with TTL: the replica moving the first layout's data to this one. */
  migrationLock(): string {
    return `${this.prefix}:migration:lock`;
  }

  /**
   * ZSET of a bucket's subscriptions in one timezone and part (subscription.codec.ts's
   * `zonePartOf`), scored HHMM. Without a part: the unsplit ZSET of the versions before parts,
   * which chime only empties (zone-split.ts) and reads as long as a member is left.
   */
  timezoneSchedule(bucket: number, timezone: string, part?: string): string {
    const zone = `${this.inBucket(bucket)}:subs:${timezone}`;
    return part === undefined ? zone : `${zone}:${part}`;
  }

  /** SET: `<timezone>:<part>` of each of the bucket's part ZSETs that is not empty. */
  zoneParts(bucket: number): string {
    return `${this.inBucket(bucket)}:zoneparts`;
  }

  /** SET: the timezones with a ZSET (a part, or the unsplit one) in this bucket that is not empty. */
  timezones(bucket: number): string {
    return `${this.inBucket(bucket)}:timezones`;
  }

  /**
   * HASH: a user's subscriptions, field `<tag>`, value the compact encoding (subscription.codec.ts).
   * Here and below, a caller that knows the bucket already passes it (the tick's claims do).
   */
  userSubscriptions(userId: string, bucket = this.bucketOf(userId)): string {
    return `${this.inBucket(bucket)}:user:${userId}`;
  }

  /** STRING with TTL: the duplicate guard, holding the instant it claims (epoch ms). */
  sent(occurrenceId: string, bucket = this.bucketOfOccurrence(occurrenceId)): string {
    return `${this.sentPrefix(bucket)}${occurrenceId}`;
  }

  /** What every `sent` key of a bucket starts with: the occurrence id follows. */
  sentPrefix(bucket: number): string {
    return `${this.inBucket(bucket)}:sent:`;
  }

  /** STRING with TTL: who delivers an occurrence now (a job id), or how it ended. */
  deliveryState(occurrenceId: string, bucket = this.bucketOfOccurrence(occurrenceId)): string {
    return `${this.inBucket(bucket)}:delivery:${occurrenceId}`;
  }

  /** STRING: a user's policy (SPEC 7) as JSON; absent for a user with the defaults. */
  policy(userId: string): string {
    return `${this.inBucket(this.bucketOf(userId))}:policy:${userId}`;
  }

  /**
   * HASH: a user's held occurrences (quiet hours, snooze), field `<occurrenceId>`, value the
   * job that holds it and its item, so that a policy change can plan them again.
   */
  heldOccurrences(userId: string): string {
    return `${this.inBucket(this.bucketOf(userId))}:held:${userId}`;
  }

  /**
   * HASH: a subscription's recent occurrences (SPEC 7), field the local date, value its
   * latest status (history.codec.ts).
   */
  history(userId: string, tag: string): string {
    return `${this.inBucket(this.bucketOf(userId))}:history:${userId}|${tag}`;
  }

  /**
   * STRING with TTL: a user was erased (`DELETE /users/:userId`), named by a hash of the id
   * only; jobs queued before the erase that wake later record nothing about the user.
   */
  erasedUser(userId: string): string {
    const digest = createHash('sha256').update(userId).digest('base64url').slice(0, 22);
    return `${this.inBucket(this.bucketOf(userId))}:erased:${digest}`;
  }

  /** The glob of every key named after one of the user's occurrences or subscriptions. */
  userOccurrenceKeys(userId: string): string {
    return `${globEscaped(this.inBucket(this.bucketOf(userId)))}:*:${globEscaped(userId)}|*`;
  }

  /** ZSET: a bucket's claimed occurrences not yet confirmed handed to delivery, scored by retry time. */
  handOffs(bucket: number): string {
    return `${this.inBucket(bucket)}:handoff`;
  }

  /** HASH: a bucket's subscriptions per channel, kept by the subscription scripts. */
  channelCounts(bucket: number): string {
    return `${this.inBucket(bucket)}:channels`;
  }

  /** HASH: the scheduler's last tick and skipped count (and the first version's watermark). */
  schedulerState(): string {
    return `${this.prefix}:scheduler`;
  }

  /** HASH: a bucket's tick progress, `watermark` and `horizon` (epoch ms). */
  bucketSchedulerState(bucket: number): string {
    return `${this.inBucket(bucket)}:scheduler`;
  }

  /** STRING with TTL: which replica runs a bucket's tick of a minute. */
  bucketTickLease(bucket: number, minute: string): string {
    return `${this.inBucket(bucket)}:lease:tick:${minute}`;
  }

  /** STREAM, capped: every delivery attempt's outcome. */
  deliveryLog(): string {
    return `${this.prefix}:deliveries`;
  }

  /** HASH: dead letters by id, as JSON; one slot with its index. */
  deadLetters(): string {
    return `${this.prefix}:{dead-letters}`;
  }

  /** ZSET, score 0: `<deadAt ms>|<id>` of every dead letter, newest last in lexical order. */
  deadLetterIndex(): string {
    return `${this.prefix}:{dead-letters}:index`;
  }

  /** The delivery queue that serves a bucket's occurrences. */
  queueGroupOf(bucket: number): number {
    return bucket % this.deliveryQueues;
  }

  /** The delivery queue of an occurrence id (or of a `<userId>|<tag>`). */
  queueGroupOfOccurrence(occurrenceId: string): number {
    return this.queueGroupOf(this.bucketOfOccurrence(occurrenceId));
  }

  /** 0 to DELIVERY_QUEUES - 1. */
  allQueueGroups(): number[] {
    return Array.from({ length: this.deliveryQueues }, (_, group) => group);
  }

  /**
   * What BullMQ puts before the keys of delivery queue `group`, so that they too live under
   * KEY_PREFIX; hash-tagged, since on a cluster BullMQ's scripts touch several keys of one
   * queue. The tag is that of bucket `group`: the queue shares the slot of its first bucket,
   * and the queues spread over the cluster's masters as the buckets do.
   */
  queuePrefix(group: number): string {
    return `${this.inBucket(group)}:bull`;
  }

  /** The prefix of the one delivery queue before there were several: its jobs are moved. */
  singleQueuePrefix(): string {
    return `${this.prefix}:{bull}`;
  }

  /** The queue prefix before it was hash-tagged: its jobs are moved too. */
  previousQueuePrefix(): string {
    return `${this.prefix}:bull`;
  }

  /** What the rate limit's `:hits` and `:block` keys of one client start with (one slot). */
  rateLimit(client: string): string {
    return `${this.prefix}:ratelimit:{${client}}`;
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

/** `text` matched literally in a SCAN MATCH pattern. */
function globEscaped(text: string): string {
  return text.replace(/[*?[\]\\]/g, (special) => `\\${special}`);
}
