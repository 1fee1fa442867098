/* tests/lua/test_api.c - the scenario API during a run: at/every/on
 * callbacks fire at their simulated times through world_run(), every()
 * stops when its callback returns false, and a callback error stops the
 * run with "file:LINE: message (at simulated time ...)" and a traceback.
 * Needs models/world.c (world_new/world_run). Observations leave the Lua
 * state through the error message of a deliberate final error(), so the
 * test reads what the script saw without any extra API. Health policies
 * written in Lua (lua_policy{}, health_policy()): tests/lua/y_lua_policy.lua
 * runs and its actions reach the world; tests/lua/run/n_*.lua must fail
 * during the run with their "-- expect: " substring. Checks made when a
 * table function is called (policy names and params, failure modes, a job
 * larger than the cluster): valid settings still load and build a world,
 * and a --set that changes the cluster or the failure source defers the
 * check to world_new(). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <glib.h>
#include <glib/gstdio.h>
#include <string.h>
#include <unistd.h>

#include "runtime.h"

/* Loads text as a scenario, runs it; returns the run's error (or NULL). */
static GError *
run_text (const char *text)
{
  g_autofree char *path = NULL;
  int fd = g_file_open_tmp ("fl-api-XXXXXX.lua", &path, NULL);
  assert_true (fd >= 0);
  close (fd);
  assert_true (g_file_set_contents (path, text, -1, NULL));
  GError *e = NULL;
  LbOptions opt = { .seed = 3 };
  LbRun *run = lb_load (path, &opt, &e);
  if (run == NULL)
    print_error ("load: %s\n", e->message);
  assert_non_null (run);
  World *w = world_new (lb_config (run), 3, &e);
  if (w == NULL)
    print_error ("world_new: %s\n", e->message);
  assert_non_null (w);
  lb_attach (run, w);
  bool ok = world_run (w, &e);
  assert_true (ok == (e == NULL));
  world_free (w);
  lb_free (run);
  g_unlink (path);
  return e;
}

#define SMALL "cluster { nodes = 64 }\nfailures { source = \"none\" }\n" \
              "run { length = days(1) }\n"

/* A callback that raises at hours(3): the run stops, the message names the
 * scenario line, the simulated time, and carries a traceback. */
static void
test_callback_error (void **state)
{
  GError *e = run_text (SMALL
                        "at (hours(3), function ()\n"
                        "  error (\"boom\")\n"
                        "end)\n");
  assert_non_null (e);
  assert_true (e->domain == WORLD_ERROR);
  assert_int_equal (e->code, WORLD_ERROR_SCRIPT);
  assert_non_null (strstr (e->message, ".lua:5: boom (at simulated time "
                           "3h00m00.000s)"));
  assert_non_null (strstr (e->message, "stack traceback:"));
  g_error_free (e);
}

/* now() inside at() is the registration time; every() fires each period
 * until it returns false; at() registered during the run fires too. */
static void
test_timers (void **state)
{
  GError *e = run_text (SMALL
                        "local seen, n = {}, 0\n"
                        "at (hours(2), function () seen[#seen+1] = now () end)\n"
                        "every (hours(1), function ()\n"
                        "  n = n + 1\n"
                        "  if n == 3 then\n"
                        "    at (now () + minutes(30), function ()\n"
                        "      seen[#seen+1] = now () end)\n"
                        "    return false\n"
                        "  end\n"
                        "end)\n"
                        "at (hours(10), function ()\n"
                        "  error (string.format (\"n=%d seen=%s\", n,\n"
                        "    table.concat (seen, \",\")))\n"
                        "end)\n");
  assert_non_null (e);
  /* every fired at 1h, 2h, 3h then stopped; at() from the callback fired
   * at 3h30m = 12600 s */
  if (strstr (e->message, "n=3 seen=7200.0,12600.0") == NULL)
    print_error ("%s\n", e->message);
  assert_non_null (strstr (e->message, "n=3 seen=7200.0,12600.0"));
  g_error_free (e);
}

