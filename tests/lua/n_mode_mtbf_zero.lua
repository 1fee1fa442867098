-- expect: n_mode_mtbf_zero.lua:3: failure mode 'hbm3': mtbf must be positive
cluster { gpus = 64 }
failure_mode ("hbm3", { mtbf = 0 })
