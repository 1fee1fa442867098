-- expect: n_spares_all.lua:2: cluster{}: cluster.spares = 8 leaves no node for jobs (the cluster has 8 nodes)
cluster { gpus = 64, spares = 8 }
