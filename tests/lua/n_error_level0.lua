-- expect: n_error_level0.lua:3: no position asked
-- error (msg, 0) adds no position; the sandbox names the line anyway.
error ("no position asked", 0)
