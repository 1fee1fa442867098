-- math.random is seeded from the run seed; the draw is exposed as a param
-- so the C test can compare runs.
local x = math.random (1, 1000000000)
local f = math.random ()
assert (f >= 0 and f < 1)
assert (math.random (6) >= 1 and math.random (6) <= 6)
param ("draw", x)
