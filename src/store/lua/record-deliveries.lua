-- Appends records to the delivery log and ends the state of those that ended, in one call.
-- KEYS: the log. ARGV: the state keys' prefix, TTL, log length, then per record its
-- occurrence id, its status if it is an ending one (else ''), and the record as JSON.
local statePrefix, ttl, length = ARGV[1], ARGV[2], ARGV[3]
for i = 4, #ARGV, 3 do
  redis.call('XADD', KEYS[1], 'MAXLEN', '~', length, '*', 'record', ARGV[i + 2])
  if ARGV[i + 1] ~= '' then redis.call('SET', statePrefix .. ARGV[i], ARGV[i + 1], 'EX', ttl) end
end
return #ARGV
