/* lua/api.c - the scenario API: the global functions a scenario calls.
 * Declarative tables (cluster{}, failures{}, policy{}, workload{}, run{})
 * map onto the config keys declared in models/config.c, read through
 * world_config_foreach_key, so a new key there is a new table key here;
 * job{} and failure_mode() map onto WorldJobSpec and the failure-mode
 * keys of models/world.h. Callbacks are registry references.
 * Every binding validates all its arguments before it acts and holds no C
 * memory when it raises. Not here: the sandbox, limits, error formatting
 * (runtime.c). Reference for users: docs/scenario-api.md. */
#include "api.h"
#include "api-query.h"
#include "api-repair.h"
#include "params.h"
#include "suggest.h"

#include <lauxlib.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "faulttrace.h"
#include "luapolicy.h"
#include "simtime.h"

typedef struct
{
  char *key;  /* "cluster.gpus" */
  WorldValType type;
  WorldKeyKind kind;
  char *unit; /* "s", "h", "" ... */
} ApiKey;

#define API_MAX_KEYS 128

/* ---- helpers ---- */

static ApiState *
api_state (lua_State *L)
{
  return lua_touserdata (L, lua_upvalueindex (1));
}

/* Raises err's message at the caller's line (prefix, e.g. "cluster{}: ").
 * Frees err first. */
static int
api_raise (lua_State *L, const char *prefix, GError *err)
{
  luaL_where (L, 1);
  lua_pushstring (L, prefix);
  lua_pushstring (L, err->message);
  g_error_free (err);
  lua_concat (L, 3);
  return lua_error (L);
}

static const char *
api_type_desc (WorldValType type, const char *unit)
{
  switch (type)
    {
    case WORLD_VAL_NUMBER:
      if (unit != NULL && strcmp (unit, "s") == 0)
        return "a number of seconds (e.g. hours(4))";
      return "a number";
    case WORLD_VAL_STRING:
      return "a string";
    case WORLD_VAL_BOOL:
      return "a boolean (true or false)";
    }
  return "a value";
}

/* Reads the Lua value at idx as a WorldValue of the expected type. */
static bool
api_to_value (lua_State *L, int idx, WorldValType type, WorldValue *v)
{
  memset (v, 0, sizeof *v);
  v->type = type;
  switch (type)
    {
    case WORLD_VAL_NUMBER:
      if (lua_type (L, idx) != LUA_TNUMBER)
        return false;
      v->num = lua_tonumber (L, idx);
      return true;
    case WORLD_VAL_STRING:
      if (lua_type (L, idx) != LUA_TSTRING)
        return false;
      v->str = lua_tostring (L, idx);
      return true;
    case WORLD_VAL_BOOL:
      if (lua_type (L, idx) != LUA_TBOOLEAN)
        return false;
      v->b = lua_toboolean (L, idx);
      return true;
    }
  return false;
}

/* The WorldValue of any number/string/boolean (for pass-through keys). */
static bool
api_any_value (lua_State *L, int idx, WorldValue *v)
{
  switch (lua_type (L, idx))
    {
    case LUA_TNUMBER:
      return api_to_value (L, idx, WORLD_VAL_NUMBER, v);
    case LUA_TSTRING:
      return api_to_value (L, idx, WORLD_VAL_STRING, v);
    case LUA_TBOOLEAN:
      return api_to_value (L, idx, WORLD_VAL_BOOL, v);
    default:
      return false;
    }
}

/* Checks that every key of the table at idx is a string among valid[n];
 * raises "tname{}: unknown key 'x', did you mean 'y'? (valid keys: ...)". */
static void
api_check_keys (lua_State *L, int idx, const char *tname,
                const char *const *valid, guint n)
{
  lua_pushnil (L);
  while (lua_next (L, idx) != 0)
    {
      lua_pop (L, 1);
      if (lua_type (L, -1) != LUA_TSTRING)
        luaL_error (L, "%s{}: unexpected positional or non-string key "
                    "(%s): write key = value", tname,
                    luaL_typename (L, -1));
      const char *k = lua_tostring (L, -1);
      bool ok = false;
      for (guint i = 0; i < n && !ok; i++)
        ok = strcmp (valid[i], k) == 0;
      if (ok)
        continue;
      const char *close = api_suggest (k, valid, n);
      luaL_Buffer b;
      luaL_buffinit (L, &b);
      for (guint i = 0; i < n; i++)
        {
          if (i)
            luaL_addstring (&b, ", ");
          luaL_addstring (&b, valid[i]);
        }
      luaL_pushresult (&b);
      if (close != NULL)
        luaL_error (L, "%s{}: unknown key '%s', did you mean '%s'? (valid "
                    "keys: %s)", tname, k, close, lua_tostring (L, -1));
      luaL_error (L, "%s{}: unknown key '%s' (valid keys: %s)", tname, k,
                  lua_tostring (L, -1));
    }
}

/* A relative data path written in a scenario is looked up beside the
 * scenario file first, then in the current directory (as before), so a
 * scenario can ship its trace next to it and still run from anywhere.
 * Returns (transfer full) the path beside the scenario when that file
 * exists, else NULL (keep the path as written). */
static char *
api_path_beside_scenario (const ApiState *st, const char *path)
{
  if (st->scenario_dir == NULL || path == NULL || *path == '\0'
      || g_path_is_absolute (path))
    return NULL;
  char *p = g_build_filename (st->scenario_dir, path, NULL);
  if (g_file_test (p, G_FILE_TEST_EXISTS))
    return p;
  g_free (p);
  return NULL;
}

/* Bytes C keeps per callback registered with models/ (its event and
 * bookkeeping), per note or string value beyond its text. */
#define API_C_OVERHEAD 64

/* [-0, +0, e] Counts bytes C is about to keep for the script against the
 * memory cap (ApiState.charge_mem); raises when over. */
static void
api_charge_c (lua_State *L, ApiState *st, size_t bytes)
{
  if (st->charge_mem != NULL)
    st->charge_mem (L, st->charge_mem_data, bytes + API_C_OVERHEAD);
}

