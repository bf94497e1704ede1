-- Starts a bucket's tick of a minute in one step: takes the minute's lease and, for the
-- holder of a bucket that has a watermark of its own, moves the horizon forward (never back)
-- to the scan's end before anything is scanned.
-- KEYS: the lease, the bucket's scheduler HASH. ARGV: holder, lease TTL (s), horizon (ms).
-- Returns false when another caller holds the lease; else the watermark, or '' when the
-- bucket has none of its own (its horizon is then left to the caller, who reads the rest).
if not redis.call('SET', KEYS[1], ARGV[1], 'NX', 'EX', ARGV[2]) then return false end
local watermark = redis.call('HGET', KEYS[2], 'watermark')
if not watermark then return '' end
local horizon = tonumber(redis.call('HGET', KEYS[2], 'horizon') or '0')
if tonumber(ARGV[3]) > horizon then redis.call('HSET', KEYS[2], 'horizon', ARGV[3]) end
return watermark
