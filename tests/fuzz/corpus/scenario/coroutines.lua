-- expect: instruction budget of 20000000 exceeded
-- Coroutines nesting coroutines, each short, the main thread doing
-- almost nothing: every coroutine is charged all the same.
local function f (d)
  local co = coroutine.create (function ()
    for i = 1, 500 do end
    if d > 0 then f (d - 1) end
  end)
  coroutine.resume (co)
end
while true do f (6) end
