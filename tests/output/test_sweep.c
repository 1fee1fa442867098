/* tests/output/test_sweep.c - lib/sweep.c: the statistics against closed
 * forms, the --seeds and --grid parsers, and the thread safety of parallel
 * worlds: the same replicas run concurrently on 4 threads give the same
 * summary.json text as run one after the other, sweep_run with 1 and 4
 * threads writes byte-identical sweep.json files, progress is reported on
 * the calling thread only, announcing the start then counting up to the
 * total, and a failing replica
 * among concurrent ones fails the sweep naming its point. Built with
 * -Db_sanitize=thread (docs/sweep.md, "Thread safety") every data race is
 * a ThreadSanitizer report and exit status 66: the test fails. Not here:
 * the command line (tests/cli/test_sweep.sh). */
#include <glib.h>
#include <glib/gstdio.h>
#include <math.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "faultline.h"
#include "sweep.h"
#include "atomicfile.h"

static const char scenario_text[] =
  "local spares = param (\"spares\", 4, \"hot spares\")\n"
  "cluster { nodes = 32 + spares, spares = spares }\n"
  "failures { source = \"llama3\", scale = param (\"rate_scale\", 60, \"x\") }\n"
  "job { name = \"train\", nodes = 32, checkpoint_every = minutes (15) }\n"
  "run { length = days (1), sample_every = hours (1) }\n";

static char *tmpdir;
static char *scenario;

static int
setup (void **state)
{
  (void) state;
  tmpdir = g_dir_make_tmp ("test-sweep-XXXXXX", NULL);
  scenario = g_build_filename (tmpdir, "s.lua", NULL);
  return g_file_set_contents (scenario, scenario_text, -1, NULL) ? 0 : -1;
}

static int
teardown (void **state)
{
  (void) state;
  atomicfile_remove_tree (tmpdir);
  g_free (scenario);
  g_free (tmpdir);
  return 0;
}

/* ---- statistics ---- */

static void
test_stats_closed_form (void **state)
{
  (void) state;
  /* 1, 2, 3, 4: mean 5/2, sample variance 5/3; t(0.975, 3) = 3.182446305
   * (NIST/SEMATECH table); NaN is left out. */
  const double x[] = { 1, NAN, 2, 3, 4 };
  SweepStats st;
  sweep_stats (x, G_N_ELEMENTS (x), &st);
  assert_int_equal (st.n, 4);
  assert_true (fabs (st.mean - 2.5) < 1e-15);
  assert_true (fabs (st.sd - sqrt (5.0 / 3.0)) < 1e-15);
  assert_true (st.min == 1 && st.max == 4);
  double h = 3.182446305 * sqrt (5.0 / 3.0) / 2.0;
  assert_true (fabs (st.ci95_low - (2.5 - h)) < 1e-8);
  assert_true (fabs (st.ci95_high - (2.5 + h)) < 1e-8);
  /* one value: a mean, no spread */
  sweep_stats (x, 1, &st);
  assert_int_equal (st.n, 1);
  assert_true (st.mean == 1 && isnan (st.sd) && isnan (st.ci95_low));
  /* none */
  sweep_stats (x + 1, 1, &st);
  assert_int_equal (st.n, 0);
  assert_true (isnan (st.mean) && isnan (st.min));
}

/* ---- parsing ---- */

static void
test_parse_seeds (void **state)
{
  (void) state;
  g_autoptr (GArray) s = g_array_new (FALSE, FALSE, sizeof (guint64));
  g_autoptr (GError) err = NULL;
  assert_true (sweep_parse_seeds ("10,1-3,7", s, &err));
  const guint64 want[] = { 1, 2, 3, 7, 10 };
  assert_int_equal (s->len, G_N_ELEMENTS (want));
  for (guint i = 0; i < s->len; i++)
    assert_true (g_array_index (s, guint64, i) == want[i]);
  const char *bad[] = { "5-1", "abc", "", "1,,2", "3,3", "1-3,2", "-4",
                        "0-100000", "1-", "99999999999999999999" };
  for (size_t i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr (GError) e = NULL;
      g_array_set_size (s, 0);
      assert_false (sweep_parse_seeds (bad[i], s, &e));
      assert_true (g_error_matches (e, FL_ERROR, FL_ERROR_INPUT));
      assert_non_null (strstr (e->message, bad[i]));
      assert_int_equal (s->len, 0);
    }
}

