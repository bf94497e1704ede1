import { Inject, Injectable } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { Redis, Result } from 'ioredis';
import { schedulerConfig } from '../config/configuration.js';
import { RedisKeys } from '../redis/redis-keys.js';
import { DeadLetter, DeliveryRecord } from './delivery-record.js';
import { DeliveryLogFilter, DeliveryStore } from './delivery.store.js';

declare module 'ioredis' {
  interface RedisCommander<Context> {
    chimeAcquire(...args: (string | number)[]): Result<number[], Context>;
  }
}

const ACQUIRE = `
local taken = {}
for i = 1, #KEYS do
  local holder = redis.call('GET', KEYS[i])
  local previous = ARGV[i + 2]
  if not holder or holder == ARGV[1] or (previous ~= '' and holder == previous) then
    redis.call('SET', KEYS[i], ARGV[1], 'EX', ARGV[2])
    taken[i] = 1
  else
    taken[i] = 0
  end
end
return taken`;

/** The delivery log keeps about this many entries. */
export const DELIVERY_LOG_LENGTH = 50_000;
const LOG_PAGE = 1000;
const ENDING = new Set(['delivered', 'failed', 'dead', 'cancelled']);

@Injectable()
export class RedisDeliveryStore extends DeliveryStore {
  constructor(
    private readonly redis: Redis,
    private readonly keys: RedisKeys,
    @Inject(schedulerConfig.KEY) private readonly config: ConfigType<typeof schedulerConfig>,
  ) {
    super();
    redis.defineCommand('chimeAcquire', { lua: ACQUIRE });
  }

  async acquire(
    claims: readonly { occurrenceId: string; takeOverFrom?: string }[],
    owner: string,
  ): Promise<boolean[]> {
    if (claims.length === 0) return [];
    const keys = claims.map(({ occurrenceId }) => this.keys.deliveryState(occurrenceId));
    const taken = await this.redis.chimeAcquire(
      keys.length,
      ...keys,
      owner,
      this.config.dedupeTtlSeconds,
      ...claims.map(({ takeOverFrom }) => takeOverFrom ?? ''),
    );
    return taken.map((flag) => flag === 1);
  }

  async record(record: DeliveryRecord): Promise<void> {
    const fields = Object.entries(record).flatMap(([field, value]) => [field, String(value)]);
    const pipeline = this.redis
      .pipeline()
      .xadd(this.keys.deliveryLog(), 'MAXLEN', '~', DELIVERY_LOG_LENGTH, '*', ...fields);
    if (ENDING.has(record.status)) {
      pipeline.set(
        this.keys.deliveryState(record.occurrenceId),
        record.status,
        'EX',
        this.config.dedupeTtlSeconds,
      );
    }
    await execOrThrow(pipeline);
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

  async addDeadLetter(letter: DeadLetter): Promise<void> {
    await this.redis.hset(this.keys.deadLetters(), letter.id, JSON.stringify(letter));
  }

  async deadLetters(): Promise<DeadLetter[]> {
    const letters = Object.values(await this.redis.hgetall(this.keys.deadLetters()));
    return letters
      .map((json) => JSON.parse(json) as DeadLetter)
      .sort((a, b) => b.deadAt.localeCompare(a.deadAt));
  }

  deadLetterCount(): Promise<number> {
    return this.redis.hlen(this.keys.deadLetters());
  }

  async takeDeadLetter(id: string): Promise<DeadLetter | null> {
    const [[, json], [, removed]] = (await this.redis
      .multi()
      .hget(this.keys.deadLetters(), id)
      .hdel(this.keys.deadLetters(), id)
      .exec()) as [[null, string | null], [null, number]];
    return removed === 1 && json ? (JSON.parse(json) as DeadLetter) : null;
  }
}

function parseRecord(fields: string[]): DeliveryRecord {
  const raw: Record<string, string> = {};
  for (let index = 0; index < fields.length; index += 2) raw[fields[index]] = fields[index + 1];
  return {
    occurrenceId: raw.occurrenceId,
    userId: raw.userId,
    tag: raw.tag,
    channel: raw.channel === 'null' ? null : raw.channel,
    status: raw.status as DeliveryRecord['status'],
    attempt: Number(raw.attempt),
    scheduledFor: raw.scheduledFor,
    late: raw.late === 'true',
    at: raw.at,
    ...(raw.error ? { error: raw.error } : {}),
  };
}

function matches(record: DeliveryRecord, { userId, tag, status }: DeliveryLogFilter): boolean {
  return (
    (!userId || record.userId === userId) &&
    (!tag || record.tag === tag) &&
    (!status || record.status === status)
  );
}

async function execOrThrow(pipeline: ReturnType<Redis['pipeline']>): Promise<void> {
  for (const [error] of (await pipeline.exec()) ?? []) if (error) throw error;
}
