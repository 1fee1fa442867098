-- expect: n_syntax.lua:3:
cluster { gpus = 1024 }
run { length = = 5 }
