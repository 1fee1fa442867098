-- expect: n_cluster_after_job.lua:4: cluster{}: job 'pretrain' needs 100 nodes but the cluster has 16
job { name = "pretrain", nodes = 100 }
job { name = "small", nodes = 4 }
cluster { nodes = 16 }
