-- Keeps SPEC 3's invariants in one step (see save-subscription.lua); keys of one bucket.
-- KEYS: the user's HASH, the bucket's timezones SET, the part ZSET the caller read it in,
-- the bucket's channel counts, the subscription's occurrence history (SPEC 7: it goes with
-- the subscription), the bucket's zoneparts SET, the unsplit ZSET of that timezone.
-- ARGV: tag, member, that timezone, that part as `<timezone>:<part>`.
-- Returns 1 deleted, 0 none, -1 the subscription is in another timezone or part now (read again).
local current = redis.call('HGET', KEYS[1], ARGV[1])
if not current then return 0 end
local timezone, channel = string.match(string.sub(current, 33), '^[^,]*,([^,]*),([^,]*),')
-- subscription.codec.ts's zonePartOf: `paused` (PAUSED_FLAG '1' at 4), else `d<days at 2-3>`.
local part = string.sub(current, 4, 4) == '1' and 'paused' or 'd' .. string.sub(current, 2, 3)
if timezone ~= ARGV[3] or timezone .. ':' .. part ~= ARGV[4] then return -1 end
if redis.call('HINCRBY', KEYS[4], channel, -1) <= 0 then redis.call('HDEL', KEYS[4], channel) end
redis.call('ZREM', KEYS[3], ARGV[2])
if redis.call('ZCARD', KEYS[3]) == 0 then redis.call('SREM', KEYS[6], ARGV[4]) end
redis.call('ZREM', KEYS[7], ARGV[2])
if redis.call('ZCARD', KEYS[7]) == 0 then
  local prefix, left = timezone .. ':', false
  for _, zonePart in ipairs(redis.call('SMEMBERS', KEYS[6])) do
    if string.sub(zonePart, 1, #prefix) == prefix then left = true end
  end
  if not left then redis.call('SREM', KEYS[2], timezone) end
end
redis.call('HDEL', KEYS[1], ARGV[1])
redis.call('DEL', KEYS[5])
return 1
