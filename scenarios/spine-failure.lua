-- spine-failure.lua - what does a spine switch failure on day 3 cost?
--
-- Question: a spine switch (spine-007) of the 16,384-GPU pre-training
-- cluster dies on day 3 of the run. How many interruptions does it cause,
-- how many GPU-hours are lost, and how much does the fabric slow the job
-- down until the switch is repaired? Compare with --set spine_day=0 (no
-- scripted failure) for the background.
--
-- Sources (../shared/data/field-data.md):
--  * fabric: DGX SuperPOD H100 reference architecture, 3-tier fat tree of
--    radix-64 switches, 512 spines for 16,384 GPUs (§9.5, §12.1);
--  * background failure rates: Llama 3 Table 5 (§1.1, §12.2), of which
--    "Network Switch/Cable" is 35 of 419 interruptions;
--  * restart 5 min, checkpoint 30 s every 13.3 min (§12.3, §12.4);
--    128 spares (6.25%, Delta study's ~5%, §7.1).
--
-- The switch name comes from `faultline topo --gpus 16384 --inventory`
-- (spines are spine-000 .. spine-511). Runs the full 54 days (< 1 s).
-- Measured at seed 1 (checked by tests/scenario_figures.py): with the failure ETTR 0.9010, 399
-- interruptions, 97,142 GPU-h of fabric slowdown; with --set spine_day=0
-- ETTR 0.9019, 401, 95,531: one spine of 512 costs 1,611 GPU-h of
-- slower steps and no interruption names it, lost in the noise of the
-- background spine/core/uplink failures, as a non-blocking 3-tier fabric
-- should be.

local presets = require "faultline.presets"

local spares = param ("spares", 128, "hot spare nodes beside the 2,048 of the job")
local spine = param ("spine", "spine-007", "the switch that fails (a name or glob)")
local spine_day = param ("spine_day", 3, "day of the failure (0 = no scripted failure)")

cluster (presets.h100_superpod { nodes = 2048 + spares, spares = spares })
failures { source = "llama3", scale = param ("rate_scale", 1.0, "multiplies every failure rate") }
policy { health = param ("health", "standard", "reactive, standard or proactive"), sched = "topology" }
job { name = "pretrain", nodes = 2048, checkpoint_every = minutes (13.3),
      checkpoint_cost = seconds (30), restart = minutes (5), comm_share = 0.2 }

local failed_at = nil
local exact = spine:find ("[%*%?%[]") == nil
if spine_day > 0 then
  at (days (spine_day), function ()
    local n = fail (spine)
    failed_at = now ()
    note ("failed", n, "switch(es) matching", spine, "; healthy GPUs:", healthy_gpus ())
    if exact then
      -- poll the switch hourly until it is back in service
      every (hours (1), function ()
        if state (spine) == "down" then return true end
        note (spine, "is", state (spine), "again after",
              string.format ("%.0f h", (now () - failed_at) / 3600))
        return false
      end)
    end
  end)
end

-- Interruptions in the 24 h after the failure, with their causes: does
-- the spine show up, or does adaptive routing around it hide it?
on ("job_interrupted", function (e)
  if failed_at ~= nil and e.time >= failed_at and e.time < failed_at + days (1) then
    note ("interrupted", e.job, "cause:", e.cause or "?", "component:", e.component or "?",
          "lost GPU-h:", string.format ("%.1f", e.lost_gpu_hours))
  end
end)

run { length = days (param ("days", 54, "simulated days")), sample_every = hours (1) }
