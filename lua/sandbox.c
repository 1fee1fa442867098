/* lua/sandbox.c - the libraries a scenario may use: our edited copy of
 * linit.c's idea (an explicit list), plus the replacements that close the
 * holes the stock libraries leave open.
 *
 * Opened: base, string, table, math, utf8, coroutine. Removed from base:
 * dofile, loadfile (file access); load() is wrapped to force mode "t" (no
 * bytecode: a crafted binary chunk can crash the VM). Replaced: print (to
 * stderr, so stdout stays the CLI's), math.random/randomseed (a sim/rng.h
 * stream, so a run is reproducible from its seed), require (text modules of
 * the faultline library and the scenario's folder only). Not here: the
 * memory cap and instruction budget (lua/runtime.c). */
#include "sandbox.h"

#include <glib.h>
#include <lauxlib.h>
#include <lualib.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fl-config.h"
#include "infile.h"

/* Registry key of the module cache (the sandbox's package.loaded). */
static const char sandbox_loaded_key = 'L';

/* ---- base library edits ---- */

/* load(chunk [, chunkname [, mode [, env]]]) -> function | nil, message.
 * Same as the stock load, except that mode is always "t". */
static int
l_load (lua_State *L)
{
  int n = lua_gettop (L);
  if (n < 3)
    lua_settop (L, 3);
  lua_pushliteral (L, "t");
  lua_replace (L, 3);
  lua_pushvalue (L, lua_upvalueindex (1));
  lua_insert (L, 1);
  lua_call (L, n < 3 ? 3 : n, LUA_MULTRET);
  return lua_gettop (L);
}

/* print(...) -> nil. Like the stock print, but to stderr. */
static int
l_print (lua_State *L)
{
  int n = lua_gettop (L);
  for (int i = 1; i <= n; i++)
    {
      size_t len;
      const char *s = luaL_tolstring (L, i, &len);
      if (i > 1)
        fputc ('\t', stderr);
      fwrite (s, 1, len, stderr);
      lua_pop (L, 1);
    }
  fputc ('\n', stderr);
  fflush (stderr);
  return 0;
}

/* setmetatable(t, mt) -> t. Like the stock one, but a metatable with a
 * __gc field is refused: Lua runs finalizers with hooks off (lgc.c), so a
 * finalizer's endless loop would escape the instruction budget, during the
 * run or at lua_close after the results are written. Lua only marks an
 * object for finalization when its metatable has __gc at setmetatable time
 * (manual 2.5.3), so adding the field later has no effect. */
static int
l_setmetatable (lua_State *L)
{
  if (lua_istable (L, 2))
    {
      lua_pushliteral (L, "__gc");
      if (lua_rawget (L, 2) != LUA_TNIL)
        return luaL_error (L, "setmetatable: a metatable with a __gc "
                           "finalizer is not allowed in a scenario "
                           "(finalizers run outside the instruction "
                           "budget)");
      lua_pop (L, 1);
    }
  lua_pushvalue (L, lua_upvalueindex (1));
  lua_insert (L, 1);
  lua_call (L, lua_gettop (L) - 1, LUA_MULTRET);
  return lua_gettop (L);
}

/* ---- C loops the VM does not count ----
 *
 * The instruction budget counts VM instructions; a library function that
 * loops in C over a range the script chooses (table.move (t, 1, 2^62,
 * 2), table.concat over a table whose __index is a C function, table.insert
 * with a __len of 2^62) would run for ever without one. These wrappers
 * charge the loop's length to the budget before it starts, so it is
 * refused at once when it would not fit. */

static void
charge (lua_State *L, lua_Unsigned n)
{
  const SandboxCharge *c = lua_touserdata (L, lua_upvalueindex (2));
  if (c != NULL && n > 0)
    c->fn (L, c->user_data, (uint64_t) n);
}

/* Elements in [f, e], 0 when empty. */
static lua_Unsigned
span (lua_Integer f, lua_Integer e)
{
  return e >= f ? (lua_Unsigned) e - (lua_Unsigned) f + 1u : 0u;
}