/* Actions at load time are errors; a clean run returns no error. */
static void
test_clean_run (void **state)
{
  GError *e = run_text (SMALL "at (hours(1), function () note (\"hi\") end)\n");
  if (e != NULL)
    print_error ("%s\n", e->message);
  assert_null (e);
}

/* A rack taken down by fail() is back after repair(): both return 1 and
 * state() follows, and the nodes' power fault is gone (node_state of a
 * node of the rack is no longer down). */
static void
test_rack_fail_repair (void **state)
{
  GError *e = run_text (SMALL
                        "local seen = {}\n"
                        "at (hours(1), function ()\n"
                        "  seen[#seen+1] = fail (\"rack-000\")\n"
                        "  seen[#seen+1] = state (\"rack-000\")\n"
                        "end)\n"
                        "at (hours(2), function ()\n"
                        "  seen[#seen+1] = repair (\"rack-000\")\n"
                        "  seen[#seen+1] = state (\"rack-000\")\n"
                        "  seen[#seen+1] = repair (\"rack-000\")\n"
                        "  error (\"seen=\" .. table.concat (seen, \",\"))\n"
                        "end)\n");
  assert_non_null (e);
  if (strstr (e->message, "seen=1,down,1,active,0") == NULL)
    print_error ("%s\n", e->message);
  assert_non_null (strstr (e->message, "seen=1,down,1,active,0"));
  g_error_free (e);
}

static char *
source_path (const char *rel)
{
  const char *src = g_getenv ("FL_SOURCE_DIR");
  assert_non_null (src);
  return g_build_filename (src, "tests", "lua", rel, NULL);
}

typedef struct
{
  GString *actions; /* "component action reason\n" per policy action */
  uint64_t policy_actions;
  char *notes;
} RunOut;

static void
collect_actions (const WorldEvent *ev, void *user_data)
{
  RunOut *o = user_data;
  if (ev->kind == WEV_POLICY_ACTION)
    g_string_append_printf (o->actions, "%s %s %s\n",
                            ev->component ? ev->component : "-",
                            ev->action.action ? ev->action.action : "-",
                            ev->action.reason ? ev->action.reason : "-");
}

/* Runs the scenario at path through world_run; fills *o when non-NULL.
 * Returns the run's error (load and world_new must succeed). */
static GError *
run_file (const char *path, RunOut *o)
{
  GError *e = NULL;
  LbOptions opt = { .seed = 5 };
  LbRun *run = lb_load (path, &opt, &e);
  if (run == NULL)
    print_error ("load: %s\n", e->message);
  assert_non_null (run);
  World *w = world_new (lb_config (run), 5, &e);
  if (w == NULL)
    print_error ("world_new: %s\n", e->message);
  assert_non_null (w);
  lb_attach (run, w);
  if (o != NULL)
    world_add_listener (w, collect_actions, o);
  bool ok = world_run (w, &e);
  assert_true (ok == (e == NULL));
  if (o != NULL && ok)
    {
      o->policy_actions = world_metrics (w)->policy_actions;
      o->notes = g_strdup (world_notes (w));
    }
  world_free (w);
  lb_free (run);
  return e;
}

/* y_lua_policy.lua: a GPU failed by at() produces an Xid; the Lua policy
 * reboots the node; a scripted GPU failure is hardware, so the reboot does
 * not fix it and the policy opens a ticket; after the repair it returns
 * the node to service. The world carries out each action with the reason
 * the script gave, in that order, and the node ends healthy. */
