/* lua/luapolicy.c - see luapolicy.h. A HealthPolicyClass per lua_policy{}
 * whose methods call the scenario's Lua functions through a protected call
 * with a traceback message handler (as lua/runtime.c does for at/every/on
 * callbacks; its lb_pcall is private to the runtime, so the error text is
 * built the same way here). Every conversion error is raised inside the
 * protected call, so it reaches the user as a script error too. Not here:
 * the policy{}/health_policy() globals (api.c). */
#include "luapolicy.h"

#include <lauxlib.h>
#include <stdarg.h>
#include <string.h>

#include "api.h"
#include "sandbox.h"
#include "simtime.h"

struct LuaPolicySpec
{
  guint refs;
  lua_State *L;        /* NULL once the scenario released it */
  int observe_ref;
  int wakeup_ref;      /* LUA_NOREF when none */
  HealthTimeMs every_ms;
  char *name;
  HealthPolicyClass cls; /* cls.name = name */
};

typedef struct
{
  LuaPolicySpec *spec;
  World *world;
  uint32_t n_nodes;
  uint32_t n_links;
  HealthNodeState *state;
  HealthTimeMs next_wakeup;
  bool failed;          /* a call raised: the run is stopping */
} LuaPolicy;

/* One call into Lua, handed to lp_main through a light userdata. */
typedef struct
{
  LuaPolicy *self;
  const HealthObs *obs;   /* observe(); NULL for wakeup() */
  HealthTimeMs now;       /* wakeup() */
  HealthActionSink *sink;
} LpCall;

/* ---- the spec ---- */

static const char *const spec_keys[] = { "name", "observe", "wakeup",
                                         "every" };

void
luapolicy_check (lua_State *L, int idx)
{
  idx = lua_absindex (L, idx);
  if (lua_type (L, idx) != LUA_TTABLE)
    luaL_error (L, "lua_policy{}: expected a table { name = ..., observe = "
                "function (obs) ... end }, got %s", luaL_typename (L, idx));
  lua_pushnil (L);
  while (lua_next (L, idx) != 0)
    {
      lua_pop (L, 1);
      const char *k = lua_type (L, -1) == LUA_TSTRING ? lua_tostring (L, -1)
                                                       : NULL;
      bool known = false;
      for (guint i = 0; k != NULL && i < G_N_ELEMENTS (spec_keys); i++)
        known = known || strcmp (k, spec_keys[i]) == 0;
      if (!known)
        {
          const char *close = k != NULL
            ? api_suggest (k, spec_keys, G_N_ELEMENTS (spec_keys)) : NULL;
          luaL_error (L, "lua_policy{}: unknown key '%s'%s%s%s; keys: name, "
                      "observe, wakeup, every", k != NULL ? k : "?",
                      close != NULL ? " (did you mean '" : "",
                      close != NULL ? close : "", close != NULL ? "'?)" : "");
        }
    }
  int t = lua_getfield (L, idx, "name");
  if (t != LUA_TNIL && t != LUA_TSTRING)
    luaL_error (L, "lua_policy{}: name must be a string, got %s",
                luaL_typename (L, -1));
  if (t == LUA_TSTRING && lua_rawlen (L, -1) == 0)
    luaL_error (L, "lua_policy{}: name must not be empty");
  lua_pop (L, 1);
  if (lua_getfield (L, idx, "observe") != LUA_TFUNCTION)
    luaL_error (L, "lua_policy{}: observe must be a function (obs) that "
                "returns a list of actions, got %s", luaL_typename (L, -1));
  lua_pop (L, 1);
  t = lua_getfield (L, idx, "wakeup");
  if (t != LUA_TNIL && t != LUA_TFUNCTION)
    luaL_error (L, "lua_policy{}: wakeup must be a function (t), got %s",
                luaL_typename (L, -1));
  bool has_wakeup = t == LUA_TFUNCTION;
  lua_pop (L, 1);
  t = lua_getfield (L, idx, "every");
  if (t != LUA_TNIL)
    {
      GError *err = NULL;
      if (t != LUA_TNUMBER)
        luaL_error (L, "lua_policy{}: every must be a period in seconds "
                    "(e.g. minutes(5)), got %s", luaL_typename (L, -1));
      if (!world_range_check ("lua_policy.every", lua_tonumber (L, -1), &err))
        {
          lua_pushfstring (L, "lua_policy{}: %s", err->message);
          g_error_free (err);
          lua_error (L);
        }
      if (!has_wakeup)
        luaL_error (L, "lua_policy{}: every is set but wakeup is not; give "
                    "wakeup = function (t) ... end or drop every");
    }
  else if (has_wakeup)
    luaL_error (L, "lua_policy{}: wakeup needs every = period in seconds "
                "(e.g. every = minutes(5))");
  lua_pop (L, 1);
}

