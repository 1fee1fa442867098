-- expect: n_error_tostring.lua:5: error object is a table value whose __tostring failed: 
-- An error object whose __tostring raises: its line (4, after the text
-- above) and the line of error() are both named.
local obj = setmetatable ({}, { __tostring = function () error ("inner") end })
error (obj)
