-- firmware-rollout.lua - what does a bad NIC firmware rolled out in waves cost?
--
-- Question: a NIC firmware with a bug is rolled out one wave of nodes a day
-- (node00*, node01*, ...: 100 nodes a day). On each node of a wave, with
-- probability bad_fraction, one NIC fails soon after the update. How much
-- does it cost the 16,384-GPU pre-training run, and how much would halting
-- the rollout after a few waves save (--set halt_after=3)?
-- failure_mode() overrides are static, so the rollout is scripted with
-- every(days(1), ...) and fail(pattern, "nic") on the wave's NICs.
--
-- Sources (../shared/data/field-data.md):
--  * firmware/driver regressions as a failure cause: Kokolis et al. saw a
--    driver bug make Xid the top cause and a GSP-timeout regression fixed by
--    a driver patch (§2.5 "Time-variation");
--  * the wave size and bad_fraction are assumptions (§13: no published
--    rollout failure data);
--  * background: Llama 3 rates (§1.1, §12.2), NIC repair path from the
--    "nic" mode (docs/failure-modes.md); restart 5 min, checkpoint 30 s every
--    13.3 min (§12.3-12.4); 128 spares (§7.1).
--
-- Runs the full 54 days (< 1 s); the rollout covers node00*..node21* in 22
-- days.

local presets = require "faultline.presets"

local spares = param ("spares", 128, "hot spare nodes beside the 2,048 of the job")
local bad_fraction = param ("bad_fraction", 0.05, "probability a node of a wave loses a NIC")
local halt_after = param ("halt_after", 0, "stop the rollout after this many waves (0 = never)")

cluster (presets.h100_superpod { nodes = 2048 + spares, spares = spares })
failures { source = "llama3", scale = param ("rate_scale", 1.0, "multiplies every failure rate") }
policy { health = param ("health", "standard", "reactive, standard or proactive"), sched = "topology" }
job { name = "pretrain", nodes = 2048, checkpoint_every = minutes (13.3),
      checkpoint_cost = seconds (30), restart = minutes (5), comm_share = 0.2 }

local total_nodes = 2048 + spares
local wave = 0
local nics_failed = 0
every (days (1), function ()
  if halt_after > 0 and wave >= halt_after then
    note ("rollout halted after", wave, "waves;", nics_failed, "NICs failed")
    return false
  end
  local first = wave * 100
  if first >= total_nodes then
    note ("rollout complete:", wave, "waves;", nics_failed, "NICs failed")
    return false
  end
  -- the wave is node<wave>*: nodes first .. first + 99; math.random draws
  -- from the run seed's stream, so a seed gives the same bad NICs.
  local n = 0
  for i = first, math.min (first + 99, total_nodes - 1) do
    if math.random () < bad_fraction then
      n = n + fail (string.format ("node%04d/nic%d", i, math.random (0, 7)), "nic")
    end
  end
  nics_failed = nics_failed + n
  note (string.format ("wave %d (node%02d*): %d NICs failed", wave, wave, n))
  wave = wave + 1
  return true
end)

run { length = days (param ("days", 54, "simulated days")), sample_every = hours (1) }
