/* lua/runtime.c - a scenario run's lua_State, built the way lua.c builds
 * its own: lua_newstate with a counting allocator (the memory cap, after
 * ltests.c's Memcontrol), a LUA_MASKCOUNT hook (the instruction budget,
 * counted in LB_INSTR_STEP steps as Redis's busy-script hook does), one
 * protected call with a traceback message handler for every entry into Lua
 * (lua.c's docall/msghandler), and the WorldHooks that run callbacks.
 * Not here: which libraries are visible (sandbox.c) and the API (api.c). */
#include "runtime.h"

#include <lauxlib.h>
#include <stdlib.h>
#include <string.h>

#include "infile.h"
#include "sandbox.h"
#include "simtime.h"

G_DEFINE_QUARK (faultline-lua-error-quark, lb_error)

struct LbRun
{
  lua_State *L;
  size_t mem_used;
  size_t c_bytes;         /* kept in C for the script (ApiState.charge_mem),
                           * counted against mem_limit with mem_used */
  size_t mem_limit;
  bool mem_hit;           /* an allocation was refused in this call */
  bool mem_over;          /* over the limit, within the slack: the next
                           * hook raises "file:LINE: memory limit ..." */
  SandboxCharge charge;   /* pairs() sorting, charged to the budget */
  uint64_t instr;
  uint64_t budget;
  bool budget_exceeded;   /* sticky: the budget is for the whole run */
  bool no_traceback;      /* the error being raised is a load error */
  RngStream rng;
  uint64_t seed;
  char *path;
  char *dir;
  char *lib_dir;     /* root of faultline/NAME.lua, or NULL (sandbox default) */
  char *name;
  char *src;              /* the scenario text, while loading */
  gsize src_len;
  GHashTable *overrides;  /* --set NAME -> VALUE */
  GPtrArray *set_order;   /* --set names, first-seen order (not owned) */
  uint64_t cur_cb;        /* callback being started (read at once) */
  const WorldEvent *cur_ev;
  bool cur_done;          /* the every() being run returned false */
  ApiState api;
};

/* ---- limits ---- */

static void lb_hook (lua_State *L, lua_Debug *ar);

static void *
lb_alloc (void *ud, void *ptr, size_t osize, size_t nsize)
{
  LbRun *run = ud;
  size_t old = ptr != NULL ? osize : 0;
  if (nsize == 0)
    {
      free (ptr);
      run->mem_used -= old;
      return NULL;
    }
  if (nsize > old && run->mem_used + run->c_bytes - old + nsize > run->mem_limit)
    {
      /* Past the limit, a slack of 1/8 of it (at most 64 MiB) lets the
       * script reach its next instruction, where lb_hook raises the error
       * with the scenario's file and line; beyond the slack, or while the
       * state is being created, the allocation fails (an error without a
       * line). Arming the hook touches only the CallInfo list, which is
       * safe in the middle of an allocation. */
      size_t slack = MIN (run->mem_limit / 8, (size_t) 64 << 20);
      if (run->L == NULL
          || run->mem_used + run->c_bytes - old + nsize
               > run->mem_limit + slack)
        {
          run->mem_hit = true;
          return NULL;
        }
      if (!run->mem_over)
        {
          run->mem_over = true;
          lua_sethook (run->L, lb_hook, LUA_MASKCOUNT, 1);
        }
    }
  void *p = realloc (ptr, nsize);
  if (p == NULL)
    return NULL;
  run->mem_used = run->mem_used - old + nsize;
  return p;
}

/* Raises "file:LINE: instruction budget ... exceeded" (level: the Lua
 * function to name, 0 from a hook, 1 from a C function it called). */
static void
lb_budget_error (lua_State *L, LbRun *run, int level)
{
  if (!run->budget_exceeded)
    {
      run->budget_exceeded = true;
      /* from now on every instruction raises, so a script that catches
       * the error with pcall cannot keep going (in this thread and in the
       * main one, which a coroutine's error returns to) */
      lua_sethook (L, lb_hook, LUA_MASKCOUNT, 1);
      if (run->L != L)
        lua_sethook (run->L, lb_hook, LUA_MASKCOUNT, 1);
    }
  luaL_where (L, level);
  lua_pushfstring (L, "instruction budget of %I exceeded (an endless "
                   "loop? raise it with --lua-budget)",
                   (lua_Integer) run->budget);
  lua_concat (L, 2);
  lua_error (L);
}

