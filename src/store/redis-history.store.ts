import { Inject, Injectable, Optional } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { Clock } from '../common/clock.js';
import { schedulerConfig } from '../config/configuration.js';
import { occurrenceId } from '../domain/occurrence.js';
import { REDIS_CLIENT, type RedisClient } from '../redis/redis-client.js';
import { decodeHistoryValue, HistoryStore, OccurrenceEntry } from './history.store.js';
import { RedisKeys } from './redis-keys.js';
import { repliesOf } from './redis-scripts.js';
import { StoreLayout } from './store-layout.js';

@Injectable()
export class RedisHistoryStore extends HistoryStore {
  constructor(
    @Inject(REDIS_CLIENT) private readonly redis: RedisClient,
    private readonly keys: RedisKeys,
    private readonly clock: Clock,
    @Inject(schedulerConfig.KEY) private readonly config: ConfigType<typeof schedulerConfig>,
    @Optional() private readonly layout?: StoreLayout,
  ) {
    super();
  }

  /** One pipeline, in the user's bucket: the history, and each claim date's claim and its TTL. */
  async list(
    userId: string,
    tag: string,
    claimDates: readonly string[],
    limit: number,
  ): Promise<OccurrenceEntry[]> {
    await this.layout?.ready();
    const reads = this.redis.pipeline().hgetall(this.keys.history(userId, tag));
    const ids = claimDates.map((localDate) => occurrenceId({ userId, tag }, localDate));
    for (const id of ids) reads.get(this.keys.sent(id)).pttl(this.keys.sent(id));
    const [history, ...claims] = await repliesOf<unknown>(reads);
    const entries = new Map<string, OccurrenceEntry>();
    for (const [localDate, value] of Object.entries(history as Record<string, string>)) {
      entries.set(
        localDate,
        decodeHistoryValue(occurrenceId({ userId, tag }, localDate), localDate, value),
      );
    }
    claimDates.forEach((localDate, index) => {
      const [claimedFor, ttlLeft] = [
        claims[2 * index] as string | null,
        claims[2 * index + 1] as number,
      ];
      // '1': a claim from before claims held their instant.
      if (entries.has(localDate) || claimedFor === null || claimedFor === '1') return;
      // A claim is made with the dedupe TTL; what is left of it tells when it was made.
      const claimedAt =
        this.clock.now().getTime() - (this.config.dedupeTtlSeconds * 1000 - Math.max(0, ttlLeft));
      entries.set(localDate, {
        occurrenceId: ids[index],
        localDate,
        scheduledFor: new Date(Number(claimedFor)),
        status: 'queued',
        attempts: 0,
        lastError: null,
        updatedAt: new Date(claimedAt),
      });
    });
    return [...entries.values()]
      .sort((a, b) => b.scheduledFor.getTime() - a.scheduledFor.getTime())
      .slice(0, limit);
  }
}
