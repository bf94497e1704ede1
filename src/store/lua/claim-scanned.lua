-- Claims candidates a scan found in their zone's part ZSETs, in one step per batch of one
-- bucket, without reading their subscriptions: the part vouches for the weekday and for
-- not being paused, and their instants lie ahead of any armedAt (claim.store.ts, `vouched`).
-- What changed since the range was read is decided when the occurrence is sent (SPEC 4).
-- KEYS: the bucket's hand-off ZSET, then each candidate's sent key.
-- ARGV: TTL, retry score, the length of the sent keys' prefix (the occurrence id follows it),
-- then groups of candidates that share an instant: count, instant in epoch ms (the claim's
-- value), hand-off line suffix (`|<epoch ms>|<late>`).
-- Returns one digit per candidate: 1 won, 2 duplicate (claimed for this instant), 4 claimed
-- for another instant: the caller asks claim-due.lua, which reads the subscription and the
-- delivery state to tell a moved time from a send that began. The won lines become one
-- hand-off record, so a crash between claim and hand-off leaves it for a later tick.
local ttl, idFrom = ARGV[1], tonumber(ARGV[3]) + 1
local outcomes, won = {}, {}
local group, key = 4, 2

while group <= #ARGV do
  local count, instantMs, suffix = tonumber(ARGV[group]), ARGV[group + 1], ARGV[group + 2]
  for _ = 1, count do
    local sent = KEYS[key]
    -- SET NX GET (Redis 7.0): the claim, or the instant someone claimed it for already.
    local claimedFor = redis.call('SET', sent, instantMs, 'NX', 'GET', 'EX', ttl)
    if not claimedFor then
      won[#won + 1] = string.sub(sent, idFrom) .. suffix
      outcomes[#outcomes + 1] = 1
    elseif claimedFor == instantMs or claimedFor == '1' then
      outcomes[#outcomes + 1] = 2
    else
      outcomes[#outcomes + 1] = 4
    end
    key = key + 1
  end
  group = group + 3
end
if #won > 0 then redis.call('ZADD', KEYS[1], ARGV[2], table.concat(won, '\n')) end
return table.concat(outcomes)
