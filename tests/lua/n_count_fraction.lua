-- expect: n_count_fraction.lua:2: cluster{}: cluster.nodes = 1.5 is not a whole number
cluster { nodes = 1.5 }
