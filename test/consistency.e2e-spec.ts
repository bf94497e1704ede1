import { Redis } from 'ioredis';
import { API_TOKEN, ChimeProcess, startChime } from './support/chime-process.js';
import { request } from './support/http.js';
import { RedisKeys, scheduleMember } from '../src/store/redis-keys.js';
import { decodeSubscription, zonePartOf } from '../src/store/subscription.codec.js';

const ZONES = ['UTC', 'Asia/Shanghai', 'America/New_York', 'Europe/London'];
const CHANNELS = [
  { channel: 'log' },
  { channel: 'email', target: 'ada@example.com' },
  { channel: 'webhook', target: 'http://127.0.0.1:9/hook' },
];

const DAYS = [undefined, ['mon', 'tue', 'wed', 'thu', 'fri'], ['sat', 'sun']];

/** A random write on one of a few subscriptions, so that writers keep racing each other. */
function randomWrite(round: number): { method: string; path: string; body?: unknown } {
  const path = `/subscriptions/racer-${round % 3}/tag-${round % 4}`;
  const zone = ZONES[round % ZONES.length];
  const channel = CHANNELS[round % CHANNELS.length];
  const days = DAYS[round % DAYS.length];
  const time = `${String(round % 24).padStart(2, '0')}:${String((round * 7) % 60).padStart(2, '0')}`;
  switch (round % 6) {
    case 0:
    case 1:
      return {
        method: 'PUT',
        path,
        body: { time, timezone: zone, ...channel, ...(days && { days }) },
      };
    case 2:
      return { method: 'PATCH', path, body: { timezone: ZONES[(round + 1) % ZONES.length], time } };
    case 3:
      return { method: 'PATCH', path, body: { paused: round % 4 < 2, days: days ?? ['sun'] } };
    case 4:
      return { method: 'DELETE', path };
    default:
      return { method: 'DELETE', path: `/subscriptions/racer-${round % 3}` };
  }
}

const pairsOf = (flat: string[]) =>
  Array.from({ length: flat.length / 2 }, (_, index) => [flat[2 * index], flat[2 * index + 1]]);

describe('Redis layout under concurrent writers (SPEC 3: keys change together)', () => {
  let chime: ChimeProcess;
  let redis: Redis;

  beforeAll(async () => {
    chime = await startChime({ RATE_LIMIT_PER_MINUTE: '0' });
    redis = new Redis(chime.redisUrl);
  });

  afterAll(async () => {
    redis.disconnect();
    await chime.stop();
  });

  it('keeps each ZSET member with its value, in its zone part, and the timezones, zone parts and channel counts right', async () => {
    const statuses = await Promise.all(
      Array.from({ length: 400 }, async (_, round) => {
        const { method, path, body } = randomWrite(round);
        return (await request(chime.baseUrl, method, path, { token: API_TOKEN, body })).status;
      }),
    );
    expect(statuses.filter((status) => ![200, 201, 204, 404, 409].includes(status))).toEqual([]);

    const keys = RedisKeys.forPrefix(chime.keyPrefix);
    let values = 0;
    for (const bucket of keys.allBuckets()) {
      const inBucket = `${chime.keyPrefix}:{${bucket}}`;
      // What the values say: each one's member, ZSET and score, and the channels.
      const expected: string[] = [];
      const channels: Record<string, string> = {};
      for (const userKey of await redis.keys(`${inBucket}:user:*`)) {
        const userId = userKey.slice(`${inBucket}:user:`.length);
        for (const [tag, value] of Object.entries(await redis.hgetall(userKey))) {
          const stored = decodeSubscription({ userId, tag }, value);
          const zone = keys.timezoneSchedule(bucket, stored.timezone, zonePartOf(stored));
          expected.push(
            `${zone} ${scheduleMember(userId, tag)} ${Number(stored.time.replace(':', ''))}`,
          );
          channels[stored.channel] = String(Number(channels[stored.channel] ?? 0) + 1);
          values++;
        }
      }
      // What the ZSETs hold.
      const found: string[] = [];
      const zoneParts: string[] = [];
      const timezones = new Set<string>();
      for (const zone of await redis.keys(`${inBucket}:subs:*`)) {
        const [timezone, part] = zone.slice(`${inBucket}:subs:`.length).split(':');
        for (const [member, score] of pairsOf(await redis.zrange(zone, '0', '-1', 'WITHSCORES'))) {
          found.push(`${zone} ${member} ${score}`);
        }
        zoneParts.push(`${timezone}:${part}`);
        timezones.add(timezone);
      }
      expect(found.sort()).toEqual(expected.sort());
      expect((await redis.smembers(keys.zoneParts(bucket))).sort()).toEqual(zoneParts.sort());
      expect((await redis.smembers(keys.timezones(bucket))).sort()).toEqual([...timezones].sort());
      expect(await redis.hgetall(keys.channelCounts(bucket))).toEqual(channels);
    }
    // The racing writes left some subscriptions, or the checks above checked nothing.
    expect(values).toBeGreaterThan(0);
  });
});
