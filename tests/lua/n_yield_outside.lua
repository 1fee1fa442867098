-- expect: n_yield_outside.lua:3: attempt to yield from outside a coroutine
-- Raised inside coroutine.yield: the line of its caller is named.
coroutine.yield (1)
