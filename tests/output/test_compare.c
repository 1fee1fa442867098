/* tests/output/test_compare.c - lib/compare.h on the hand-made pairs of
 * tests/data/compare/ (each file says in its values what it is: within
 * tolerance, a regression, an improvement, malformed) and on summaries
 * built in memory: directions, tolerance overrides and their boundary,
 * null handling, and the Welch interval recomputed here from its formula. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <math.h>

#include <cmocka.h>
#include <glib.h>
#include <glib/gstdio.h>

#include "compare.h"
#include "stats.h"

static char *
data (const char *name)
{
  const char *src = g_getenv ("FL_SOURCE_DIR");
  return g_build_filename (src ? src : ".", "tests", "data", "compare", name,
                           NULL);
}

static Comparison *
cmp_files (const char *b, const char *c, const char *const *tols)
{
  g_autofree char *pb = data (b), *pc = data (c);
  CompareOptions *opt = compare_options_new ();
  for (; tols && *tols; tols++)
    assert_true (compare_options_set_tolerance (opt, *tols, NULL));
  GError *error = NULL;
  Comparison *cmp = compare_files (pb, pc, opt, &error);
  if (cmp == NULL)
    fail_msg ("%s", error->message);
  compare_options_free (opt);
  return cmp;
}

static const CompareRow *
row (const Comparison *c, const char *metric)
{
  for (guint i = 0; i < c->rows->len; i++)
    if (strcmp (g_array_index (c->rows, CompareRow, i).metric, metric) == 0)
      return &g_array_index (c->rows, CompareRow, i);
  fail_msg ("no row %s", metric);
  return NULL;
}

static guint
count (const Comparison *c, CompareVerdict v)
{
  guint n = 0;
  for (guint i = 0; i < c->rows->len; i++)
    {
      const CompareRow *r = &g_array_index (c->rows, CompareRow, i);
      n += r->direction != COMPARE_INFORMATIONAL && r->verdict == v;
    }
  return n;
}

static void
test_within (void **state)
{
  Comparison *c = cmp_files ("baseline.json", "within.json", NULL);
  assert_false (c->regression);
  assert_int_equal (count (c, COMPARE_REGRESSION), 0);
  const CompareRow *r = row (c, "ettr");
  assert_true (r->change < 0);
  assert_int_equal (r->verdict, COMPARE_OK);
  /* failures is informational even though it changed. */
  assert_int_equal (row (c, "failures")->direction, COMPARE_INFORMATIONAL);
  assert_non_null (row (c, "interruptions_by_cause.Faulty GPU"));
  compare_free (c);
}

static void
test_regression_and_override (void **state)
{
  Comparison *c = cmp_files ("baseline.json", "regression.json", NULL);
  assert_true (c->regression);
  assert_int_equal (row (c, "ettr")->verdict, COMPARE_REGRESSION);
  assert_int_equal (row (c, "lost_gpu_hours")->verdict, COMPARE_REGRESSION);
  assert_int_equal (count (c, COMPARE_REGRESSION), 2);
  double pct = row (c, "ettr")->change_pct;
  assert_true (fabs (pct - 100.0 * (0.90 - 0.92) / 0.92) < 1e-9);
  g_autofree char *table = compare_format_table (c);
  assert_non_null (strstr (table, "REGRESSION"));
  compare_free (c);
  /* Loosened tolerances: no regression. At exactly the change it is still
   * within tolerance (the rule is "worse by more than"). */
  const char *loose[] = { "ettr=3", "lost_gpu_hours=15%", NULL };
  c = cmp_files ("baseline.json", "regression.json", loose);
  assert_false (c->regression);
  compare_free (c);
  const char *tight[] = { "ettr=2", "lost_gpu_hours=15", NULL };
  c = cmp_files ("baseline.json", "regression.json", tight);
  assert_true (c->regression);
  assert_int_equal (row (c, "ettr")->verdict, COMPARE_REGRESSION);
  assert_int_equal (row (c, "lost_gpu_hours")->verdict, COMPARE_OK);
  compare_free (c);
}

static void
test_improved (void **state)
{
  Comparison *c = cmp_files ("baseline.json", "improved.json", NULL);
  assert_false (c->regression);
  assert_int_equal (row (c, "ettr")->verdict, COMPARE_IMPROVED);
  assert_int_equal (row (c, "mttr_hours")->verdict, COMPARE_IMPROVED);
  assert_int_equal (row (c, "interruptions")->verdict, COMPARE_IMPROVED);
  /* Swapped, the same file is a regression on the same metrics. */
  Comparison *s = cmp_files ("improved.json", "baseline.json", NULL);
  assert_true (s->regression);
  assert_int_equal (row (s, "mttr_hours")->verdict, COMPARE_REGRESSION);
  compare_free (s);
  compare_free (c);
}

