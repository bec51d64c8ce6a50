-- The second half of an admission under a shared rate budget, run when a caller is about to
-- send: records the instant in a log of the last N sends of every process on the budget, unless
-- the N-th send before it is less than W old. A caller that woke late is recorded when it really
-- sends, so it cannot bunch up with the callers of the next slots, and no slot is given up.
-- Time is Redis's own clock, as in gcra.lua.
-- KEYS[1]: the log, a list of microsecond instants, newest first.
-- ARGV[1]: N, the rate per second. ARGV[2]: W, the window in microseconds (1 s plus headroom).
-- ARGV[3], optional: "now" in microseconds instead of Redis's clock, for the differential test
-- against the model's SlidingWindowLog (clients never pass it).
-- Returns 0 when the send is recorded, else how many microseconds to wait before asking again.
local now = tonumber(ARGV[3])
if not now then
  local time = redis.call('TIME')
  now = tonumber(time[1]) * 1000000 + tonumber(time[2])
end
local limit = tonumber(ARGV[1])
local window = tonumber(ARGV[2])
local oldest = tonumber(redis.call('LINDEX', KEYS[1], limit - 1))
-- The model's sliding-window rule (wa_stats_model::window): a send fits once the N-th before it
-- is at least W old.
if oldest and now - oldest < window then
  return oldest + window - now
end
redis.call('LPUSH', KEYS[1], string.format('%.0f', now))
redis.call('LTRIM', KEYS[1], 0, limit - 1)
-- Entries older than the window decide nothing: the log lives one window past its newest send.
redis.call('PEXPIRE', KEYS[1], math.floor(window / 1000) + 1)
return 0
