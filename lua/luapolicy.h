/* lua/luapolicy.h - a health policy written in Lua, for quick prototypes:
 * lua_policy { name =, observe =, wakeup =, every = } in a scenario. The C
 * side is a HealthPolicyClass (policy/health.h) whose observe() turns each
 * HealthObs into a Lua table, calls the scenario's function in protected
 * mode and turns the returned list back into HealthActions; node_state()
 * follows the actions the function emitted. A Lua error stops the run
 * (WORLD_ERROR_SCRIPT, "file:LINE: message (at simulated time ...)").
 *
 * What this is not: the scenario globals (lua/api.c calls this), the
 * lua_State life cycle and limits (lua/runtime.h), or a sandbox of its own:
 * the functions run in the scenario's state under its memory cap and
 * instruction budget. Reference for users: docs/scenario-api.md. */
#pragma once

#include <glib.h>
#include <lua.h>
#include <stdbool.h>

#include "world.h"

/* A validated lua_policy{} table: its name and registry references to its
 * functions. Reference counted: the scenario holds one reference, every
 * HealthPolicy built from it another. */
typedef struct LuaPolicySpec LuaPolicySpec;

/* [-0, +0, v] Checks the table at idx as a lua_policy{} spec: keys name
 * (string, default "lua"), observe (function, required), wakeup (function)
 * and every (seconds > 0, required with wakeup, only with it). Raises a
 * "lua_policy{}: ..." error at the caller's line for an unknown key (with a
 * suggestion), a missing or mistyped value. */
void luapolicy_check (lua_State *L, int idx);

/* [-0, +0, v] luapolicy_check(), then takes registry references to the
 * functions. Returns: (transfer full) a spec with one reference. */
LuaPolicySpec *luapolicy_spec_new (lua_State *L, int idx);

/* The spec's name (the HealthPolicyClass name). Returns: (transfer none). */
const char *luapolicy_spec_name (const LuaPolicySpec *spec);

/* Drops the scenario's reference. state_closed: L was already closed (its
 * references are gone with it); otherwise the registry references are
 * released now. Either way policies still built from spec stop calling
 * Lua (they emit nothing from then on). NULL is a no-op. */
void luapolicy_spec_release (LuaPolicySpec *spec, bool state_closed);

/* The WorldHealthFactoryFn for world_config_set_health_factory(): data is
 * a LuaPolicySpec, which must stay alive (not released) while a world
 * built from it runs. */
HealthPolicy *luapolicy_factory (World *w, const HealthParams *params,
                                 uint32_t n_nodes, uint32_t n_links,
                                 void *data, GError **error);
