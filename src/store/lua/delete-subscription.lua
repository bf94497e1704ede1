-- Keeps SPEC 3's invariants in one step: the ZSET member never exists without its HASH,
-- and a timezone stays in the timezones SET exactly while its ZSET is non-empty.
-- KEYS: the HASH, the user SET, the timezones SET, the channel counts.
-- ARGV: ZSET key prefix, member, tag. Returns 1 deleted, 0 none.
redis.call('SREM', KEYS[2], ARGV[3])
local timezone = redis.call('HGET', KEYS[1], 'timezone')
if not timezone then return 0 end
local channel = redis.call('HGET', KEYS[1], 'channel')
if redis.call('HINCRBY', KEYS[4], channel, -1) <= 0 then redis.call('HDEL', KEYS[4], channel) end
local schedule = ARGV[1] .. timezone
redis.call('ZREM', schedule, ARGV[2])
if redis.call('ZCARD', schedule) == 0 then redis.call('SREM', KEYS[3], timezone) end
redis.call('DEL', KEYS[1])
return 1