static void
api_set_key (lua_State *L, ApiState *st, const ApiKey *k, int idx,
             const char *tname, const char *shortname)
{
  WorldValue v;
  GError *err = NULL;
  if (!api_to_value (L, idx, k->type, &v))
    luaL_error (L, "%s{}: key '%s' must be %s, got %s", tname, shortname,
                api_type_desc (k->type, k->unit), luaL_typename (L, idx));
  if (strcmp (k->key, "policy.health_plugin") == 0 && *v.str != '\0'
      && !st->allow_plugins
      && !g_hash_table_contains (st->overrides, "policy.health_plugin"))
    luaL_error (L, "%s{}: %s = '%s': a scenario may load native code only "
                "when the command line allows it: run with --allow-plugins, "
                "or give the plugin with --policy-plugin PATH.so", tname,
                shortname, v.str);
  g_autofree char *beside = NULL;
  if (k->kind == WORLD_KIND_PATH)
    {
      beside = api_path_beside_scenario (st, v.str);
      if (beside != NULL)
        v.str = beside;
    }
  if (v.type == WORLD_VAL_STRING)
    api_charge_c (L, st, strlen (v.str));
  if (!world_config_set (st->cfg, k->key, &v, &err))
    {
      lua_pushfstring (L, "%s{}: ", tname);
      api_raise (L, lua_tostring (L, -1), err);
    }
}

/* Applies `prefix.key = value` pairs from the table at idx to
 * world_config_set, typed by the Lua value (health_params, sched_params). */
static void
api_set_passthrough (lua_State *L, ApiState *st, int idx, const char *prefix,
                     const char *what)
{
  idx = lua_absindex (L, idx);
  lua_pushnil (L);
  while (lua_next (L, idx) != 0)
    {
      WorldValue v;
      GError *err = NULL;
      if (lua_type (L, -2) != LUA_TSTRING)
        luaL_error (L, "policy{}: %s must be a table of name = value",
                    what);
      const char *k = lua_tostring (L, -2);
      if (!api_any_value (L, -1, &v))
        luaL_error (L, "policy{}: %s.%s must be a number, string or "
                    "boolean, got %s", what, k, luaL_typename (L, -1));
      /* world_config_set checks it as the policy will apply it */
      const char *full = lua_pushfstring (L, "%s.%s", prefix, k);
      if (!world_config_set (st->cfg, full, &v, &err))
        {
          lua_pushfstring (L, "policy{}: %s: ", what);
          api_raise (L, lua_tostring (L, -1), err);
        }
      lua_pop (L, 2);
    }
}

/* A config table: every key of section (plus extras) is accepted, applied
 * in declaration order ("preset" first). */
static int
api_section (lua_State *L, const char *section, const char *const *extras,
             guint nextras)
{
  ApiState *st = api_state (L);
  const char *names[API_MAX_KEYS];
  const ApiKey *keys[API_MAX_KEYS];
  guint n = 0;
  size_t plen = strlen (section);

  luaL_checktype (L, 1, LUA_TTABLE);
  for (guint i = 0; i < st->keys->len && n < API_MAX_KEYS - nextras; i++)
    {
      const ApiKey *k = g_ptr_array_index (st->keys, i);
      if (strncmp (k->key, section, plen) == 0 && k->key[plen] == '.')
        {
          keys[n] = k;
          names[n++] = k->key + plen + 1;
        }
    }
  for (guint i = 0; i < nextras; i++)
    names[n + i] = extras[i];
  api_check_keys (L, 1, section, names, n + nextras);

  for (int pass = 0; pass < 2; pass++)
    for (guint i = 0; i < n; i++)
      {
        bool is_preset = strcmp (names[i], "preset") == 0;
        if (is_preset != (pass == 0))
          continue;
        if (lua_getfield (L, 1, names[i]) != LUA_TNIL)
          api_set_key (L, st, keys[i], -1, section, names[i]);
        lua_pop (L, 1);
      }
  return 0;
}

/* st->cfg with the --set config keys still to come applied over it (the
 * runtime applies them when the script is done), for checking a value
 * where it is written: (transfer full). *complete is false when a --set
 * value does not apply (its error is reported when the world is built). */
static WorldConfig *
api_probe_config (ApiState *st, bool *complete)
{
  WorldConfig *c = world_config_copy (st->cfg);
  GHashTableIter it;
  gpointer key, value;
  *complete = true;
  g_hash_table_iter_init (&it, st->overrides);
  while (g_hash_table_iter_next (&it, &key, &value))
    if (strchr (key, '.') != NULL) /* a config key, not a param() */
      *complete &= world_config_set_string (c, key, value, NULL);
  return c;
}

/* Raises, at the caller's line, the first error world_config_check finds
 * of `what` in the configuration as it will be built (a pending --set
 * applied), prefixed by fn ("cluster{}: "). Nothing when a --set value is
 * bad: that is reported when the world is built. */
static void
api_check_config (lua_State *L, ApiState *st, const char *fn, WorldCheck what)
{
  bool complete;
  WorldConfig *c = api_probe_config (st, &complete);
  GError *err = NULL;
  bool ok = !complete || world_config_check (c, what, &err);
  world_config_free (c); /* before raising */
  if (!ok)
    api_raise (L, fn, err);
}

/* ---- declarative tables ---- */

/* cluster { preset=, gpus=, nodes=, ... } -> nil. Keys: every cluster.*
 * config key. Errors: unknown key (with a suggestion), wrong type, bad
 * value (from models/config.c). */
static int
l_cluster (lua_State *L)
{
  ApiState *st = api_state (L);
  api_section (L, "cluster", NULL, 0);
  st->cluster_given = true;
  api_check_config (L, st, "cluster{}: ", WORLD_CHECK_CLUSTER);
  return 0;
}

/* failures { source=, scale=, lemon_fraction=, lemon_multiplier= } -> nil */
static int
l_failures (lua_State *L)
{
  return api_section (L, "failures", NULL, 0);
}

/* workload { research_rate=, research_max_nodes=, trace=, trace_lenient=,
 * trace_time_scale= } -> nil */
static int
l_workload (lua_State *L)
{
  api_section (L, "workload", NULL, 0);
  api_check_config (L, api_state (L), "workload{}: ", WORLD_CHECK_WORKLOAD);
  return 0;
}

