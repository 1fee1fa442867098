/* tests/lua/test_sandbox.c - the sandbox conformance corpus and the
 * runtime's limits, seeds and --set handling.
 *
 * Every tests/lua/y_*.lua must load through lb_load(); every n_*.lua must
 * be refused with an error containing the text of its first line
 * ("-- expect: <substring>"). The corpus is read from the source tree, so
 * adding a file adds a check. Also: a bytecode file written with lua_dump
 * is refused; math.random draws depend on the seed and nothing else;
 * --set reaches param() and config keys, and unknown names are errors. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <glib.h>
#include <glib/gstdio.h>
#include <lauxlib.h>
#include <lualib.h>
#include <string.h>
#include <unistd.h>

#include "fl-config.h"
#include "runtime.h"

/* Small limits so the n_ files that exhaust them fail fast. */
#define TEST_MEM (32u << 20)
#define TEST_BUDGET ((uint64_t) 20000000)

static char *
corpus_dir (void)
{
  const char *src = g_getenv ("FL_SOURCE_DIR");
  return g_build_filename (src ? src : FL_SOURCE_DIR, "tests", "lua", NULL);
}

static LbRun *
load (const char *path, uint64_t seed, GPtrArray *sets, GError **error)
{
  LbOptions opt = { .seed = seed, .mem_limit = TEST_MEM,
                    .instr_budget = TEST_BUDGET, .sets = sets };
  return lb_load (path, &opt, error);
}

static void
test_corpus (void **state)
{
  g_autofree char *dir = corpus_dir ();
  g_autoptr (GError) err = NULL;
  GDir *d = g_dir_open (dir, 0, &err);
  assert_non_null (d);
  int ny = 0, nn = 0;
  const char *f;
  while ((f = g_dir_read_name (d)) != NULL)
    {
      if (!g_str_has_suffix (f, ".lua"))
        continue;
      g_autofree char *path = g_build_filename (dir, f, NULL);
      GError *e = NULL;
      if (g_str_has_prefix (f, "y_"))
        {
          LbRun *run = load (path, 7, NULL, &e);
          if (run == NULL)
            print_error ("%s: %s\n", f, e->message);
          assert_non_null (run);
          lb_free (run);
          ny++;
        }
      else if (g_str_has_prefix (f, "n_"))
        {
          g_autofree char *text = NULL;
          assert_true (g_file_get_contents (path, &text, NULL, NULL));
          assert_true (g_str_has_prefix (text, "-- expect: "));
          char *nl = strchr (text, '\n');
          assert_non_null (nl);
          *nl = '\0';
          const char *expect = text + strlen ("-- expect: ");
          LbRun *run = load (path, 7, NULL, &e);
          if (run != NULL)
            print_error ("%s: loaded, but must be refused\n", f);
          assert_null (run);
          assert_non_null (e);
          assert_true (e->domain == LB_ERROR);
          if (strstr (e->message, expect) == NULL)
            print_error ("%s: expected '%s' in:\n%s\n", f, expect,
                         e->message);
          assert_non_null (strstr (e->message, expect));
          nn++;
        }
      g_clear_error (&e);
    }
  g_dir_close (d);
  /* the corpus the brief lists: at least 5 y_ and 12 n_ files */
  assert_true (ny >= 5);
  assert_true (nn >= 12);
}

static int
dump_writer (lua_State *L, const void *p, size_t sz, void *ud)
{
  return fwrite (p, 1, sz, ud) == sz ? 0 : 1;
}

/* A bytecode file (written here with lua_dump: no luac needed) is refused
 * as a scenario, even though it would run in stock Lua. */
static void
test_bytecode_file (void **state)
{
  g_autofree char *path = NULL;
  int fd = g_file_open_tmp ("fl-bytecode-XXXXXX.lua", &path, NULL);
  assert_true (fd >= 0);
  FILE *fp = fdopen (fd, "wb");
  lua_State *L = luaL_newstate ();
  assert_int_equal (luaL_loadstring (L, "cluster { gpus = 64 }"), LUA_OK);
  assert_int_equal (lua_dump (L, dump_writer, fp, 0), 0);
  lua_close (L);
  fclose (fp);

  g_autoptr (GError) e = NULL;
  LbRun *run = load (path, 1, NULL, &e);
  assert_null (run);
  assert_non_null (strstr (e->message, "attempt to load a binary chunk"));
  assert_non_null (strstr (e->message, path));
  g_unlink (path);
}

static char *
param_json (LbRun *run, const char *name)
{
  const GPtrArray *ps = lb_params (run);
  for (guint i = 0; i < ps->len; i++)
    {
      LbParam *p = g_ptr_array_index (ps, i);
      if (strcmp (p->name, name) == 0)
        return g_strdup (p->value_json);
    }
  return NULL;
}