/* table.move(a1, f, e, t [, a2]) -> a2. Upvalue 1: the stock move. */
static int
l_table_move (lua_State *L)
{
  lua_Integer f = luaL_checkinteger (L, 2), e = luaL_checkinteger (L, 3);
  charge (L, span (f, e));
  lua_pushvalue (L, lua_upvalueindex (1));
  lua_insert (L, 1);
  lua_call (L, lua_gettop (L) - 1, LUA_MULTRET);
  return lua_gettop (L);
}

/* table.concat(t [, sep [, i [, j]]]) -> string. #t is taken once, here,
 * and passed on, so a __len cannot answer differently the second time. */
static int
l_table_concat (lua_State *L)
{
  luaL_checktype (L, 1, LUA_TTABLE);
  luaL_optlstring (L, 2, "", NULL);
  lua_Integer i = luaL_optinteger (L, 3, 1);
  lua_Integer j = lua_isnoneornil (L, 4) ? luaL_len (L, 1)
                                          : luaL_checkinteger (L, 4);
  charge (L, span (i, j));
  lua_settop (L, 2);
  if (lua_isnil (L, 2))
    {
      lua_pushliteral (L, "");
      lua_replace (L, 2);
    }
  lua_pushvalue (L, lua_upvalueindex (1));
  lua_insert (L, 1);
  lua_pushinteger (L, i);
  lua_pushinteger (L, j);
  lua_call (L, 4, 1);
  return 1;
}

/* table.insert(t, [pos,] value) -> nil. The stock semantics (manual
 * 6.6), with #t taken once and the shift charged to the budget. */
static int
l_table_insert (lua_State *L)
{
  luaL_checktype (L, 1, LUA_TTABLE);
  lua_Integer e = (lua_Integer) ((lua_Unsigned) luaL_len (L, 1) + 1u);
  lua_Integer pos;
  switch (lua_gettop (L))
    {
    case 2:
      pos = e;
      break;
    case 3:
      pos = luaL_checkinteger (L, 2);
      luaL_argcheck (L, (lua_Unsigned) pos - 1u < (lua_Unsigned) e, 2,
                     "position out of bounds");
      charge (L, span (pos + 1, e));
      for (lua_Integer i = e; i > pos; i--)
        {
          lua_geti (L, 1, i - 1);
          lua_seti (L, 1, i);
        }
      break;
    default:
      return luaL_error (L, "wrong number of arguments to 'insert'");
    }
  lua_seti (L, 1, pos);
  return 0;
}

/* table.remove(t [, pos]) -> value. As the stock one, #t taken once. */
static int
l_table_remove (lua_State *L)
{
  luaL_checktype (L, 1, LUA_TTABLE);
  lua_Integer size = luaL_len (L, 1);
  lua_Integer pos = luaL_optinteger (L, 2, size);
  if (pos != size)
    luaL_argcheck (L, (lua_Unsigned) pos - 1u <= (lua_Unsigned) size, 2,
                   "position out of bounds");
  charge (L, span (pos, size - 1));
  lua_geti (L, 1, pos);
  for (; pos < size; pos++)
    {
      lua_geti (L, 1, pos + 1);
      lua_seti (L, 1, pos);
    }
  lua_pushnil (L);
  lua_seti (L, 1, pos);
  return 1;
}

/* ---- coroutines ----
 *
 * The budget is counted by a count hook per thread, which fires every N
 * instructions of that thread only. A coroutine that runs fewer than N
 * instructions and is dropped would never be charged, so a loop making
 * short coroutines (or coroutines nesting coroutines) ran far past
 * --lua-budget. A new coroutine therefore gets a hook every
 * SANDBOX_CO_STEP instructions, and its creation is charged that much up
 * front: what a coroutine can leave uncounted is paid before it runs. */

/* [-0, +0, e] Gives the new thread co the creating thread's hook with
 * the coroutine step, and charges the step. */
static void
co_limit (lua_State *L, lua_State *co, const SandboxCharge *c)
{
  lua_Hook h = lua_gethook (L);
  if (h != NULL)
    lua_sethook (co, h, lua_gethookmask (L) | LUA_MASKCOUNT, SANDBOX_CO_STEP);
  if (c != NULL)
    c->fn (L, c->user_data, SANDBOX_CO_STEP);
}

