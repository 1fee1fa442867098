-- expect: n_table_insert.lua:4: instruction budget of
-- table.insert shifts #t elements in C; a __len of 1e15 asked for 1e15.
local t = setmetatable ({}, { __len = function () return 1e15 end })
table.insert (t, 1, 0)