/* [-0, +0, e] Checks that the value at idx is nil or a table of string
 * (or integer) keys to non-empty strings. */
static void
api_check_string_map (lua_State *L, int idx, const char *fn, const char *key,
                      const char *what)
{
  int t = lua_getfield (L, idx, key);
  if (t != LUA_TNIL && t != LUA_TTABLE)
    luaL_error (L, "%s: key '%s' must be a table of %s, got %s", fn, key,
                what, luaL_typename (L, -1));
  if (t == LUA_TTABLE)
    {
      lua_pushnil (L);
      while (lua_next (L, -2) != 0)
        {
          bool kok = lua_type (L, -2) == LUA_TSTRING
                     || (lua_type (L, -2) == LUA_TNUMBER && lua_isinteger (L, -2));
          if (!kok || lua_type (L, -1) != LUA_TSTRING || lua_rawlen (L, -1) == 0)
            luaL_error (L, "%s: %s must be a table of %s", fn, key, what);
          lua_pop (L, 1);
        }
    }
  lua_pop (L, 1);
}

/* failure_trace { file=, repair=, map={ [trace node id] = "node0003", ... },
 * classes={ [Class] = "failure mode", ... } } -> { nodes=, outages=,
 * events=, span= (s), availability= (the trace's own, over its nodes) }.
 * Reads the trace now (errors name it and the event); models/world-faults.c
 * injects it. Errors: unknown key, wrong types, an unreadable or malformed
 * trace. */
static int
l_failure_trace (lua_State *L)
{
  static const char *const extras[] = { "map", "classes" };
  ApiState *st = api_state (L);
  luaL_checktype (L, 1, LUA_TTABLE);
  api_check_string_map (L, 1, "failure_trace{}", "map",
                        "trace node id = node name");
  api_check_string_map (L, 1, "failure_trace{}", "classes",
                        "Class = failure mode name");
  api_section (L, "failure_trace", extras, G_N_ELEMENTS (extras));
  const char *prefixes[] = { "failure_trace.map.", "failure_trace.class." };
  for (int i = 0; i < 2; i++)
    {
      if (lua_getfield (L, 1, extras[i]) == LUA_TTABLE)
        {
          lua_pushnil (L);
          while (lua_next (L, -2) != 0)
            {
              /* the key as a Lua string (nothing of C's is held when an
               * error unwinds); a copy, since lua_tostring changes a
               * number in place */
              lua_pushvalue (L, -2);
              lua_pushfstring (L, "%s%s", prefixes[i], lua_tostring (L, -1));
              const char *key = lua_tostring (L, -1);
              WorldValue v = { .type = WORLD_VAL_STRING,
                               .str = (char *) lua_tostring (L, -3) };
              GError *err = NULL;
              api_charge_c (L, st, strlen (key) + strlen (v.str));
              if (!world_config_set (st->cfg, key, &v, &err))
                api_raise (L, "failure_trace{}: ", err);
              lua_pop (L, 3);
            }
        }
      lua_pop (L, 1);
    }
  bool complete;
  WorldConfig *probe = api_probe_config (st, &complete);
  lua_pushstring (L, world_config_get_string (probe, "failure_trace.file"));
  world_config_free (probe);
  const char *file = lua_tostring (L, -1);
  if (*file == '\0')
    return luaL_error (L, "failure_trace{}: key 'file' is required (a JSON "
                       "or CSV fault trace)");
  GError *err = NULL;
  FaultTrace *t = fault_trace_read_file (file, &err);
  if (t == NULL)
    api_raise (L, "failure_trace{}: ", err);
  lua_Integer nodes = t->nodes->len, outages = t->outages->len;
  lua_Integer events = t->events->len;
  double span = t->span_s;
  double avail = fault_trace_availability (t, t->nodes->len);
  fault_trace_free (t); /* before anything that may raise */
  lua_createtable (L, 0, 5);
  lua_pushinteger (L, nodes);
  lua_setfield (L, -2, "nodes");
  lua_pushinteger (L, outages);
  lua_setfield (L, -2, "outages");
  lua_pushinteger (L, events);
  lua_setfield (L, -2, "events");
  lua_pushnumber (L, span);
  lua_setfield (L, -2, "span");
  lua_pushnumber (L, avail);
  lua_setfield (L, -2, "availability");
  return 1;
}

/* run { length=, sample_every= } -> nil */
static int
l_run (lua_State *L)
{
  return api_section (L, "run", NULL, 0);
}

/* Installs the lua_policy{} spec at idx as the health policy (replacing an
 * earlier one). Raises before it changes anything. */
static void
api_install_lua_policy (lua_State *L, ApiState *st, int idx)
{
  LuaPolicySpec *spec = luapolicy_spec_new (L, idx);
  luapolicy_spec_release (st->lua_policy, false);
  st->lua_policy = spec;
  world_config_set_health_factory (st->cfg, luapolicy_factory, spec);
}

/* Drops an installed Lua health policy (a later policy{health = "name"}). */
static void
api_drop_lua_policy (lua_State *L, ApiState *st)
{
  (void) L;
  if (st->lua_policy == NULL)
    return;
  luapolicy_spec_release (st->lua_policy, false);
  st->lua_policy = NULL;
  world_config_set_health_factory (st->cfg, NULL, NULL);
}

/* policy { health=, sched=, plugin=, health_params={...},
 * sched_params={...} } -> nil. plugin is policy.health_plugin; the
 * *_params tables pass key = value to the policy's own parameters
 * (health.<key>, sched.<key>). health is a policy name or a
 * lua_policy{} table (a health policy written in Lua). */
