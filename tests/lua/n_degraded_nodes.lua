-- expect: n_degraded_nodes.lua:3: policy{}: unknown degraded_nodes value 'sometimes'
cluster { nodes = 64 }
policy { degraded_nodes = "sometimes" }
