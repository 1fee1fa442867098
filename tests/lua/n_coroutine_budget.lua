-- expect: n_coroutine_budget.lua:6: instruction budget of
-- Short coroutines that never reach their count hook were never charged:
-- this loop ran far past the budget on a few main-thread instructions.
local n = 0
while true do
  coroutine.wrap (function () for i = 1, 900 do n = n + 1 end end) ()
end
