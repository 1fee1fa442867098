-- expect: n_policy_sched.lua:2: policy{}: unknown scheduling policy 'nope'
policy { sched = "nope" }
