-- power-domain.lua - what does losing a row's power cost?
--
-- Question: on day 2 of the 16,384-GPU pre-training run a whole row
-- (row-03: 8 racks of 4 nodes, 32 nodes, 256 GPUs) loses power. How long is
-- the job down, does it have spares enough to restart at once, and what
-- does it cost in GPU-hours? Compare with --set spares=16 (fewer spares than
-- the row) and --set power_day=0 (no scripted outage).
--
-- Sources (../shared/data/field-data.md):
--  * row and rack layout (4 nodes per rack, 8 racks per row) and the
--    "row_power" failure mode are assumptions (§13: no published power-domain
--    failure data); see docs/failure-modes.md;
--  * background: Llama 3 rates (§1.1, §12.2); restart 5 min, checkpoint 30 s
--    every 13.3 min (§12.3-12.4); 128 spares (Delta ~5%, §7.1).
--
-- Measured 2026-12-04 (seed 1): at day 2 the row goes down as one
-- incident: its 32 nodes at once, the job interrupted once (3,385 GPU-h)
-- and restarted at once on spares (the row's dark nodes are no restart
-- target); the policy sees all 32 heartbeats lost 5 min later. All 32
-- nodes are healthy again after 81 h. ETTR 0.9031 with 394 interruptions,
-- against 0.9019 and 398 with --set power_day=0: the outage itself costs
-- one interruption, less than the run-to-run difference it makes by
-- moving the job to other nodes.
--
-- Runs the full 54 days (< 1 s).

local presets = require "faultline.presets"

local spares = param ("spares", 128, "hot spare nodes beside the 2,048 of the job")
local row = param ("row", "row-03", "the power domain that fails (row-00 .. row-67)")
local power_day = param ("power_day", 2, "day of the outage (0 = none)")

cluster (presets.h100_superpod { nodes = 2048 + spares, spares = spares })
failures { source = "llama3", scale = param ("rate_scale", 1.0, "multiplies every failure rate") }
policy { health = param ("health", "standard", "reactive, standard or proactive"), sched = "topology" }
job { name = "pretrain", nodes = 2048, checkpoint_every = minutes (13.3),
      checkpoint_cost = seconds (30), restart = minutes (5), comm_share = 0.2 }

local t0 = nil
if power_day > 0 then
  at (days (power_day), function ()
    local before = healthy_gpus ()
    fail (row)
    t0 = now ()
    note (row, "lost power; healthy GPUs", before, "->", healthy_gpus ())
    -- state() of a row reads "active" even while it is out, so watch its
    -- nodes: row r holds nodes 32 r .. 32 r + 31 (4 per rack, 8 racks).
    local r = tonumber (row:match ("^row%-(%d+)$"))
    if r == nil then return end
    every (hours (1), function ()
      local out = 0
      for i = 32 * r, 32 * r + 31 do
        if state (string.format ("node%04d", i)) ~= "healthy" then out = out + 1 end
      end
      if out > 0 and now () - t0 < days (14) then return true end
      note (row, ":", out, "of 32 nodes still out after",
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
