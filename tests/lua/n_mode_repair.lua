-- expect: n_mode_repair.lua:3: failure mode 'psu': unknown repair path 'rebot', did you mean 'reboot'? (valid: none, reset_gpu, reboot, reimage, replace, rma)
cluster { gpus = 64 }
failure_mode ("psu", { repair = "rebot" })
