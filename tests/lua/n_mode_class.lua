-- expect: n_mode_class.lua:3: failure_mode('fan'): unknown component class 'nodee', did you mean 'node'?
cluster { gpus = 64 }
failure_mode ("fan", { class = "nodee", mtbf = hours (1000) })