/* The count hook. Hooks are per thread: the allocator arms the main
 * thread's at count 1 to raise a memory error at the next instruction, and
 * a coroutine gets SANDBOX_CO_STEP (sandbox.c); so the budget is charged
 * the hook's own count, and a thread's hook goes back to its step
 * (LB_INSTR_STEP for the main thread) when nothing needs it at 1. */
static void
lb_hook (lua_State *L, lua_Debug *ar)
{
  void *ud;
  lua_getallocf (L, &ud);
  LbRun *run = ud;
  if (run->mem_over)
    {
      if (run->mem_used + run->c_bytes > run->mem_limit)
        {
          luaL_where (L, 0);
          lua_pushfstring (L, "memory limit of %d MiB exceeded (raise it "
                           "with --lua-mem)", (int) (run->mem_limit >> 20));
          lua_concat (L, 2);
          lua_error (L);
        }
      run->mem_over = false; /* back under the limit (a C peak passed) */
    }
  if (run->budget_exceeded)
    lb_budget_error (L, run, 0);
  int count = lua_gethookcount (L);
  run->instr += (uint64_t) count;
  if (run->instr > run->budget)
    lb_budget_error (L, run, 0);
  int step = L == run->L ? LB_INSTR_STEP : SANDBOX_CO_STEP;
  if (count != step)
    lua_sethook (L, lb_hook, LUA_MASKCOUNT, step);
}

/* SandboxCharge: C-side work done for the script (pairs() sorting). */
static void
lb_charge (lua_State *L, void *user_data, uint64_t cost)
{
  LbRun *run = user_data;
  run->instr += cost;
  if (run->budget_exceeded || run->instr > run->budget)
    lb_budget_error (L, run, 1);
}

/* ApiState.charge_mem: bytes C keeps for the script (notes, strings,
 * callbacks), counted against --lua-mem for the rest of the run. */
static void
lb_charge_mem (lua_State *L, void *user_data, size_t bytes)
{
  LbRun *run = user_data;
  run->c_bytes += bytes;
  if (run->mem_used + run->c_bytes > run->mem_limit)
    {
      luaL_where (L, 1);
      lua_pushfstring (L, "memory limit of %d MiB exceeded, counting %I "
                       "bytes of notes, strings and callbacks kept for the "
                       "script (raise it with --lua-mem)",
                       (int) (run->mem_limit >> 20),
                       (lua_Integer) run->c_bytes);
      lua_concat (L, 2);
      lua_error (L);
    }
}

/* ---- protected calls ---- */

/* Message handler: the error as "file:LINE: message" (sandbox.h's
 * sandbox_error_text), then a traceback (lua.c's msghandler). */
static int
lb_msgh (lua_State *L)
{
  void *ud;
  lua_getallocf (L, &ud);
  LbRun *run = ud;
  sandbox_error_text (L, 1);
  if (run->no_traceback)
    return 1;
  luaL_traceback (L, L, lua_tostring (L, -1), 1);
  return 1;
}

/* Calls fn(ud) in protected mode. On error sets *error (domain, code)
 * with "file:LINE: message", the simulated time when a world is attached,
 * then the traceback. */
