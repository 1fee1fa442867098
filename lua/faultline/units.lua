-- lua/faultline/units.lua - time units as a module: every function returns
-- seconds, the unit of every duration in the scenario API. The same
-- functions are also globals in a scenario; this module is for library code
-- that prefers explicit imports:  local u = require "faultline.units"
local units = {}

function units.seconds (x) return x end
function units.minutes (x) return x * 60 end
function units.hours (x) return x * 3600 end
function units.days (x) return x * 86400 end
function units.weeks (x) return x * 604800 end

-- Formats a duration in seconds for notes: 93784 -> "1d02h03m04s".
function units.format (s)
  assert (type (s) == "number", "units.format: expected seconds (a number)")
  local neg = s < 0 and "-" or ""
  s = math.abs (s)
  local d = s // 86400
  local h = (s % 86400) // 3600
  local m = (s % 3600) // 60
  local sec = s % 60
  if d > 0 then
    return string.format ("%s%dd%02dh%02dm%02.0fs", neg, d, h, m, sec)
  elseif h > 0 then
    return string.format ("%s%dh%02dm%02.0fs", neg, h, m, sec)
  elseif m > 0 then
    return string.format ("%s%dm%02.0fs", neg, m, sec)
  end
  return string.format ("%s%gs", neg, sec)
end

return units
