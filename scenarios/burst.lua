-- burst.lua - a correlated failure storm: how does each remediation
-- pipeline absorb 100, 400 or 1,000 nodes failing at once?
--
-- Question: a GPU firmware/driver fault (Xid 119, GSP RPC timeout) hits
-- `burst` of the 1,536 nodes (12,288 GPUs) at the same second on day 1
-- while a 1,024-node job trains. What do the reference remediation
-- policies (docs/policies.md) do with it: how many nodes are quarantined,
-- does NVSentinel's circuit breaker trip (50% of the nodes cordoned within
-- 5 minutes), does EKS auto repair pause (more than 20% of the node group
-- unhealthy), how long until the nodes are back (remediation SLAs in
-- summary.json "remediation")?
--
--   faultline run scenarios/burst.lua --set burst=400 --set health=nvsentinel
--
-- burst = 100, 400, 1000 is 6.5%, 26% and 65% of the cluster: under EKS's
-- 20% and NVSentinel's 50% thresholds, between them, and above both.
--
-- Sources and assumptions:
--  * Xid 119 is reset-class in NVIDIA's catalogue (field-data §8.2); the
--    built-in "gsp" mode is repaired by a GPU reset (docs/failure-modes.md);
--    a fleet-wide GSP fault after a driver rollout is the storm assumed
--    here (no public incident count);
--  * background failures at Llama 3's rates (§1.1), so the storm lands on
--    a cluster that is already repairing a few nodes;
--  * the burst's nodes are spread evenly over the cluster (every k-th
--    node), so they hit the job and the idle nodes alike;
--  * 16 technicians (cluster.technicians; the default is 8).
--
-- Measured: docs/policies.md ("The reference policies in a storm") has
-- the table; tests/cli/test_ops_burst.sh checks the differences.

local presets = require "faultline.presets"

local burst = param ("burst", 400, "nodes that fail at once (100, 400, 1000)")
local nodes = 1536

if burst < 1 or burst > nodes then
  error ("burst: " .. tostring (burst) .. " is not between 1 and " .. nodes)
end

cluster (presets.h100_superpod { nodes = nodes, spares = 0,
                                 technicians = param ("technicians", 16, "concurrent hands-on repairs") })
failures { source = "llama3", scale = param ("rate_scale", 1.0, "multiplies every background failure rate") }
policy { health = param ("health", "nvsentinel", "nvsentinel, eks-auto-repair, slurm-nhc (or reactive, standard, proactive)"),
         sched = "topology" }
job { name = "train", nodes = 1024, checkpoint_every = minutes (10),
      checkpoint_cost = seconds (10), restart = minutes (5), comm_share = 0.2 }
run { length = days (param ("days", 7, "simulated days")), sample_every = minutes (10) }

local step = nodes / burst
at (days (1), function ()
  local n = 0
  for i = 0, burst - 1 do
    n = n + fail (string.format ("node%04d/gpu0", math.floor (i * step)), "gsp")
  end
  note (string.format ("burst: %d nodes failed at once (Xid 119)", n))
end)
