-- Keeps SPEC 3's invariants in one step (see save-subscription.lua); keys of one bucket.
-- KEYS: the user's HASH, the bucket's timezones SET, the ZSET of the timezone the caller
-- read, the bucket's channel counts, the subscription's occurrence history (SPEC 7: it goes
-- with the subscription). ARGV: tag, member, that timezone.
-- Returns 1 deleted, 0 none, -1 the subscription is in another timezone now (read again).
local current = redis.call('HGET', KEYS[1], ARGV[1])
if not current then return 0 end
local timezone, channel = string.match(string.sub(current, 33), '^[^,]*,([^,]*),([^,]*),')
if timezone ~= ARGV[3] then return -1 end
if redis.call('HINCRBY', KEYS[4], channel, -1) <= 0 then redis.call('HDEL', KEYS[4], channel) end
redis.call('ZREM', KEYS[3], ARGV[2])
if redis.call('ZCARD', KEYS[3]) == 0 then redis.call('SREM', KEYS[2], timezone) end
redis.call('HDEL', KEYS[1], ARGV[1])
redis.call('DEL', KEYS[5])
return 1