static void lp_destroy (void *p);
static void lp_observe (void *p, const HealthObs *obs, HealthActionSink *sink);
static HealthNodeState lp_node_state (void *p, uint32_t node);
static HealthTimeMs lp_next_wakeup (void *p);
static void lp_wakeup (void *p, HealthTimeMs now, HealthActionSink *sink);

LuaPolicySpec *
luapolicy_spec_new (lua_State *L, int idx)
{
  idx = lua_absindex (L, idx);
  luapolicy_check (L, idx);
  /* nothing raises from here on (luaL_ref may fail only on memory, before
   * the spec is allocated) */
  lua_getfield (L, idx, "observe");
  int observe_ref = luaL_ref (L, LUA_REGISTRYINDEX);
  int wakeup_ref = LUA_NOREF;
  HealthTimeMs every_ms = 0;
  if (lua_getfield (L, idx, "wakeup") == LUA_TFUNCTION)
    {
      wakeup_ref = luaL_ref (L, LUA_REGISTRYINDEX);
      lua_getfield (L, idx, "every");
      every_ms = (HealthTimeMs) (lua_tonumber (L, -1) * 1000.0 + 0.5);
      lua_pop (L, 1);
    }
  else
    lua_pop (L, 1);
  lua_getfield (L, idx, "name");
  const char *name = lua_isstring (L, -1) ? lua_tostring (L, -1) : "lua";

  LuaPolicySpec *spec = g_new0 (LuaPolicySpec, 1);
  spec->refs = 1;
  spec->L = L;
  spec->observe_ref = observe_ref;
  spec->wakeup_ref = wakeup_ref;
  spec->every_ms = every_ms > 0 ? every_ms : 1;
  spec->name = g_strdup (name);
  lua_pop (L, 1);
  spec->cls = (HealthPolicyClass) {
    .api_version = HEALTH_API_VERSION,
    .name = spec->name,
    .create = NULL, /* luapolicy_factory builds the state */
    .destroy = lp_destroy,
    .observe = lp_observe,
    .node_state = lp_node_state,
    .link_state = NULL,
    .next_wakeup = lp_next_wakeup,
    .wakeup = lp_wakeup,
  };
  return spec;
}

const char *
luapolicy_spec_name (const LuaPolicySpec *spec)
{
  g_return_val_if_fail (spec != NULL, NULL);
  return spec->name;
}

static void
spec_unref (LuaPolicySpec *spec)
{
  if (--spec->refs > 0)
    return;
  g_free (spec->name);
  g_free (spec);
}

void
luapolicy_spec_release (LuaPolicySpec *spec, bool state_closed)
{
  if (spec == NULL)
    return;
  if (!state_closed && spec->L != NULL)
    {
      luaL_unref (spec->L, LUA_REGISTRYINDEX, spec->observe_ref);
      luaL_unref (spec->L, LUA_REGISTRYINDEX, spec->wakeup_ref);
    }
  spec->L = NULL;
  spec_unref (spec);
}

/* ---- calls into Lua ---- */

/* Message handler: "file:LINE: message" and a traceback (as runtime.c's
 * lb_msgh). */
static int
lp_msgh (lua_State *L)
{
  sandbox_error_text (L, 1);
  luaL_traceback (L, L, lua_tostring (L, -1), 1);
  return 1;
}

static void
push_opt_int (lua_State *L, const char *key, bool has, lua_Integer v)
{
  if (!has)
    return;
  lua_pushinteger (L, v);
  lua_setfield (L, -2, key);
}

