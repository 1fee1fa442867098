-- expect: n_research_sizes.lua:3: workload{}: workload.research_sizes: '4:0' is not NODES or NODES:WEIGHT (a whole number of nodes >= 1 and a weight > 0), in '1:0.5,4:0'
cluster { gpus = 64 }
workload { research_sizes = "1:0.5,4:0" }