static void
test_parse_axis (void **state)
{
  (void) state;
  char *key = NULL, **values = NULL;
  g_autoptr (GError) err = NULL;
  assert_true (sweep_parse_axis ("policy.health=standard,proactive", &key,
                                 &values, &err));
  assert_string_equal (key, "policy.health");
  assert_int_equal (g_strv_length (values), 2);
  assert_string_equal (values[1], "proactive");
  SweepAxis axes[2] = { { key, (const char *const *) values },
                        { "x", (const char *const *) values } };
  const char *vals[] = { "a/b c", "..", NULL };
  g_autofree char *name = sweep_point_name (axes, 2, vals);
  assert_string_equal (name, "policy.health=a_b_c,x=..");
  g_autofree char *base = sweep_point_name (NULL, 0, NULL);
  assert_string_equal (base, "base");
  g_free (key);
  g_strfreev (values);
  const char *bad[] = { "spares", "=1,2", "spares=", "spares=1,,2",
                        "spares=1,1" };
  for (size_t i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr (GError) e = NULL;
      key = NULL;
      values = NULL;
      assert_false (sweep_parse_axis (bad[i], &key, &values, &e));
      assert_true (g_error_matches (e, FL_ERROR, FL_ERROR_INPUT));
      assert_non_null (strstr (e->message, bad[i]));
      assert_null (key);
      assert_null (values);
    }
}

/* ---- parallel worlds ---- */

#define N_THREADS 4
#define N_REPLICAS 8

typedef struct
{
  guint first; /* replicas first, first + N_THREADS, ... */
  char *summaries[N_REPLICAS];
} Worker;

static char *
run_replica (guint i)
{
  FlRunOptions o;
  fl_run_options_init (&o);
  o.scenario = scenario;
  o.seed = 1 + i / 2;
  g_autofree char *set = g_strdup_printf ("spares=%u", i % 2 ? 2 : 8);
  const char *sets[] = { set, NULL };
  o.sets = sets;
  o.write_wall_seconds = false;
  g_autoptr (GError) err = NULL;
  FlRun *run = fl_run_new (&o, &err);
  char *s = NULL;
  if (run != NULL && fl_run_execute (run, &err))
    s = g_strdup (fl_run_summary_json (run));
  fl_run_free (run);
  return s;
}

static gpointer
worker_main (gpointer data)
{
  Worker *w = data;
  for (guint i = w->first; i < N_REPLICAS; i += N_THREADS)
    w->summaries[i] = run_replica (i);
  return NULL;
}

static void
test_parallel_worlds (void **state)
{
  (void) state;
  char *serial[N_REPLICAS];
  for (guint i = 0; i < N_REPLICAS; i++)
    {
      serial[i] = run_replica (i);
      assert_non_null (serial[i]);
    }
  /* replicas of one seed with different spares differ: the check below
   * can tell replicas apart */
  assert_string_not_equal (serial[0], serial[1]);
  Worker w[N_THREADS] = { 0 };
  GThread *t[N_THREADS];
  for (guint k = 0; k < N_THREADS; k++)
    {
      w[k].first = k;
      t[k] = g_thread_new ("replica", worker_main, &w[k]);
    }
  for (guint k = 0; k < N_THREADS; k++)
    g_thread_join (t[k]);
  for (guint i = 0; i < N_REPLICAS; i++)
    {
      char *p = w[i % N_THREADS].summaries[i];
      assert_non_null (p);
      assert_string_equal (p, serial[i]);
      g_free (p);
      g_free (serial[i]);
    }
}

static char *
sweep_json_with (unsigned threads, const char *name)
{
  const char *v[] = { "2", "8", NULL };
  SweepAxis axis = { "spares", v };
  const uint64_t seeds[] = { 1, 2, 3 };
  g_autofree char *out = g_build_filename (tmpdir, name, NULL);
  SweepOptions o = { .scenario = scenario, .axes = &axis, .n_axes = 1,
                     .seeds = seeds, .n_seeds = 3, .output_dir = out,
                     .threads = threads, .write_wall_seconds = false };
  g_autoptr (GError) err = NULL;
  /* no gnuplot: the plot data only (the test is about the numbers) */
  g_setenv ("FAULTLINE_GNUPLOT", "/nonexistent/gnuplot", TRUE);
  if (!sweep_run (&o, &err))
    fail_msg ("sweep_run: %s", err->message);
  g_autofree char *path = g_build_filename (out, "sweep.json", NULL);
  char *text = NULL;
  assert_true (g_file_get_contents (path, &text, NULL, NULL));
  return text;
}

static void
test_sweep_threads (void **state)
{
  (void) state;
  g_autofree char *a = sweep_json_with (1, "t1");
  g_autofree char *b = sweep_json_with (4, "t4");
  assert_string_equal (a, b);
  assert_non_null (strstr (a, "\"name\": \"spares=8\""));
  /* a second sweep into the same, now non-empty folder is refused */
  const uint64_t seeds[] = { 1 };
  g_autofree char *out = g_build_filename (tmpdir, "t1", NULL);
  SweepOptions o = { .scenario = scenario, .seeds = seeds, .n_seeds = 1,
                     .output_dir = out, .threads = 1 };
  g_autoptr (GError) err = NULL;
  assert_false (sweep_run (&o, &err));
  assert_true (g_error_matches (err, FL_ERROR, FL_ERROR_INPUT));
  assert_non_null (strstr (err->message, out));
}

