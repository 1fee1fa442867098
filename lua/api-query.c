/* lua/api-query.c - per-node queries and settings of the running cluster:
 * the nodes a job holds now, a node's failure history (read-only: a
 * scenario's results do not depend on whether it asks), and a node's
 * failure-rate multiplier (set_node_rate, node_rate). They hold no C
 * memory while Lua may raise (the world keeps what they read). */
#include "api-query.h"

#include <lauxlib.h>

#include "simtime.h"

static World *
query_world_for (lua_State *L, const char *fn, const char *verb)
{
  ApiState *st = lua_touserdata (L, lua_upvalueindex (1));
  if (st->world == NULL)
    luaL_error (L, "%s() %s the running cluster: call it inside "
                "at(t, fn), every(dt, fn) or on(event, fn)", fn, verb);
  return st->world;
}

static World *
query_world (lua_State *L, const char *fn)
{
  return query_world_for (L, fn, "reads");
}

/* Raises "FILE:LINE: FN(): MESSAGE"; frees err first. */
static int
query_raise (lua_State *L, const char *fn, GError *err)
{
  luaL_where (L, 1);
  lua_pushfstring (L, "%s(): %s", fn, err->message);
  g_error_free (err);
  lua_concat (L, 2);
  return lua_error (L);
}

/* job_nodes(name) -> { "node0003", ... } in allocation order; {} while the
 * job is queued, waiting for nodes or done; nil for an unknown job.
 * Error: at load time. */
static int
l_job_nodes (lua_State *L)
{
  const char *name = luaL_checkstring (L, 1);
  World *w = query_world (L, "job_nodes");
  const uint32_t *nodes;
  uint32_t n;
  if (!world_job_nodes (w, name, &nodes, &n))
    {
      lua_pushnil (L);
      return 1;
    }
  lua_createtable (L, (int) MIN (n, (uint32_t) G_MAXINT), 0);
  for (uint32_t i = 0; i < n; i++)
    {
      char nb[96];
      lua_pushstring (L, world_node_name (w, nodes[i], nb, sizeof nb));
      lua_rawseti (L, -2, (lua_Integer) i + 1);
    }
  return 1;
}

/* node_history(name) -> { { time =, mode =, cause =, repaired = }, ... }:
 * the faults that took the node down so far, oldest first; times in
 * seconds; repaired is nil while the fault lasts. Errors: at load time;
 * not a node's name. */
static int
l_node_history (lua_State *L)
{
  const char *name = luaL_checkstring (L, 1);
  World *w = query_world (L, "node_history");
  guint n;
  GError *err = NULL;
  const WorldNodeFailure *h = world_node_history (w, name, &n, &err);
  if (err != NULL)
    return query_raise (L, "node_history", err);
  lua_createtable (L, (int) MIN (n, (guint) G_MAXINT), 0);
  for (guint i = 0; i < n; i++)
    {
      lua_createtable (L, 0, 4);
      lua_pushnumber (L, simtime_to_s (h[i].time));
      lua_setfield (L, -2, "time");
      lua_pushstring (L, h[i].mode);
      lua_setfield (L, -2, "mode");
      lua_pushstring (L, h[i].cause);
      lua_setfield (L, -2, "cause");
      if (h[i].repaired >= 0)
        {
          lua_pushnumber (L, simtime_to_s (h[i].repaired));
          lua_setfield (L, -2, "repaired");
        }
      lua_rawseti (L, -2, (lua_Integer) i + 1);
    }
  return 1;
}

/* set_node_rate(name, multiplier [, reset_probability]) -> nil. From now
 * on the node fails multiplier times as often in its GPU and host modes;
 * each later repair of it resets the multiplier to 1 with
 * reset_probability (default 0: never). Errors: at load time; not a node;
 * a number out of range. */
static int
l_set_node_rate (lua_State *L)
{
  const char *name = luaL_checkstring (L, 1);
  lua_Number m = luaL_checknumber (L, 2);
  lua_Number p = luaL_optnumber (L, 3, 0);
  World *w = query_world_for (L, "set_node_rate", "changes");
  GError *err = NULL;
  if (!world_set_node_rate (w, name, m, p, &err))
    return query_raise (L, "set_node_rate", err);
  return 0;
}

/* node_rate(name) -> the node's failure-rate multiplier (1 unless set).
 * Errors: at load time; not a node. */
static int
l_node_rate (lua_State *L)
{
  const char *name = luaL_checkstring (L, 1);
  World *w = query_world (L, "node_rate");
  GError *err = NULL;
  double m = world_node_rate (w, name, &err);
  if (err != NULL)
    return query_raise (L, "node_rate", err);
  lua_pushnumber (L, m);
  return 1;
}

static const luaL_Reg query_funcs[] = {
  { "job_nodes", l_job_nodes },
  { "node_history", l_node_history },
  { "set_node_rate", l_set_node_rate },
  { "node_rate", l_node_rate },
  { NULL, NULL },
};

void
api_query_open (lua_State *L, ApiState *st)
{
  g_return_if_fail (L != NULL && st != NULL);
  lua_pushglobaltable (L);
  lua_pushlightuserdata (L, st);
  luaL_setfuncs (L, query_funcs, 1);
  lua_pop (L, 1);
}
