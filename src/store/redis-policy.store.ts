import { Inject, Injectable, Optional } from '@nestjs/common';
import { Policy } from '../domain/policy.js';
import { REDIS_CLIENT, type RedisClient } from '../redis/redis-client.js';
import { decodePolicy, encodePolicy, PolicyStore } from './policy.store.js';
import { RedisKeys } from './redis-keys.js';
import { byBucket, repliesOf } from './redis-scripts.js';
import { StoreLayout } from './store-layout.js';

@Injectable()
export class RedisPolicyStore extends PolicyStore {
  constructor(
    @Inject(REDIS_CLIENT) private readonly redis: RedisClient,
    private readonly keys: RedisKeys,
    @Optional() private readonly layout?: StoreLayout,
  ) {
    super();
  }

  async find(userId: string): Promise<Policy | null> {
    const [policy] = await this.findMany([userId]);
    return policy;
  }

  async findMany(userIds: readonly string[]): Promise<(Policy | null)[]> {
    await this.layout?.ready();
    const policies: (Policy | null)[] = userIds.map(() => null);
    const groups = byBucket(userIds, (userId) => this.keys.bucketOf(userId));
    await Promise.all(
      groups.map(async (indexes) => {
        const reads = this.redis.pipeline();
        for (const index of indexes) reads.get(this.keys.policy(userIds[index]));
        const values = await repliesOf<string | null>(reads);
        indexes.forEach((index, at) => {
          const value = values[at];
          policies[index] = value === null ? null : decodePolicy(value);
        });
      }),
    );
    return policies;
  }

  async save(userId: string, policy: Policy): Promise<void> {
    await this.layout?.ready();
    await this.redis.set(this.keys.policy(userId), encodePolicy(policy));
  }

  async delete(userId: string): Promise<boolean> {
    await this.layout?.ready();
    return (await this.redis.del(this.keys.policy(userId))) > 0;
  }
}
