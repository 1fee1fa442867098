-- expect: n_job_too_big.lua:3: job{}: job 'pretrain' needs 9 nodes but the cluster has 8 (with 0 hot spares held back)
cluster { gpus = 64 }
job { name = "pretrain", nodes = 9 }