/* [-0, +1, m] The table observe() receives. */
static void
push_obs (lua_State *L, const LuaPolicy *self, const HealthObs *obs)
{
  lua_createtable (L, 0, 14);
  lua_pushstring (L, health_obs_kind_name (obs->kind));
  lua_setfield (L, -2, "kind");
  lua_pushnumber (L, (lua_Number) obs->time / 1000.0);
  lua_setfield (L, -2, "time");
  push_opt_int (L, "node", obs->node != HEALTH_NO_NODE, obs->node);
  if (obs->node != HEALTH_NO_NODE && obs->node < self->n_nodes)
    {
      lua_pushstring (L, health_node_state_name (self->state[obs->node]));
      lua_setfield (L, -2, "state");
    }
  push_opt_int (L, "gpu", obs->gpu != HEALTH_NO_GPU, obs->gpu);
  push_opt_int (L, "port", obs->port != HEALTH_NO_PORT, obs->port);
  push_opt_int (L, "link", obs->link != HEALTH_NO_LINK, obs->link);
  push_opt_int (L, "xid", obs->kind == HEALTH_OBS_XID || obs->xid != 0,
                obs->xid);
  lua_pushinteger (L, obs->check);
  lua_setfield (L, -2, "check");
  lua_pushboolean (L, obs->passed);
  lua_setfield (L, -2, "passed");
  lua_pushinteger (L, (lua_Integer) obs->counter_value);
  lua_setfield (L, -2, "counter_value");
  if (obs->action != HEALTH_ACTION_NONE)
    {
      lua_pushstring (L, health_action_name (obs->action));
      lua_setfield (L, -2, "action");
    }
  lua_pushboolean (L, obs->ok);
  lua_setfield (L, -2, "ok");
}

/* [-0, +0, v] Raises "file:LINE: lua_policy 'name': <what>()  ..." with
 * the location where the called function was defined. */
static int
lp_raise (lua_State *L, const LpCall *c, const char *fmt, ...)
{
  lua_Debug ar;
  int ref = c->obs != NULL ? c->self->spec->observe_ref
                           : c->self->spec->wakeup_ref;
  va_list ap;
  lua_rawgeti (L, LUA_REGISTRYINDEX, ref);
  lua_getinfo (L, ">S", &ar);
  lua_pushfstring (L, "%s:%d: lua_policy '%s': %s() returned ", ar.short_src,
                   ar.linedefined, c->self->spec->name,
                   c->obs != NULL ? "observe" : "wakeup");
  va_start (ap, fmt);
  lua_pushvfstring (L, fmt, ap);
  va_end (ap);
  lua_concat (L, 2);
  return lua_error (L);
}

/* Reads integer field key of the table at -1 into *out; absent -> false. */
static bool
get_index (lua_State *L, const LpCall *c, lua_Integer i, const char *key,
           lua_Integer limit, lua_Integer *out)
{
  int isnum = 0;
  int t = lua_getfield (L, -1, key);
  if (t == LUA_TNIL)
    {
      lua_pop (L, 1);
      return false;
    }
  *out = lua_tointegerx (L, -1, &isnum);
  if (!isnum || *out < 0 || *out >= limit)
    lp_raise (L, c, "action %I: %s must be an integer in 0..%I, got %s", i,
              key, limit - 1, luaL_tolstring (L, -1, NULL));
  lua_pop (L, 1);
  return true;
}

static HealthActionKind
action_kind (const char *name)
{
  for (int k = HEALTH_ACTION_NONE + 1; k < HEALTH_ACTION_N_KINDS; k++)
    if (strcmp (name, health_action_name ((HealthActionKind) k)) == 0)
      return (HealthActionKind) k;
  return HEALTH_ACTION_NONE;
}

/* [-0, +0, v] Reads action i of the list at -1. emit: also emits it and
 * updates the node state (the second pass, which cannot raise). */
