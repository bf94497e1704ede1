-- Keeps SPEC 3's invariants in one step: the ZSET member never exists without its stored
-- value, and a timezone stays in its bucket's timezones SET exactly while one of its ZSETs
-- (a part, or the unsplit one of the versions before parts) is non-empty; the zoneparts SET
-- names each part ZSET that is not empty. Every key is of one user's bucket (one slot).
-- KEYS: the user's HASH, the bucket's timezones SET, the new part's ZSET, the bucket's
-- channel counts, the part ZSET the caller read the subscription in (the new one when none),
-- the bucket's scheduler state, the bucket's zoneparts SET, the unsplit ZSET of the timezone
-- the caller read, and optionally the sent key of an occurrence to look up.
-- ARGV: expected revision in base 36 ('' for none), tag, member, score, new timezone, old
-- timezone ('' for none), new channel, the most subscriptions a user may hold, the value,
-- the new part as `<timezone>:<part>`, the part the caller read ('' for none).
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

-- The timezone leaves the SET once none of its ZSETs holds a member.
local function forgetIfEmpty(zone, unsplit)
  if redis.call('ZCARD', unsplit) > 0 then return end
  local prefix = zone .. ':'
  for _, part in ipairs(redis.call('SMEMBERS', KEYS[7])) do
    if string.sub(part, 1, #prefix) == prefix then return end
  end
  redis.call('SREM', KEYS[2], zone)
end

if current then
  if KEYS[5] ~= KEYS[3] then
    redis.call('ZREM', KEYS[5], ARGV[3])
    if redis.call('ZCARD', KEYS[5]) == 0 then redis.call('SREM', KEYS[7], ARGV[11]) end
  end
  -- A replica of a version before parts writes the unsplit ZSET.
  redis.call('ZREM', KEYS[8], ARGV[3])
end
redis.call('HSET', KEYS[1], ARGV[2], ARGV[9])
redis.call('ZADD', KEYS[3], ARGV[4], ARGV[3])
-- A part that held members already is in both SETs (the invariants above): most saves skip them.
if redis.call('ZCARD', KEYS[3]) == 1 then
  redis.call('SADD', KEYS[7], ARGV[10])
  redis.call('SADD', KEYS[2], ARGV[5])
end
if timezone and timezone ~= ARGV[5] then forgetIfEmpty(timezone, KEYS[8]) end
local horizon = redis.call('HGET', KEYS[6], 'horizon')
local claimed = KEYS[9] and redis.call('EXISTS', KEYS[9]) or 0
if current then return { 1, horizon, claimed } end
return { 0, horizon, claimed }
