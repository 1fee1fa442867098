-- pairs() visits keys in a fixed order (numbers ascending, strings by
-- bytes, false, true) whatever Lua's per-process string hash seed; the
-- order is exposed as a param so the C test can compare Lua states.
local t = { [true] = 1, zeta = 1, [3] = 1, alpha = 1, [1] = 1, Beta = 1,
            [2.5] = 1, [false] = 1, [-7] = 1 }
for i = 1, 200 do t["k" .. i] = i end
local out = {}
for k in pairs (t) do out[#out + 1] = tostring (k) end
-- removing keys while traversing is allowed, and they are not visited
local u = { a = 1, b = 2, c = 3 }
local seen = {}
for k in pairs (u) do seen[#seen + 1] = k; u.c = nil end
assert (table.concat (seen) == "ab")
-- a __pairs metamethod is honoured
local m = setmetatable ({}, { __pairs = function (x) return function (_, k) if not k then return 1, "one" end end, x, nil end })
for k, v in pairs (m) do assert (k == 1 and v == "one") end
-- the triple can be traversed twice, like stock pairs()'s
local f, s, c = pairs ({ x = 1, y = 2 })
local twice = {}
for _ = 1, 2 do for k in f, s, c do twice[#twice + 1] = k end end
assert (table.concat (twice) == "xyxy")
param ("order", table.concat (out, " "))