static void
convert_action (lua_State *L, const LpCall *c, lua_Integer i, bool emit)
{
  LuaPolicy *self = c->self;
  if (lua_geti (L, -1, i) != LUA_TTABLE)
    lp_raise (L, c, "a %s as action %I; each action is a table { action = "
              "\"reboot\", node = obs.node, reason = \"...\" }",
              luaL_typename (L, -1), i);
  if (lua_getfield (L, -1, "action") != LUA_TSTRING)
    lp_raise (L, c, "action %I without action = \"name\" (got %s)", i,
              luaL_typename (L, -1));
  const char *name = lua_tostring (L, -1);
  HealthActionKind kind = action_kind (name);
  if (kind == HEALTH_ACTION_NONE)
    {
      const char *names[HEALTH_ACTION_N_KINDS];
      luaL_Buffer b;
      for (int k = 1; k < HEALTH_ACTION_N_KINDS; k++)
        names[k - 1] = health_action_name ((HealthActionKind) k);
      const char *close = api_suggest (name, names, HEALTH_ACTION_N_KINDS - 1);
      luaL_buffinit (L, &b);
      for (int k = 0; k < HEALTH_ACTION_N_KINDS - 1; k++)
        {
          if (k > 0)
            luaL_addstring (&b, ", ");
          luaL_addstring (&b, names[k]);
        }
      luaL_pushresult (&b);
      lp_raise (L, c, "unknown action '%s'%s%s%s; valid actions: %s", name,
                close != NULL ? " (did you mean '" : "",
                close != NULL ? close : "", close != NULL ? "'?)" : "",
                lua_tostring (L, -1));
    }
  lua_pop (L, 1);
  lua_Integer node = -1, gpu = -1, link = -1;
  bool has_node = get_index (L, c, i, "node", self->n_nodes, &node);
  bool has_link = get_index (L, c, i, "link", self->n_links, &link);
  bool has_gpu = get_index (L, c, i, "gpu", 1 << 16, &gpu);
  (void) has_gpu;
  if (!has_node && !has_link)
    lp_raise (L, c, "action %I (%s) with neither node nor link", i, name);
  if ((kind == HEALTH_ACTION_DISABLE_PORT || kind == HEALTH_ACTION_ENABLE_PORT)
      && !has_link)
    lp_raise (L, c, "action %I (%s) without link", i, name);
  int t = lua_getfield (L, -1, "reason");
  if (t != LUA_TNIL && t != LUA_TSTRING)
    lp_raise (L, c, "action %I: reason must be a string, got %s", i,
              luaL_typename (L, -1));
  if (emit)
    {
      /* HealthAction.reason must be static: intern it (a prototype emits
       * few distinct reasons) */
      const char *reason = t == LUA_TSTRING
        ? g_intern_string (lua_tostring (L, -1))
        : g_intern_string (self->spec->name);
      HealthAction a = {
        kind, c->obs != NULL ? c->obs->time : c->now,
        has_node ? (uint32_t) node : HEALTH_NO_NODE,
        has_gpu ? (int32_t) gpu : HEALTH_NO_GPU,
        has_link ? (uint32_t) link : HEALTH_NO_LINK, reason,
      };
      if (has_node)
        {
          HealthNodeState *s = &self->state[node];
          switch (kind)
            {
            case HEALTH_ACTION_CORDON: *s = HEALTH_NODE_CORDONED; break;
            case HEALTH_ACTION_DRAIN: *s = HEALTH_NODE_DRAINING; break;
            case HEALTH_ACTION_RESET_GPU:
            case HEALTH_ACTION_REBOOT:
            case HEALTH_ACTION_REIMAGE: *s = HEALTH_NODE_REMEDIATING; break;
            case HEALTH_ACTION_OPEN_TICKET:
            case HEALTH_ACTION_RMA: *s = HEALTH_NODE_IN_REPAIR; break;
            case HEALTH_ACTION_BURNIN: *s = HEALTH_NODE_BURN_IN; break;
            case HEALTH_ACTION_QUARANTINE: *s = HEALTH_NODE_QUARANTINED; break;
            case HEALTH_ACTION_RETURN_TO_SERVICE: *s = HEALTH_NODE_HEALTHY; break;
            default: break;
            }
        }
      health_emit (c->sink, &a);
    }
  lua_pop (L, 2);
}

/* [-0, +0, e] Calls observe(obs) or wakeup(t) and converts the result. */
static int
lp_main (lua_State *L)
{
  const LpCall *c = lua_touserdata (L, 1);
  const LuaPolicySpec *spec = c->self->spec;
  lua_rawgeti (L, LUA_REGISTRYINDEX,
               c->obs != NULL ? spec->observe_ref : spec->wakeup_ref);
  if (c->obs != NULL)
    push_obs (L, c->self, c->obs);
  else
    lua_pushnumber (L, (lua_Number) c->now / 1000.0);
  lua_call (L, 1, 1);
  if (lua_isnil (L, -1))
    return 0;
  if (!lua_istable (L, -1))
    lp_raise (L, c, "a %s; return a list of actions { { action = "
              "\"reboot\", node = obs.node }, ... } or nil",
              luaL_typename (L, -1));
  lua_Integer n = luaL_len (L, -1);
  for (int pass = 0; pass < 2; pass++)
    for (lua_Integer i = 1; i <= n; i++)
      convert_action (L, c, i, pass == 1);
  return 0;
}

