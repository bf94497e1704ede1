-- Checks each candidate's subscription and claims it, in one step per batch.
-- KEYS: the hand-off ZSET. ARGV: TTL, retry score, respect armedAt (1/0), dry run (1/0), the
-- prefixes of the subscription HASHes, of the sent keys and of the delivery states, the
-- value of a paused HASH's `paused` field (subscription.codec.ts owns the HASH's encoding),
-- then groups of candidates that share an instant: count, weekday, local date, instant (ISO,
-- compared with the HASH's armedAt), instant (epoch ms, the claim's value), hand-off line
-- suffix (`|<epoch ms>|<late>`), and that many occurrence ids.
-- The script derives each candidate's keys from its occurrence id (`<userId>|<tag>|<date>`)
-- and the prefixes, as the save script derives a zone's key: chime runs on one Redis, not a
-- cluster, and one argument per candidate instead of five halves what a 100k burst costs.
-- A claim holds the instant it was made for. A date claimed for another instant whose send
-- has not begun (no delivery state yet, or one superseded before) or ended `cancelled` was
-- never delivered: its time moved, so it is claimed again for the new instant (SPEC 4), and
-- its delivery state says `superseded:<new instant>`, which only a job for that instant takes.
-- Returns one digit per candidate: 0 absent, 1 won, 2 duplicate, 3 skipped. The won lines
-- become one hand-off record, so a crash between claim and hand-off leaves it for a later tick.
local ttl, respectArmedAt, dryRun = ARGV[1], ARGV[3] == '1', ARGV[4] == '1'
local subPrefix, sentPrefix, statePrefix, pausedFlag = ARGV[5], ARGV[6], ARGV[7], ARGV[8]
local outcomes, won = {}, {}
local group = 9

-- Whether a date already claimed may be claimed again for `instantMs`.
local function reclaimable(occurrenceId, instantMs)
  local state = redis.pcall('GET', statePrefix .. occurrenceId)
  if state == 'cancelled' then return true end
  local claimedFor = redis.call('GET', sentPrefix .. occurrenceId)
  -- '1': a claim from before claims held their instant; it may have begun.
  if claimedFor == instantMs or claimedFor == '1' then return false end
  return not state or string.sub(state, 1, 11) == 'superseded:'
end

while group <= #ARGV do
  local count, weekday, localDate = tonumber(ARGV[group]), ARGV[group + 1], ARGV[group + 2]
  local instant, instantMs, lineSuffix = ARGV[group + 3], ARGV[group + 4], ARGV[group + 5]
  local subscriptionEnd = -#localDate - 2
  for i = group + 6, group + 5 + count do
    local occurrenceId = ARGV[i]
    local subscription = subPrefix .. string.sub(occurrenceId, 1, subscriptionEnd)
    local fields = redis.call('HMGET', subscription, 'days', 'paused', 'armedAt')
    local outcome
    if not fields[1] or not string.find(fields[1], weekday, 1, true) then
      outcome = 0
    elseif fields[2] == pausedFlag or (respectArmedAt and (fields[3] or '') > instant) then
      outcome = 3
    elseif dryRun then
      local claimed = redis.call('EXISTS', sentPrefix .. occurrenceId) == 1
      outcome = (claimed and not reclaimable(occurrenceId, instantMs)) and 2 or 1
    elseif redis.call('SET', sentPrefix .. occurrenceId, instantMs, 'NX', 'EX', ttl) then
      won[#won + 1] = occurrenceId .. lineSuffix
      outcome = 1
    elseif reclaimable(occurrenceId, instantMs) then
      redis.call('SET', sentPrefix .. occurrenceId, instantMs, 'EX', ttl)
      redis.call('SET', statePrefix .. occurrenceId, 'superseded:' .. instantMs, 'EX', ttl)
      won[#won + 1] = occurrenceId .. lineSuffix
      outcome = 1
    else
      outcome = 2
    end
    outcomes[#outcomes + 1] = outcome
  end
  group = group + 6 + count
end
if #won > 0 then redis.call('ZADD', KEYS[1], ARGV[2], table.concat(won, '\n')) end
return table.concat(outcomes)
