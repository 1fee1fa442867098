-- expect: n_mode_mtbf_negative.lua:2: failure_mode('hbm3'): failure mode 'hbm3': mtbf = -18000 must be a non-negative number
failure_mode ("hbm3", { mtbf = -hours (5) })
