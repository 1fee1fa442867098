-- expect: n_policy_raises.lua:9: policy bug (at simulated time
cluster { nodes = 16 }
failures { source = "none" }
run { length = days (1) }
health_policy ("buggy", {
  observe = function (obs)
    if obs.kind == "xid" then
      local n = obs.node
      error ("policy bug")
    end
  end,
})
at (hours (2), function () fail ("node0003/gpu2") end)
