-- expect: n_table_concat.lua:4: instruction budget of
-- table.concat over a table whose __index is a C function (table.concat of
-- an empty table is "") would loop in C for ever.
table.concat (setmetatable ({}, { __index = table.concat }), "", 1, 1e15)
