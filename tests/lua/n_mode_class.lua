-- expect: n_mode_class.lua:3: failure mode 'fan': unknown component class 'nodee', did you mean 'node'? (valid: gpu, node, nic, cable, leaf, spine, core, uplink, rack, row, cooling, job)
cluster { gpus = 64 }
failure_mode ("fan", { class = "nodee", mtbf = hours (1000) })
