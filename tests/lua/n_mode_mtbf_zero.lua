-- expect: n_mode_mtbf_zero.lua:3: failure mode 'hbm3': failure_mode.mtbf = 0 is out of range
cluster { gpus = 64 }
failure_mode ("hbm3", { mtbf = 0 })