static bool
lb_pcall (LbRun *run, lua_CFunction fn, void *ud, GQuark domain, int code,
          GError **error)
{
  lua_State *L = run->L;
  int base = lua_gettop (L);
  run->mem_hit = false;
  run->no_traceback = false;
  lua_pushcfunction (L, lb_msgh);
  lua_pushcfunction (L, fn);
  lua_pushlightuserdata (L, ud);
  int status = lua_pcall (L, 1, 0, base + 1);
  if (status == LUA_OK)
    {
      lua_settop (L, base);
      return true;
    }

  const char *msg = lua_tostring (L, -1);
  g_autofree char *text = NULL;
  if (run->mem_hit && (status == LUA_ERRMEM
                       || (msg != NULL && strstr (msg, "not enough memory"))))
    text = g_strdup_printf ("%s: memory limit of %zu MiB exceeded (raise "
                            "it with --lua-mem)", run->path,
                            run->mem_limit >> 20);
  else if (status == LUA_ERRMEM)
    text = g_strdup_printf ("%s: out of memory", run->path);
  else
    text = g_strdup (msg != NULL ? msg : "(error object is not a string)");
  lua_settop (L, base);

  if (run->api.world != NULL)
    {
      char tbuf[64];
      simtime_format (world_now (run->api.world), tbuf, sizeof tbuf);
      const char *tb = strstr (text, "\nstack traceback:");
      size_t head = tb != NULL ? (size_t) (tb - text) : strlen (text);
      char *t = g_strdup_printf ("%.*s (at simulated time %s)%s", (int) head,
                                 text, tbuf, text + head);
      g_free (text);
      text = t;
    }
  g_set_error_literal (error, domain, code, text);
  return false;
}

/* [-0, +0, e] Loads and runs the scenario's top level. */
static int
lb_main (lua_State *L)
{
  LbRun *run = lua_touserdata (L, 1);
  run->charge.fn = lb_charge;
  run->charge.user_data = run;
  sandbox_open (L, &run->rng, run->seed, run->dir, run->lib_dir,
                &run->charge);
  api_open (L, &run->api);
  const char *chunkname = lua_pushfstring (L, "@%s", run->path);
  if (sandbox_load_text (L, run->src, run->src_len, chunkname) != LUA_OK)
    {
      run->no_traceback = true;
      if (g_str_has_prefix (lua_tostring (L, -1), "attempt to load"))
        {
          lua_pushfstring (L, "%s: %s", run->path, lua_tostring (L, -1));
          lua_replace (L, -2);
        }
      return lua_error (L);
    }
  lua_call (L, 0, 0);
  return 0;
}

/* [-0, +0, e] Runs the callback run->cur_cb (with run->cur_ev if set). */
static int
lb_callback_main (lua_State *L)
{
  LbRun *run = lua_touserdata (L, 1);
  uint64_t cb = run->cur_cb;
  const WorldEvent *ev = run->cur_ev;
  int ref = API_CB_REF (cb);
  ApiCbKind kind = API_CB_KIND (cb);

  lua_rawgeti (L, LUA_REGISTRYINDEX, ref);
  if (kind == API_CB_AT)
    luaL_unref (L, LUA_REGISTRYINDEX, ref); /* fires once */
  if (ev != NULL)
    api_push_event (L, ev);
  lua_call (L, ev != NULL ? 1 : 0, 1);
  if (kind == API_CB_EVERY && lua_isboolean (L, -1) && !lua_toboolean (L, -1))
    {
      /* stopped: models/ never fires this id again (WORLD_TIMER_DONE) */
      luaL_unref (L, LUA_REGISTRYINDEX, ref);
      run->cur_done = true;
    }
  return 0;
}

static WorldTimerResult
lb_hook_timer (void *user_data, World *w, uint64_t cb, GError **error)
{
  LbRun *run = user_data;
  run->cur_cb = cb;
  run->cur_ev = NULL;
  run->cur_done = false;
  if (!lb_pcall (run, lb_callback_main, run, WORLD_ERROR, WORLD_ERROR_SCRIPT,
                 error))
    return WORLD_TIMER_FAILED;
  return run->cur_done ? WORLD_TIMER_DONE : WORLD_TIMER_CONTINUE;
}

static bool
lb_hook_event (void *user_data, World *w, uint64_t cb, const WorldEvent *ev,
               GError **error)
{
  LbRun *run = user_data;
  run->cur_cb = cb;
  run->cur_ev = ev;
  return lb_pcall (run, lb_callback_main, run, WORLD_ERROR,
                   WORLD_ERROR_SCRIPT, error);
}

