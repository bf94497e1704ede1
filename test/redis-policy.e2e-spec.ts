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
});
