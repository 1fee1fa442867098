-- fleet-1m.lua - a 1,000,000-GPU fleet for a year: fleet-100k scaled ten
-- times, the size benchmark of tests/bench/whole.sh.
--
-- Question: what does a year of a million-GPU fleet look like (GPU
-- availability, queue waits, ETTR) at Llama 3 failure rates, and what does
-- simulating it cost? It is fleet-100k's question at ten times the size.
--
-- Scaling from fleet-100k.lua (same sources, ../shared/data/field-data.md):
--  * 125,000 nodes of 8 GPUs (1,000,000 GPUs) in 3-tier fat trees of radix
--    128 switches, one per rail plane (radix 64 cannot hold it) (§9.5);
--  * spares 6,000 (~5%, Delta §7.1) and 400 technicians: both ten times
--    fleet-100k's 600 and 40 (one technician per ~300 nodes, an
--    assumption);
--  * workload: ten copies of fleet-100k's large-job mix (frontier 4,096
--    nodes, pretrain-a and -b 2,048, finetune 512: 87,040 nodes, 73% of the
--    job nodes as in fleet-100k) and ten times its research arrival rate
--    (200 jobs/h of up to 64 nodes), so the load per node is fleet-100k's;
--  * failure rates: Llama 3 Table 5 (§1.1, §12.2), restart 5 min,
--    checkpoint 30 s (§12.3).
--
-- Cost: this is the largest shipped scenario; a year takes about ten
-- seconds of CPU and 0.6 GiB (docs/performance.md, "A whole run", has the
-- measured figures). `days` shortens it (tests run it for 10 days).

local presets = require "faultline.presets"

local copies = param ("copies", 10, "copies of fleet-100k's large-job mix")

cluster (presets.h100_superpod { gpus = 1000000, radix = 128,
  spares = param ("spares", 6000, "hot spare nodes (~5% of 125,000)"),
  technicians = param ("technicians", 400, "concurrent hands-on repairs") })
failures { source = "llama3", scale = param ("rate_scale", 1.0, "multiplies every failure rate") }
policy { health = param ("health", "standard", "reactive, standard or proactive"),
         sched = param ("sched", "topology", "fifo, first-fit, topology or priority") }
for i = 1, copies do
  job { name = "frontier-" .. i, nodes = 4096, checkpoint_every = minutes (8),
        checkpoint_cost = seconds (30), restart = minutes (5), priority = 10 }
  job { name = "pretrain-a-" .. i, nodes = 2048, checkpoint_every = minutes (13.3),
        checkpoint_cost = seconds (30), restart = minutes (5), priority = 5 }
  job { name = "pretrain-b-" .. i, nodes = 2048, checkpoint_every = minutes (13.3),
        checkpoint_cost = seconds (30), restart = minutes (5), priority = 5,
        submit = days (30) }
  job { name = "finetune-" .. i, nodes = 512, work = days (20), submit = days (60),
        checkpoint_every = minutes (30), checkpoint_cost = seconds (30),
        restart = minutes (5) }
end
workload { research_rate = param ("research_rate", 200, "small research jobs per hour"),
           research_max_nodes = param ("research_max_nodes", 64, "largest research job, nodes") }

every (days (30), function ()
  note ("healthy GPUs:", healthy_gpus (), "; running jobs:", running_jobs ())
end)

run { length = days (param ("days", 365, "simulated days")), sample_every = hours (6) }
