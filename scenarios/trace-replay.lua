-- trace-replay.lua - a published per-node fault trace as the cluster's
-- failures.
--
-- Question: what would a run have seen on hardware that failed exactly as a
-- recorded trace says? With repair = "trace" every node is down from each
-- fault_start to its fault_end (the trace holds detection and repair), so
-- the GPU availability is the trace's own: 1 - (each node's outages,
-- merged) / (nodes x span). With repair = "policy" only the faults' starts
-- are injected, and the health policy and the technicians repair them as
-- they would any failure: compare the two to see what the policy's repair
-- times would have given on the same faults.
--
-- Data: scenarios/data/example-faults.json (the same as .csv), a small
-- synthetic trace in the form operators publish: 16 nodes, 30 days, 97
-- events, 42 outages, availability 0.944796 (docs/fabric-data.md).
-- `trace` takes another one (a relative path is looked up beside this
-- file first); `nodes` must be at least the trace's node count.
--
-- The trace is the only source of failures: failures { source = "none" }
-- and no false positives from the health checks (the standard policy
-- draws one per 10^6 checks otherwise). `random = 1` adds Llama 3's
-- random failures on top. Runs the trace's span (30 days: under a second).

local trace = param ("trace", "data/example-faults.json",
                     "published fault trace (JSON or CSV), beside this file")
local repair = param ("repair", "trace",
                      "trace: down from each fault_start to its fault_end; policy: the policy repairs")
local t = failure_trace { file = trace, repair = repair }

local nodes = param ("nodes", 16, "cluster nodes (at least the trace's)")
cluster { nodes = nodes, su_size = 8, technicians = 2 }
failures { source = param ("random", 0, "1: Llama 3's random failures as well") == 1
                    and "llama3" or "none" }
policy { health = "standard", sched = "topology",
         health_params = { false_positive_prob = 0 } }
job { name = "train", nodes = math.max (1, nodes // 2), checkpoint_every = hours (1),
      checkpoint_cost = seconds (30), restart = minutes (10) }

on ("job_interrupted", function (e) note ("interrupted by", e.component, e.mode) end)

run { length = days (param ("days", t.span / 86400, "simulated days (default: the trace's span)")),
      sample_every = hours (1) }
note (string.format ("trace: %d nodes, %d outages over %.1f days, availability %.6f",
                     t.nodes, t.outages, t.span / 86400, t.availability))