static int
l_policy (lua_State *L)
{
  static const char *const extras[] = { "plugin", "health_params",
                                        "sched_params" };
  ApiState *st = api_state (L);
  luaL_checktype (L, 1, LUA_TTABLE);
  bool lua_health = lua_getfield (L, 1, "health") == LUA_TTABLE;
  bool named_health = lua_type (L, -1) == LUA_TSTRING;
  if (lua_health)
    {
      luapolicy_check (L, -1);
      /* the rest of the table without health, for api_section */
      lua_newtable (L);
      lua_pushnil (L);
      while (lua_next (L, 1) != 0)
        {
          if (lua_type (L, -2) == LUA_TSTRING
              && strcmp (lua_tostring (L, -2), "health") == 0)
            {
              lua_pop (L, 1);
              continue;
            }
          lua_pushvalue (L, -2);
          lua_insert (L, -2);
          lua_settable (L, -4);
        }
      lua_replace (L, 1); /* the copy; the lua_policy table stays at 2 */
    }
  else
    lua_pop (L, 1);
  /* validate the whole table, including the sub-tables' types, first */
  api_section (L, "policy", extras, G_N_ELEMENTS (extras));
  if (lua_health)
    api_install_lua_policy (L, st, 2);
  else if (named_health)
    api_drop_lua_policy (L, st);
  if (lua_getfield (L, 1, "plugin") != LUA_TNIL)
    {
      ApiKey k = { (char *) "policy.health_plugin", WORLD_VAL_STRING,
                   WORLD_KIND_PATH, NULL };
      api_set_key (L, st, &k, -1, "policy", "plugin");
    }
  lua_pop (L, 1);
  const char *pnames[] = { "health_params", "sched_params" };
  const char *prefixes[] = { "health", "sched" };
  for (int i = 0; i < 2; i++)
    {
      int t = lua_getfield (L, 1, pnames[i]);
      if (t != LUA_TNIL && t != LUA_TTABLE)
        luaL_error (L, "policy{}: key '%s' must be a table of name = value, "
                    "got %s", pnames[i], luaL_typename (L, -1));
      if (t == LUA_TTABLE)
        api_set_passthrough (L, st, -1, prefixes[i], pnames[i]);
      lua_pop (L, 1);
    }
  return 0;
}

/* lua_policy { name=, observe=, wakeup=, every= } -> the same table, checked
 * (luapolicy_check): a value for policy { health = ... }. */
static int
l_lua_policy (lua_State *L)
{
  luapolicy_check (L, 1);
  lua_settop (L, 1);
  return 1;
}

/* health_policy (name, { observe=, wakeup=, every= }) -> nil: the same as
 * policy { health = lua_policy { name = name, ... } }. */
static int
l_health_policy (lua_State *L)
{
  ApiState *st = api_state (L);
  luaL_checkstring (L, 1);
  luaL_checktype (L, 2, LUA_TTABLE);
  lua_getfield (L, 2, "name");
  if (!lua_isnil (L, -1))
    luaL_error (L, "health_policy(): give the name as the first argument "
                "only, not also as name = in the table");
  lua_pop (L, 1);
  /* a copy with name set */
  lua_newtable (L);
  lua_pushnil (L);
  while (lua_next (L, 2) != 0)
    {
      lua_pushvalue (L, -2);
      lua_insert (L, -2);
      lua_settable (L, -4);
    }
  lua_pushvalue (L, 1);
  lua_setfield (L, -2, "name");
  api_install_lua_policy (L, st, -1);
  return 0;
}

/* failure_mode(name, { mtbf=, dist=, shape=, sigma=, rate_scale=, repair=,
 * repair_time=, class=, cause=, xid=, blast=, enabled=, detect_delay=,
 * when= }) -> nil: the keys of world_mode_keys, applied in its order.
 * Overrides a default mode or declares a new one (class needed). Errors,
 * at the call's line: those of world_config_failure_set (unknown key or
 * name with a suggestion, wrong type, out of range) and every error
 * world_new() finds in the mode (mtbf 0, shape without weibull, ...). */
static int
l_failure_mode (lua_State *L)
{
  ApiState *st = api_state (L);
  guint n;
  const WorldModeKey *keys = world_mode_keys (&n);
  const char *names[32]; /* on the stack: luaL_error does not return */
  g_assert (n <= G_N_ELEMENTS (names));
  const char *mode = luaL_checkstring (L, 1);
  luaL_checktype (L, 2, LUA_TTABLE);
  for (guint i = 0; i < n; i++)
    names[i] = keys[i].key;
  api_check_keys (L, 2, "failure_mode", names, n);
  for (guint i = 0; i < n; i++)
    {
      WorldValue v;
      GError *err = NULL;
      if (lua_getfield (L, 2, names[i]) != LUA_TNIL)
        {
          if (!api_to_value (L, -1, keys[i].type, &v))
            luaL_error (L, "failure_mode('%s'): key '%s' must be %s, got %s",
                        mode, names[i], api_type_desc (keys[i].type,
                                                       keys[i].unit),
                        luaL_typename (L, -1));
          if (!world_config_failure_set (st->cfg, mode, names[i], &v, &err))
            api_raise (L, "", err);
        }
      lua_pop (L, 1);
    }
  /* the modes as world_new will build them, on the failures.source a
   * pending --set names */
  api_check_config (L, st, "", WORLD_CHECK_FAILURE_MODES);
  return 0;
}

/* Job defaults (seconds): restart 5 min and blocking checkpoint cost 30 s
 * are the values of field-data.md section 12.3 (Kokolis et al. u0 5-20
 * min); checkpoint_write 0 makes a checkpoint durable when its blocking
 * part ends (a synchronous save); checkpoint_every 0 asks for Young/Daly.
 * comm_share 0.2 is an assumption (no published source). */
#define API_JOB_RESTART_S 300.0
#define API_JOB_CKPT_COST_S 30.0
#define API_JOB_COMM_SHARE 0.2

/* [-0, +0, e] Raises "PREFIX: KEY = X is out of range [MIN, MAX] UNIT"
 * unless x is in the range models/config.c declares for key. */
static void
api_check_range (lua_State *L, const char *prefix, const char *key, double x)
{
  GError *err = NULL;
  if (!world_range_check (key, x, &err))
    api_raise (L, prefix, err);
}

/* job{}'s key (a number, range "job.KEY"), or def when absent. */
static double
api_job_number (lua_State *L, const char *key, double def)
{
  double x = def;
  int t = lua_getfield (L, 1, key);
  if (t != LUA_TNIL)
    {
      if (t != LUA_TNUMBER)
        luaL_error (L, "job{}: key '%s' must be a number, got %s", key,
                    luaL_typename (L, -1));
      x = lua_tonumber (L, -1);
      char rk[64];
      g_snprintf (rk, sizeof rk, "job.%s", key);
      api_check_range (L, "job{}: ", rk, x);
    }
  lua_pop (L, 1);
  return x;
}