static void
lp_call (LuaPolicy *self, LpCall *c)
{
  lua_State *L = self->spec->L;
  if (self->failed || L == NULL)
    return;
  int base = lua_gettop (L);
  lua_pushcfunction (L, lp_msgh);
  lua_pushcfunction (L, lp_main);
  lua_pushlightuserdata (L, c);
  int status = lua_pcall (L, 1, 0, base + 1);
  if (status == LUA_OK)
    {
      lua_settop (L, base);
      return;
    }
  const char *msg = lua_tostring (L, -1);
  g_autofree char *text = NULL;
  if (status == LUA_ERRMEM)
    text = g_strdup_printf ("lua_policy '%s': out of memory (the scenario's "
                            "memory limit? raise it with --lua-mem)",
                            self->spec->name);
  else
    text = g_strdup (msg != NULL ? msg : "(error object is not a string)");
  lua_settop (L, base);

  char tbuf[64];
  simtime_format (world_now (self->world), tbuf, sizeof tbuf);
  const char *tb = strstr (text, "\nstack traceback:");
  size_t head = tb != NULL ? (size_t) (tb - text) : strlen (text);
  self->failed = true;
  world_stop_with_error (self->world,
                         g_error_new (WORLD_ERROR, WORLD_ERROR_SCRIPT,
                                      "%.*s (at simulated time %s)%s",
                                      (int) head, text, tbuf, text + head));
}

/* ---- the class ---- */

static void
lp_destroy (void *p)
{
  LuaPolicy *self = p;
  if (self == NULL)
    return;
  /* no Lua here: the state may already be closed */
  spec_unref (self->spec);
  g_free (self->state);
  g_free (self);
}

static void
lp_observe (void *p, const HealthObs *obs, HealthActionSink *sink)
{
  LuaPolicy *self = p;
  LpCall c = { self, obs, obs->time, sink };
  lp_call (self, &c);
}

static HealthNodeState
lp_node_state (void *p, uint32_t node)
{
  LuaPolicy *self = p;
  g_return_val_if_fail (node < self->n_nodes, HEALTH_NODE_HEALTHY);
  return self->state[node];
}

static HealthTimeMs
lp_next_wakeup (void *p)
{
  LuaPolicy *self = p;
  if (self->failed || self->spec->L == NULL
      || self->spec->wakeup_ref == LUA_NOREF)
    return HEALTH_TIME_NEVER;
  return self->next_wakeup;
}

static void
lp_wakeup (void *p, HealthTimeMs now, HealthActionSink *sink)
{
  LuaPolicy *self = p;
  if (self->spec->wakeup_ref == LUA_NOREF)
    return;
  if (now >= self->next_wakeup)
    self->next_wakeup = now + self->spec->every_ms;
  LpCall c = { self, NULL, now, sink };
  lp_call (self, &c);
}

HealthPolicy *
luapolicy_factory (World *w, const HealthParams *params, uint32_t n_nodes,
                   uint32_t n_links, void *data, GError **error)
{
  LuaPolicySpec *spec = data;

  g_return_val_if_fail (w != NULL, NULL);
  g_return_val_if_fail (spec != NULL, NULL);
  if (spec->L == NULL)
    {
      g_set_error (error, WORLD_ERROR, WORLD_ERROR_INVALID,
                   "lua_policy '%s': its scenario was already freed (free "
                   "the world before the scenario run)", spec->name);
      return NULL;
    }
  LuaPolicy *self = g_new0 (LuaPolicy, 1);
  spec->refs++;
  self->spec = spec;
  self->world = w;
  self->n_nodes = n_nodes;
  self->n_links = n_links;
  self->state = g_new0 (HealthNodeState, n_nodes > 0 ? n_nodes : 1);
  self->next_wakeup = spec->every_ms;
  return health_policy_new_with_state (&spec->cls, self, params, n_nodes,
                                       n_links, error);
}
