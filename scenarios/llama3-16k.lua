-- llama3-16k.lua - the default scenario.
--
-- Question: what effective training time ratio (ETTR) and how many
-- interruptions does a 16,384-GPU pre-training run see over 54 days at the
-- failure rates Meta reported for Llama 3, with fast restarts and
-- near-non-blocking checkpoints?
--
-- Sources (../shared/data/field-data.md, docs/failure-modes.md):
--  * failure rates: Llama 3 paper, Table 5: 419 unexpected interruptions in
--    54 days on 16,384 H100 GPUs (2,048 nodes) (field-data §1.1, §12.2);
--  * restart 5 min, checkpoint cost 30 s, interval 13.3 min (Daly's optimum
--    for M = 185.6 min): field-data §12.3-12.4, which expects ETTR ~0.90;
--  * hot spares ~5% over-provisioning is the Delta study's figure (§7.1);
--    the Delta v1 abstract gives 5-20%; the default here is 128 nodes (6.25%),
--    which keeps the job running through a leaf failure (32 nodes out).

local presets = require "faultline.presets"

local spares = param ("spares", 128, "hot spare nodes beside the 2,048 of the job")

cluster (presets.h100_superpod { nodes = 2048 + spares, spares = spares })
failures { source = "llama3", scale = param ("rate_scale", 1.0, "multiplies every failure rate") }
policy { health = param ("health", "standard", "reactive, standard or proactive"),
         sched = param ("sched", "topology", "fifo, first-fit, topology or priority") }
job { name = "pretrain", nodes = 2048,
      checkpoint_every = param ("checkpoint_every", minutes (13.3), "seconds between checkpoints"),
      checkpoint_cost = seconds (30), restart = minutes (5), comm_share = 0.2 }
run { length = days (param ("days", 54, "simulated days")), sample_every = hours (1) }
