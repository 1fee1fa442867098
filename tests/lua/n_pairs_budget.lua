-- expect: n_pairs_budget.lua:7: instruction budget of
-- pairs() sorts its keys in C; that work is charged to the instruction
-- budget, so a loop of pairs() over a big table cannot run for ever on a
-- handful of VM instructions.
local t = {}
for i = 1, 50000 do t["k" .. i] = i end
for r = 1, 1000 do for k in pairs (t) do break end end