/* job { name=, nodes=, work=, submit=, checkpoint_every=, checkpoint_cost=,
 * checkpoint_write=, restart=, comm_share=, priority=, preemptible=,
 * main=, lose_work=, standbys=, standby_swap=, host_selection= } -> nil.
 * name and nodes
 * are required; durations in seconds. Errors: unknown key, wrong type,
 * out of range, duplicate name (models/). */
static int
l_job (lua_State *L)
{
  static const char *const names[] = {
    "name", "nodes", "work", "submit", "checkpoint_every",
    "checkpoint_cost", "checkpoint_write", "restart", "comm_share",
    "priority", "preemptible", "main", "lose_work",
    "standbys", "standby_swap", "host_selection",
  };
  ApiState *st = api_state (L);
  WorldJobSpec job = { 0 };
  GError *err = NULL;

  luaL_checktype (L, 1, LUA_TTABLE);
  api_check_keys (L, 1, "job", names, G_N_ELEMENTS (names));
  if (lua_getfield (L, 1, "name") != LUA_TSTRING)
    luaL_error (L, "job{}: key 'name' is required and must be a string");
  job.name = lua_tostring (L, -1); /* stays on the stack */
  if (lua_getfield (L, 1, "nodes") != LUA_TNUMBER)
    luaL_error (L, "job{}: key 'nodes' is required and must be a number");
  lua_Integer nodes = 0;
  if (!lua_isinteger (L, -1))
    {
      lua_Number x = lua_tonumber (L, -1);
      if (!lua_numbertointeger (floor (x), &nodes) || floor (x) != x)
        luaL_error (L, "job{}: nodes must be a whole number, got %f", x);
    }
  else
    nodes = lua_tointeger (L, -1);
  api_check_range (L, "job{}: ", "job.nodes", (double) nodes);
  lua_pop (L, 1);
  job.nodes = (uint32_t) nodes;
  job.work_s = api_job_number (L, "work", 0);
  job.submit_s = api_job_number (L, "submit", 0);
  job.checkpoint_every_s = api_job_number (L, "checkpoint_every", 0);
  job.checkpoint_cost_s = api_job_number (L, "checkpoint_cost",
                                          API_JOB_CKPT_COST_S);
  job.checkpoint_write_s = api_job_number (L, "checkpoint_write", 0);
  job.restart_s = api_job_number (L, "restart", API_JOB_RESTART_S);
  job.comm_share = api_job_number (L, "comm_share", API_JOB_COMM_SHARE);
  job.priority = (int32_t) api_job_number (L, "priority", 0);
  job.standbys = (uint32_t) api_job_number (L, "standbys", 0);
  job.standby_swap_s = api_job_number (L, "standby_swap", 0);
  job.host_selection_s = api_job_number (L, "host_selection", 0);
  int t = lua_getfield (L, 1, "preemptible");
  if (t != LUA_TNIL && t != LUA_TBOOLEAN)
    luaL_error (L, "job{}: key 'preemptible' must be a boolean, got %s",
                luaL_typename (L, -1));
  job.preemptible = lua_toboolean (L, -1);
  lua_pop (L, 1);
  t = lua_getfield (L, 1, "main");
  if (t != LUA_TNIL && t != LUA_TBOOLEAN)
    luaL_error (L, "job{}: key 'main' must be a boolean, got %s",
                luaL_typename (L, -1));
  job.main = lua_toboolean (L, -1);
  lua_pop (L, 1);
  t = lua_getfield (L, 1, "lose_work");
  if (t != LUA_TNIL && t != LUA_TBOOLEAN)
    luaL_error (L, "job{}: key 'lose_work' must be a boolean, got %s",
                luaL_typename (L, -1));
  job.keep_work = t == LUA_TBOOLEAN && !lua_toboolean (L, -1);
  lua_pop (L, 1);
  if (!world_config_add_job (st->cfg, &job, &err))
    api_raise (L, "job{}: ", err);
  /* against the cluster{} given so far; without one, the job is checked
   * when cluster{} comes */
  if (st->cluster_given)
    api_check_config (L, st, "job{}: ", WORLD_CHECK_CLUSTER);
  return 0;
}

/* ---- units ---- */

static int
api_unit (lua_State *L, lua_Integer k)
{
  if (lua_isinteger (L, 1))
    {
      lua_Integer x = lua_tointeger (L, 1);
      if (x > -(LUA_MAXINTEGER / k) && x < LUA_MAXINTEGER / k)
        {
          lua_pushinteger (L, x * k);
          return 1;
        }
    }
  lua_pushnumber (L, luaL_checknumber (L, 1) * (lua_Number) k);
  return 1;
}

/* seconds(x) -> x; minutes(x), hours(x), days(x), weeks(x) -> seconds.
 * Error: x not a number. */
static int l_seconds (lua_State *L) { return api_unit (L, 1); }
static int l_minutes (lua_State *L) { return api_unit (L, 60); }
static int l_hours (lua_State *L) { return api_unit (L, 3600); }
static int l_days (lua_State *L) { return api_unit (L, 86400); }
static int l_weeks (lua_State *L) { return api_unit (L, 604800); }

/* ---- param() ---- */

static char *
api_json_string (const char *s)
{
  GString *g = g_string_new ("\"");
  for (const unsigned char *p = (const unsigned char *) s; *p; p++)
    {
      if (*p == '"' || *p == '\\')
        g_string_append_printf (g, "\\%c", *p);
      else if (*p < 0x20)
        g_string_append_printf (g, "\\u%04x", *p);
      else
        g_string_append_c (g, (char) *p);
    }
  g_string_append_c (g, '"');
  return g_string_free (g, FALSE);
}

