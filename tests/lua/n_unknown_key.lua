-- expect: unknown key 'nodse', did you mean 'nodes'?
cluster { nodse = 10 }
