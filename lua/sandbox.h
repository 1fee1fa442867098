/* lua/sandbox.h - opens the libraries a scenario may use, and nothing else.
 *
 * What a sandboxed state has: base (without dofile and loadfile; load() only
 * accepts text chunks; print() writes to stderr), string, table, math, utf8,
 * coroutine; math.random/math.randomseed draw from a sim/rng.h stream; and a
 * require() that only finds Lua source modules of the faultline library
 * (faultline.*) and of the scenario's own folder. No io, os, debug, package.
 * What it is not: the scenario API (lua/api.h) or the resource limits
 * (memory cap, instruction budget: lua/runtime.c). */
#pragma once

#include <lua.h>

#include "rng.h"

/* Work done in C on the script's behalf (pairs() sorting its keys) that
 * the VM's instruction count does not see: fn adds `cost` (in instruction
 * equivalents) to the budget and raises when it is spent. */
typedef struct
{
  void (*fn) (lua_State *L, void *user_data, uint64_t cost);
  void *user_data;
} SandboxCharge;

/* [-0, +0, m] Opens the sandboxed libraries into L's global table.
 * rng: the stream behind math.random (owned by the caller, must outlive L);
 * seed: the run seed (math.randomseed() without argument goes back to the
 * stream (seed, "lua", "script")); scenario_dir: the folder searched by
 * require() for the scenario's own modules (copied), or NULL; charge: the
 * budget hook for C-side work (borrowed, must outlive L), or NULL. */
void sandbox_open (lua_State *L, RngStream *rng, uint64_t seed,
                   const char *scenario_dir, const char *lib_dir,
                   const SandboxCharge *charge);

/* [-0, +1, m] Loads a chunk of Lua source text (bytecode is refused with
 * "attempt to load a binary chunk"). A first line starting with '#' is
 * ignored. chunkname as for lua_load ("@path" for files). Returns the
 * lua_load status; the function or the error message is pushed. */
int sandbox_load_text (lua_State *L, const char *buf, size_t len,
                       const char *chunkname);
