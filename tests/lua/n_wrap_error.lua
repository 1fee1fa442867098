-- expect: n_wrap_error.lua:4: boom
-- An error through coroutine.wrap names where it was raised, once
-- (test_sandbox.c's test_wrap_once checks it is not repeated).
local f = coroutine.wrap (function () error ("boom") end)
f ()
