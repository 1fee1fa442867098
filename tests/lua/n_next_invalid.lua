-- expect: n_next_invalid.lua:4: invalid key to 'next'
-- Raised inside the C function next: the line of its caller is named.
local t = { a = 1 }
next (t, "not a key")
