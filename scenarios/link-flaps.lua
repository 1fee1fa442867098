-- link-flaps.lua - what does a batch of bad optics cost?
--
-- Question: a batch of bad transceivers went into the node-to-leaf cables of
-- a few nodes. Every 6 hours one of those cables goes down and is reseated
-- (repaired) an hour later. How many interruptions and how much fabric
-- slowdown does the batch add to the 16,384-GPU pre-training run? Compare
-- with --set bad_nodes=0.
--
-- Sources (../shared/data/field-data.md):
--  * IB link failures were the largest attributed cause at Meta's RSC and
--    came in bursts on a few nodes (Kokolis et al., §2.5 "Time-variation");
--  * reseat/replace an optic: 1 h is an assumption (§13: no published
--    figure); cable names are those of `faultline topo --inventory`
--    (node0000/nic3<->leaf-su00-r3:p1, §9.5 layout);
--  * background: Llama 3 rates (§1.1, §12.2); restart 5 min, checkpoint 30 s
--    every 13.3 min (§12.3-12.4); 128 spares (§7.1).
--
-- Runs the full 54 days (about 3.5 s: each scripted flap costs a few ms).

local presets = require "faultline.presets"

local spares = param ("spares", 128, "hot spare nodes beside the 2,048 of the job")
local bad_nodes = param ("bad_nodes", 8, "nodes with a bad optic on rail 3 (node0000 on)")
local flap_every = param ("flap_every", hours (6), "seconds between flaps", "s")
local down_for = param ("down_for", hours (1), "seconds until the cable is reseated", "s")

cluster (presets.h100_superpod { nodes = 2048 + spares, spares = spares })
failures { source = "llama3", scale = param ("rate_scale", 1.0, "multiplies every failure rate") }
policy { health = param ("health", "standard", "reactive, standard or proactive"), sched = "topology" }
job { name = "pretrain", nodes = 2048, checkpoint_every = minutes (13.3),
      checkpoint_cost = seconds (30), restart = minutes (5), comm_share = 0.2 }

-- Flap the rail-3 cable of the bad nodes in turn. now() is in seconds, so
-- now() + down_for is an absolute time for at().
local flaps, turn = 0, 0
if bad_nodes > 0 then
  every (flap_every, function ()
    local cable = string.format ("node%04d/nic3<->*", turn % bad_nodes)
    turn = turn + 1
    local n = fail (cable, "cable")
    flaps = flaps + n
    at (now () + down_for, function () repair (cable) end)
  end)
end

local hit = 0
on ("job_interrupted", function (e)
  if e.component ~= nil and e.component:find ("/nic3<->", 1, true) then
    hit = hit + 1
  end
end)
every (days (7), function ()
  note ("cable flaps so far:", flaps, "; interruptions on a rail-3 cable:", hit)
end)

run { length = days (param ("days", 54, "simulated days")), sample_every = hours (1) }
