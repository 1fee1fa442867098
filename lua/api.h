/* lua/api.h - the scenario API: the globals a scenario calls (cluster{},
 * failures{}, failure_mode(), policy{}, lua_policy{}, health_policy(),
 * job{}, workload{}, run{}, units,
 * param(), at/every/on, fail/repair/degrade/maintenance, note, queries).
 *
 * Tables are declarative and fill a WorldConfig while the scenario loads;
 * functions of time are callbacks, kept in the Lua registry and known to
 * models/ by an opaque id. Reference: docs/scenario-api.md. What this is
 * not: the sandbox (lua/sandbox.h), the lua_State life cycle, limits and
 * error formatting (lua/runtime.h). */
#pragma once

#include <glib.h>
#include <lua.h>
#include <stdbool.h>

#include "world.h"

/* A declared param(): name, effective value as JSON text, help. */
typedef struct
{
  char *name;
  char *value_json;
  char *help; /* "" when none */
} LbParam;

/* The state the API functions share; embedded in the runtime's LbRun. */
typedef struct
{
  WorldConfig *cfg;       /* filled while loading (owned) */
  World *world;           /* NULL while loading, set by lb_attach */
  GHashTable *overrides;  /* --set NAME -> VALUE (strings), not owned */
  GHashTable *used;       /* override names consumed by param() */
  GPtrArray *params;      /* LbParam *, declaration order */
  GPtrArray *notes;       /* note() texts made while loading (char *) */
  GPtrArray *keys;        /* every config key (private to api.c) */
  void *lua_policy;       /* LuaPolicySpec * (luapolicy.h) installed as
                           * the health policy, or NULL */
  bool cluster_given;     /* cluster{} was called */
  const char *scenario_dir; /* folder of the scenario file (borrowed), or
                             * NULL: relative data paths are tried there */
  /* Counts memory C keeps for the script (note texts, string config
   * values, params, callbacks registered with models/) against the Lua
   * memory cap; raises when over. NULL: not counted. */
  void (*charge_mem) (lua_State *L, void *user_data, size_t bytes);
  void *charge_mem_data;
  bool allow_plugins;     /* the scenario may name a health-policy plugin
                           * (native code): only with --allow-plugins */
} ApiState;

/* Fills st: a new default WorldConfig, empty tables; overrides is
 * borrowed. */
void api_state_init (ApiState *st, GHashTable *overrides);
/* Frees what api_state_init allocated; st itself is the caller's. */
void api_state_clear (ApiState *st);

/* Callback ids given to models/: the kind in the high 32 bits, the
 * registry reference in the low 32. */
typedef enum
{
  API_CB_AT = 1,
  API_CB_EVERY = 2,
  API_CB_ON = 3,
} ApiCbKind;
#define API_CB_ID(kind, ref) (((uint64_t) (kind) << 32) | (uint32_t) (ref))
#define API_CB_KIND(id) ((ApiCbKind) ((id) >> 32))
#define API_CB_REF(id) ((int) ((id) & 0xffffffffu))

/* [-0, +0, m] Registers the API globals; st must outlive L. */
void api_open (lua_State *L, ApiState *st);

/* [-0, +1, m] Pushes the table an on() callback receives for ev. */
void api_push_event (lua_State *L, const WorldEvent *ev);

void api_param_free (LbParam *p);

/* The candidate closest to word (Damerau-Levenshtein, optimal string
 * alignment), or NULL when none is close enough to be a likely typo.
 * Returns: (transfer none) one of candidates. */
const char *api_suggest (const char *word, const char *const *candidates,
                         guint n);