static void
test_lua_policy_runs (void **state)
{
  g_autofree char *path = source_path ("y_lua_policy.lua");
  RunOut o = { g_string_new (NULL), 0, NULL };
  GError *e = run_file (path, &o);
  if (e != NULL)
    print_error ("%s\n", e->message);
  assert_null (e);
  /* TAP diagnostics: every line a comment */
  g_autofree char *shown = g_strdup_printf ("actions:\n%snotes:\n%s", o.actions->str, o.notes);
  g_auto (GStrv) lines = g_strsplit (shown, "\n", -1);
  for (char **l = lines; *l != NULL; l++)
    print_message ("# %s\n", *l);
  assert_int_equal (o.policy_actions, 3);
  const char *reboot = strstr (o.actions->str, "node0003 reboot lua: xid 79\n");
  const char *ticket = strstr (o.actions->str, "node0003 open_ticket lua: "
                               "reboot did not fix it\n");
  const char *back = strstr (o.actions->str,
                             "node0003 return_to_service lua: repaired\n");
  assert_non_null (reboot);
  assert_non_null (ticket);
  assert_non_null (back);
  assert_true (reboot < ticket && ticket < back);
  /* exactly one Xid reached the policy, and the node is back in service */
  assert_non_null (strstr (o.notes, "xids seen: 1 node 3: healthy"));
  g_string_free (o.actions, TRUE);
  g_free (o.notes);
}

/* Every tests/lua/run/n_*.lua loads, then fails during the run with
 * WORLD_ERROR_SCRIPT and its "-- expect: " text in the message. */
static void
test_lua_policy_errors (void **state)
{
  g_autofree char *dir = source_path ("run");
  GDir *d = g_dir_open (dir, 0, NULL);
  assert_non_null (d);
  int n = 0;
  const char *f;
  while ((f = g_dir_read_name (d)) != NULL)
    {
      if (!g_str_has_prefix (f, "n_") || !g_str_has_suffix (f, ".lua"))
        continue;
      g_autofree char *path = g_build_filename (dir, f, NULL);
      g_autofree char *text = NULL;
      assert_true (g_file_get_contents (path, &text, NULL, NULL));
      assert_true (g_str_has_prefix (text, "-- expect: "));
      char *nl = strchr (text, '\n');
      assert_non_null (nl);
      *nl = '\0';
      const char *expect = text + strlen ("-- expect: ");
      GError *e = run_file (path, NULL);
      if (e == NULL)
        print_error ("%s: ran without error\n", f);
      assert_non_null (e);
      if (strstr (e->message, expect) == NULL)
        print_error ("%s: expected '%s' in:\n%s\n", f, expect, e->message);
      assert_true (e->domain == WORLD_ERROR);
      assert_int_equal (e->code, WORLD_ERROR_SCRIPT);
      assert_non_null (strstr (e->message, expect));
      assert_non_null (strstr (e->message, "(at simulated time "));
      g_error_free (e);
      n++;
    }
  g_dir_close (d);
  assert_true (n >= 2);
}

/* Bad lua_policy{} tables are refused at load time, naming the problem;
 * a Lua policy together with a plugin is refused by world_new. */
