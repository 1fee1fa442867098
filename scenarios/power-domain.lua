-- power-domain.lua - what does losing a row's power cost?
--
-- Question: on day 2 of the 16,384-GPU pre-training run a whole row
-- (row-03: 16 racks of 4 nodes, 64 nodes, 512 GPUs) loses power. How long is
-- the job down, does it have spares enough to restart at once, and what
-- does it cost in GPU-hours? Compare with --set spares=16 (fewer spares than
-- the row) and --set power_day=0 (no scripted outage).
--
-- Sources (../shared/data/field-data.md):
--  * row and rack layout (4 nodes per rack, 16 racks per row) and the
--    "row_power" failure mode are assumptions (§13: no published power-domain
--    failure data); see docs/failure-modes.md;
--  * background: Llama 3 rates (§1.1, §12.2); restart 5 min, checkpoint 30 s
--    every 13.3 min (§12.3-12.4); 128 spares (Delta ~5%, §7.1).
--
-- Measured at seed 1 (checked by tests/scenario_figures.py):
-- at day 2 the row goes down as one incident: its 64 nodes at once, the
-- job interrupted once (3,392 GPU-h) and restarted at once on spares (the
-- row's dark nodes are no restart target); the policy sees all 64
-- heartbeats lost 5 min later. All 64 nodes are healthy again after 199 h.
-- ETTR 0.9026 with 395 interruptions, against 0.9019 and 401 with --set
-- power_day=0: the outage itself costs
-- one interruption, less than the run-to-run difference it makes by
-- moving the job to other nodes.
--
-- Runs the full 54 days (< 1 s).

local presets = require "faultline.presets"

local spares = param ("spares", 128, "hot spare nodes beside the 2,048 of the job")
local row = param ("row", "row-03", "the power domain that fails (faultline topo --inventory lists the rows)")
local power_day = param ("power_day", 2, "day of the outage (0 = none)")

cluster (presets.h100_superpod { nodes = 2048 + spares, spares = spares })
failures { source = "llama3", scale = param ("rate_scale", 1.0, "multiplies every failure rate") }
policy { health = param ("health", "standard", "reactive, standard or proactive"), sched = "topology" }
job { name = "pretrain", nodes = 2048, checkpoint_every = minutes (13.3),
      checkpoint_cost = seconds (30), restart = minutes (5), comm_share = 0.2 }

local t0 = nil
local failing = false
local lost = {}  -- the row's nodes, as the outage's node_failed events name them
on ("node_failed", function (e)
  if failing then lost[#lost + 1] = e.component end
end)
if power_day > 0 then
  at (days (power_day), function ()
    local before = healthy_gpus ()
    t0 = now ()
    failing = true
    fail (row)
    failing = false
    note (row, "lost power:", #lost, "nodes; healthy GPUs", before, "->", healthy_gpus ())
    -- Watch the nodes the row took down until all are healthy again.
    every (hours (1), function ()
      local out = 0
      for _, node in ipairs (lost) do
        if state (node) ~= "healthy" then out = out + 1 end
      end
      if out > 0 and now () - t0 < days (14) then return true end
      note (row, ":", out, "of", #lost, "nodes still out after",
            string.format ("%.0f h", (now () - t0) / 3600), "; healthy GPUs", healthy_gpus ())
      return false
    end)
  end)
end

on ("job_interrupted", function (e)
  if t0 ~= nil and e.time >= t0 and e.time < t0 + hours (1) then
    note ("interrupted", e.job, "cause:", e.cause or "?", "component:", e.component or "?")
  end
end)
on ("job_started", function (e)
  if t0 ~= nil and e.time >= t0 and e.time < t0 + days (1) then
    note ("restarted", e.job, string.format ("%.1f min", (e.time - t0) / 60), "after the outage")
  end
end)

run { length = days (param ("days", 54, "simulated days")), sample_every = hours (1) }
