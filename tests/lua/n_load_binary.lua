-- expect: attempt to load a binary chunk
local f, err = load (string.dump (function () return 1 end))
assert (f, err)
