-- expect: n_sched_params.lua:3: policy{}: sched_params: sched.spares: 'x' is not a node count
cluster { gpus = 64 }
policy {
  sched_params = { spares = "x" },
}
