-- Writes each occurrence's latest status into its subscription's history, in one call per
-- bucket, and keeps each history bounded (SPEC 7).
-- KEYS: per record its history HASH and its user's subscriptions HASH (repeats allowed).
-- ARGV: how many entries a history keeps, its TTL in ms, then per record the tag, the field
-- (the local date) and the value. A subscription deleted meanwhile gets no history again.
-- Fields are local dates, so their byte order is time order: past the bound, the oldest go.
local kept, ttl = tonumber(ARGV[1]), ARGV[2]
local written = 0
for i = 1, #KEYS / 2 do
  local history, user = KEYS[2 * i - 1], KEYS[2 * i]
  local tag, field, value = ARGV[3 * i], ARGV[3 * i + 1], ARGV[3 * i + 2]
  if redis.call('HEXISTS', user, tag) == 1 then
    redis.call('HSET', history, field, value)
    redis.call('PEXPIRE', history, ttl)
    local length = redis.call('HLEN', history)
    if length > kept then
      local dates = redis.call('HKEYS', history)
      table.sort(dates)
      for d = 1, length - kept do redis.call('HDEL', history, dates[d]) end
    end
    written = written + 1
  end
end
return written