/* ---- progress and failure ---- */

typedef struct
{
  GThread *caller;
  unsigned calls, last, total;
  bool other_thread, not_increasing;
} Progress;

static void
progress_cb (const SweepProgressInfo *in, void *user_data)
{
  Progress *p = user_data;
  p->other_thread |= g_thread_self () != p->caller;
  /* the first call announces the start (nothing done yet) */
  p->not_increasing |= (p->calls > 0 && in->done <= p->last)
                       || in->done > in->total
                       || in->points_done > in->points || in->points != 2;
  p->calls++;
  p->last = in->done;
  p->total = in->total;
}

static void
test_sweep_progress (void **state)
{
  (void) state;
  const char *v[] = { "2", "8", NULL };
  SweepAxis axis = { "spares", v };
  const uint64_t seeds[] = { 1, 2, 3 };
  /* 1 thread, as many threads as replicas, more threads than replicas */
  const unsigned threads[] = { 1, 6, 16 };
  for (size_t k = 0; k < G_N_ELEMENTS (threads); k++)
    {
      g_autofree char *name = g_strdup_printf ("p%u", threads[k]);
      g_autofree char *out = g_build_filename (tmpdir, name, NULL);
      Progress p = { .caller = g_thread_self () };
      SweepOptions o = { .scenario = scenario, .axes = &axis, .n_axes = 1,
                         .seeds = seeds, .n_seeds = 3, .output_dir = out,
                         .threads = threads[k], .progress = progress_cb,
                         .progress_data = &p };
      g_autoptr (GError) err = NULL;
      g_setenv ("FAULTLINE_GNUPLOT", "/nonexistent/gnuplot", TRUE);
      if (!sweep_run (&o, &err))
        fail_msg ("sweep_run: %s", err->message);
      assert_false (p.other_thread);
      assert_false (p.not_increasing);
      assert_true (p.calls >= 2 && p.calls <= 7);
      assert_int_equal (p.last, 6);
      assert_int_equal (p.total, 6);
    }
}

static void
test_sweep_failure (void **state)
{
  (void) state;
  g_autofree char *boom = g_build_filename (tmpdir, "boom.lua", NULL);
  assert_true (g_file_set_contents (boom,
    "cluster { nodes = 16 }\n"
    "failures { source = \"none\" }\n"
    "job { name = \"train\", nodes = 8 }\n"
    "run { length = days (1) }\n"
    "local boom = param (\"boom\", false, \"x\")\n"
    "at (hours (1), function () if boom then error (\"boom!\") end end)\n",
    -1, NULL));
  const char *v[] = { "false", "true", NULL };
  SweepAxis axis = { "boom", v };
  const uint64_t seeds[] = { 1, 2, 3, 4 };
  const unsigned threads[] = { 1, 4 };
  for (size_t k = 0; k < G_N_ELEMENTS (threads); k++)
    {
      g_autofree char *name = g_strdup_printf ("boom%u", threads[k]);
      g_autofree char *out = g_build_filename (tmpdir, name, NULL);
      SweepOptions o = { .scenario = boom, .axes = &axis, .n_axes = 1,
                         .seeds = seeds, .n_seeds = 4, .output_dir = out,
                         .threads = threads[k] };
      g_autoptr (GError) err = NULL;
      assert_false (sweep_run (&o, &err));
      assert_non_null (err);
      assert_non_null (strstr (err->message, "point 'boom=true'"));
      assert_non_null (strstr (err->message, "boom!"));
      /* one thread runs in (point, seed) order: the first is seed 1 */
      if (threads[k] == 1)
        assert_non_null (strstr (err->message, "seed 1:"));
      assert_false (g_file_test (out, G_FILE_TEST_EXISTS));
    }
}

int
main (int argc, char **argv)
{
#ifdef __SANITIZE_THREAD__
  /* GLib 2.74's slice allocator hands memory between threads through a
   * lock ThreadSanitizer cannot see (false reports in every slice). It
   * reads G_SLICE before main, hence the re-exec. */
  if (g_getenv ("G_SLICE") == NULL)
    {
      g_setenv ("G_SLICE", "always-malloc", TRUE);
      execv ("/proc/self/exe", argv);
    }
#endif
  (void) argc;
  (void) argv;
  const struct CMUnitTest tests[] = {
    cmocka_unit_test (test_stats_closed_form),
    cmocka_unit_test (test_parse_seeds),
    cmocka_unit_test (test_parse_axis),
    cmocka_unit_test (test_parallel_worlds),
    cmocka_unit_test (test_sweep_threads),
    cmocka_unit_test (test_sweep_progress),
    cmocka_unit_test (test_sweep_failure),
  };
  return cmocka_run_group_tests (tests, setup, teardown);
}
