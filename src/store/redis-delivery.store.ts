import { Inject, Injectable } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { REDIS_CLIENT, type RedisClient } from '../redis/redis-client.js';
import { schedulerConfig } from '../config/configuration.js';
import { RedisKeys } from './redis-keys.js';
import { scripted } from './redis-scripts.js';
import { DeliveryRecord } from './delivery-record.js';
import { AcquireOutcome, DeliveryLogFilter, DeliveryStore } from './delivery.store.js';

/** The delivery log keeps about this many entries. */
export const DELIVERY_LOG_LENGTH = 50_000;
const LOG_PAGE = 1000;
const ENDING = new Set(['delivered', 'failed', 'dead', 'cancelled']);
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
  ) {
    super();
    this.redis = scripted(redis);
  }

  async acquire(
    claims: readonly { occurrenceId: string; takeOverFrom?: string }[],
    owner: string,
  ): Promise<AcquireOutcome[]> {
    if (claims.length === 0) return [];
    const keys = claims.map(({ occurrenceId }) => this.keys.deliveryState(occurrenceId));
    const taken = await this.redis.chimeAcquireDeliveries(
      keys.length,
      ...keys,
      owner,
      this.config.dedupeTtlSeconds,
      ...claims.map(({ takeOverFrom }) => takeOverFrom ?? ''),
    );
    return taken.map((code) => ACQUIRE_OUTCOMES[code]);
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

  private async write(records: readonly DeliveryRecord[]): Promise<void> {
    const args: (string | number)[] = [
      this.keys.deliveryStatePrefix(),
      this.config.dedupeTtlSeconds,
      DELIVERY_LOG_LENGTH,
    ];
    for (const record of records) {
      const ending = ENDING.has(record.status) ? record.status : '';
      args.push(record.occurrenceId, ending, JSON.stringify(record));
    }
    await this.redis.chimeRecordDeliveries(this.keys.deliveryLog(), ...args);
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

function parseRecord(fields: string[]): DeliveryRecord {
  return JSON.parse(fields[fields.indexOf('record') + 1]) as DeliveryRecord;
}

function matches(record: DeliveryRecord, { userId, tag, status }: DeliveryLogFilter): boolean {
  return (
    (!userId || record.userId === userId) &&
    (!tag || record.tag === tag) &&
    (!status || record.status === status)
  );
}
