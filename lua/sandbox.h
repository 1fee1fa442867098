/* lua/sandbox.h - opens the libraries a scenario may use, and nothing else.
 *
 * What a sandboxed state has: base (without dofile and loadfile; load() only
 * accepts text chunks; print() writes to stderr; setmetatable() refuses
 * __gc finalizers), string, table (move, concat, insert and remove charge
 * their C loops to the budget), math, utf8, coroutine (each new coroutine
 * counted, see SANDBOX_CO_STEP); math.random/math.randomseed draw from a sim/rng.h stream; and a
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

/* A coroutine's count hook fires every SANDBOX_CO_STEP of its own
 * instructions, and creating one charges that much to the budget: what a
 * coroutine can run without its hook firing is paid for up front. */
#define SANDBOX_CO_STEP 1000

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

/* [-0, +1, m] Pushes the error object at idx as "file:LINE: message":
 * strings and numbers as they are, other values through a __tostring
 * metamethod (called in protected mode) or as "error object is a T
 * value"; a message that does not start with the position of a chunk on
 * L's stack (error ("x", 0), error (42), errors raised inside C functions
 * such as next or coroutine.yield) gets the position of the innermost Lua
 * function on the stack. For message handlers. Returns 1. */
int sandbox_error_text (lua_State *L, int idx);
