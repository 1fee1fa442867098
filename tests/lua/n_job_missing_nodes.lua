-- expect: job{}: key 'nodes' is required
job { name = "pretrain" }
