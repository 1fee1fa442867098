-- expect: n_mode_new_no_class.lua:3: failure mode 'fan' is not a default mode: set its class first
cluster { gpus = 64 }
failure_mode ("fan", { mtbf = hours (1000) })
