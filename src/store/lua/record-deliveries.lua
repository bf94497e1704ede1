-- Appends records to the delivery log and ends the state of those that ended, in one call.
-- KEYS: the log. ARGV: the state keys' prefix, TTL, log length, then per record its
-- occurrence id, its status if it is an ending one (else ''), and the record as JSON.
-- A delivered occurrence stays delivered: a later ending (a job's last run giving up on
-- items it could not read) never reopens it for a dead letter's retry to send again.
local statePrefix, ttl, length = ARGV[1], ARGV[2], ARGV[3]
for i = 4, #ARGV, 3 do
  redis.call('XADD', KEYS[1], 'MAXLEN', '~', length, '*', 'record', ARGV[i + 2])
  if ARGV[i + 1] ~= '' then
    local state = statePrefix .. ARGV[i]
    if redis.pcall('GET', state) ~= 'delivered' then
      redis.call('SET', state, ARGV[i + 1], 'EX', ttl)
    end
  end
end
return #ARGV
