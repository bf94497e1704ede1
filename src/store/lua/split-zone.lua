-- Moves members of a timezone's unsplit ZSET (what versions before parts wrote) into the part
-- their stored value names, in one step per batch; keys of one bucket, all declared.
-- KEYS: the unsplit ZSET, the bucket's zoneparts SET, the timezone's part ZSETs (those the
-- zoneparts SET names and those of the batch's values, as the caller read them), then the
-- users' HASHes. ARGV: the timezone, the number of part ZSETs, their parts, then per member:
-- member, score, tag, the index of its user's HASH among KEYS.
-- A member whose value now names a part not among KEYS stays for a later run. One also in
-- another part (a replica of an earlier version changed it) leaves that part.
-- Returns how many moved.
local zone, partCount = ARGV[1], tonumber(ARGV[2])
local keyOfPart = {}
for index = 1, partCount do keyOfPart[ARGV[2 + index]] = index + 2 end
local moved = 0
for at = 3 + partCount, #ARGV, 4 do
  local member, score, tag = ARGV[at], ARGV[at + 1], ARGV[at + 2]
  local value = redis.call('HGET', KEYS[tonumber(ARGV[at + 3])], tag)
  -- subscription.codec.ts's zonePartOf: `paused` (PAUSED_FLAG '1' at 4), else `d<days at 2-3>`.
  local part = value and (string.sub(value, 4, 4) == '1' and 'paused' or 'd' .. string.sub(value, 2, 3))
  local target = part and keyOfPart[part]
  if target and redis.call('ZREM', KEYS[1], member) == 1 then
    for other, index in pairs(keyOfPart) do
      if index ~= target and redis.call('ZREM', KEYS[index], member) == 1
        and redis.call('ZCARD', KEYS[index]) == 0 then
        redis.call('SREM', KEYS[2], zone .. ':' .. other)
      end
    end
    redis.call('ZADD', KEYS[target], score, member)
    redis.call('SADD', KEYS[2], zone .. ':' .. part)
    moved = moved + 1
  end
end
return moved
