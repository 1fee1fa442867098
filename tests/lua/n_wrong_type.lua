-- expect: key 'gpus' must be a number, got string
cluster { gpus = "lots" }
