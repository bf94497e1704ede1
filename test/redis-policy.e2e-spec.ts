import { API_TOKEN, ADMIN_TOKEN, runChimeToExit, startChime } from './support/chime-process.js';
import { freePort, startRedisServer } from './support/redis-server.js';

const HOOK_TIMEOUT_MS = 30_000;

describe("Redis's eviction policy (SPEC 8)", () => {
  it(
    'refuses to start on a Redis that may evict keys, naming maxmemory-policy',
    async () => {
      const redis = await startRedisServer(undefined, ['--maxmemory-policy', 'allkeys-lru']);
      try {
        const { code, output } = await runChimeToExit({
          REDIS_URL: redis.url,
          API_TOKEN,
          ADMIN_TOKEN,
          PORT: String(await freePort()),
        });
        expect(code).toBe(1);
        expect(output).toContain('maxmemory-policy allkeys-lru');
        expect(output).toContain('noeviction');
      } finally {
        await redis.stop();
      }
    },
    HOOK_TIMEOUT_MS,
  );

  it(
    'starts on a Redis with noeviction',
    async () => {
      const redis = await startRedisServer(undefined, ['--maxmemory-policy', 'noeviction']);
      try {
        const chime = await startChime({ REDIS_URL: redis.url });
        await chime.stop();
      } finally {
        await redis.stop();
      }
    },
    HOOK_TIMEOUT_MS,
  );

  it(
    "warns, naming each setting, when Redis's listpack limits would double a subscription's memory",
    async () => {
      const defaults = await startRedisServer();
      const compact = await startRedisServer(undefined, [
        '--hash-max-listpack-value',
        '512',
        '--zset-max-listpack-entries',
        '1024',
      ]);
      try {
        const warned = await startChime({ REDIS_URL: defaults.url });
        const quiet = await startChime({ REDIS_URL: compact.url });
        await Promise.all([warned.stop(), quiet.stop()]);
        expect(warned.output()).toContain('hash-max-listpack-value 64');
        expect(warned.output()).toContain('zset-max-listpack-entries 128');
        expect(quiet.output()).not.toContain('listpack');
      } finally {
        await Promise.all([defaults.stop(), compact.stop()]);
      }
    },
    HOOK_TIMEOUT_MS,
  );
});
