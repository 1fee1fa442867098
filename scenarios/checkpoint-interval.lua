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
-- By-hand sweep (54 days, seeds 1/2/3, ETTR; mean in brackets), 2026-11-29:
--    5 min: 0.872 0.819 0.865 [0.852]    13.3 min: 0.904 0.850 0.895 [0.883]
--   30 min: 0.882 0.825 0.866 [0.857]      60 min: 0.819 0.765 0.795 [0.793]
--  120 min: 0.687 0.645 0.659 [0.664]
-- The optimum is near Daly's 13.3 min, as theory says (§10).
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
      restart = minutes (5), comm_share = 0.2 }

run { length = days (param ("days", 54, "simulated days")), sample_every = hours (1) }