/* coroutine.create(f) -> thread. Upvalue 1: the stock create, 2: the
 * SandboxCharge or nil. */
static int
l_co_create (lua_State *L)
{
  luaL_checktype (L, 1, LUA_TFUNCTION);
  lua_settop (L, 1);
  lua_pushvalue (L, lua_upvalueindex (1));
  lua_insert (L, 1);
  lua_call (L, 1, 1);
  co_limit (L, lua_tothread (L, -1), lua_touserdata (L, lua_upvalueindex (2)));
  return 1;
}

/* The function coroutine.wrap returns: resumes its coroutine (upvalue 1)
 * and returns what it yields or returns. An error is raised again as it
 * is, without the stock wrap's extra "file:LINE:" (the message already
 * names where it was raised; the stock one printed the position twice). */
static int
l_co_wrapped (lua_State *L)
{
  lua_State *co = lua_tothread (L, lua_upvalueindex (1));
  int narg = lua_gettop (L);
  int st = lua_status (co);
  lua_Debug ar;
  if (co == L || (st == LUA_OK && lua_getstack (co, 0, &ar)))
    return luaL_error (L, "cannot resume non-suspended coroutine");
  if ((st == LUA_OK && lua_gettop (co) == 0)
      || (st != LUA_OK && st != LUA_YIELD))
    return luaL_error (L, "cannot resume dead coroutine");
  if (!lua_checkstack (co, narg + 1))
    return luaL_error (L, "too many arguments to resume");
  lua_xmove (L, co, narg);
  int nres = 0;
  int status = lua_resume (co, L, narg, &nres);
  if (status == LUA_OK || status == LUA_YIELD)
    {
      if (!lua_checkstack (L, nres + 1))
        {
          lua_pop (co, nres);
          return luaL_error (L, "too many results to resume");
        }
      lua_xmove (co, L, nres);
      return nres;
    }
  /* the error object; then close the coroutine's pending to-be-closed
   * variables, as the stock wrap does (an error they raise replaces the
   * first) */
  lua_pushvalue (co, -1);
  lua_xmove (co, L, 1);
  if (lua_resetthread (co) != LUA_OK)
    {
      lua_pop (L, 1);
      lua_xmove (co, L, 1);
    }
  return lua_error (L);
}

/* coroutine.wrap(f) -> function. Upvalue 1: the stock create, 2: the
 * SandboxCharge or nil. */
static int
l_co_wrap (lua_State *L)
{
  l_co_create (L);
  lua_pushcclosure (L, l_co_wrapped, 1);
  return 1;
}

/* ---- error messages ---- */

/* Whether msg starts with "SRC:LINE:" for a chunk that is on L's stack,
 * or any "NAME.lua:LINE:" (an error raised earlier and passed on); SRC
 * has no ": " in it. */
static bool
has_position (lua_State *L, const char *msg)
{
  const char *c = msg;
  while (*c != '\0' && *c != '\n' && !(c[0] == ':' && c[1] == ' ')
         && !(c[0] == ':' && g_ascii_isdigit (c[1])))
    c++;
  if (*c != ':')
    return false;
  const char *d = c + 1;
  while (g_ascii_isdigit (*d))
    d++;
  if (*d != ':')
    return false;
  size_t head = (size_t) (c - msg);
  if (head >= 4 && memcmp (c - 4, ".lua", 4) == 0)
    return true;
  lua_Debug ar;
  for (int level = 0; lua_getstack (L, level, &ar); level++)
    if (lua_getinfo (L, "S", &ar) && ar.currentline != -1
        && strlen (ar.short_src) == head && memcmp (ar.short_src, msg, head) == 0)
      return true;
  return false;
}