/* A summary text whose metrics all equal base except one. */
static char *
summary_with (const char *metric, const char *value)
{
  static const char *const names[] = {
    "ettr", "goodput", "gpu_availability", "interruptions", "mtti_hours",
    "mttr_hours", "lost_gpu_hours", "jobs_completed", "queue_wait_hours_p50",
    "queue_wait_hours_p99", "detection_latency_minutes_p50",
    "spares_exhausted_hours", "fabric_slowdown_gpu_hours", "failures",
  };
  GString *s = g_string_new ("{\"metrics\": {");
  for (size_t i = 0; i < G_N_ELEMENTS (names); i++)
    g_string_append_printf (s, "%s\"%s\": %s", i ? ", " : "", names[i],
                            metric && strcmp (metric, names[i]) == 0
                              ? value : "100");
  g_string_append (s, "}}");
  return g_string_free (s, FALSE);
}

static CompareVerdict
verdict_of (const char *metric, const char *base, const char *cand)
{
  g_autofree char *b = summary_with (metric, base);
  g_autofree char *c = summary_with (metric, cand);
  CompareOptions *opt = compare_options_new ();
  Comparison *cmp = compare_texts (b, "b", c, "c", opt, NULL);
  assert_non_null (cmp);
  CompareVerdict v = row (cmp, metric)->verdict;
  assert_int_equal (cmp->regression, v == COMPARE_REGRESSION);
  compare_free (cmp);
  compare_options_free (opt);
  return v;
}

static void
test_directions (void **state)
{
  static const char *const higher[] = { "ettr", "goodput",
                                        "gpu_availability", "jobs_completed",
                                        "mtti_hours" };
  static const char *const lower[] = {
    "interruptions", "mttr_hours", "lost_gpu_hours", "queue_wait_hours_p50",
    "queue_wait_hours_p99", "detection_latency_minutes_p50",
    "spares_exhausted_hours", "fabric_slowdown_gpu_hours" };
  for (size_t i = 0; i < G_N_ELEMENTS (higher); i++)
    {
      assert_int_equal (verdict_of (higher[i], "100", "50"),
                        COMPARE_REGRESSION);
      assert_int_equal (verdict_of (higher[i], "100", "200"),
                        COMPARE_IMPROVED);
    }
  for (size_t i = 0; i < G_N_ELEMENTS (lower); i++)
    {
      assert_int_equal (verdict_of (lower[i], "100", "200"),
                        COMPARE_REGRESSION);
      assert_int_equal (verdict_of (lower[i], "100", "50"),
                        COMPARE_IMPROVED);
    }
  /* Informational: never a verdict. */
  assert_int_equal (verdict_of ("failures", "100", "1000"), COMPARE_OK);
  /* Nulls: both null is no change; mtti null is "never interrupted". */
  assert_int_equal (verdict_of ("ettr", "null", "null"), COMPARE_OK);
  assert_int_equal (verdict_of ("ettr", "0.9", "null"), COMPARE_NA);
  assert_int_equal (verdict_of ("mtti_hours", "null", "5"),
                    COMPARE_REGRESSION);
  assert_int_equal (verdict_of ("mtti_hours", "5", "null"), COMPARE_IMPROVED);
  /* Absolute floor: baseline 0, one extra hour of queue wait of 0.005 h
   * is below the 0.01 h floor; 1 h is not. */
  assert_int_equal (verdict_of ("queue_wait_hours_p50", "0", "0.005"),
                    COMPARE_OK);
  assert_int_equal (verdict_of ("queue_wait_hours_p50", "0", "1"),
                    COMPARE_REGRESSION);
}

static double
mean_of (const double *x, int n)
{
  double s = 0;
  for (int i = 0; i < n; i++)
    s += x[i];
  return s / n;
}

static double
var_of (const double *x, int n)
{
  double m = mean_of (x, n), s = 0;
  for (int i = 0; i < n; i++)
    s += (x[i] - m) * (x[i] - m);
  return s / (n - 1);
}

