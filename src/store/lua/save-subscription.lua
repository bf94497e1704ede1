-- Keeps SPEC 3's invariants in one step: the ZSET member never exists without its stored
-- value, and a timezone stays in its bucket's timezones SET exactly while its ZSET is non-empty.
-- Every key is of one user's bucket (one slot).
-- KEYS: the user's HASH, the bucket's timezones SET, the new timezone's ZSET, the bucket's
-- channel counts, the ZSET the caller read the subscription in (the new one when none), the
-- bucket's scheduler state, and optionally the sent key of an occurrence to look up.
-- ARGV: expected revision in base 36 ('' for none), tag, member, score, new timezone, old
-- timezone ('' for none), new channel, the most subscriptions a user may hold, the value.
-- Values are subscription.codec.ts's: `<32-char header><revision>,<timezone>,<channel>,...`.
-- Returns {outcome, horizon, claimed, stored}: outcome -1 (revision moved), -2 (the user holds
-- the most already), 0 created, 1 replaced; after a save, the bucket's horizon (nil: none of its
-- own) and whether the sent key exists (1/0), which the write's answer needs; on -1, the value
-- stored now (nil: none), so that the caller tries again without reading it first.
local current = redis.call('HGET', KEYS[1], ARGV[2])
local revision, timezone, channel
if current then
  revision, timezone, channel = string.match(string.sub(current, 33), '^([^,]*),([^,]*),([^,]*),')
end
if (revision or '') ~= ARGV[1] or (timezone or '') ~= ARGV[6] then return { -1, false, 0, current } end
if not current and redis.call('HLEN', KEYS[1]) >= tonumber(ARGV[8]) then return { -2 } end
if channel and redis.call('HINCRBY', KEYS[4], channel, -1) <= 0 then
  redis.call('HDEL', KEYS[4], channel)
end
redis.call('HINCRBY', KEYS[4], ARGV[7], 1)
if timezone and timezone ~= ARGV[5] then
  redis.call('ZREM', KEYS[5], ARGV[3])
  if redis.call('ZCARD', KEYS[5]) == 0 then redis.call('SREM', KEYS[2], timezone) end
end
redis.call('HSET', KEYS[1], ARGV[2], ARGV[9])
redis.call('ZADD', KEYS[3], ARGV[4], ARGV[3])
redis.call('SADD', KEYS[2], ARGV[5])
local horizon = redis.call('HGET', KEYS[6], 'horizon')
local claimed = KEYS[7] and redis.call('EXISTS', KEYS[7]) or 0
if current then return { 1, horizon, claimed } end
return { 0, horizon, claimed }
