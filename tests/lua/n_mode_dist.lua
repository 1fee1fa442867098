-- expect: n_mode_dist.lua:3: failure mode 'hbm3': unknown distribution 'gamma' (valid: exponential, weibull, lognormal)
cluster { gpus = 64 }
failure_mode ("hbm3", { dist = "gamma" })
