-- expect: n_mode_repair.lua:3: failure_mode('psu'): unknown repair path 'rebot', did you mean 'reboot'?
cluster { gpus = 64 }
failure_mode ("psu", { repair = "rebot" })