static void
test_lua_policy_bad_spec (void **state)
{
  static const struct { const char *text; const char *expect; } cases[] = {
    { "policy { health = lua_policy { name = \"x\" } }",
      ":1: lua_policy{}: observe must be a function" },
    { "policy { health = { observe = function () end, wakup = 1 } }",
      ":1: lua_policy{}: unknown key 'wakup' (did you mean 'wakeup'?)" },
    { "health_policy (\"x\", { observe = print, wakeup = print })",
      ":1: lua_policy{}: wakeup needs every" },
    { "health_policy (\"x\", { observe = print, every = -1, wakeup = print })",
      ":1: lua_policy{}: lua_policy.every = -1 is out of range" },
  };
  for (size_t i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *path = NULL;
      int fd = g_file_open_tmp ("fl-lp-XXXXXX.lua", &path, NULL);
      assert_true (fd >= 0);
      close (fd);
      assert_true (g_file_set_contents (path, cases[i].text, -1, NULL));
      GError *e = NULL;
      LbRun *run = lb_load (path, NULL, &e);
      assert_null (run);
      assert_non_null (e);
      if (strstr (e->message, cases[i].expect) == NULL)
        print_error ("expected '%s' in:\n%s\n", cases[i].expect, e->message);
      assert_non_null (strstr (e->message, cases[i].expect));
      g_error_free (e);
      g_unlink (path);
    }

  g_autofree char *path = NULL;
  int fd = g_file_open_tmp ("fl-lp-XXXXXX.lua", &path, NULL);
  assert_true (fd >= 0);
  close (fd);
  assert_true (g_file_set_contents (path, SMALL
    "policy { plugin = \"/nonexistent/p.so\", health = lua_policy { "
    "observe = function () end } }\n", -1, NULL));
  GError *e = NULL;
  /* a plugin named by a scenario needs the caller's opt-in */
  assert_null (lb_load (path, NULL, &e));
  assert_non_null (strstr (e->message, "policy{}: plugin = '/nonexistent/p.so': "
                           "a scenario may load native code only when the "
                           "command line allows it"));
  g_clear_error (&e);
  LbOptions allow = { .allow_plugins = true };
  LbRun *run = lb_load (path, &allow, &e);
  assert_non_null (run);
  World *w = world_new (lb_config (run), 1, &e);
  assert_null (w);
  assert_non_null (e);
  assert_non_null (strstr (e->message, "both set"));
  g_error_free (e);
  lb_free (run);
  g_unlink (path);
}

/* wakeup/every: the function runs every period of simulated time, with
 * the time in seconds; a later policy{health = "name"} removes the Lua
 * policy again. */
static void
test_lua_policy_wakeup (void **state)
{
  GError *e = run_text (SMALL
                        "local ts = {}\n"
                        "health_policy (\"tick\", { observe = function () end,\n"
                        "  every = hours (6), wakeup = function (t)\n"
                        "    ts[#ts + 1] = t end })\n"
                        "at (hours (23), function ()\n"
                        "  error (\"ts=\" .. table.concat (ts, \",\")) end)\n");
  assert_non_null (e);
  /* 6 h, 12 h, 18 h before the error at 23 h */
  if (strstr (e->message, "ts=21600.0,43200.0,64800.0 (at") == NULL)
    print_error ("%s\n", e->message);
  assert_non_null (strstr (e->message, "ts=21600.0,43200.0,64800.0 (at"));
  g_error_free (e);

  e = run_text (SMALL
                "health_policy (\"gone\", { observe = function () error (\"called\") end })\n"
                "policy { health = \"standard\" }\n"
                "at (hours (1), function () fail (\"node0003/gpu2\") end)\n");
  if (e != NULL)
    print_error ("%s\n", e->message);
  assert_null (e);
}

/* Loads text with --set sets (NULL-terminated); returns the run (NULL
 * with *e on error). */
static LbRun *
load_text_sets (const char *text, const char *const *sets, char **path,
                GError **e)
{
  int fd = g_file_open_tmp ("fl-api-XXXXXX.lua", path, NULL);
  assert_true (fd >= 0);
  close (fd);
  assert_true (g_file_set_contents (*path, text, -1, NULL));
  g_autoptr (GPtrArray) a = g_ptr_array_new ();
  for (; sets != NULL && *sets != NULL; sets++)
    g_ptr_array_add (a, (gpointer) *sets);
  LbOptions opt = { .seed = 3, .sets = a };
  return lb_load (*path, &opt, e);
}

/* Valid settings pass the call-time checks and the world builds; shape
 * after dist = "weibull" in a later call is accepted (the calls are
 * checked together, in order). */
