-- Takes each occurrence's delivery state for a job, in one step.
-- KEYS: the state keys. ARGV: the job (owner), the TTL, then per key the holder it may take
-- over from ('' for none) and the occurrence's instant (epoch ms). A key is taken when free,
-- held by the owner already (a job run again), held by that previous holder, or superseded
-- for this instant (its date was claimed again for a new time: claim-due.lua). Returns per
-- key 1 (taken), 0 (held by another, ended, or superseded for another instant) or 2 (Redis
-- cannot read the key): one unreadable key spoils no other.
local taken = {}
for i = 1, #KEYS do
  local holder = redis.pcall('GET', KEYS[i])
  local previous, instantMs = ARGV[2 * i + 1], ARGV[2 * i + 2]
  if type(holder) == 'table' and holder.err then
    taken[i] = 2
  elseif not holder or holder == ARGV[1] or (previous ~= '' and holder == previous)
      or holder == 'superseded:' .. instantMs then
    redis.call('SET', KEYS[i], ARGV[1], 'EX', ARGV[2])
    taken[i] = 1
  else
    taken[i] = 0
  end
end
return taken