/* ---- --set ---- */

static bool
lb_parse_sets (LbRun *run, const GPtrArray *sets, GError **error)
{
  for (guint i = 0; sets != NULL && i < sets->len; i++)
    {
      const char *s = g_ptr_array_index (sets, i);
      const char *eq = s != NULL ? strchr (s, '=') : NULL;
      if (eq == NULL || eq == s)
        {
          g_set_error (error, LB_ERROR, LB_ERROR_INVALID,
                       "--set '%s': expected NAME=VALUE (e.g. --set "
                       "spares=64 or --set policy.health=reactive)",
                       s != NULL ? s : "");
          return false;
        }
      char *name = g_strndup (s, (gsize) (eq - s));
      if (!g_hash_table_contains (run->overrides, name))
        g_ptr_array_add (run->set_order, name);
      g_hash_table_insert (run->overrides, name, g_strdup (eq + 1));
    }
  return true;
}

/* Applies the --set names no param() consumed. Each config key set is
 * echoed after the scenario's params (summary.json's "params"), with the
 * value in effect, in --set order. */
static bool
lb_apply_sets (LbRun *run, GError **error)
{
  g_autoptr (GPtrArray) echo = g_ptr_array_new_with_free_func ((GDestroyNotify) api_param_free);
  for (guint i = 0; i < run->set_order->len; i++)
    {
      const char *name = g_ptr_array_index (run->set_order, i);
      const char *value = g_hash_table_lookup (run->overrides, name);
      if (g_hash_table_contains (run->api.used, name))
        continue;
      if (strchr (name, '.') != NULL)
        {
          GError *err = NULL;
          if (!world_config_set_string (run->api.cfg, name, value, &err))
            {
              g_set_error (error, LB_ERROR, LB_ERROR_INVALID, "--set %s=%s: %s",
                           name, value, err->message);
              g_error_free (err);
              return false;
            }
          LbParam *p = g_new0 (LbParam, 1);
          p->name = g_strdup (name);
          p->value_json = world_config_get_json (run->api.cfg, name);
          p->help = g_strdup ("--set");
          g_assert (p->value_json != NULL);
          g_ptr_array_add (echo, p);
          continue;
        }
      GPtrArray *params = run->api.params;
      g_autoptr (GString) declared = g_string_new (NULL);
      g_autofree const char **names = g_new0 (const char *, params->len + 1);
      for (guint j = 0; j < params->len; j++)
        {
          LbParam *p = g_ptr_array_index (params, j);
          names[j] = p->name;
          g_string_append_printf (declared, "%s%s", j ? ", " : "", p->name);
        }
      const char *close = api_suggest (name, names, params->len);
      g_autofree char *hint = close != NULL
        ? g_strdup_printf (" (did you mean '%s'?)", close) : g_strdup ("");
      g_set_error (error, LB_ERROR, LB_ERROR_INVALID,
                   "unknown parameter '%s' for --set%s: the scenario "
                   "declares %s; config keys such as policy.health are also "
                   "accepted", name, hint,
                   params->len ? declared->str : "no parameters");
      return false;
    }
  for (guint i = 0; i < echo->len; i++)
    g_ptr_array_add (run->api.params, g_steal_pointer (&echo->pdata[i]));
  g_ptr_array_set_free_func (echo, NULL);
  return true;
}

/* ---- public API ---- */