int
sandbox_error_text (lua_State *L, int idx)
{
  idx = lua_absindex (L, idx);
  const char *msg = NULL;
  if (lua_type (L, idx) == LUA_TSTRING)
    msg = lua_tostring (L, idx);
  else if (lua_type (L, idx) == LUA_TNUMBER)
    {
      lua_pushvalue (L, idx);
      msg = lua_tostring (L, -1); /* converts the copy only */
    }
  else if (luaL_getmetafield (L, idx, "__tostring") != LUA_TNIL)
    {
      lua_pushvalue (L, idx);
      if (lua_pcall (L, 1, 1, 0) == LUA_OK && lua_type (L, -1) == LUA_TSTRING)
        msg = lua_tostring (L, -1);
      else
        {
          const char *why = lua_type (L, -1) == LUA_TSTRING
                              ? lua_tostring (L, -1)
                              : "it did not return a string";
          msg = lua_pushfstring (L, "error object is a %s value whose "
                                 "__tostring failed: %s",
                                 luaL_typename (L, idx), why);
        }
    }
  else
    msg = lua_pushfstring (L, "error object is a %s value (raise errors "
                           "with a string: error (\"...\"))",
                           luaL_typename (L, idx));
  if (has_position (L, msg))
    {
      lua_pushstring (L, msg);
      return 1;
    }
  /* name the first Lua function up the stack, as a string error raised
   * there would have been */
  lua_Debug ar;
  for (int level = 1; lua_getstack (L, level, &ar); level++)
    if (lua_getinfo (L, "Sl", &ar) && ar.currentline > 0)
      {
        lua_pushfstring (L, "%s:%d: %s", ar.short_src, ar.currentline, msg);
        return 1;
      }
  lua_pushstring (L, msg);
  return 1;
}

/* ---- math.random on a sim/rng.h stream ---- */

/* math.random([m [, n]]) -> number. Lua 5.4 semantics: no argument, a float
 * in [0, 1); random(0), an integer with all bits random; random(m), an
 * integer in [1, m]; random(m, n), an integer in [m, n]. Errors: "interval
 * is empty", "wrong number of arguments". */
static int
l_random (lua_State *L)
{
  RngStream *rng = lua_touserdata (L, lua_upvalueindex (1));
  lua_Integer low, up;
  switch (lua_gettop (L))
    {
    case 0:
      lua_pushnumber (L, (lua_Number) rng_uniform (rng));
      return 1;
    case 1:
      low = 1;
      up = luaL_checkinteger (L, 1);
      if (up == 0)
        {
          lua_pushinteger (L, (lua_Integer) rng_next_u64 (rng));
          return 1;
        }
      break;
    case 2:
      low = luaL_checkinteger (L, 1);
      up = luaL_checkinteger (L, 2);
      break;
    default:
      return luaL_error (L, "wrong number of arguments");
    }
  luaL_argcheck (L, low <= up, lua_gettop (L), "interval is empty");
  uint64_t span = (uint64_t) up - (uint64_t) low;
  uint64_t r = span == UINT64_MAX ? rng_next_u64 (rng)
                                  : rng_below (rng, span + 1);
  lua_pushinteger (L, (lua_Integer) ((uint64_t) low + r));
  return 1;
}

/* math.randomseed([x]) -> nil. With x (a number), restarts the stream
 * from (x, "lua", "script"): the same x gives the same draws whatever the
 * run seed, as in stock Lua. Without x, restarts the run's own stream. */
static int
l_randomseed (lua_State *L)
{
  RngStream *rng = lua_touserdata (L, lua_upvalueindex (1));
  uint64_t seed;
  if (lua_isnoneornil (L, 1))
    seed = (uint64_t) lua_tointeger (L, lua_upvalueindex (2));
  else if (lua_isinteger (L, 1))
    seed = (uint64_t) lua_tointeger (L, 1);
  else
    {
      lua_Number x = luaL_checknumber (L, 1);
      memcpy (&seed, &x, sizeof seed < sizeof x ? sizeof seed : sizeof x);
    }
  rng_stream_init (rng, seed, "lua", "script");
  return 0;
}

/* ---- require ---- */

