// Jest setupFilesAfterEnv of the e2e-sentinel project (jest.config.js): each suite gets a
// primary, two replicas and three sentinels, and startChime connects chime through them.
import { type RedisSentinelSetup, startRedisSentinel } from './redis-sentinel.js';

let sentinel: RedisSentinelSetup | undefined;

beforeAll(async () => {
  sentinel = await startRedisSentinel();
  process.env.CHIME_TEST_TOPOLOGY = 'sentinel';
  process.env.CHIME_TEST_SENTINELS = sentinel.sentinels;
  process.env.CHIME_TEST_SENTINEL_MASTER = sentinel.masterName;
}, 60_000);

afterAll(async () => {
  await sentinel?.stop();
}, 60_000);
