-- Parameters: typed defaults, help text, used in tables.
local spares = param ("spares", 64, "hot spare nodes")
local health = param ("health", "standard")
local lemons = param ("lemons", true)
assert (type (spares) == "number" and type (health) == "string"
        and type (lemons) == "boolean")
cluster { gpus = 4096, spares = spares }
policy { health = health, sched = "topology" }
job { name = "pretrain", nodes = 256, checkpoint_every = minutes(15),
      checkpoint_cost = seconds(30), restart = minutes(5) }
failures { source = "llama3", scale = param ("rate_scale", 1.5) }
