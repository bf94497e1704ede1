import { Inject, Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { REDIS_CLIENT, type RedisClient } from '../redis/redis-client.js';
import { FirstLayoutMigration } from './first-layout.js';
import { RedisKeys } from './redis-keys.js';
import { scripted } from './redis-scripts.js';
import { ZoneSplit } from './zone-split.js';

export const LAYOUT_VERSION = '2';
const LOCK_MS = 30_000;
const WAIT_MS = 250;

export class LayoutMismatchError extends Error {
  override readonly name = 'LayoutMismatchError';
}

/**
 * SPEC 3's `<p>:meta`: the layout and the bucket count the data was created with. The
 * stores wait for `ready()` before touching data: it checks the bucket count (which cannot
 * change), and moves data of the first layout to this one, once, under a lock, however many
 * replicas start at the same time.
 */
@Injectable()
export class StoreLayout implements OnModuleInit {
  private readonly logger = new Logger(StoreLayout.name);
  private checked: Promise<void> | null = null;
  private split: Promise<void> = Promise.resolve();
  private done = false;

  private readonly redis: RedisClient;

  constructor(
    @Inject(REDIS_CLIENT) redis: RedisClient,
    private readonly keys: RedisKeys,
  ) {
    this.redis = scripted(redis);
  }

  /** A bucket count other than the data's stops start-up, naming REDIS_BUCKETS. */
  async onModuleInit(): Promise<void> {
    if (this.redis.status !== 'ready') return;
    const { buckets } = await this.redis.hgetall(this.keys.meta());
    if (buckets !== undefined) this.assertBuckets(buckets);
    this.split = this.ready()
      .then(() => this.splitZones())
      .catch(() => undefined);
  }

  /** Resolves once the start-up's move into zone parts has ended (at once when it did not run). */
  zonesSplit(): Promise<void> {
    return this.split;
  }

  /** Moves what versions before zone parts wrote into them (zone-split.ts); readiness does not wait. */
  private async splitZones(): Promise<void> {
    try {
      const moved = await new ZoneSplit(this.redis, this.keys).run();
      if (moved > 0) this.logger.log(`moved ${moved} subscriptions into their zone parts`);
    } catch (error) {
      this.logger.warn(
        `moving subscriptions into their zone parts stopped (the next start goes on): ${(error as Error).message}`,
      );
    }
  }

  /** Whether the data is in this layout (readiness answers 503 until it is). */
  isReady(): boolean {
    return this.done;
  }

  /** Resolves once the data is in this layout; a failure (Redis away) is tried again by the next call. */
  ready(): Promise<void> {
    if (this.done) return Promise.resolve();
    this.checked ??= this.ensure().then(
      () => {
        this.done = true;
      },
      (error: unknown) => {
        this.checked = null;
        throw error;
      },
    );
    return this.checked;
  }

  private async ensure(): Promise<void> {
    const migration = new FirstLayoutMigration(this.redis, this.keys);
    for (;;) {
      const meta = await this.redis.hgetall(this.keys.meta());
      if (meta.layout === LAYOUT_VERSION) return this.assertBuckets(meta.buckets);
      if (!(await migration.present())) return this.record();
      if (await this.lock()) {
        try {
          // Another replica may have finished between the reads above and this lock.
          const { layout } = await this.redis.hgetall(this.keys.meta());
          if (layout !== LAYOUT_VERSION) await this.migrate(migration);
        } finally {
          await this.redis.del(this.keys.migrationLock());
        }
        continue;
      }
      await new Promise((resolve) => setTimeout(resolve, WAIT_MS));
    }
  }

  private async migrate(migration: FirstLayoutMigration): Promise<void> {
    this.logger.warn("moving the first layout's data to layout 2 (SPEC 3); readiness waits");
    const renew = setInterval(() => {
      this.redis.pexpire(this.keys.migrationLock(), LOCK_MS).catch(() => undefined);
    }, LOCK_MS / 3);
    try {
      await migration.run();
      await this.record();
    } finally {
      clearInterval(renew);
    }
  }

  /**
   * Records this replica's DELIVERY_QUEUES and answers the most any replica has run with:
   * the queues from this replica's count to that one have no worker here and are drained.
   */
  async mostDeliveryQueues(): Promise<number> {
    const key = this.keys.deliveryQueueCounts();
    await this.redis.sadd(key, String(this.keys.deliveryQueues));
    const counts = (await this.redis.smembers(key)).map(Number).filter(Number.isInteger);
    return Math.max(this.keys.deliveryQueues, ...counts);
  }

  private async lock(): Promise<boolean> {
    const lock = this.keys.migrationLock();
    return (await this.redis.set(lock, String(process.pid), 'PX', LOCK_MS, 'NX')) === 'OK';
  }

  /** Writes the layout once; a replica that wrote first with other buckets wins, and this one stops. */
  private async record(): Promise<void> {
    const meta = this.keys.meta();
    await this.redis.hsetnx(meta, 'buckets', String(this.keys.buckets));
    await this.redis.hset(meta, 'layout', LAYOUT_VERSION);
    this.assertBuckets(await this.redis.hget(meta, 'buckets'));
  }

  private assertBuckets(stored: string | null | undefined): void {
    if (stored === String(this.keys.buckets)) return;
    const error = new LayoutMismatchError(
      `REDIS_BUCKETS is ${this.keys.buckets}, but the data under ${this.keys.prefix}: was created ` +
        `with ${stored} buckets (${this.keys.meta()}), and the bucket count cannot change: ` +
        `set REDIS_BUCKETS=${stored}`,
    );
    this.logger.error(error.message);
    throw error;
  }
}
