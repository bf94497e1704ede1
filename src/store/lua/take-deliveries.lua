-- Takes each occurrence's delivery state for a job, in one step, and reads what the job
-- sends from: each taken occurrence's subscription and its user's policy. A key is taken
-- when free, held by the owner already (a job run again), held by the previous holder it
-- may take over from, or superseded for this instant (its date was claimed again for a new
-- time: claim-due.lua). One call per bucket where a delivery job made the take, a HGET an
-- item and a GET a user.
-- KEYS: the n state keys, then per user its subscriptions' HASH and its policy key.
-- ARGV: the job (owner), the TTL, the number of users, then per state key the holder it may
-- take over from ('' for none), the occurrence's instant (epoch ms), its user's number
-- (1-based, in the users' KEYS; 0 reads nothing: DeliveryStore.acquire) and its tag.
-- Returns per state key a code and a value: 1 and the subscription's value (nil when gone)
-- when taken, 3 and the error when taken but its subscription cannot be read, 0 (held by
-- another, ended, or superseded for another instant) or 2 (Redis cannot read the state key)
-- and nil; then per user its policy (nil: none, or no item of the user was taken). A policy
-- Redis cannot read fails the whole call before anything is written: the job runs again.
local owner, ttl, users = ARGV[1], ARGV[2], tonumber(ARGV[3])
local n = #KEYS - 2 * users
local codes, wanted = {}, {}
for i = 1, n do
  local holder = redis.pcall('GET', KEYS[i])
  local at = 4 * i
  local previous, instantMs = ARGV[at], ARGV[at + 1]
  if type(holder) == 'table' and holder.err then
    codes[i] = 2
  elseif not holder or holder == owner or (previous ~= '' and holder == previous)
      or holder == 'superseded:' .. instantMs then
    codes[i] = 1
    wanted[tonumber(ARGV[at + 2])] = true
  else
    codes[i] = 0
  end
end
local policies = {}
for u = 1, users do
  policies[u] = false
  if wanted[u] then
    local policy = redis.pcall('GET', KEYS[n + 2 * u])
    if type(policy) == 'table' and policy.err then
      return redis.error_reply('policy of user ' .. u .. ': ' .. policy.err)
    end
    policies[u] = policy
  end
end
local reply = {}
for i = 1, n do
  local code, value = codes[i], false
  if code == 1 then
    redis.call('SET', KEYS[i], owner, 'EX', ttl)
    local at = 4 * i
    local user = tonumber(ARGV[at + 2])
    if user > 0 then
      local found = redis.pcall('HGET', KEYS[n + 2 * user - 1], ARGV[at + 3])
      if type(found) == 'table' and found.err then
        code, value = 3, found.err
      else
        value = found
      end
    end
  end
  reply[2 * i - 1] = code
  reply[2 * i] = value
end
for u = 1, users do
  reply[2 * n + u] = policies[u]
end
return reply