static gboolean
sandbox_valid_module_name (const char *name)
{
  gboolean start = TRUE;
  if (*name == '\0')
    return FALSE;
  for (const char *p = name; *p; p++)
    {
      if (*p == '.')
        {
          if (start)
            return FALSE;
          start = TRUE;
        }
      else if (g_ascii_isalpha (*p) || *p == '_'
               || (!start && g_ascii_isdigit (*p)))
        start = FALSE;
      else
        return FALSE;
    }
  return !start;
}

/* [-0, +1, m] Pushes the Lua-visible list of library roots: $FL_LUA_PATH
 * (colon-separated) if set, else lib_dir (chosen by lib/, the composition
 * root: an installed faultline never reads a source checkout), else
 * FL_SOURCE_DIR/lua then FL_DATADIR/lua. */
static void
sandbox_push_roots (lua_State *L, const char *lib_dir)
{
  const char *env = g_getenv ("FL_LUA_PATH");
  int n = 0;
  lua_newtable (L);
  if (env != NULL && *env != '\0')
    {
      char **parts = g_strsplit (env, ":", -1);
      for (char **p = parts; *p; p++)
        if (**p != '\0')
          {
            lua_pushstring (L, *p); /* may raise: parts leaks only on OOM */
            lua_rawseti (L, -2, ++n);
          }
      g_strfreev (parts);
    }
  else if (lib_dir != NULL)
    {
      lua_pushstring (L, lib_dir);
      lua_rawseti (L, -2, ++n);
    }
  else
    {
      lua_pushliteral (L, FL_SOURCE_DIR "/lua");
      lua_rawseti (L, -2, ++n);
      lua_pushliteral (L, FL_DATADIR "/lua");
      lua_rawseti (L, -2, ++n);
    }
}

/* Whether path, with every symbolic link resolved, is inside dir (also
 * resolved). A scenario's folder may be shared with its author's other
 * files; a link inside it must not let require() read them. */
static bool
sandbox_inside (const char *dir, const char *path)
{
  char *rd = realpath (dir, NULL), *rp = realpath (path, NULL);
  bool in = rd != NULL && rp != NULL;
  if (in)
    {
      size_t n = strlen (rd);
      in = strncmp (rp, rd, n) == 0 && (rp[n] == '/' || (n == 1 && rd[0] == '/'));
    }
  free (rd);
  free (rp);
  return in;
}

/* require(name) -> value. name is a dotted module name: "faultline.x" is
 * looked up as faultline/x.lua under the library roots, any other name as
 * name-with-slashes.lua in the scenario's folder. Source only. Errors:
 * invalid name (paths, ".."), module not found (lists what was searched),
 * a module whose real path (symbolic links resolved) leaves the folder,
 * circular require, and whatever the module raises. */
