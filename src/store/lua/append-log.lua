-- Appends a turn's delivery records to the delivery log, in one call.
-- KEYS[1]: the log STREAM. ARGV: its approximate length bound, then one record (JSON) each.
for i = 2, #ARGV do
  redis.call('XADD', KEYS[1], 'MAXLEN', '~', ARGV[1], '*', 'record', ARGV[i])
end
return #ARGV - 1
