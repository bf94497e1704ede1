import { Inject, Injectable, Optional } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { REDIS_CLIENT, type RedisClient } from '../redis/redis-client.js';
import { schedulerConfig } from '../config/configuration.js';
import { RedisKeys } from './redis-keys.js';
import { StoreLayout } from './store-layout.js';
import { byBucket, mapByBucket, scripted } from './redis-scripts.js';
import { DeliveryRecord } from './delivery-record.js';
import { encodeHistoryValue, HISTORY_KEPT, HISTORY_TTL_MS } from './history.store.js';
import {
  AcquireOutcome,
  DeliveryClaim,
  DeliveryLogFilter,
  DeliveryStore,
} from './delivery.store.js';

/** The delivery log keeps about this many entries. */
export const DELIVERY_LOG_LENGTH = 50_000;
const LOG_PAGE = 1000;
const ENDING = new Set([
  'delivered',
  'failed',
  'dead',
  'cancelled',
  'skipped',
  'dropped',
  'expired',
]);
const ACQUIRE_OUTCOMES: AcquireOutcome[] = ['held', 'taken', 'unreadable'];

@Injectable()
export class RedisDeliveryStore extends DeliveryStore {
  private pending: DeliveryRecord[] = [];
  private flushing: Promise<void> | null = null;

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

  /** lua/take-deliveries.lua without its reads, a call per bucket of the claims. */
  async acquire(claims: readonly DeliveryClaim[], owner: string): Promise<AcquireOutcome[]> {
    await this.layout?.ready();
    return mapByBucket(
      claims,
      (claim) => this.keys.bucketOfOccurrence(claim.occurrenceId),
      async (group) => {
        const keys = group.map(({ occurrenceId }) => this.keys.deliveryState(occurrenceId));
        const reply = await this.redis.chimeTakeDeliveries(
          keys.length,
          ...keys,
          owner,
          this.config.dedupeTtlSeconds,
          0,
          ...group.flatMap(({ takeOverFrom, scheduledFor }) => [
            takeOverFrom ?? '',
            scheduledFor.getTime(),
            0,
            '',
          ]),
        );
        return group.map((_, at) => ACQUIRE_OUTCOMES[reply[2 * at] as number]);
      },
    );
  }

  async forget(occurrenceIds: readonly string[]): Promise<void> {
    await this.layout?.ready();
    const groups = byBucket(occurrenceIds, (id) => this.keys.bucketOfOccurrence(id));
    await Promise.all(
      groups.map((indexes) =>
        this.redis.del(...indexes.map((index) => this.keys.deliveryState(occurrenceIds[index]))),
      ),
    );
  }

  /**
   * Records that arrive in the same turn of the event loop (a burst's responses come in
   * together) share one pipeline: one write instead of one per delivery. Each caller's
   * promise settles when its record is in Redis.
   */
  record(record: DeliveryRecord): Promise<void> {
    this.pending.push(record);
    this.flushing ??= new Promise<void>((resolve) => setImmediate(resolve)).then(() => {
      const records = this.pending;
      this.pending = [];
      this.flushing = null;
      return this.write(records);
    });
    return this.flushing;
  }

  /**
   * The log in one script call (a pipeline of an XADD each cost chime a command object per
   * delivery); the endings, and every record's line in its subscription's history, in a
   * script call per bucket.
   */
  private async write(records: readonly DeliveryRecord[]): Promise<void> {
    await this.layout?.ready();
    const endings = records.filter(({ status }) => ENDING.has(status));
    const groups = byBucket(endings, (record) => this.keys.bucketOfOccurrence(record.occurrenceId));
    await Promise.all([
      this.redis.chimeAppendLog(
        this.keys.deliveryLog(),
        DELIVERY_LOG_LENGTH,
        ...records.map((record) => JSON.stringify(record)),
      ),
      ...this.writeHistory(records),
      ...groups.map((indexes) => {
        const group = indexes.map((index) => endings[index]);
        return this.redis.chimeEndDeliveries(
          group.length,
          ...group.map(({ occurrenceId }) => this.keys.deliveryState(occurrenceId)),
          this.config.dedupeTtlSeconds,
          ...group.map(({ status }) => status),
        );
      }),
    ]);
  }

  private writeHistory(records: readonly DeliveryRecord[]): Promise<number>[] {
    const groups = byBucket(records, (record) => this.keys.bucketOf(record.userId));
    return groups.map((indexes) => {
      const group = indexes.map((index) => records[index]);
      return this.redis.chimeRecordHistory(
        group.length * 2,
        ...group.flatMap(({ userId, tag }) => [
          this.keys.history(userId, tag),
          this.keys.userSubscriptions(userId),
        ]),
        HISTORY_KEPT,
        HISTORY_TTL_MS,
        ...group.flatMap((record) => [
          record.tag,
          record.occurrenceId.slice(record.occurrenceId.lastIndexOf('|') + 1),
          encodeHistoryValue(record),
        ]),
      );
    });
  }

  async recent(filter: DeliveryLogFilter): Promise<(DeliveryRecord & { id: string })[]> {
    const found: (DeliveryRecord & { id: string })[] = [];
    let end = '+';
    for (;;) {
      const page = await this.redis.xrevrange(this.keys.deliveryLog(), end, '-', 'COUNT', LOG_PAGE);
      for (const [id, fields] of page) {
        const record = { id, ...parseRecord(fields) };
        if (matches(record, filter)) found.push(record);
        if (found.length >= filter.limit) return found;
      }
      if (page.length < LOG_PAGE) return found;
      end = `(${page[page.length - 1][0]}`;
    }
  }
}

/** A delivery log entry's record, from the stream entry's fields. */
export function parseRecord(fields: string[]): DeliveryRecord {
  return JSON.parse(fields[fields.indexOf('record') + 1]) as DeliveryRecord;
}

function matches(record: DeliveryRecord, { userId, tag, status }: DeliveryLogFilter): boolean {
  return (
    (!userId || record.userId === userId) &&
    (!tag || record.tag === tag) &&
    (!status || record.status === status)
  );
}