/* math.random: the same seed gives the same draw, another seed (almost
 * surely: 1 in 1e9 chance of a tie per pair) another. */
static void
test_random_seeded (void **state)
{
  g_autofree char *dir = corpus_dir ();
  g_autofree char *path = g_build_filename (dir, "y_math_random.lua", NULL);
  char *draws[3];
  uint64_t seeds[3] = { 11, 11, 12 };
  for (int i = 0; i < 3; i++)
    {
      g_autoptr (GError) e = NULL;
      LbRun *run = load (path, seeds[i], NULL, &e);
      assert_non_null (run);
      draws[i] = param_json (run, "draw");
      assert_non_null (draws[i]);
      lb_free (run);
    }
  assert_string_equal (draws[0], draws[1]);
  assert_string_not_equal (draws[0], draws[2]);
  for (int i = 0; i < 3; i++)
    g_free (draws[i]);
}

static gint
str_ptr_cmp (gconstpointer a, gconstpointer b)
{
  return strcmp (*(char *const *) a, *(char *const *) b);
}

/* pairs() order is fixed: the same in separate Lua states (each with its
 * own string hash seed) and equal to the documented order, checked here
 * against a sort of the same keys done in C. */
static void
test_pairs_order (void **state)
{
  g_autofree char *dir = corpus_dir ();
  g_autofree char *path = g_build_filename (dir, "y_pairs_order.lua", NULL);
  char *orders[4];
  for (int i = 0; i < 4; i++)
    {
      g_autoptr (GError) e = NULL;
      LbRun *run = load (path, (uint64_t) i + 1, NULL, &e);
      if (run == NULL)
        fail_msg ("%s", e->message);
      orders[i] = param_json (run, "order");
      assert_non_null (orders[i]);
      lb_free (run);
    }
  for (int i = 1; i < 4; i++)
    assert_string_equal (orders[0], orders[i]);
  /* The expected order: numbers, then strings by bytes (strcmp), then
   * false, true. */
  g_autoptr (GPtrArray) keys = g_ptr_array_new_with_free_func (g_free);
  for (int i = 1; i <= 200; i++)
    g_ptr_array_add (keys, g_strdup_printf ("k%d", i));
  g_ptr_array_add (keys, g_strdup ("zeta"));
  g_ptr_array_add (keys, g_strdup ("alpha"));
  g_ptr_array_add (keys, g_strdup ("Beta"));
  g_ptr_array_sort (keys, str_ptr_cmp);
  g_autoptr (GString) want = g_string_new ("\"-7 1 2.5 3");
  for (guint i = 0; i < keys->len; i++)
    g_string_append_printf (want, " %s", (char *) g_ptr_array_index (keys, i));
  g_string_append (want, " false true\"");
  assert_string_equal (orders[0], want->str);
  for (int i = 0; i < 4; i++)
    g_free (orders[i]);
}

static LbRun *
load_params_with (const char *set, GError **e)
{
  g_autofree char *dir = corpus_dir ();
  g_autofree char *path = g_build_filename (dir, "y_params.lua", NULL);
  g_autoptr (GPtrArray) sets = g_ptr_array_new ();
  if (set != NULL)
    g_ptr_array_add (sets, (gpointer) set);
  return load (path, 1, sets, e);
}

/* Defaults are echoed in declaration order with their JSON text. */
static void
test_params_default (void **state)
{
  g_autoptr (GError) e = NULL;
  LbRun *run = load_params_with (NULL, &e);
  assert_non_null (run);
  const GPtrArray *ps = lb_params (run);
  assert_int_equal (ps->len, 4);
  const char *names[] = { "spares", "health", "lemons", "rate_scale" };
  const char *json[] = { "64", "\"standard\"", "true", "1.5" };
  for (int i = 0; i < 4; i++)
    {
      LbParam *p = g_ptr_array_index (ps, i);
      assert_string_equal (p->name, names[i]);
      assert_string_equal (p->value_json, json[i]);
    }
  assert_string_equal (((LbParam *) g_ptr_array_index (ps, 0))->help,
                       "hot spare nodes");
  assert_string_equal (lb_scenario_name (run), "y_params");
  g_autofree char *cs = world_config_get_json (lb_config (run),
                                               "cluster.spares");
  assert_non_null (cs);
  assert_true (g_ascii_strtod (cs, NULL) == 64);
  lb_free (run);
}

static void
test_set_param (void **state)
{
  g_autoptr (GError) e = NULL;
  LbRun *run = load_params_with ("spares=10", &e);
  assert_non_null (run);
  g_autofree char *v = param_json (run, "spares");
  assert_string_equal (v, "10");
  g_autofree char *cs = world_config_get_json (lb_config (run),
                                               "cluster.spares");
  assert_true (g_ascii_strtod (cs, NULL) == 10);
  lb_free (run);

  run = load_params_with ("lemons=no", &e);
  assert_non_null (run);
  g_autofree char *b = param_json (run, "lemons");
  assert_string_equal (b, "false");
  lb_free (run);
}

