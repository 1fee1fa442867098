-- A health policy written in Lua: reboot on every Xid, back to service
-- when the reboot fixed the node, a ticket when it did not.
cluster { nodes = 16 }
failures { source = "none" }
run { length = days (3) }
job { name = "train", nodes = 8 }
local seen = 0
policy { health = lua_policy {
  name = "reboot_on_xid",
  observe = function (obs)
    if obs.kind == "xid" and obs.state == "healthy" then
      seen = seen + 1
      return { { action = "reboot", node = obs.node, gpu = obs.gpu,
                 reason = "lua: xid " .. obs.xid } }
    elseif obs.kind == "action_done" and obs.action == "reboot" then
      if obs.ok then
        return { { action = "return_to_service", node = obs.node,
                   reason = "lua: reboot fixed it" } }
      end
      return { { action = "open_ticket", node = obs.node,
                 reason = "lua: reboot did not fix it" } }
    elseif obs.kind == "repair_done" and obs.node then
      return { { action = "return_to_service", node = obs.node,
                 reason = "lua: repaired" } }
    end
  end,
} }
at (hours (2), function () fail ("node0003/gpu2") end)
at (hours (70), function () note ("xids seen:", seen, "node 3:", state ("node0003")) end)
