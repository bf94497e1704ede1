import { readFileSync } from 'node:fs';
import type { ChainableCommander, Result } from 'ioredis';
import type { RedisClient } from '../redis/redis-client.js';

type ScriptArgs = (string | number)[];

declare module 'ioredis' {
  interface RedisCommander<Context> {
    chimeClaimDue(...args: ScriptArgs): Result<string, Context>;
    chimeClaimScanned(...args: ScriptArgs): Result<string, Context>;
    chimeSplitZone(...args: ScriptArgs): Result<number, Context>;
    chimeTakeUnconfirmed(...args: ScriptArgs): Result<string[], Context>;
    chimeAdvanceFields(...args: ScriptArgs): Result<number, Context>;
    chimeBeginTick(...args: ScriptArgs): Result<string | null, Context>;
    chimeSaveSubscription(
      ...args: ScriptArgs
    ): Result<[number, string | null, number, string | null], Context>;
    chimeDeleteSubscription(...args: ScriptArgs): Result<number, Context>;
    chimeTakeDeliveries(...args: ScriptArgs): Result<(number | string | null)[], Context>;
    chimeEndDeliveries(...args: ScriptArgs): Result<number, Context>;
    chimeRecordHistory(...args: ScriptArgs): Result<number, Context>;
    chimeAppendLog(...args: ScriptArgs): Result<number, Context>;
    chimeTrimDeadLetters(...args: ScriptArgs): Result<number, Context>;
    chimeRateLimitHit(...args: ScriptArgs): Result<[number, number, 0 | 1, number], Context>;
  }
}

/**
 * Every Lua script chime runs: its file in lua/ (which says what KEYS and ARGV hold) and how
 * many leading arguments are keys; without a number, the caller passes the count first.
 */
const SCRIPTS: Record<string, { file: string; numberOfKeys?: number }> = {
  chimeClaimDue: { file: 'claim-due.lua' },
  chimeClaimScanned: { file: 'claim-scanned.lua' },
  chimeSplitZone: { file: 'split-zone.lua' },
  chimeTakeUnconfirmed: { file: 'take-unconfirmed.lua', numberOfKeys: 1 },
  chimeAdvanceFields: { file: 'advance-fields.lua', numberOfKeys: 1 },
  chimeBeginTick: { file: 'begin-tick.lua', numberOfKeys: 2 },
  chimeSaveSubscription: { file: 'save-subscription.lua' },
  chimeDeleteSubscription: { file: 'delete-subscription.lua', numberOfKeys: 7 },
  chimeTakeDeliveries: { file: 'take-deliveries.lua' },
  chimeEndDeliveries: { file: 'end-deliveries.lua' },
  chimeRecordHistory: { file: 'record-history.lua' },
  chimeAppendLog: { file: 'append-log.lua', numberOfKeys: 1 },
  chimeTrimDeadLetters: { file: 'trim-dead-letters.lua', numberOfKeys: 2 },
  chimeRateLimitHit: { file: 'rate-limit-hit.lua', numberOfKeys: 2 },
};

const withScripts = new WeakSet<RedisClient>();

/** Defines every script on the client, once however many adapters share it. */
export function scripted(redis: RedisClient): RedisClient {
  if (withScripts.has(redis)) return redis;
  for (const [name, { file, numberOfKeys }] of Object.entries(SCRIPTS)) {
    const lua = readFileSync(new URL(`./lua/${file}`, import.meta.url), 'utf8');
    redis.defineCommand(name, { lua, numberOfKeys });
  }
  withScripts.add(redis);
  return redis;
}

/** Runs a pipeline or transaction and answers its replies, throwing the first error. */
export async function repliesOf<T = unknown>(commands: ChainableCommander): Promise<T[]> {
  const replies = (await commands.exec()) ?? [];
  return replies.map(([error, reply]) => {
    if (error) throw error;
    return reply as T;
  });
}

/**
 * The indexes of `items`, grouped by bucket: on a cluster a pipeline or a script may touch
 * one slot only, so each group gets its own.
 */
export function byBucket<T>(items: readonly T[], bucketOf: (item: T) => number): number[][] {
  const groups = new Map<number, number[]>();
  items.forEach((item, index) => {
    const bucket = bucketOf(item);
    const group = groups.get(bucket) ?? groups.set(bucket, []).get(bucket)!;
    group.push(index);
  });
  return [...groups.values()];
}

/**
 * `work` once per bucket of `items`, all buckets at once, each given its items in order and
 * answering one result per item; the results come back in the order of `items`.
 */
export async function mapByBucket<T, R>(
  items: readonly T[],
  bucketOf: (item: T) => number,
  work: (group: T[]) => Promise<readonly R[]>,
): Promise<R[]> {
  const results: R[] = new Array<R>(items.length);
  await Promise.all(
    byBucket(items, bucketOf).map(async (indexes) => {
      const answers = await work(indexes.map((index) => items[index]));
      indexes.forEach((index, at) => (results[index] = answers[at]));
    }),
  );
  return results;
}
