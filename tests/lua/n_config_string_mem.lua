-- expect: n_config_string_mem.lua:5: memory limit of 32 MiB exceeded, counting
-- A string value copied into the configuration is kept in C: counted too.
local s = string.rep ("x", 6000000)
for i = 1, 10 do
  cluster { ibnet = s .. i }
end
