-- What the sandbox keeps: text load(), string/table/math/utf8/coroutine.
assert (load ("return 1 + 1") () == 2)
assert (string.rep ("ab", 3) == "ababab")
assert (utf8.len ("h\u{e9}") == 2)
local co = coroutine.wrap (function () coroutine.yield (7) end)
assert (co () == 7)
assert (io == nil and os == nil and debug == nil and package == nil)
assert (dofile == nil and loadfile == nil)