static int
l_require (lua_State *L)
{
  const char *name = luaL_checkstring (L, 1);
  lua_settop (L, 1);
  lua_rawgetp (L, LUA_REGISTRYINDEX, &sandbox_loaded_key); /* 2: cache */
  if (lua_getfield (L, 2, name) != LUA_TNIL)                /* 3 */
    {
      if (lua_islightuserdata (L, 3))
        return luaL_error (L, "require: circular require of module '%s'",
                           name);
      return 1;
    }
  lua_pop (L, 1);
  if (!sandbox_valid_module_name (name))
    return luaL_error (L, "require: invalid module name '%s': use a dotted "
                       "name such as 'faultline.presets' or 'mylib' "
                       "(no paths, no '..')", name);

  /* Candidate paths, in order, as a Lua table (no C memory held across
   * a possible error). */
  char *rel = g_strdup (name);
  g_strdelimit (rel, ".", '/');
  lua_pushfstring (L, "%s.lua", rel);
  g_free (rel);                                              /* 3: rel */
  lua_newtable (L);                                          /* 4: paths */
  int n = 0;
  if (g_str_has_prefix (name, "faultline."))
    {
      lua_pushvalue (L, lua_upvalueindex (2));               /* 5: roots */
      lua_Integer nroots = luaL_len (L, 5);
      for (lua_Integer i = 1; i <= nroots; i++)
        {
          lua_rawgeti (L, 5, i);
          lua_pushfstring (L, "%s/%s", lua_tostring (L, -1),
                           lua_tostring (L, 3));
          lua_rawseti (L, 4, ++n);
          lua_pop (L, 1);
        }
      lua_pop (L, 1);
    }
  else if (!lua_isnil (L, lua_upvalueindex (1)))
    {
      lua_pushfstring (L, "%s/%s", lua_tostring (L, lua_upvalueindex (1)),
                       lua_tostring (L, 3));
      lua_rawseti (L, 4, ++n);
    }

  const char *found = NULL;
  for (int i = 1; i <= n && found == NULL; i++)
    {
      lua_rawgeti (L, 4, i);
      if (g_file_test (lua_tostring (L, -1), G_FILE_TEST_IS_REGULAR))
        found = lua_tostring (L, -1); /* stays on the stack: 5 */
      else
        lua_pop (L, 1);
    }
  if (found == NULL)
    {
      luaL_Buffer b;
      luaL_buffinit (L, &b);
      luaL_where (L, 1);
      luaL_addvalue (&b);
      lua_pushfstring (L, "require: module '%s' not found: the sandbox only "
                       "loads faultline.* library modules and Lua files next "
                       "to the scenario; searched:", name);
      luaL_addvalue (&b);
      for (int i = 1; i <= n; i++)
        {
          luaL_addstring (&b, " ");
          lua_rawgeti (L, 4, i);
          luaL_addvalue (&b);
        }
      if (n == 0)
        luaL_addstring (&b, " nothing (no scenario folder)");
      luaL_pushresult (&b);
      return lua_error (L);
    }

  if (!g_str_has_prefix (name, "faultline.")
      && !sandbox_inside (lua_tostring (L, lua_upvalueindex (1)), found))
    return luaL_error (L, "require: module '%s' (%s) leads outside the "
                       "scenario's folder through a symbolic link; copy "
                       "the module next to the scenario", name, found);
  char *buf = NULL;
  gsize len = 0;
  GError *error = NULL;
  if (!infile_read (found, "Lua module", INFILE_MAX_SCENARIO, &buf, &len,
                    &error))
    {
      lua_pushfstring (L, "require: cannot read module '%s': ", name);
      lua_pushstring (L, error->message);
      g_error_free (error);
      lua_concat (L, 2);
      return lua_error (L);
    }
  lua_pushfstring (L, "@%s", found);                         /* 6 */
  int status = sandbox_load_text (L, buf, len, lua_tostring (L, 6));
  g_free (buf);                                              /* 7: fn */
  if (status != LUA_OK)
    return lua_error (L);

  lua_pushlightuserdata (L, (void *) &sandbox_loaded_key);   /* sentinel */
  lua_setfield (L, 2, name);
  lua_pushvalue (L, 1);
  lua_pushvalue (L, 5);
  if (lua_pcall (L, 2, 1, 0) != LUA_OK)                      /* 7: result */
    {
      lua_pushnil (L);
      lua_setfield (L, 2, name);
      return lua_error (L);
    }
  if (lua_isnil (L, 7))
    {
      lua_pop (L, 1);
      lua_pushboolean (L, 1);
    }
  lua_pushvalue (L, 7);
  lua_setfield (L, 2, name);
  return 1;
}

/* ---- public API ---- */

int
sandbox_load_text (lua_State *L, const char *buf, size_t len,
                   const char *chunkname)
{
  g_return_val_if_fail (L != NULL && buf != NULL, LUA_ERRERR);
  if (len > 0 && buf[0] == '#')
    {
      /* skip a "#!" line, keeping its newline so line numbers hold */
      const char *nl = memchr (buf, '\n', len);
      size_t skip = nl != NULL ? (size_t) (nl - buf) : len;
      buf += skip;
      len -= skip;
    }
  return luaL_loadbufferx (L, buf, len, chunkname, "t");
}

