import { Redis } from 'ioredis';
import { API_TOKEN, ChimeProcess, startChime } from './support/chime-process.js';
import { request } from './support/http.js';

const ZONES = ['UTC', 'Asia/Shanghai', 'America/New_York', 'Europe/London'];
const CHANNELS = [
  { channel: 'log' },
  { channel: 'email', target: 'ada@example.com' },
  { channel: 'webhook', target: 'http://127.0.0.1:9/hook' },
];

/** A random write on one of a few subscriptions, so that writers keep racing each other. */
function randomWrite(round: number): { method: string; path: string; body?: unknown } {
  const path = `/subscriptions/racer-${round % 3}/tag-${round % 4}`;
  const zone = ZONES[round % ZONES.length];
  const channel = CHANNELS[round % CHANNELS.length];
  const time = `${String(round % 24).padStart(2, '0')}:${String((round * 7) % 60).padStart(2, '0')}`;
  switch (round % 5) {
    case 0:
    case 1:
      return { method: 'PUT', path, body: { time, timezone: zone, ...channel } };
    case 2:
      return { method: 'PATCH', path, body: { timezone: ZONES[(round + 1) % ZONES.length], time } };
    case 3:
      return { method: 'DELETE', path };
    default:
      return { method: 'DELETE', path: `/subscriptions/racer-${round % 3}` };
  }
}

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

  it('keeps every ZSET member with its HASH, the user SETs, the timezones SET and the channel counts consistent', async () => {
    const statuses = await Promise.all(
      Array.from({ length: 400 }, async (_, round) => {
        const { method, path, body } = randomWrite(round);
        return (await request(chime.baseUrl, method, path, { token: API_TOKEN, body })).status;
      }),
    );
    expect(statuses.filter((status) => ![200, 201, 204, 404, 409].includes(status))).toEqual([]);

    const p = chime.keyPrefix;
    const hashes = (await redis.keys(`${p}:sub:*`)).sort();
    const members: string[] = [];
    const zsetKeys = await redis.keys(`${p}:subs:*`);
    for (const key of zsetKeys) {
      const zone = key.slice(`${p}:subs:`.length);
      for (const member of await redis.zrange(key, '0', '-1')) {
        const [, userId, tag] = /^user:(.+)\|tag:(.+)$/.exec(member)!;
        members.push(`${p}:sub:${userId}|${tag}`);
        expect(await redis.hget(`${p}:sub:${userId}|${tag}`, 'timezone')).toBe(zone);
        expect(await redis.sismember(`${p}:user:${userId}`, tag)).toBe(1);
      }
    }
    expect(members.sort()).toEqual(hashes);
    const zonesWithMembers = [];
    for (const key of zsetKeys)
      if ((await redis.zcard(key)) > 0) zonesWithMembers.push(key.slice(`${p}:subs:`.length));
    expect((await redis.smembers(`${p}:timezones`)).sort()).toEqual(zonesWithMembers.sort());

    const channels: Record<string, number> = {};
    for (const key of hashes) {
      const channel = (await redis.hget(key, 'channel'))!;
      channels[channel] = (channels[channel] ?? 0) + 1;
    }
    const counted = Object.fromEntries(
      Object.entries(await redis.hgetall(`${p}:stats:channels`)).map(([channel, n]) => [
        channel,
        Number(n),
      ]),
    );
    expect(counted).toEqual(channels);
  });
});
