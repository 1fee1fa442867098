-- expect: n_table_remove.lua:4: instruction budget of
-- table.remove shifts #t elements in C, as table.insert does.
local t = setmetatable ({}, { __len = function () return 1e15 end })
table.remove (t, 1)
