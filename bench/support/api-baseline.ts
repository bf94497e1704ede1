/*
 * bench:api's baseline: a minimal Fastify + ioredis server answering chime's PUT, GET and
 * PATCH of one subscription. It validates minimally (time, zone and channel present, target
 * a string) and writes the keys chime writes for a subscription (the user's HASH field in
 * chime's encoding, the timezone ZSET, the bucket's timezones SET and channel counts) in one
 * MULTI. No auth, no revision check, no arming, no logging. `PORT`, `REDIS_URL`, `KEY_PREFIX`.
 */
import Fastify from 'fastify';
import { Redis } from 'ioredis';
import { RedisKeys, scheduleMember } from '../../src/store/redis-keys.js';
import {
  decodeSubscription,
  encodeSubscription,
  zonePartOf,
} from '../../src/store/subscription.codec.js';
import { DEFAULT_DST } from '../../src/domain/dst.js';
import { WEEKDAYS } from '../../src/domain/local-time.js';
import type { Subscription } from '../../src/domain/subscription.js';

const redis = new Redis(process.env.REDIS_URL!);
const keys = RedisKeys.forPrefix(process.env.KEY_PREFIX ?? 'bench-baseline');
const app = Fastify();
type Params = { userId: string; tag: string };
const DEFAULTS = { critical: false, maxLatenessMinutes: null, skipDates: [], dst: DEFAULT_DST };

async function save(sub: Subscription, status: number, reply: { code(n: number): unknown }) {
  const bucket = keys.bucketOf(sub.userId);
  const part = zonePartOf(sub);
  await redis
    .multi()
    .hset(keys.userSubscriptions(sub.userId), sub.tag, encodeSubscription(sub, 1))
    .zadd(
      keys.timezoneSchedule(bucket, sub.timezone, part),
      sub.time.replace(':', ''),
      scheduleMember(sub.userId, sub.tag),
    )
    .sadd(keys.timezones(bucket), sub.timezone)
    .sadd(keys.zoneParts(bucket), `${sub.timezone}:${part}`)
    .hincrby(keys.channelCounts(bucket), sub.channel, 1)
    .exec();
  reply.code(status);
  return { ...sub, nextRunAt: null };
}

app.put<{ Params: Params; Body: Record<string, any> }>(
  '/subscriptions/:userId/:tag',
  (req, reply) => {
    const { time, timezone, channel, target } = req.body ?? {};
    if (!time || !timezone || !channel || typeof target !== 'string')
      return reply.code(400).send({ statusCode: 400 });
    const now = new Date();
    const { userId, tag } = req.params;
    const sub = {
      userId,
      tag,
      time,
      timezone,
      days: [...WEEKDAYS],
      channel,
      target,
      title: tag,
      message: '',
      data: {},
      paused: false,
      ...DEFAULTS,
      createdAt: now,
      updatedAt: now,
      armedAt: now,
    };
    return save(sub, 201, reply);
  },
);

app.get<{ Params: Params }>('/subscriptions/:userId/:tag', async (req, reply) => {
  const value = await redis.hget(keys.userSubscriptions(req.params.userId), req.params.tag);
  return value === null
    ? reply.code(404).send({ statusCode: 404 })
    : decodeSubscription(req.params, value);
});

app.patch<{ Params: Params; Body: Record<string, any> }>(
  '/subscriptions/:userId/:tag',
  async (req, reply) => {
    const value = await redis.hget(keys.userSubscriptions(req.params.userId), req.params.tag);
    if (value === null) return reply.code(404).send({ statusCode: 404 });
    return save(
      { ...decodeSubscription(req.params, value), ...req.body, updatedAt: new Date() },
      200,
      reply,
    );
  },
);

await app.listen({ port: Number(process.env.PORT), host: '127.0.0.1' });
