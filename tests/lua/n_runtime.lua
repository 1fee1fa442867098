-- expect: n_runtime.lua:4: attempt to perform arithmetic
cluster { gpus = 1024 }
local spares
cluster { spares = spares + 1 }
