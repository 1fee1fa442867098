-- checkpoint-interval.lua - what checkpoint interval maximises ETTR?
--
-- Question: how does the ETTR of the 16,384-GPU pre-training run depend on
-- the checkpoint interval? Too short wastes time saving, too long loses
-- more work at each interruption. Sweep --set checkpoint_every=MINUTES.
--
-- Sources (../shared/data/field-data.md):
--  * default 13.3 min is Daly's first-order optimum sqrt(2 d (R + M)) for
--    d = 0.5 min, R = 5 min, M = 185.6 min (§10, §12.4); first-order
--    efficiency E ~ 1 - d/t - (t/2 + R)/M (§10);
--  * failure rates: Llama 3 Table 5 (§1.1, §12.2); restart 5 min,
--    checkpoint cost 30 s (§12.3); 128 spares (§7.1).
--
-- Sweeps (54 days, seeds 1-8, mean ETTR +- 95% CI half-width; checked by
-- tests/scenario_figures.py):
--   faultline sweep scenarios/checkpoint-interval.lua --seeds 1-8 \
--     --grid checkpoint_every=5,7.8,13.3,30,60,120
--    5 min 0.867+-0.004   7.8 min 0.889+-0.005   13.3 min 0.898+-0.005
--   30 min 0.876+-0.007    60 min 0.812+-0.010    120 min 0.687+-0.016
-- The optimum is near Daly's 13.3 min, as theory says (§10). With
-- asynchronous saves (10 s blocking, 33 s background write, as in
-- llama3-16k.lua; add --set checkpoint_cost=10 --set checkpoint_write=33):
--    2 min 0.885+-0.004   4 min 0.916+-0.004   7.8 min 0.924+-0.005
--   13.3 min 0.918+-0.005  30 min 0.884+-0.006
-- The optimum moves to Daly's interval for the blocking part alone
-- (7.8 min): the write only costs e^(-W/M) (docs/validation.md §1b).
--
-- Runs the full 54 days (< 1 s).

local presets = require "faultline.presets"

local spares = param ("spares", 128, "hot spare nodes beside the 2,048 of the job")
local every_min = param ("checkpoint_every", 13.3, "minutes between checkpoints")

cluster (presets.h100_superpod { nodes = 2048 + spares, spares = spares })
failures { source = "llama3", scale = param ("rate_scale", 1.0, "multiplies every failure rate") }
policy { health = param ("health", "standard", "reactive, standard or proactive"), sched = "topology" }
job { name = "pretrain", nodes = 2048, checkpoint_every = minutes (every_min),
      checkpoint_cost = seconds (param ("checkpoint_cost", 30, "blocking seconds per checkpoint")),
      checkpoint_write = seconds (param ("checkpoint_write", 0, "seconds of background write per checkpoint (0: synchronous)")),
      restart = minutes (5), comm_share = 0.2 }

run { length = days (param ("days", 54, "simulated days")), sample_every = hours (1) }
