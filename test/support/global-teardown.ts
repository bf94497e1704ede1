import type { RedisServer } from './redis-server.js';

export default async function globalTeardown(): Promise<void> {
  await (globalThis as { chimeTestRedis?: RedisServer }).chimeTestRedis?.stop();
}
