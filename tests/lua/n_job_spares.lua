-- expect: n_job_spares.lua:3: job{}: job 'pretrain' needs 7 nodes but the cluster has 8 (with 2 hot spares held back)
cluster { gpus = 64, spares = 2 }
job { name = "pretrain", nodes = 7 }
