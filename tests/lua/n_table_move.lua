-- expect: n_table_move.lua:3: instruction budget of
-- table.move loops in C over the range it is given: charged up front.
table.move ({}, 1, 1e15, 2)