/* ---- pairs() in a fixed order ----
 *
 * Lua 5.4 seeds its string hash from the time and from addresses, so the
 * order next() visits string keys differs between processes, and a
 * scenario that registers events or fails components in pairs() order
 * would not be reproducible. The sandbox's pairs() visits keys in a fixed
 * order instead: numbers ascending, then strings by their bytes, then
 * false before true, then keys of other types (tables, functions) in an
 * unspecified order (they have no fixed order to give). A __pairs
 * metamethod is honoured as usual. The sort is charged to the instruction
 * budget, n (1 + log2 n) for n keys, as the VM would have counted a sort
 * written in Lua. */

static int
sandbox_key_rank (lua_State *L, int i)
{
  switch (lua_type (L, i))
    {
    case LUA_TNUMBER: return 0;
    case LUA_TSTRING: return 1;
    case LUA_TBOOLEAN: return 2;
    default: return 3;
    }
}

/* The sort order of two keys (table.sort comparator): a < b. */
static int
l_key_less (lua_State *L)
{
  int ra = sandbox_key_rank (L, 1), rb = sandbox_key_rank (L, 2);
  bool less;
  if (ra != rb)
    less = ra < rb;
  else if (ra == 0)
    less = lua_compare (L, 1, 2, LUA_OPLT);
  else if (ra == 1)
    {
      /* bytes, not strcoll(): the same order in every locale */
      size_t la, lb;
      const char *a = lua_tolstring (L, 1, &la), *b = lua_tolstring (L, 2, &lb);
      int c = memcmp (a, b, MIN (la, lb));
      less = c < 0 || (c == 0 && la < lb);
    }
  else if (ra == 2)
    less = !lua_toboolean (L, 1) && lua_toboolean (L, 2);
  else
    less = false;
  lua_pushboolean (L, less);
  return 1;
}

/* The iterator: upvalues (table, sorted keys, position). Called with a nil
 * control value it starts over, so the triple pairs() returns can be used
 * for more than one traversal, as with stock pairs(). */
static int
l_pairs_next (lua_State *L)
{
  lua_Integer i = lua_isnoneornil (L, 2) ? 0
                                          : lua_tointeger (L, lua_upvalueindex (3));
  for (;;)
    {
      i++;
      if (lua_rawgeti (L, lua_upvalueindex (2), i) == LUA_TNIL)
        return 1; /* the end: nil */
      lua_pushvalue (L, -1);
      if (lua_rawget (L, lua_upvalueindex (1)) != LUA_TNIL)
        break;
      lua_pop (L, 2); /* removed during the traversal: skip it */
    }
  lua_pushinteger (L, i);
  lua_replace (L, lua_upvalueindex (3));
  return 2;
}

/* pairs (t): upvalue 1 is table.sort as the library defined it, upvalue 2
 * the SandboxCharge (light userdata, or nil). */
static int
l_pairs (lua_State *L)
{
  luaL_checkany (L, 1);
  if (luaL_getmetafield (L, 1, "__pairs") != LUA_TNIL)
    {
      lua_pushvalue (L, 1);
      lua_call (L, 1, 3);
      return 3;
    }
  luaL_checktype (L, 1, LUA_TTABLE);
  lua_newtable (L); /* 2: the keys */
  lua_Integer n = 0;
  lua_pushnil (L);
  while (lua_next (L, 1) != 0)
    {
      lua_pop (L, 1);
      lua_pushvalue (L, -1);
      lua_rawseti (L, 2, ++n);
    }
  const SandboxCharge *charge = lua_touserdata (L, lua_upvalueindex (2));
  if (charge != NULL && n > 1)
    charge->fn (L, charge->user_data,
                (uint64_t) n * (1 + (uint64_t) ceil (log2 ((double) n))));
  lua_pushvalue (L, lua_upvalueindex (1));
  lua_pushvalue (L, 2);
  lua_pushcfunction (L, l_key_less);
  lua_call (L, 2, 0);
  lua_pushvalue (L, 1);
  lua_pushvalue (L, 2);
  lua_pushinteger (L, 0);
  lua_pushcclosure (L, l_pairs_next, 3);
  lua_pushvalue (L, 1);
  lua_pushnil (L);
  return 3;
}

