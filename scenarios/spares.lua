-- spares.lua - how many hot spare nodes does a 16,384-GPU job need?
--
-- Question: how does the effective training time ratio (ETTR) of a
-- 2,048-node (16,384-GPU) pre-training run change with the number of hot
-- spare nodes kept idle beside it? With too few spares, an interruption
-- whose node is out for repair leaves the job waiting for a whole node (or
-- a whole leaf's 32 nodes) to come back; past some number more spares buy
-- nothing. Sweep it: faultline run scenarios/spares.lua --set spares=N.
--
-- Sources (../shared/data/field-data.md):
--  * failure rates: Llama 3 Table 5, 419 interruptions in 54 days on
--    16,384 H100 GPUs (§1.1, §12.2);
--  * restart 5 min, checkpoint cost 30 s, interval 13.3 min (Daly) (§12.3,
--    §12.4);
--  * spare counts worth trying: ~5% over-provisioning in the NCSA Delta
--    study (§7.1), 5-20% in its abstract: 128 nodes is 6.25%.
--
-- Seeds 1/2/3, ETTR, mean in brackets (faultline sweep scenarios/spares.lua
-- --seeds 1-3 --grid spares=0,16,64,128,256; tests/scenario_figures.py
-- checks these figures):
--    spares   0: 0.048 0.022 0.032 [0.034]  (the job cannot restart until
--                the failed node is repaired: it waits most of the run)
--    spares  16: 0.667 0.579 0.622 [0.623]
--    spares  64: 0.778 0.754 0.893 [0.808]  (out of spares 178 h, 213 h and
--                0 h: spares_exhausted_hours)
--    spares 128: 0.902 0.887 0.893 [0.894]  (seed 2: 17 h)
--    spares 256: 0.900 0.900 0.894 [0.898]  (flat: §12.4 expects ~0.90)
-- ETTR rises steeply to 64 spares and flattens past 128 (~6% of the job).
--
-- Runs in well under a second: the full 54-day window is kept.

local presets = require "faultline.presets"

local spares = param ("spares", 128, "hot spare nodes beside the 2,048 of the job")

cluster (presets.h100_superpod { nodes = 2048 + spares, spares = spares })
failures { source = "llama3", scale = param ("rate_scale", 1.0, "multiplies every failure rate") }
policy { health = param ("health", "standard", "reactive, standard or proactive"),
         sched = "topology" }
job { name = "pretrain", nodes = 2048, checkpoint_every = minutes (13.3),
      checkpoint_cost = seconds (30), restart = minutes (5), comm_share = 0.2 }
run { length = days (param ("days", 54, "simulated days")), sample_every = hours (1) }