static void
test_replicas_welch (void **state)
{
  /* The ettr values of replicas-base.json and replicas-*.json. */
  const double base[] = { 0.92, 0.93, 0.91, 0.92, 0.92 };
  const double noisy[] = { 0.88, 0.93, 0.95, 0.87, 0.92 };
  const double worse[] = { 0.890, 0.893, 0.887, 0.891, 0.889 };
  const double *cands[] = { noisy, worse };
  const char *files[] = { "replicas-noisy.json", "replicas-worse.json" };
  for (int k = 0; k < 2; k++)
    {
      Comparison *c = cmp_files ("replicas-base.json", files[k], NULL);
      const CompareRow *r = row (c, "ettr");
      assert_int_equal (r->n_baseline, 5);
      assert_int_equal (r->n_candidate, 5);
      double qb = var_of (base, 5) / 5, qc = var_of (cands[k], 5) / 5;
      double df = (qb + qc) * (qb + qc) / (qb * qb / 4 + qc * qc / 4);
      double hw = stats_t95 ((uint64_t) floor (df)) * sqrt (qb + qc);
      double d = mean_of (cands[k], 5) - mean_of (base, 5);
      assert_true (fabs (r->change - d) < 1e-12);
      assert_true (fabs (r->ci95_low - (d - hw)) < 1e-12);
      assert_true (fabs (r->ci95_high - (d + hw)) < 1e-12);
      /* Regression iff the whole interval is worse than the tolerance. */
      double margin = MAX (0.01 * mean_of (base, 5), 0.001);
      assert_int_equal (r->verdict == COMPARE_REGRESSION,
                        d + hw < -margin);
      compare_free (c);
    }
  /* The two files were made so that both branches are taken: the noisy
   * mean is worse than 1% but its interval reaches past it. */
  Comparison *c = cmp_files ("replicas-base.json", "replicas-noisy.json",
                             NULL);
  assert_true (row (c, "ettr")->change_pct < -1.0);
  assert_false (c->regression);
  compare_free (c);
  c = cmp_files ("replicas-base.json", "replicas-worse.json", NULL);
  assert_true (c->regression);
  compare_free (c);
}

static void
expect_error (const char *b, const char *c, const char *needle)
{
  g_autofree char *pb = data (b), *pc = data (c);
  CompareOptions *opt = compare_options_new ();
  GError *error = NULL;
  assert_null (compare_files (pb, pc, opt, &error));
  assert_non_null (error);
  if (strstr (error->message, needle) == NULL)
    fail_msg ("'%s' not in '%s'", needle, error->message);
  g_error_free (error);
  compare_options_free (opt);
}

static void
test_bad_input (void **state)
{
  expect_error ("baseline.json", "malformed.json", "malformed.json");
  expect_error ("baseline.json", "nometrics.json", "nometrics.json");
  expect_error ("missing-goodput.json", "baseline.json", "metrics.goodput");
  expect_error ("baseline.json", "string-ettr.json", "metrics.ettr");
  expect_error ("baseline.json", "no-such-file.json", "no-such-file.json");
  CompareOptions *opt = compare_options_new ();
  static const char *const bad[] = { "ettr", "=1", "ettr=", "ettr=-1",
                                     "ettr=abc", "nosuch=1", "failures=1" };
  for (size_t i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      GError *error = NULL;
      assert_false (compare_options_set_tolerance (opt, bad[i], &error));
      assert_non_null (strstr (error->message, bad[i]));
      g_error_free (error);
    }
  compare_options_free (opt);
}

static void
test_folder_and_json (void **state)
{
  /* A run folder holding summary.json is read like the file. */
  g_autofree char *d = g_dir_make_tmp ("fl-cmp-XXXXXX", NULL);
  g_autofree char *src = data ("regression.json");
  g_autofree char *text = NULL;
  assert_true (g_file_get_contents (src, &text, NULL, NULL));
  g_autofree char *dst = g_build_filename (d, "summary.json", NULL);
  assert_true (g_file_set_contents (dst, text, -1, NULL));
  g_autofree char *pb = data ("baseline.json");
  CompareOptions *opt = compare_options_new ();
  Comparison *c = compare_files (pb, d, opt, NULL);
  assert_non_null (c);
  assert_true (c->regression);
  assert_string_equal (c->candidate_path, dst);
  g_autofree char *json = compare_format_json (c);
  assert_non_null (strstr (json, "\"regression\": true"));
  assert_non_null (strstr (json, "\"verdict\": \"REGRESSION\""));
  compare_free (c);
  compare_options_free (opt);
  g_unlink (dst);
  g_rmdir (d);
}

int
main (void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test (test_within),
    cmocka_unit_test (test_regression_and_override),
    cmocka_unit_test (test_improved),
    cmocka_unit_test (test_directions),
    cmocka_unit_test (test_replicas_welch),
    cmocka_unit_test (test_bad_input),
    cmocka_unit_test (test_folder_and_json),
  };
  return cmocka_run_group_tests (tests, NULL, NULL);
}
