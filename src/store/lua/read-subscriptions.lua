-- KEYS: subscription HASHes. Returns each one as a JSON object ('' when it is gone, '!' and
-- the error when Redis cannot read it): one string per subscription decodes several times
-- faster in Node than its field-value pairs. One unreadable key spoils no other.
local found = {}
for i = 1, #KEYS do
  local fields = redis.pcall('HGETALL', KEYS[i])
  if fields.err then
    found[i] = '!' .. fields.err
  else
    local hash = {}
    for j = 1, #fields, 2 do hash[fields[j]] = fields[j + 1] end
    found[i] = #fields > 0 and cjson.encode(hash) or ''
  end
end
return found
