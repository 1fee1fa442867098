-- A coroutine's allocation peaks past the memory cap but within its slack
-- (string.rep's buffer plus the string: about 34 MiB against the test's
-- 32 MiB cap with 4 MiB of slack), then drops back; the coroutine and the
-- main chunk then run well past one hook step. The peak must cost nothing:
-- neither a memory error nor a spent instruction budget (the main thread's
-- hook, armed at count 1 for the memory check, goes back to its step).
local co = coroutine.create (function ()
  local s = string.rep ("x", 17 * 1024 * 1024)
  s = nil
  local y = 0
  for i = 1, 200000 do y = y + i end
  return y
end)
local ok, y = coroutine.resume (co)
assert (ok and y == 20000100000)
local x = 0
for i = 1, 300000 do x = x + i end
assert (x == 45000150000)
