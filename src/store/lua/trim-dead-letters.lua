-- Drops dead letters older than the retention, a bounded number per call.
-- KEYS: the letters HASH, their index ZSET (members `<deadAt ms, 13 digits>|<id>`, score 0,
-- so that lexical order is time order). ARGV: the oldest member to keep, how many to drop at
-- most. Returns how many were dropped.
local old = redis.call('ZRANGEBYLEX', KEYS[2], '-', '(' .. ARGV[1], 'LIMIT', 0, tonumber(ARGV[2]))
for _, member in ipairs(old) do
  redis.call('ZREM', KEYS[2], member)
  redis.call('HDEL', KEYS[1], string.sub(member, 15))
end
return #old
