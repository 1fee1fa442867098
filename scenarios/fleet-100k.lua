-- fleet-100k.lua - a 100,000-GPU fleet for a year with a mixed workload.
--
-- Question: what GPU availability, queue waits and per-job ETTR does a
-- 100,000-GPU fleet see over a year when it runs a few large training jobs
-- beside a stream of small research jobs, at Llama 3 failure rates?
--
-- Sources (../shared/data/field-data.md):
--  * fabric: 3-tier fat tree; radix 128 because radix 64 cannot hold 100k
--    GPUs in 3 tiers (64^3/4 = 65,536 ports) (§9.5);
--  * failure rates: Llama 3 Table 5 (§1.1, §12.2); restart 5 min,
--    checkpoint 30 s (§12.3); ~5% spares (Delta, §7.1);
--  * workload mix: Meta RSC clusters run mostly small jobs with a few
--    large ones (Kokolis et al., §2.1); the research arrival rate and size
--    cap are assumptions (§13).
--
-- A year of seed 1 is 1,477,235 events and 174,695 jobs, a few seconds of
-- CPU (docs/performance.md), so no reduction was needed; days and
-- research_rate are params to shorten it further. Results (seed 1; checked
-- by tests/scenario_figures.py): with 8 technicians (the config default,
-- sized for a 16k cluster; --set technicians=8) the repair queue is the
-- bottleneck: GPU availability 0.736 and a queue-wait p99 of 416 h. With
-- 40 (one per ~300 nodes, an assumption; the field data gives no staffing
-- figure) availability is 0.993 and research jobs do not wait (p99 0 h).
-- The fleet's ETTR, 0.995, is GPU-weighted over 174,695 mostly small
-- jobs; the main job (frontier, the largest) sits at 0.848 with 5,590
-- interruptions (summary.json main_job_ettr, main_job_interruptions);
-- finetune completes in 503.2 h (job_completion_hours).

local presets = require "faultline.presets"

local spares = param ("spares", 600, "hot spare nodes (~5% of 12,500)")

cluster (presets.h100_superpod { gpus = 100000, radix = 128, spares = spares,
  technicians = param ("technicians", 40, "concurrent hands-on repairs") })
failures { source = "llama3", scale = param ("rate_scale", 1.0, "multiplies every failure rate") }
policy { health = param ("health", "standard", "reactive, standard or proactive"),
         sched = param ("sched", "topology", "fifo, first-fit, topology or priority") }
job { name = "frontier", nodes = 4096, checkpoint_every = minutes (8),
      checkpoint_cost = seconds (30), restart = minutes (5), priority = 10 }
job { name = "pretrain-a", nodes = 2048, checkpoint_every = minutes (13.3),
      checkpoint_cost = seconds (30), restart = minutes (5), priority = 5 }
job { name = "pretrain-b", nodes = 2048, checkpoint_every = minutes (13.3),
      checkpoint_cost = seconds (30), restart = minutes (5), priority = 5,
      submit = days (30) }
job { name = "finetune", nodes = 512, work = days (20), submit = days (60),
      checkpoint_every = minutes (30), checkpoint_cost = seconds (30), restart = minutes (5) }
workload { research_rate = param ("research_rate", 20, "small research jobs per hour"),
           research_max_nodes = param ("research_max_nodes", 64, "largest research job, nodes") }

-- A Lua callback on every failure and interruption (off by default): used
-- by tests/bench/lua-callbacks.sh to measure what scripting costs a run.
if param ("callbacks", false, "run a Lua callback on every failure and interruption") then
  local failed, lost = {}, 0
  on ("component_failed", function (e) failed[e.cause] = (failed[e.cause] or 0) + 1 end)
  on ("job_interrupted", function (e) lost = lost + e.lost_gpu_hours end)
  every (days (91), function () note ("lost GPU-hours so far:", math.floor (lost)) end)
end

every (days (30), function ()
  note ("healthy GPUs:", healthy_gpus (), "; running jobs:", running_jobs (),
        "; finetune progress:", job_progress ("finetune"))
end)

run { length = days (param ("days", 365, "simulated days")), sample_every = hours (6) }
