-- One admission under a rate budget shared by every process that uses the key: GCRA (virtual
-- scheduling), each caller reserving the slot max(now, TAT) and moving TAT one interval on.
-- Time is Redis's own clock, so the hosts' clocks need not agree.
-- KEYS[1]: the budget's key, holding TAT in microseconds.
-- ARGV[1]: the interval in microseconds (1 / (0.99 N) s).
-- ARGV[2], optional: "now" in microseconds instead of Redis's clock, for the differential test
-- against the local pacer (clients never pass it).
-- Returns how many microseconds the caller waits before its slot.
local now = tonumber(ARGV[2])
if not now then
  local time = redis.call('TIME')
  now = tonumber(time[1]) * 1000000 + tonumber(time[2])
end
local interval = tonumber(ARGV[1])
local tat = tonumber(redis.call('GET', KEYS[1]) or 0) or 0
local slot = math.max(now, tat)
local next_tat = slot + interval
-- The key lives one second past its last reserved slot, then nothing is left behind: an
-- expired TAT and an absent one mean the same (no one is waiting).
local ttl_ms = math.floor((next_tat - now) / 1000) + 1000
redis.call('SET', KEYS[1], string.format('%.0f', next_tat), 'PX', ttl_ms)
return slot - now
