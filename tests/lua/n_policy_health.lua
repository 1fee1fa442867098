-- expect: n_policy_health.lua:3: policy{}: unknown health policy 'bogus' (valid: reactive, standard, proactive, nvsentinel, eks-auto-repair, slurm-nhc)
cluster { gpus = 64 }
policy { health = "bogus" }
