/* lua/api-repair.c - repair_pipeline { {stage}, {stage}, ...,
 * misdiagnosis = p } while the scenario loads: the stages in order, each
 * { name =, dist =, mean =, sd =, shape =, success = }, checked and
 * stored by models/ (world_config_set_repair_pipeline). Errors name the
 * stage and the key, at the scenario's line. */
#include "api-repair.h"

#include <lauxlib.h>
#include <string.h>

/* Raises "FILE:LINE: repair_pipeline{}: MESSAGE". */
static int
repair_raise (lua_State *L, const char *msg)
{
  luaL_where (L, 1);
  lua_pushfstring (L, "repair_pipeline{}: %s", msg);
  lua_concat (L, 2);
  return lua_error (L);
}

/* The number at key of the table at idx, or def when absent. */
static double
stage_number (lua_State *L, int idx, guint stage, const char *key, double def)
{
  double x = def;
  int t = lua_getfield (L, idx, key);
  if (t != LUA_TNIL)
    {
      if (t != LUA_TNUMBER)
        {
          char msg[160];
          g_snprintf (msg, sizeof msg, "stage %u: key '%s' must be a number, got %s",
                      stage + 1, key, luaL_typename (L, -1));
          repair_raise (L, msg);
        }
      x = lua_tonumber (L, -1);
    }
  lua_pop (L, 1);
  return x;
}

/* The string at key of the table at idx (on the stack until the call
 * returns), or NULL when absent. */
static const char *
stage_string (lua_State *L, int idx, guint stage, const char *key)
{
  int t = lua_getfield (L, idx, key);
  if (t == LUA_TNIL)
    {
      lua_pop (L, 1);
      return NULL;
    }
  if (t != LUA_TSTRING)
    {
      char msg[160];
      g_snprintf (msg, sizeof msg, "stage %u: key '%s' must be a string, got %s",
                  stage + 1, key, luaL_typename (L, -1));
      repair_raise (L, msg);
    }
  return lua_tostring (L, -1); /* stays on the stack */
}

static int
l_repair_pipeline (lua_State *L)
{
  static const char *const stage_keys[] = { "name", "dist", "mean", "sd", "shape",
                                            "success", NULL };
  ApiState *st = lua_touserdata (L, lua_upvalueindex (1));
  if (st->world != NULL)
    return repair_raise (L, "must be called while the scenario loads, not during the run");
  luaL_checktype (L, 1, LUA_TTABLE);
  /* Keys: 1..n stages, and misdiagnosis. */
  lua_Integer n = (lua_Integer) lua_rawlen (L, 1);
  lua_pushnil (L);
  while (lua_next (L, 1) != 0)
    {
      bool ok = false;
      if (lua_type (L, -2) == LUA_TSTRING)
        ok = strcmp (lua_tostring (L, -2), "misdiagnosis") == 0;
      else if (lua_isinteger (L, -2))
        ok = lua_tointeger (L, -2) >= 1 && lua_tointeger (L, -2) <= n;
      if (!ok)
        {
          char msg[200];
          g_snprintf (msg, sizeof msg, "unknown key '%s' (give the stages in order, "
                      "then misdiagnosis = p)",
                      lua_type (L, -2) == LUA_TSTRING ? lua_tostring (L, -2)
                                                      : luaL_typename (L, -2));
          repair_raise (L, msg);
        }
      lua_pop (L, 1);
    }
  if (n == 0 || n > WORLD_REPAIR_MAX_STAGES)
    {
      char msg[120];
      g_snprintf (msg, sizeof msg, "%d stages (give 1 to %d, e.g. { { name = \"auto\", "
                  "mean = hours (1) } })", (int) n, WORLD_REPAIR_MAX_STAGES);
      return repair_raise (L, msg);
    }
  double misdiag = stage_number (L, 1, 0, "misdiagnosis", 0);
  WorldRepairStage stages[WORLD_REPAIR_MAX_STAGES];
  for (lua_Integer i = 1; i <= n; i++)
    {
      guint k = (guint) (i - 1);
      luaL_checkstack (L, 6, "repair_pipeline{}");
      if (lua_rawgeti (L, 1, i) != LUA_TTABLE)
        {
          char msg[120];
          g_snprintf (msg, sizeof msg, "stage %u must be a table, got %s", k + 1,
                      luaL_typename (L, -1));
          return repair_raise (L, msg);
        }
      int idx = lua_gettop (L);
      lua_pushnil (L);
      while (lua_next (L, idx) != 0)
        {
          const char *key = lua_type (L, -2) == LUA_TSTRING ? lua_tostring (L, -2) : NULL;
          bool known = false;
          for (int q = 0; key != NULL && stage_keys[q] != NULL; q++)
            known = known || strcmp (key, stage_keys[q]) == 0;
          if (!known)
            {
              const char *near = key ? api_suggest (key, stage_keys, 6) : NULL;
              char msg[200];
              g_snprintf (msg, sizeof msg, "stage %u: unknown key '%s'%s%s%s (valid: name, "
                          "dist, mean, sd, shape, success)", k + 1,
                          key ? key : luaL_typename (L, -2), near ? ", did you mean '" : "",
                          near ? near : "", near ? "'?" : "");
              repair_raise (L, msg);
            }
          lua_pop (L, 1);
        }
      memset (&stages[k], 0, sizeof stages[k]);
      stages[k].name = stage_string (L, idx, k, "name");
      stages[k].dist = stage_string (L, idx, k, "dist");
      if (lua_getfield (L, idx, "mean") == LUA_TNIL)
        {
          char msg[120];
          g_snprintf (msg, sizeof msg, "stage %u: key 'mean' (its mean duration, s) is "
                      "required", k + 1);
          return repair_raise (L, msg);
        }
      lua_pop (L, 1);
      stages[k].mean_s = stage_number (L, idx, k, "mean", 0);
      stages[k].sd_s = stage_number (L, idx, k, "sd", 0);
      stages[k].shape = stage_number (L, idx, k, "shape", 0);
      stages[k].success = stage_number (L, idx, k, "success", 1);
      /* the stage table and its strings stay on the stack until the end */
    }
  GError *err = NULL;
  if (!world_config_set_repair_pipeline (st->cfg, stages, (guint) n, misdiag, &err))
    {
      luaL_where (L, 1);
      lua_pushfstring (L, "repair_pipeline{}: %s", err->message);
      g_error_free (err);
      lua_concat (L, 2);
      return lua_error (L);
    }
  return 0;
}

void
api_repair_open (lua_State *L, ApiState *st)
{
  g_return_if_fail (L != NULL && st != NULL);
  lua_pushlightuserdata (L, st);
  lua_pushcclosure (L, l_repair_pipeline, 1);
  lua_setglobal (L, "repair_pipeline");
}
