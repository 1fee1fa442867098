-- expect: n_mode_blast.lua:2: failure mode 'psu': unknown blast radius 'rack', did you mean 'rail'? (valid: node, rail, su_rail, bandwidth, domain, job)
failure_mode ("psu", { blast = "rack" })