/* JSON text of the number/string/boolean at idx. (transfer full) */
static char *
api_json_value (lua_State *L, int idx)
{
  char buf[G_ASCII_DTOSTR_BUF_SIZE];
  switch (lua_type (L, idx))
    {
    case LUA_TBOOLEAN:
      return g_strdup (lua_toboolean (L, idx) ? "true" : "false");
    case LUA_TSTRING:
      return api_json_string (lua_tostring (L, idx));
    case LUA_TNUMBER:
      if (lua_isinteger (L, idx))
        return g_strdup_printf ("%lld", (long long) lua_tointeger (L, idx));
      else
        {
          double x = lua_tonumber (L, idx);
          if (!isfinite (x))
            return g_strdup ("null");
          if (x == floor (x) && fabs (x) < 9007199254740992.0)
            return g_strdup_printf ("%.0f", x);
          g_ascii_formatd (buf, sizeof buf, "%.15g", x);
          if (g_ascii_strtod (buf, NULL) != x)
            g_ascii_formatd (buf, sizeof buf, "%.17g", x);
          return g_strdup (buf);
        }
    default:
      return g_strdup ("null");
    }
}

static bool
api_valid_param_name (const char *s)
{
  if (!(g_ascii_isalpha (*s) || *s == '_'))
    return false;
  for (; *s; s++)
    if (!(g_ascii_isalnum (*s) || *s == '_'))
      return false;
  return true;
}

/* param(name, default [, help [, unit]]) -> value. A parameter that --set
 * NAME=VALUE (and sweeps) can change; the value has the default's type
 * (number, string or boolean). unit "s" declares a number of seconds: its
 * --set value may carry a suffix (30m, 2h, 2d); any other number takes a
 * plain decimal (world_parse_number). Errors: bad name, bad default, bad
 * unit, a --set value that
 * does not convert. */
static int
l_param (lua_State *L)
{
  ApiState *st = api_state (L);
  const char *name = luaL_checkstring (L, 1);
  int t = lua_type (L, 2);
  const char *help = luaL_optstring (L, 3, "");
  const char *unit = luaL_optstring (L, 4, "");
  gpointer okey, oval;
  if (*unit != '\0' && (strcmp (unit, "s") != 0 || t != LUA_TNUMBER))
    luaL_error (L, "param('%s'): unit must be \"s\" (a number of seconds, "
                "which --set may give as 30m, 2h, 2d) or absent, got '%s'",
                name, unit);

  if (!api_valid_param_name (name))
    luaL_error (L, "param(): name '%s' must be an identifier (letters, "
                "digits, _); dotted names are config keys, set them with "
                "the tables", name);
  if (t != LUA_TNUMBER && t != LUA_TSTRING && t != LUA_TBOOLEAN)
    luaL_error (L, "param('%s'): the default must be a number, string or "
                "boolean, got %s", name, luaL_typename (L, 2));
  lua_settop (L, 2);
  if (g_hash_table_lookup_extended (st->overrides, name, &okey, &oval))
    {
      const char *s = oval;
      double x = 0;
      bool b = false;
      if (t == LUA_TNUMBER)
        {
          GError *perr = NULL;
          if (!world_parse_number (s, unit, &x, &perr))
            {
              lua_pushfstring (L, "--set %s=%s: param '%s' (default %s): %s",
                               name, s, name, lua_tostring (L, 2),
                               perr->message);
              g_error_free (perr);
              lua_error (L);
            }
          if (x == floor (x) && fabs (x) < 9007199254740992.0)
            lua_pushinteger (L, (lua_Integer) x);
          else
            lua_pushnumber (L, x);
        }
      else if (t == LUA_TBOOLEAN)
        {
          if (!params_parse_bool (s, &b))
            luaL_error (L, "--set %s=%s: param '%s' is a boolean: write "
                        PARAMS_BOOL_WORDS, name, s, name);
          lua_pushboolean (L, b);
        }
      else
        lua_pushstring (L, s);
      lua_replace (L, 2);
      g_hash_table_add (st->used, okey);
    }

  bool known = false;
  for (guint i = 0; i < st->params->len && !known; i++)
    known = strcmp (((LbParam *) g_ptr_array_index (st->params, i))->name,
                    name) == 0;
  if (!known)
    {
      api_charge_c (L, st, strlen (name) + strlen (help) + 32);
      LbParam *p = g_new0 (LbParam, 1);
      p->name = g_strdup (name);
      p->value_json = api_json_value (L, 2);
      p->help = g_strdup (help);
      g_ptr_array_add (st->params, p);
    }
  return 1;
}

/* ---- scripted events ---- */

/* Argument arg as a time in seconds, within the range models/config.c
 * declares for key ("at.time", "every.period", "maintenance.duration"). */
static SimTime
api_check_time (lua_State *L, int arg, const char *fn, const char *key)
{
  lua_Number x = luaL_checknumber (L, arg);
  lua_pushfstring (L, "%s(): ", fn);
  api_check_range (L, lua_tostring (L, -1), key, x);
  lua_pop (L, 1);
  return simtime_from_s (x);
}

/* [-1, +0, m] Pops the function on top and returns a registry ref. */
static int
api_ref (lua_State *L, int fnarg)
{
  luaL_checktype (L, fnarg, LUA_TFUNCTION);
  lua_pushvalue (L, fnarg);
  return luaL_ref (L, LUA_REGISTRYINDEX);
}

/* at(t, fn) -> nil. Calls fn() at simulated time t (seconds since the
 * start; absolute). Errors: t negative, or in the past during the run. */
static int
l_at (lua_State *L)
{
  ApiState *st = api_state (L);
  SimTime when = api_check_time (L, 1, "at", "at.time");
  luaL_checktype (L, 2, LUA_TFUNCTION);
  if (st->world != NULL && when < world_now (st->world))
    luaL_error (L, "at(): time %f s is in the past (now is %f s); use "
                "at(now() + dt, fn)", lua_tonumber (L, 1),
                simtime_to_s (world_now (st->world)));
  api_charge_c (L, st, 0);
  uint64_t id = API_CB_ID (API_CB_AT, api_ref (L, 2));
  if (st->world != NULL)
    world_at (st->world, when, id);
  else
    world_config_at (st->cfg, when, id);
  return 0;
}

/* every(dt, fn [, first]) -> nil. Calls fn() every dt seconds, first at
 * time `first` (default: dt after now). fn returning false stops it.
 * Errors: dt <= 0, first negative or in the past. */
