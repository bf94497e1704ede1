import { Cluster, type Redis } from 'ioredis';
import type { RedisClient } from './redis-client.js';
import { nodeName } from './eviction-policy.js';

/**
 * The encodings that keep a subscription near 250 bytes (bench/README.md, "Memory"): a
 * user's HASH with its compact values, and a bucket's zone ZSETs, stay listpacks only under
 * these limits. Redis' defaults (64 bytes, 128 entries) are correct too, at about twice the
 * memory, so chime warns rather than refuses.
 */
export const COMPACT_ENCODINGS: Readonly<Record<string, number>> = {
  'hash-max-listpack-value': 512,
  'zset-max-listpack-entries': 1024,
};

/** The settings below chime's figures on this server or any master, as warnings. */
export async function compactEncodingWarnings(client: RedisClient): Promise<string[]> {
  if (!(client instanceof Cluster)) return nodeWarnings(client, 'Redis');
  const warnings = await Promise.all(
    client.nodes('master').map((node) => nodeWarnings(node, nodeName(node))),
  );
  return warnings.flat();
}

async function nodeWarnings(node: Redis, name: string): Promise<string[]> {
  const warnings: string[] = [];
  for (const [setting, wanted] of Object.entries(COMPACT_ENCODINGS)) {
    // CONFIG may be renamed away (managed Redis): then nothing can be said.
    const reply = (await node.config('GET', setting).catch(() => [])) as string[];
    const value = Number(reply[1]);
    if (reply.length === 2 && value < wanted) {
      warnings.push(
        `${name} has ${setting} ${value}: subscriptions take about twice the memory; ` +
          `set ${setting} ${wanted} (config/redis.conf does)`,
      );
    }
  }
  return warnings;
}
