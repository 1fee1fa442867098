/* lua/api-query.c - queries of the running cluster that return tables:
 * the nodes a job holds now and a node's failure history. Read-only: they
 * change nothing in the run, so a scenario's results do not depend on
 * whether it asks. They hold no C memory while Lua may raise (the world
 * keeps what they read). */
#include "api-query.h"

#include <lauxlib.h>

#include "simtime.h"

static World *
query_world (lua_State *L, const char *fn)
{
  ApiState *st = lua_touserdata (L, lua_upvalueindex (1));
  if (st->world == NULL)
    luaL_error (L, "%s() reads the running cluster: call it inside "
                "at(t, fn), every(dt, fn) or on(event, fn)", fn);
  return st->world;
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
    {
      luaL_where (L, 1);
      lua_pushfstring (L, "node_history(): %s", err->message);
      g_error_free (err);
      lua_concat (L, 2);
      return lua_error (L);
    }
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

static const luaL_Reg query_funcs[] = {
  { "job_nodes", l_job_nodes },
  { "node_history", l_node_history },
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
