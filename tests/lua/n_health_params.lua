-- expect: n_health_params.lua:3: policy{}: health_params: unknown health parameter 'nope'
cluster { gpus = 64 }
policy { health = "standard", health_params = { nope = 1 } }
