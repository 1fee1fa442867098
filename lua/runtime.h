/* lua/runtime.h - one scenario run's Lua side: a sandboxed lua_State with a
 * memory cap and an instruction budget, the scenario's top level (which
 * fills a WorldConfig), --set overrides, and the callbacks during the run.
 *
 * Life cycle: lb_load() -> lb_config() -> world_new() -> lb_attach() ->
 * world_run() -> lb_free() (after world_free()). Every call into Lua is a
 * protected call whose errors become GError with the scenario's
 * "file:LINE: message" first, then a Lua traceback. What this is not: the
 * scenario API itself (lua/api.h), the sandbox (lua/sandbox.h), or the
 * output writers (lib/). */
#pragma once

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>

#include "api.h"
#include "world.h"

#define LB_ERROR (lb_error_quark ())
GQuark lb_error_quark (void);
typedef enum
{
  LB_ERROR_INVALID,  /* bad scenario, --set, limit exceeded: exit status 2 */
  LB_ERROR_INTERNAL, /* exit status 3 */
} LbError;

#define LB_MEM_LIMIT_DEFAULT ((size_t) 256 << 20)     /* bytes */
#define LB_INSTR_BUDGET_DEFAULT ((uint64_t) 2000000000) /* instructions */
#define LB_INSTR_STEP 100000 /* the budget is counted in these steps */

typedef struct
{
  uint64_t seed;          /* run seed; math.random uses (seed, "lua", "script") */
  size_t mem_limit;       /* bytes; 0 = LB_MEM_LIMIT_DEFAULT */
  uint64_t instr_budget;  /* VM instructions over the whole run (load and
                           * callbacks); 0 = LB_INSTR_BUDGET_DEFAULT */
  const GPtrArray *sets;  /* "NAME=VALUE" strings (--set), or NULL */
  const char *lib_dir;    /* folder of faultline/NAME.lua (require); NULL:
                           * $FL_LUA_PATH, else the compile-time folders */
  bool allow_plugins;     /* the scenario may set policy.health_plugin
                           * (native code); without it only a --set of it
                           * is loaded (--allow-plugins, --policy-plugin) */
} LbOptions;

typedef struct LbRun LbRun;

/* Loads and runs the scenario's top level in a new sandboxed state, then
 * applies the --set overrides. opt may be NULL (defaults, seed 0).
 * Returns: (transfer full), or NULL with LB_ERROR_INVALID (unreadable
 * file, syntax or runtime error, bytecode, exceeded limit, bad --set). */
LbRun *lb_load (const char *path, const LbOptions *opt, GError **error);
void lb_free (LbRun *run);

/* The configuration the scenario filled. Returns: (transfer none). */
WorldConfig *lb_config (LbRun *run);

/* Installs the WorldHooks that run at/every/on callbacks during
 * world_run(), and flushes notes made while loading. world must outlive
 * the run's use of it (call world_free before lb_free or detach with
 * lb_attach (run, NULL)). A callback error stops world_run with
 * WORLD_ERROR_SCRIPT: "file:LINE: message (at simulated time ...)". */
void lb_attach (LbRun *run, World *world);

/* Every param() in declaration order (LbParam *), with the value in
 * effect. Returns: (transfer none). */
const GPtrArray *lb_params (LbRun *run);

/* The scenario's file stem ("spine_failure" for scenarios/spine_failure.lua).
 * Returns: (transfer none). */
const char *lb_scenario_name (LbRun *run);

/* Bytes the Lua state currently holds and VM instructions executed so far
 * (in LB_INSTR_STEP steps), for summaries and tests. */
size_t lb_mem_used (LbRun *run);
uint64_t lb_instructions (LbRun *run);
