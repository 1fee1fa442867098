-- lua/faultline/presets.lua - named cluster shapes, as tables for cluster{}.
-- A preset returns a plain table (it does not call cluster{} itself), so a
-- scenario can read or change it first:
--   local presets = require "faultline.presets"
--   cluster (presets.h100_superpod { gpus = 16384, spares = 64 })
-- Any key given in the argument wins over the preset's value; every key of
-- cluster{} is allowed. Not here: failure rates (failures{}) or policies.
local presets = {}

local function merge (base, over)
  local t = {}
  for k, v in pairs (base) do t[k] = v end
  for k, v in pairs (over or {}) do t[k] = v end
  return t
end

-- DGX SuperPOD with DGX H100 (NVIDIA reference architecture, field-data.md
-- section 9): 8 GPUs and 8 NDR rails per node, scalable units of 32 nodes,
-- QM9700 switches of radix 64, non-blocking (oversubscription 1).
presets.h100_superpod_defaults = {
  preset = "h100-superpod",
  gpus_per_node = 8,
  rails = 8,
  su_size = 32,
  radix = 64,
  oversubscription = 1,
}

function presets.h100_superpod (over)
  if over ~= nil and type (over) ~= "table" then
    error ("presets.h100_superpod: expected a table of cluster keys, got "
           .. type (over), 2)
  end
  return merge (presets.h100_superpod_defaults, over)
end

return presets