static void
test_call_time_checks_accept (void **state)
{
  GError *e = run_text ("cluster { nodes = 64 }\n"
                        "run { length = days(1) }\n"
                        "policy { health = \"proactive\", sched = \"priority\",\n"
                        "  health_params = { flap_count = 3 },\n"
                        "  sched_params = { spares = 2 } }\n"
                        "failure_mode (\"hbm3\", { dist = \"weibull\" })\n"
                        "failure_mode (\"hbm3\", { shape = 1.5 })\n"
                        "failure_mode (\"fan\", { class = \"node\", mtbf = "
                        "hours (1000),\n"
                        "  blast = \"node\", repair = \"reboot\" })\n"
                        "job { name = \"fits\", nodes = 62 }\n");
  if (e != NULL)
    print_error ("%s\n", e->message);
  assert_null (e);
}

/* A job larger than cluster{} is refused at its line, unless a --set of a
 * cluster key may still change the size: then world_new() decides. The
 * same for failures.source set by --set. */
static void
test_call_time_checks_defer (void **state)
{
  static const char *text = "cluster { nodes = 64 }\n"
                            "job { name = \"big\", nodes = 100 }\n"
                            "run { length = hours (1) }\n";
  g_autofree char *p1 = NULL, *p2 = NULL, *p3 = NULL, *p4 = NULL, *p5 = NULL;
  GError *e = NULL;
  LbRun *run = load_text_sets (text, NULL, &p1, &e);
  assert_null (run);
  assert_non_null (strstr (e->message, ".lua:2: job{}: job 'big' needs 100 "
                           "nodes but the cluster has 64"));
  g_clear_error (&e);

  static const char *const bigger[] = { "cluster.nodes=128", NULL };
  run = load_text_sets (text, bigger, &p2, &e);
  assert_null (e);
  assert_non_null (run);
  World *w = world_new (lb_config (run), 3, &e);
  assert_null (e);
  world_free (w);
  lb_free (run);

  /* with --set cluster.gpus the size stays too small: the job's line is
   * refused with the cluster as it will be built (the --set applied) */
  static const char *const smaller[] = { "cluster.gpus=64", NULL };
  run = load_text_sets (text, smaller, &p3, &e);
  assert_null (run);
  assert_non_null (strstr (e->message, ".lua:2: job{}: job 'big' needs 100 "
                           "nodes but the cluster has 8 "));
  g_clear_error (&e);

  /* a --set value that does not apply defers every check to world_new,
   * which reports that value */
  static const char *const bad[] = { "cluster.gpus=lots", NULL };
  run = load_text_sets (text, bad, &p5, &e);
  if (run != NULL)
    {
      World *w2 = world_new (lb_config (run), 3, &e);
      assert_null (w2);
      lb_free (run);
    }
  assert_non_null (e);
  assert_null (strstr (e->message, "job 'big'"));
  g_clear_error (&e);

  /* "hbm3" is no mode of failures.source = "none", but --set brings the
   * default catalogue back */
  static const char *const source[] = { "failures.source=llama3", NULL };
  run = load_text_sets ("cluster { nodes = 64 }\n"
                        "failures { source = \"none\" }\n"
                        "failure_mode (\"hbm3\", { mtbf = hours (100) })\n",
                        source, &p4, &e);
  if (e != NULL)
    print_error ("%s\n", e->message);
  assert_non_null (run);
  lb_free (run);
  g_unlink (p1);
  g_unlink (p2);
  g_unlink (p3);
  g_unlink (p4);
  g_unlink (p5);
}


int
main (void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test (test_callback_error),
    cmocka_unit_test (test_timers),
    cmocka_unit_test (test_clean_run),
    cmocka_unit_test (test_rack_fail_repair),
    cmocka_unit_test (test_lua_policy_runs),
    cmocka_unit_test (test_lua_policy_errors),
    cmocka_unit_test (test_lua_policy_bad_spec),
    cmocka_unit_test (test_lua_policy_wakeup),
    cmocka_unit_test (test_call_time_checks_accept),
    cmocka_unit_test (test_call_time_checks_defer),
  };
  return cmocka_run_group_tests (tests, NULL, NULL);
}
