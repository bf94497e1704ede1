-- Ends the delivery state of occurrences of one bucket, in one call.
-- KEYS: the state keys. ARGV: the TTL, then per key its ending status.
-- A delivered occurrence stays delivered: a later ending (a job's last run giving up on
-- items it could not read) never reopens it for a dead letter's retry to send again.
for i = 1, #KEYS do
  if redis.pcall('GET', KEYS[i]) ~= 'delivered' then
    redis.call('SET', KEYS[i], ARGV[i + 1], 'EX', ARGV[1])
  end
end
return #KEYS