void
sandbox_open (lua_State *L, RngStream *rng, uint64_t seed,
              const char *scenario_dir, const char *lib_dir,
              const SandboxCharge *charge)
{
  static const luaL_Reg libs[] = {
    { LUA_GNAME, luaopen_base },
    { LUA_COLIBNAME, luaopen_coroutine },
    { LUA_TABLIBNAME, luaopen_table },
    { LUA_STRLIBNAME, luaopen_string },
    { LUA_MATHLIBNAME, luaopen_math },
    { LUA_UTF8LIBNAME, luaopen_utf8 },
    { NULL, NULL },
  };
  g_return_if_fail (L != NULL && rng != NULL);

  for (const luaL_Reg *lib = libs; lib->func; lib++)
    {
      luaL_requiref (L, lib->name, lib->func, 1);
      lua_pop (L, 1);
    }
  /* package.loaded now lists the libraries; nothing else refers to it
   * and `package` itself was never opened. */

  lua_pushglobaltable (L);
  lua_pushnil (L);
  lua_setfield (L, -2, "dofile");
  lua_pushnil (L);
  lua_setfield (L, -2, "loadfile");
  lua_getfield (L, -1, "load");
  lua_pushcclosure (L, l_load, 1);
  lua_setfield (L, -2, "load");
  lua_pushcfunction (L, l_print);
  lua_setfield (L, -2, "print");
  lua_getfield (L, -1, "setmetatable");
  lua_pushcclosure (L, l_setmetatable, 1);
  lua_setfield (L, -2, "setmetatable");
  /* the C loops of the table library, charged to the budget */
  static const luaL_Reg charged[] = {
    { "move", l_table_move },
    { "concat", l_table_concat },
    { "insert", l_table_insert },
    { "remove", l_table_remove },
    { NULL, NULL },
  };
  lua_getfield (L, -1, LUA_TABLIBNAME);
  for (const luaL_Reg *r = charged; r->name; r++)
    {
      lua_getfield (L, -1, r->name);
      if (charge != NULL)
        lua_pushlightuserdata (L, (void *) charge);
      else
        lua_pushnil (L);
      lua_pushcclosure (L, r->func, 2);
      lua_setfield (L, -2, r->name);
    }
  lua_pop (L, 1);
  lua_getfield (L, -1, LUA_COLIBNAME);
  lua_getfield (L, -1, "create"); /* the stock one, before it is replaced */
  static const luaL_Reg co[] = {
    { "create", l_co_create },
    { "wrap", l_co_wrap },
    { NULL, NULL },
  };
  for (const luaL_Reg *r = co; r->name; r++)
    {
      lua_pushvalue (L, -1);
      if (charge != NULL)
        lua_pushlightuserdata (L, (void *) charge);
      else
        lua_pushnil (L);
      lua_pushcclosure (L, r->func, 2);
      lua_setfield (L, -3, r->name);
    }
  lua_pop (L, 2);
  lua_getfield (L, -1, LUA_TABLIBNAME);
  lua_getfield (L, -1, "sort");
  if (charge != NULL)
    lua_pushlightuserdata (L, (void *) charge);
  else
    lua_pushnil (L);
  lua_pushcclosure (L, l_pairs, 2);
  lua_setfield (L, -3, "pairs");
  lua_pop (L, 1);

  lua_getfield (L, -1, LUA_MATHLIBNAME);
  lua_pushlightuserdata (L, rng);
  lua_pushcclosure (L, l_random, 1);
  lua_setfield (L, -2, "random");
  lua_pushlightuserdata (L, rng);
  lua_pushinteger (L, (lua_Integer) seed);
  lua_pushcclosure (L, l_randomseed, 2);
  lua_setfield (L, -2, "randomseed");
  lua_pop (L, 1);

  lua_newtable (L);
  lua_rawsetp (L, LUA_REGISTRYINDEX, &sandbox_loaded_key);
  if (scenario_dir != NULL)
    lua_pushstring (L, scenario_dir);
  else
    lua_pushnil (L);
  sandbox_push_roots (L, lib_dir);
  lua_pushcclosure (L, l_require, 2);
  lua_setfield (L, -2, "require");
  lua_pop (L, 1);
}
