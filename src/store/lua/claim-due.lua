-- Checks each candidate's subscription and claims it, in one step per batch of one bucket.
-- Every key it touches is declared, so it stays right while a cluster migrates slots.
-- KEYS: the bucket's hand-off ZSET, then the users' HASHes (each once), then per candidate
-- its sent key and its delivery state key.
-- ARGV: TTL, retry score, respect armedAt (1/0), dry run (1/0), the paused character, the
-- number of user HASHes, the length of the sent keys' prefix (the occurrence id follows it),
-- then groups of candidates that share an instant: count, weekday bit (1 Monday ... 64
-- Sunday), instant as the values' armedAt is written (8 base-36 digits), instant in epoch ms
-- (the claim's value), hand-off line suffix (`|<epoch ms>|<late>`), and per candidate the
-- index of its user's HASH among KEYS and its tag.
-- Values are subscription.codec.ts's: days at 2-3 (hex mask), paused at 4, armedAt at 5-12.
-- A claim holds the instant it was made for. A date claimed for another instant whose send
-- has not begun (no delivery state yet, or one superseded before) or ended `cancelled` was
-- never delivered: its time moved, so it is claimed again for the new instant (SPEC 4), and
-- its delivery state says `superseded:<new instant>`, which only a job for that instant takes.
-- Returns one digit per candidate: 0 absent, 1 won, 2 duplicate, 3 skipped. The won lines
-- become one hand-off record, so a crash between claim and hand-off leaves it for a later tick.
local ttl, respectArmedAt, dryRun = ARGV[1], ARGV[3] == '1', ARGV[4] == '1'
local pausedFlag, users, idFrom = ARGV[5], tonumber(ARGV[6]), tonumber(ARGV[7]) + 1
local outcomes, won = {}, {}
local group, candidate = 8, 0

-- Whether a date already claimed may be claimed again for `instantMs`.
local function reclaimable(sent, state, instantMs)
  local status = redis.pcall('GET', state)
  if status == 'cancelled' then return true end
  local claimedFor = redis.call('GET', sent)
  -- '1': a claim from before claims held their instant; it may have begun.
  if claimedFor == instantMs or claimedFor == '1' then return false end
  return not status or string.sub(status, 1, 11) == 'superseded:'
end

local function outcomeOf(value, weekdayBit, armedBy, instantMs, sent, state, suffix)
  if not value or bit.band(tonumber(string.sub(value, 2, 3), 16), weekdayBit) == 0 then return 0 end
  if string.sub(value, 4, 4) == pausedFlag then return 3 end
  if respectArmedAt and string.sub(value, 5, 12) > armedBy then return 3 end
  if dryRun then
    local claimed = redis.call('EXISTS', sent) == 1
    return (claimed and not reclaimable(sent, state, instantMs)) and 2 or 1
  end
  if redis.call('SET', sent, instantMs, 'NX', 'EX', ttl) then
    won[#won + 1] = string.sub(sent, idFrom) .. suffix
    return 1
  end
  if reclaimable(sent, state, instantMs) then
    redis.call('SET', sent, instantMs, 'EX', ttl)
    redis.call('SET', state, 'superseded:' .. instantMs, 'EX', ttl)
    won[#won + 1] = string.sub(sent, idFrom) .. suffix
    return 1
  end
  return 2
end

while group <= #ARGV do
  local count, weekdayBit = tonumber(ARGV[group]), tonumber(ARGV[group + 1])
  local armedBy, instantMs, suffix = ARGV[group + 2], ARGV[group + 3], ARGV[group + 4]
  for i = group + 5, group + 3 + 2 * count, 2 do
    local user, tag = KEYS[1 + tonumber(ARGV[i])], ARGV[i + 1]
    local sent, state = KEYS[2 + users + 2 * candidate], KEYS[3 + users + 2 * candidate]
    local value = redis.call('HGET', user, tag)
    outcomes[#outcomes + 1] = outcomeOf(value, weekdayBit, armedBy, instantMs, sent, state, suffix)
    candidate = candidate + 1
  end
  group = group + 5 + 2 * count
end
if #won > 0 then redis.call('ZADD', KEYS[1], ARGV[2], table.concat(won, '\n')) end
return table.concat(outcomes)
