import { Weekday } from '../domain/local-time.js';
import { StoredSubscription, Subscription, SubscriptionKey } from '../domain/subscription.js';

/** `full`: creating it would take the user past MAX_TAGS_PER_USER; nothing was written. */
export type SaveOutcome = 'created' | 'replaced' | 'conflict' | 'full';

/**
 * A save's outcome, with what a write answers from, read in the same step so that it costs no
 * round trip of its own. A store that cannot read them leaves them out, and the caller asks.
 */
export interface SaveResult {
  readonly outcome: SaveOutcome;
  /** On 'conflict': what is stored now (null: nothing), to try again from without a read. */
  readonly stored?: StoredSubscription | null;
  /** After a save: the horizon of the subscription's bucket, when it has one of its own. */
  readonly bucketHorizon?: Date;
  /** After a save: whether `claimOf`, the occurrence asked about, is claimed. */
  readonly claimed?: boolean;
}

export interface SubscriptionPage {
  /** In byte order of `tag`. */
  readonly subscriptions: StoredSubscription[];
  /** Tags of this page whose subscription Redis could not read; the others are listed. */
  readonly unreadable: string[];
  /** The page's last tag, listed or not: where the next page starts. */
  readonly lastTag: string | null;
  /** Whether tags follow the last one. */
  readonly more: boolean;
}

/** A subscription found in a timezone's ZSET, with its local time as HHMM. */
export interface ScheduledMember extends SubscriptionKey {
  readonly score: number;
}

/** A bucket's ZSET of one timezone (SPEC 3), one of its parts or the unsplit one. */
export interface ScheduleZone {
  readonly bucket: number;
  readonly timezone: string;
  /** subscription.codec.ts's `zonePartOf`; absent: the unsplit ZSET of versions before parts. */
  readonly part?: string;
  /**
   * The weekdays every member has, not paused; absent for the paused part and the unsplit
   * ZSET, whose members' days are not known (the claim reads each one's subscription and
   * counts a paused one skipped).
   */
  readonly weekdays?: readonly Weekday[];
}

/** The part of a bucket's timezone ZSET between two HHMM scores, both inclusive. */
export interface ScoreRange extends ScheduleZone {
  readonly fromScore: number;
  readonly toScore: number;
}

/** A stored subscription that cannot be read: its delivery fails, the others go on. */
export class UnreadableSubscription {
  constructor(
    readonly key: SubscriptionKey,
    readonly reason: string,
  ) {}
}

/** Owns every Redis key of a subscription (SPEC 3); each write changes them together. */
export abstract class SubscriptionStore {
  abstract find(key: SubscriptionKey): Promise<StoredSubscription | null>;

  /** Up to `limit` of the user's subscriptions whose tags come after `afterTag` (null: all). */
  abstract listByUser(
    userId: string,
    afterTag: string | null,
    limit: number,
  ): Promise<SubscriptionPage>;

  /** Each key's subscription, or null where there is none; one round trip. */
  abstract findMany(
    keys: readonly SubscriptionKey[],
  ): Promise<(StoredSubscription | UnreadableSubscription | null)[]>;

  /**
   * Writes the whole subscription if what is stored is still `current` (its revision; null:
   * none stored yet); otherwise changes nothing and answers 'conflict'. `claimOf`: an
   * occurrence id of the subscription whose claim the result is to tell.
   */
  abstract save(
    subscription: Subscription,
    current: StoredSubscription | null,
    claimOf?: string,
  ): Promise<SaveResult>;

  /** False when there was nothing to delete. */
  abstract delete(key: SubscriptionKey): Promise<boolean>;

  /** How many subscriptions the user had. */
  abstract deleteUser(userId: string): Promise<number>;

  /**
   * The ZSETs a scan reads, bucket by bucket, of these buckets only when given: every part of
   * each timezone, and its unsplit ZSET where one exists.
   */
  abstract scheduleZones(buckets?: readonly number[]): Promise<ScheduleZone[]>;

  /** Each range's members, a round trip per bucket (each range whole: no paging to skip one). */
  abstract membersInRanges(ranges: readonly ScoreRange[]): Promise<ScheduledMember[][]>;

  /**
   * Each range's members, or null for one that holds more than `limit` (what was read of it
   * is dropped): small ranges are read without being counted first. A round trip per
   * bucket; each of its commands reads at most `limit + 1` members.
   */
  abstract membersUpTo(
    ranges: readonly ScoreRange[],
    limit: number,
  ): Promise<(ScheduledMember[] | null)[]>;

  /** How many members each range holds, a round trip per bucket (ZCOUNT: nothing is read). */
  abstract countInRanges(ranges: readonly ScoreRange[]): Promise<number[]>;

  abstract countByTimezone(): Promise<Record<string, number>>;

  abstract countByChannel(): Promise<Record<string, number>>;
}
