-- expect: n_error_tostring_loop.lua:3: instruction budget of
-- An error object whose __tostring never returns: the budget ends it.
local obj = setmetatable ({}, { __tostring = function () while true do end end })
error (obj)