static void
test_set_config_key (void **state)
{
  g_autoptr (GError) e = NULL;
  LbRun *run = load_params_with ("cluster.spares=5", &e);
  assert_non_null (run);
  g_autofree char *cs = world_config_get_json (lb_config (run),
                                               "cluster.spares");
  /* the --set wins over the scenario's table, which said 64 */
  assert_true (g_ascii_strtod (cs, NULL) == 5);
  lb_free (run);
}

static void
test_set_errors (void **state)
{
  struct { const char *set; const char *expect[3]; } cases[] = {
    { "spraes=3", { "unknown parameter 'spraes' for --set",
                    "did you mean 'spares'?", "declares spares, health" } },
    { "spares=lots", { "--set spares=lots", "is not a plain decimal number", "y_params.lua:2:" } },
    { "lemons=maybe", { "is a boolean", NULL, NULL } },
    { "nonsense", { "expected NAME=VALUE", NULL, NULL } },
    { "cluster.nodse=3", { "--set cluster.nodse=3", "nodes", NULL } },
  };
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr (GError) e = NULL;
      LbRun *run = load_params_with (cases[i].set, &e);
      assert_null (run);
      assert_non_null (e);
      for (int j = 0; j < 3 && cases[i].expect[j]; j++)
        {
          if (strstr (e->message, cases[i].expect[j]) == NULL)
            print_error ("--set %s: expected '%s' in: %s\n", cases[i].set,
                         cases[i].expect[j], e->message);
          assert_non_null (strstr (e->message, cases[i].expect[j]));
        }
    }
}

/* The budget is counted: a loop of known length uses about that many
 * instructions (within one counting step), and an error names the limit. */
static void
test_limits_named (void **state)
{
  g_autofree char *path = NULL;
  int fd = g_file_open_tmp ("fl-limit-XXXXXX.lua", &path, NULL);
  assert_true (fd >= 0);
  close (fd);
  assert_true (g_file_set_contents (path, "local s = 0\n"
                                    "for i = 1, 2000000 do s = s + i end\n",
                                    -1, NULL));
  LbOptions opt = { .instr_budget = 100000000 };
  g_autoptr (GError) e = NULL;
  LbRun *run = lb_load (path, &opt, &e);
  assert_non_null (run);
  /* the loop body is 2 VM instructions (ADD, FORLOOP) per iteration */
  assert_true (lb_instructions (run) >= 4000000 - LB_INSTR_STEP);
  assert_true (lb_instructions (run) <= 4000000 + 2 * LB_INSTR_STEP);
  lb_free (run);

  opt.instr_budget = 1000000;
  run = lb_load (path, &opt, &e);
  assert_null (run);
  assert_non_null (strstr (e->message, "instruction budget of 1000000 "
                           "exceeded"));
  g_unlink (path);
}

/* Errors through coroutine.wrap name where they were raised once (the
 * stock wrap added its own position in front), and an error object whose
 * __tostring raises names the inner line too. */
static void
test_error_positions (void **state)
{
  g_autofree char *dir = corpus_dir ();
  g_autofree char *wrap = g_build_filename (dir, "n_wrap_error.lua", NULL);
  g_autoptr (GError) e = NULL;
  assert_null (load (wrap, 7, NULL, &e));
  const char *first = strstr (e->message, "n_wrap_error.lua:4: ");
  assert_non_null (first);
  const char *tb = strstr (e->message, "\nstack traceback:");
  assert_non_null (tb);
  /* one position before the message, none repeated before "boom" */
  assert_true (first + strlen ("n_wrap_error.lua:4: boom") <= tb);
  assert_true (strncmp (first + strlen ("n_wrap_error.lua:4: "), "boom", 4) == 0);
  g_autofree char *head = g_strndup (e->message, (gsize) (tb - e->message));
  assert_null (strstr (strstr (head, "n_wrap_error.lua:4:") + 1,
                       "n_wrap_error.lua:4:"));

  g_clear_error (&e);
  g_autofree char *ts = g_build_filename (dir, "n_error_tostring.lua", NULL);
  assert_null (load (ts, 7, NULL, &e));
  assert_non_null (strstr (e->message, "n_error_tostring.lua:4: inner"));
}

int
main (void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test (test_corpus),
    cmocka_unit_test (test_error_positions),
    cmocka_unit_test (test_bytecode_file),
    cmocka_unit_test (test_random_seeded),
    cmocka_unit_test (test_pairs_order),
    cmocka_unit_test (test_params_default),
    cmocka_unit_test (test_set_param),
    cmocka_unit_test (test_set_config_key),
    cmocka_unit_test (test_set_errors),
    cmocka_unit_test (test_limits_named),
  };
  return cmocka_run_group_tests (tests, NULL, NULL);
}
