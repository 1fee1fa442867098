-- expect: unknown action 'rebot' (did you mean 'reboot'?)
cluster { nodes = 16 }
failures { source = "none" }
run { length = days (1) }
policy { health = lua_policy {
  name = "typo",
  observe = function (obs)
    return { { action = "rebot", node = obs.node } }
  end,
} }
at (hours (2), function () fail ("node0003/gpu2") end)
