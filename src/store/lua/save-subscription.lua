-- Keeps SPEC 3's invariants in one step: the ZSET member never exists without its HASH,
-- and a timezone stays in the timezones SET exactly while its ZSET is non-empty.
-- KEYS: the HASH, the user SET, the timezones SET, the new timezone's ZSET, the channel counts.
-- ARGV: expected revision ('' for none), member, score, ZSET key prefix, tag, timezone,
-- channel, the most subscriptions a user may hold, then the HASH's field/value pairs.
-- Returns -1 (revision moved), -2 (the user holds the most already), 0 created, 1 replaced.
local current = redis.call('HGET', KEYS[1], 'revision')
if (current or '') ~= ARGV[1] then return -1 end
if not current and redis.call('SCARD', KEYS[2]) >= tonumber(ARGV[8]) then return -2 end
local oldChannel = redis.call('HGET', KEYS[1], 'channel')
if oldChannel and redis.call('HINCRBY', KEYS[5], oldChannel, -1) <= 0 then
  redis.call('HDEL', KEYS[5], oldChannel)
end
redis.call('HINCRBY', KEYS[5], ARGV[7], 1)
local oldTimezone = redis.call('HGET', KEYS[1], 'timezone')
if oldTimezone and oldTimezone ~= ARGV[6] then
  local oldSchedule = ARGV[4] .. oldTimezone
  redis.call('ZREM', oldSchedule, ARGV[2])
  if redis.call('ZCARD', oldSchedule) == 0 then redis.call('SREM', KEYS[3], oldTimezone) end
end
redis.call('DEL', KEYS[1])
redis.call('HSET', KEYS[1], unpack(ARGV, 9))
redis.call('ZADD', KEYS[4], ARGV[3], ARGV[2])
redis.call('SADD', KEYS[3], ARGV[6])
redis.call('SADD', KEYS[2], ARGV[5])
if current then return 1 end
return 0
