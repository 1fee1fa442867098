-- The smallest useful scenario: a cluster and a run length.
cluster { gpus = 1024 }
run { length = days(1) }