LbRun *
lb_load (const char *path, const LbOptions *opt, GError **error)
{
  g_return_val_if_fail (path != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);
  static const LbOptions defaults = { 0 };
  if (opt == NULL)
    opt = &defaults;

  LbRun *run = g_new0 (LbRun, 1);
  GError *err = NULL;
  if (!infile_read (path, "scenario", INFILE_MAX_SCENARIO, &run->src,
                    &run->src_len, &err))
    {
      g_set_error_literal (error, LB_ERROR, LB_ERROR_INVALID, err->message);
      g_error_free (err);
      g_free (run);
      return NULL;
    }
  run->path = g_strdup (path);
  bool blank = true;
  for (gsize i = 0; i < run->src_len && blank; i++)
    blank = g_ascii_isspace (run->src[i]);
  if (blank)
    {
      /* A truncated download or a wrong path: running the defaults
       * (a 16k-GPU, 54-day cluster) would be a silent surprise. */
      g_set_error (error, LB_ERROR, LB_ERROR_INVALID,
                   "%s: empty scenario file (describe at least the cluster: "
                   "cluster { gpus = 1024 }; see docs/scenario-api.md)",
                   path);
      g_free (run->src);
      g_free (run->path);
      g_free (run);
      return NULL;
    }
  run->dir = g_path_get_dirname (path);
  char *base = g_path_get_basename (path);
  if (g_str_has_suffix (base, ".lua"))
    base[strlen (base) - 4] = '\0';
  run->name = base;
  run->seed = opt->seed;
  run->lib_dir = g_strdup (opt->lib_dir);
  run->mem_limit = opt->mem_limit ? opt->mem_limit : LB_MEM_LIMIT_DEFAULT;
  run->budget = opt->instr_budget ? opt->instr_budget
                                  : LB_INSTR_BUDGET_DEFAULT;
  rng_stream_init (&run->rng, run->seed, "lua", "script");
  run->overrides = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                          g_free);
  run->set_order = g_ptr_array_new ();
  api_state_init (&run->api, run->overrides);
  run->api.scenario_dir = run->dir;
  run->api.charge_mem = lb_charge_mem;
  run->api.allow_plugins = opt->allow_plugins;
  run->api.charge_mem_data = run;

  if (!lb_parse_sets (run, opt->sets, error))
    goto fail;
  run->L = lua_newstate (lb_alloc, run);
  if (run->L == NULL)
    {
      g_set_error (error, LB_ERROR, LB_ERROR_INVALID,
                   "%s: memory limit of %zu bytes is too small to start Lua",
                   path, run->mem_limit);
      goto fail;
    }
  lua_sethook (run->L, lb_hook, LUA_MASKCOUNT, LB_INSTR_STEP);
  if (!lb_pcall (run, lb_main, run, LB_ERROR, LB_ERROR_INVALID, error))
    goto fail;
  g_clear_pointer (&run->src, g_free);
  if (!lb_apply_sets (run, error))
    goto fail;
  return run;

fail:
  lb_free (run);
  return NULL;
}

void
lb_free (LbRun *run)
{
  if (run == NULL)
    return;
  run->api.world = NULL;
  if (run->L != NULL)
    lua_close (run->L);
  api_state_clear (&run->api);
  g_ptr_array_unref (run->set_order);
  g_hash_table_unref (run->overrides);
  g_free (run->src);
  g_free (run->path);
  g_free (run->dir);
  g_free (run->lib_dir);
  g_free (run->name);
  g_free (run);
}

WorldConfig *
lb_config (LbRun *run)
{
  g_return_val_if_fail (run != NULL, NULL);
  return run->api.cfg;
}

void
lb_attach (LbRun *run, World *world)
{
  g_return_if_fail (run != NULL);
  run->api.world = world;
  if (world == NULL)
    return;
  WorldHooks hooks = { lb_hook_timer, lb_hook_event, run };
  world_set_hooks (world, &hooks);
  for (guint i = 0; i < run->api.notes->len; i++)
    world_note (world, g_ptr_array_index (run->api.notes, i));
  g_ptr_array_set_size (run->api.notes, 0);
}

const GPtrArray *
lb_params (LbRun *run)
{
  g_return_val_if_fail (run != NULL, NULL);
  return run->api.params;
}

const char *
lb_scenario_name (LbRun *run)
{
  g_return_val_if_fail (run != NULL, NULL);
  return run->name;
}

size_t
lb_mem_used (LbRun *run)
{
  g_return_val_if_fail (run != NULL, 0);
  return run->mem_used;
}

uint64_t
lb_instructions (LbRun *run)
{
  g_return_val_if_fail (run != NULL, 0);
  return run->instr;
}
