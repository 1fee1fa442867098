-- expect: n_policy_health_typo.lua:3: policy{}: unknown health policy 'standrd', did you mean 'standard'?
cluster { gpus = 64 }
policy { sched = "fifo",
         health = "standrd" }
