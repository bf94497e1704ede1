/*
 * Redis memory per subscription (issue 12): BENCH_SUBSCRIPTIONS webhook subscriptions (one
 * per user, the worst case; a 42-character URL; a time 12 hours away, four zones) created
 * through the API of a real `node dist/main.js`, on two redis-servers side by side: one with
 * config/redis.conf's listpack limits, one with Redis' defaults. Each gets its own chime.
 */
import { Redis } from 'ioredis';
import { API_TOKEN, startChime } from '../test/support/chime-process.js';
import { startRedisServer } from '../test/support/redis-server.js';
import { seedThroughApi } from './support/api-seed.js';
import { thousands } from './support/report.js';

const COUNT = Number(process.env.BENCH_SUBSCRIPTIONS ?? 50_000);
const IN_FLIGHT = 64;
/** 42 characters, as issue 12 measures. */
const TARGET = 'https://hooks.example.com/chime/0123456789';
const ZONES = ['UTC', 'Europe/Paris', 'Asia/Tokyo', 'America/New_York'];
const COMPACT = ['--hash-max-listpack-value', '512', '--zset-max-listpack-entries', '1024'];

async function usedMemory(redis: Redis): Promise<number> {
  return Number(/^used_memory:(\d+)/m.exec(await redis.info('memory'))?.[1]);
}

function twelveHoursAway(): string {
  return new Date(Date.now() + 12 * 3600_000).toISOString().slice(11, 16);
}

async function measure(label: string, redisArgs: string[]): Promise<void> {
  const server = await startRedisServer(undefined, [
    '--maxmemory-policy',
    'noeviction',
    ...redisArgs,
  ]);
  const redis = new Redis(server.url);
  const chime = await startChime({ REDIS_URL: server.url, RATE_LIMIT_PER_MINUTE: '0' });
  try {
    const before = await usedMemory(redis);
    const time = twelveHoursAway();
    for (const [index, timezone] of ZONES.entries()) {
      await seedThroughApi({
        baseUrl: chime.baseUrl,
        apiToken: API_TOKEN,
        count: COUNT / ZONES.length,
        inFlight: IN_FLIGHT,
        body: { time, timezone, channel: 'webhook', target: TARGET },
        userId: (n) => `user-${index}-${n}`,
        tag: 'news',
      });
    }
    const perSubscription = (await usedMemory(redis)) - before;
    const sampleUser = (await redis.keys(`${chime.keyPrefix}:{*}:user:*`))[0];
    const sampleZone = (await redis.keys(`${chime.keyPrefix}:{*}:subs:*`))[0];
    const encoding = async (key: string) =>
      `${await redis.object('ENCODING', key)}, ${await redis.memory('USAGE', key)} B`;
    console.log(`${label}: ${(perSubscription / COUNT).toFixed(0)} B per subscription`);
    console.log(`  a user's HASH (${sampleUser}): ${await encoding(sampleUser)}`);
    console.log(
      `  a zone ZSET (${sampleZone}, ${await redis.zcard(sampleZone)} members): ${await encoding(sampleZone)}`,
    );
  } finally {
    await chime.stop();
    await redis.quit();
    await server.stop();
  }
}

async function main(): Promise<void> {
  console.log(`${thousands(COUNT)} webhook subscriptions through the API, one per user`);
  await measure('config/redis.conf (listpack limits 512 B / 1024 entries)', COMPACT);
  await measure("Redis' defaults (64 B / 128 entries)", []);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
