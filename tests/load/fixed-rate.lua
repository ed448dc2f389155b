-- wrk script: the same call as mcp-call.lua, paced to a fixed rate (RATE requests/s, default
-- 1000) with wrk's delay() hook, because Debian ships wrk but not wrk2.
--
-- Pacing: one schedule for the whole thread (run with -t1): request n is due at start + n/RATE.
-- When a connection is ready to send, delay() claims the next slot and waits until it is due
-- (wrk's timers have 1 ms resolution, so sends are spread per millisecond, about one each).
-- When the target falls behind, slots are already due and requests go at once, so the schedule
-- catches up. With many more connections than requests in flight (-c 50 at ~1 request/ms of
-- sub-millisecond latency) a connection is almost always free when a slot is due: the load is
-- open-loop in practice. wrk times each request from its actual send, so a stall longer than
-- all connections can absorb would be under-reported (coordinated omission); run.sh reports the
-- achieved rate so that shows.
local ffi = require("ffi")
ffi.cdef[[
  typedef struct { long tv_sec; long tv_nsec; } agentguard_timespec;
  int clock_gettime(int clock_id, agentguard_timespec *tp);
]]

local CLOCK_MONOTONIC = 1
local now = ffi.new("agentguard_timespec")
local function now_ms()
  ffi.C.clock_gettime(CLOCK_MONOTONIC, now)
  return tonumber(now.tv_sec) * 1000 + tonumber(now.tv_nsec) / 1e6
end

local interval_ms = 1000 / tonumber(os.getenv("RATE") or "1000")
local next_due = nil

-- The request and the RESULT line are mcp-call.lua's, so both modes report alike.
dofile((debug.getinfo(1, "S").source:match("^@(.*/)") or "") .. "mcp-call.lua")

function delay()
  local t = now_ms()
  if next_due == nil then
    next_due = t
  end

  local wait = next_due - t
  next_due = next_due + interval_ms
  if wait <= 0 then
    return 0
  end

  return math.floor(wait + 0.5)
end
