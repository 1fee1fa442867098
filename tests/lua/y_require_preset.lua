-- The library is reachable as faultline.*; a preset returns a table.
local presets = require "faultline.presets"
local c = presets.h100_superpod { gpus = 2048, spares = 8 }
assert (c.rails == 8 and c.su_size == 32 and c.radix == 64 and c.spares == 8)
assert (require "faultline.presets" == presets, "modules are cached")
cluster (c)
