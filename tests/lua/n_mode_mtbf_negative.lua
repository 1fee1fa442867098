-- expect: n_mode_mtbf_negative.lua:2: failure mode 'hbm3': failure_mode.mtbf = -18000 is out of range [1, 1e+13] s
failure_mode ("hbm3", { mtbf = -hours (5) })
