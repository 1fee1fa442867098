-- expect: n_gc_finalizer.lua:5: setmetatable: a metatable with a __gc finalizer is not allowed
-- Lua runs finalizers with hooks off, so this endless loop would escape the
-- instruction budget (during the run, or at lua_close after the results are
-- written): the metatable is refused (repro lua-gc-finalizer-hang.lua).
setmetatable ({}, { __gc = function () while true do end end })
collectgarbage ()