static int
l_every (lua_State *L)
{
  ApiState *st = api_state (L);
  SimTime now = st->world != NULL ? world_now (st->world) : 0;
  SimTime period = api_check_time (L, 1, "every", "every.period");
  luaL_checktype (L, 2, LUA_TFUNCTION);
  SimTime first = lua_isnoneornil (L, 3) ? now + period
                                         : api_check_time (L, 3, "every",
                                                           "every.first");
  if (first < now)
    luaL_error (L, "every(): first time %f s is in the past (now is %f s)",
                simtime_to_s (first), simtime_to_s (now));
  api_charge_c (L, st, 0);
  uint64_t id = API_CB_ID (API_CB_EVERY, api_ref (L, 2));
  if (st->world != NULL)
    world_every (st->world, first, period, id);
  else
    world_config_every (st->cfg, first, period, id);
  return 0;
}

/* on(event, fn) -> nil. Calls fn(e) for every event of that kind (see
 * world_event_names()). Only at the top level. Errors: unknown event
 * (lists the valid names), called during the run. */
static int
l_on (lua_State *L)
{
  ApiState *st = api_state (L);
  const char *event = luaL_checkstring (L, 1);
  GError *err = NULL;
  luaL_checktype (L, 2, LUA_TFUNCTION);
  if (st->world != NULL)
    luaL_error (L, "on() registers for the whole run: call it at the "
                "scenario's top level, not inside a callback");
  api_charge_c (L, st, 0);
  int ref = api_ref (L, 2);
  if (!world_config_on (st->cfg, event, API_CB_ID (API_CB_ON, ref), &err))
    {
      luaL_unref (L, LUA_REGISTRYINDEX, ref);
      api_raise (L, "on(): ", err);
    }
  return 0;
}

/* ---- actions and queries during the run ---- */

static World *
api_world (lua_State *L, const char *fn, bool changes)
{
  ApiState *st = api_state (L);
  if (st->world == NULL)
    {
      if (changes)
        luaL_error (L, "%s() changes the running cluster: call it inside "
                    "at(t, fn), every(dt, fn) or on(event, fn)", fn);
      luaL_error (L, "%s() reads the running cluster: call it inside "
                  "at(t, fn), every(dt, fn) or on(event, fn)", fn);
    }
  return st->world;
}

static int
api_count (lua_State *L, const char *fn, int n, GError *err)
{
  if (err != NULL)
    {
      lua_pushfstring (L, "%s(): ", fn);
      return api_raise (L, lua_tostring (L, -1), err);
    }
  lua_pushinteger (L, n);
  return 1;
}

/* fail(pattern [, mode]) -> count. Fails every component whose name
 * matches pattern (a name or a glob: "node00*", "spine-07"), with mode or
 * the class default. Errors: at load time; nothing matches; bad mode. */
static int
l_fail (lua_State *L)
{
  const char *pattern = luaL_checkstring (L, 1);
  const char *mode = luaL_optstring (L, 2, NULL);
  World *w = api_world (L, "fail", true);
  GError *err = NULL;
  int n = world_fail (w, pattern, mode, &err);
  return api_count (L, "fail", n, err);
}

/* repair(pattern) -> count. Returns matching failed components to
 * service. Errors: at load time; nothing matches. */
static int
l_repair (lua_State *L)
{
  const char *pattern = luaL_checkstring (L, 1);
  World *w = api_world (L, "repair", true);
  GError *err = NULL;
  int n = world_repair (w, pattern, &err);
  return api_count (L, "repair", n, err);
}

/* degrade(pattern, fraction) -> count. Matching links/switches keep
 * `fraction` (0..1) of their bandwidth. Errors: at load time; fraction
 * outside [0, 1]; nothing matches. */
static int
l_degrade (lua_State *L)
{
  const char *pattern = luaL_checkstring (L, 1);
  lua_Number f = luaL_checknumber (L, 2);
  luaL_argcheck (L, f >= 0 && f <= 1, 2, "fraction must be in [0, 1]");
  World *w = api_world (L, "degrade", true);
  GError *err = NULL;
  int n = world_degrade (w, pattern, f, &err);
  return api_count (L, "degrade", n, err);
}

/* maintenance(pattern, duration) -> count. Planned maintenance of matching
 * nodes for duration seconds (jobs checkpoint first). Errors: at load
 * time; duration <= 0; nothing matches. */
static int
l_maintenance (lua_State *L)
{
  const char *pattern = luaL_checkstring (L, 1);
  SimTime d = api_check_time (L, 2, "maintenance",
                              "maintenance.duration");
  World *w = api_world (L, "maintenance", true);
  GError *err = NULL;
  int n = world_maintenance (w, pattern, d, &err);
  return api_count (L, "maintenance", n, err);
}

/* note(...) -> nil. Writes its arguments (tostring, space-separated) as a
 * line of the run's notes, prefixed with the simulated time. At load time
 * the note is kept and written at time 0. */
static int
l_note (lua_State *L)
{
  ApiState *st = api_state (L);
  int n = lua_gettop (L);
  luaL_Buffer b;
  luaL_buffinit (L, &b);
  for (int i = 1; i <= n; i++)
    {
      if (i > 1)
        luaL_addchar (&b, ' ');
      luaL_tolstring (L, i, NULL);
      luaL_addvalue (&b);
    }
  luaL_pushresult (&b);
  api_charge_c (L, st, lua_rawlen (L, -1));
  if (st->world != NULL)
    world_note (st->world, lua_tostring (L, -1));
  else
    g_ptr_array_add (st->notes, g_strdup (lua_tostring (L, -1)));
  return 0;
}

/* now() -> seconds. The simulated time; 0 while the scenario loads. */
static int
l_now (lua_State *L)
{
  ApiState *st = api_state (L);
  lua_pushnumber (L, st->world != NULL ? simtime_to_s (world_now (st->world))
                                       : 0.0);
  return 1;
}

/* healthy_gpus() -> count. Error: at load time. */
static int
l_healthy_gpus (lua_State *L)
{
  lua_pushinteger (L, world_healthy_gpus (api_world (L, "healthy_gpus",
                                                     false)));
  return 1;
}

/* running_jobs() -> count. Error: at load time. */
static int
l_running_jobs (lua_State *L)
{
  lua_pushinteger (L, world_running_jobs (api_world (L, "running_jobs",
                                                     false)));
  return 1;
}

