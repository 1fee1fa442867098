-- expect: n_mode_blast.lua:2: failure_mode('psu'): unknown blast radius 'rack', did you mean 'rail'?
failure_mode ("psu", { blast = "rack" })
