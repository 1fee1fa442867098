-- expect: n_mode_shape.lua:4: failure mode 'hbm3': shape needs dist = "weibull"
cluster { gpus = 64 }
failure_mode ("hbm3", { dist = "lognormal" })
failure_mode ("hbm3", { shape = 1.5 })
