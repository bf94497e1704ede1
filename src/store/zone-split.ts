import type { RedisClient } from '../redis/redis-client.js';
import { parseScheduleMember, RedisKeys } from './redis-keys.js';
import { repliesOf } from './redis-scripts.js';
import { zonePartOfValue } from './subscription.codec.js';

/** Members read per ZSCAN step, and moved per script call. */
const SPLIT_STEP = 200;

/**
 * Moves the members of the unsplit zone ZSETs (`subs:<timezone>`, which versions before
 * parts wrote) into their parts (`subs:<timezone>:<part>`). Until a member is moved, and for
 * one that a replica of such a version writes meanwhile, the scan reads the unsplit ZSET and
 * the claim reads the member's subscription, as before: the move changes no outcome, only
 * what a claim costs. Safe with several replicas at once (a member moves once, in a script
 * that checks where its value says it belongs) and cut short anywhere.
 */
export class ZoneSplit {
  constructor(
    private readonly redis: RedisClient,
    private readonly keys: RedisKeys,
  ) {}

  /** How many members moved. */
  async run(): Promise<number> {
    let moved = 0;
    for (const bucket of this.keys.allBuckets()) {
      for (const timezone of await this.redis.smembers(this.keys.timezones(bucket))) {
        moved += await this.splitZone(bucket, timezone);
      }
    }
    return moved;
  }

  private async splitZone(bucket: number, timezone: string): Promise<number> {
    const unsplit = this.keys.timezoneSchedule(bucket, timezone);
    let moved = 0;
    let cursor = '0';
    do {
      const [next, pairs] = await this.redis.zscan(unsplit, cursor, 'COUNT', SPLIT_STEP);
      cursor = next;
      if (pairs.length > 0) moved += await this.move(bucket, timezone, pairs);
    } while (cursor !== '0');
    return moved;
  }

  /** One batch of ZSCAN's `[member, score, ...]`, read then moved in one script call. */
  private async move(bucket: number, timezone: string, pairs: readonly string[]): Promise<number> {
    const members: { member: string; score: string; userId: string; tag: string }[] = [];
    for (let index = 0; index < pairs.length; index += 2) {
      const { userId, tag } = parseScheduleMember(pairs[index]);
      members.push({ member: pairs[index], score: pairs[index + 1], userId, tag });
    }
    const reads = this.redis.pipeline().smembers(this.keys.zoneParts(bucket));
    for (const { userId, tag } of members)
      reads.hget(this.keys.userSubscriptions(userId, bucket), tag);
    const [zoneParts, ...values] = await repliesOf<unknown>(reads);
    const prefix = `${timezone}:`;
    const parts = new Set(
      (zoneParts as string[])
        .filter((name) => name.startsWith(prefix))
        .map((name) => name.slice(prefix.length)),
    );
    for (const value of values) if (typeof value === 'string') parts.add(zonePartOfValue(value));
    const users = [...new Set(members.map(({ userId }) => userId))];
    const partKeys = [...parts].map((part) => this.keys.timezoneSchedule(bucket, timezone, part));
    const keys = [
      this.keys.timezoneSchedule(bucket, timezone),
      this.keys.zoneParts(bucket),
      ...partKeys,
      ...users.map((userId) => this.keys.userSubscriptions(userId, bucket)),
    ];
    const userIndex = new Map(users.map((userId, index) => [userId, 3 + partKeys.length + index]));
    const args: (string | number)[] = [timezone, parts.size, ...parts];
    for (const { member, score, userId, tag } of members) {
      args.push(member, score, tag, userIndex.get(userId)!);
    }
    return this.redis.chimeSplitZone(keys.length, ...keys, ...args);
  }
}