/* job_progress(name) -> fraction 0..1, or nil for an unknown job.
 * Error: at load time. */
static int
l_job_progress (lua_State *L)
{
  const char *name = luaL_checkstring (L, 1);
  double p = world_job_progress (api_world (L, "job_progress", false), name);
  if (isnan (p))
    lua_pushnil (L);
  else
    lua_pushnumber (L, p);
  return 1;
}

/* state(name) -> string. The state of a component or node ("healthy",
 * "cordoned", ...). Errors: at load time; unknown name. */
static int
l_state (lua_State *L)
{
  const char *name = luaL_checkstring (L, 1);
  World *w = api_world (L, "state", false);
  const char *s = NULL;
  GError *err = NULL;
  if (!world_component_state (w, name, &s, &err))
    return api_raise (L, "state(): ", err);
  lua_pushstring (L, s);
  return 1;
}

static const luaL_Reg api_funcs[] = {
  { "cluster", l_cluster },
  { "failures", l_failures },
  { "failure_mode", l_failure_mode },
  { "failure_trace", l_failure_trace },
  { "policy", l_policy },
  { "lua_policy", l_lua_policy },
  { "health_policy", l_health_policy },
  { "job", l_job },
  { "workload", l_workload },
  { "run", l_run },
  { "seconds", l_seconds },
  { "minutes", l_minutes },
  { "hours", l_hours },
  { "days", l_days },
  { "weeks", l_weeks },
  { "param", l_param },
  { "at", l_at },
  { "every", l_every },
  { "on", l_on },
  { "fail", l_fail },
  { "repair", l_repair },
  { "degrade", l_degrade },
  { "maintenance", l_maintenance },
  { "note", l_note },
  { "now", l_now },
  { "healthy_gpus", l_healthy_gpus },
  { "running_jobs", l_running_jobs },
  { "job_progress", l_job_progress },
  { "state", l_state },
  { NULL, NULL },
};

/* ---- public API ---- */

static void
api_key_free (ApiKey *k)
{
  g_free (k->key);
  g_free (k->unit);
  g_free (k);
}

static void
api_collect_key (const char *key, WorldValType type, const char *unit,
                 const char *def, const char *help, void *user_data)
{
  ApiKey *k = g_new0 (ApiKey, 1);
  k->key = g_strdup (key);
  WorldKeyInfo info;
  k->type = type;
  k->kind = world_config_key_info (key, &info) ? info.kind : WORLD_KIND_STRING;
  k->unit = g_strdup (unit != NULL ? unit : "");
  g_ptr_array_add (user_data, k);
}

void
api_state_init (ApiState *st, GHashTable *overrides)
{
  g_return_if_fail (st != NULL && overrides != NULL);
  memset (st, 0, sizeof *st);
  st->cfg = world_config_new ();
  st->overrides = overrides;
  st->used = g_hash_table_new (g_str_hash, g_str_equal);
  st->params = g_ptr_array_new_with_free_func ((GDestroyNotify) api_param_free);
  st->notes = g_ptr_array_new_with_free_func (g_free);
  st->keys = g_ptr_array_new_with_free_func ((GDestroyNotify) api_key_free);
  world_config_foreach_key (api_collect_key, st->keys);
}

void
api_state_clear (ApiState *st)
{
  if (st == NULL)
    return;
  /* lb_free closes the Lua state first: nothing to unreference */
  luapolicy_spec_release (st->lua_policy, true);
  st->lua_policy = NULL;
  world_config_free (st->cfg);
  g_clear_pointer (&st->used, g_hash_table_unref);
  g_clear_pointer (&st->params, g_ptr_array_unref);
  g_clear_pointer (&st->notes, g_ptr_array_unref);
  g_clear_pointer (&st->keys, g_ptr_array_unref);
  st->cfg = NULL;
  st->world = NULL;
}

void
api_open (lua_State *L, ApiState *st)
{
  g_return_if_fail (L != NULL && st != NULL);
  lua_pushglobaltable (L);
  lua_pushlightuserdata (L, st);
  luaL_setfuncs (L, api_funcs, 1);
  lua_pop (L, 1);
  api_query_open (L, st);
  api_repair_open (L, st);
}

void
api_push_event (lua_State *L, const WorldEvent *ev)
{
  g_return_if_fail (L != NULL && ev != NULL);
  WorldEventRecord r; /* the table's fields (docs/scenario-api.md) */
  world_event_record (ev, &r);
  lua_createtable (L, 0, 14);
  lua_pushnumber (L, simtime_to_s (ev->time));
  lua_setfield (L, -2, "time");
  lua_pushstring (L, world_event_kind_name (ev->kind));
  lua_setfield (L, -2, "kind");
  const struct { const char *k; const char *v; } strs[] = {
    { "component", r.component }, { "job", r.job }, { "mode", r.mode },
    { "cause", r.cause }, { "detail", r.detail }, { "reason", r.reason },
  };
  for (guint i = 0; i < G_N_ELEMENTS (strs); i++)
    if (strs[i].v != NULL)
      {
        lua_pushstring (L, strs[i].v);
        lua_setfield (L, -2, strs[i].k);
      }
  if (r.xid != 0)
    {
      lua_pushinteger (L, r.xid);
      lua_setfield (L, -2, "xid");
    }
  if (r.node >= 0)
    {
      lua_pushinteger (L, r.node);
      lua_setfield (L, -2, "node");
    }
  if (r.port >= 0)
    {
      lua_pushinteger (L, r.port);
      lua_setfield (L, -2, "port");
    }
  lua_pushnumber (L, r.lost_gpu_hours);
  lua_setfield (L, -2, "lost_gpu_hours");
  lua_pushnumber (L, r.value);
  lua_setfield (L, -2, "value");
}

void
api_param_free (LbParam *p)
{
  if (p == NULL)
    return;
  g_free (p->name);
  g_free (p->value_json);
  g_free (p->help);
  g_free (p);
}

const char *
api_suggest (const char *word, const char *const *candidates, guint n)
{
  g_return_val_if_fail (word != NULL, NULL);
  return policy_suggest (word, candidates, n);
}
