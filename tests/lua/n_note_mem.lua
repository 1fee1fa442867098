-- expect: n_note_mem.lua:5: memory limit of 32 MiB exceeded, counting
-- note() texts are kept in C until the run ends: they count against the
-- Lua memory cap (here the test's 32 MiB) like the script's own memory.
local s = string.rep ("x", 1000000)
for i = 1, 100 do note (s) end
