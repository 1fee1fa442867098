/* tests/output/test_promtest.c - the pieces of `faultline promtest`
 * (lib/promtest.h): the OpenMetrics reader's grid and promtool's
 * expanding notation, its errors with file:line, the rule-file reader,
 * and Prometheus durations. The whole command against the real promtool
 * is tests/cli/test_ops_promtest.sh. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <string.h>

#include "faultline.h"
#include "promtest.h"

static PromSeriesSet *
parse (const char *text, GHashTable *want, GError **error)
{
  return prom_series_parse (text, strlen (text), "m.om", want, error);
}

static const char *
values_of (PromSeriesSet *s, const char *selector)
{
  for (guint i = 0; i < prom_series_count (s); i++)
    if (strcmp (prom_series_selector (s, i), selector) == 0)
      return prom_series_values (s, i);
  return NULL;
}

/* Runs of equal values become "vxN" (N+1 values), gaps "_xN" (N missing);
 * the grid is the gcd of the sample times, from the earliest sample. */
static void
test_encoding (void **state)
{
  const char *om =
    "# TYPE a gauge\n"
    "a{x=\"1\"} 5 100.000\n"
    "a{x=\"1\"} 5 100.240\n"
    "a{x=\"1\"} 5 100.480\n"
    "a{x=\"1\"} 7 100.720\n"
    "a{x=\"1\"} 0 101.680\n"   /* index 6: 3 missing */
    "a{x=\"2\"} 1 100.960\n"   /* index 4: 4 missing at the start */
    "a{x=\"2\"} 1 101.200\n"
    "b 3 100.000\n"
    "# EOF\n";
  GError *error = NULL;
  PromSeriesSet *s = parse (om, NULL, &error);
  assert_null (error);
  assert_non_null (s);
  int64_t origin, step, points;
  prom_series_grid (s, &origin, &step, &points);
  assert_int_equal (origin, 100000);
  assert_int_equal (step, 240);
  assert_int_equal (points, 8);
  assert_int_equal (prom_series_count (s), 3);
  assert_string_equal (values_of (s, "a{x=\"1\"}"), "5x2 7 _x3 0");
  assert_string_equal (values_of (s, "a{x=\"2\"}"), "_x4 1x1");
  assert_string_equal (values_of (s, "b"), "3");
  prom_series_free (s);
}

/* Only the wanted names are kept; NaN and infinities are promtool's words. */
static void
test_want_and_special_values (void **state)
{
  const char *om =
    "c_total 1 60\n"
    "c_total 2 120\n"
    "g +Inf 60\n"
    "g NaN 120\n"
    "h 1 60\n"
    "# EOF\n";
  g_autoptr (GHashTable) want = g_hash_table_new (g_str_hash, g_str_equal);
  g_hash_table_add (want, "c_total");
  g_hash_table_add (want, "g");
  GError *error = NULL;
  PromSeriesSet *s = parse (om, want, &error);
  assert_non_null (s);
  assert_int_equal (prom_series_count (s), 2);
  assert_null (values_of (s, "h"));
  assert_string_equal (values_of (s, "c_total"), "1 2");
  assert_string_equal (values_of (s, "g"), "Inf NaN");
  int64_t origin, step, points;
  prom_series_grid (s, &origin, &step, &points);
  assert_int_equal (step, 60000);
  assert_int_equal (points, 2);
  prom_series_free (s);
}

/* Each malformed input is refused with its line. */
static void
test_errors (void **state)
{
  static const struct
  {
    const char *text;
    const char *msg;
  } cases[] = {
    { "a 1 60\n", "m.om:1: no '# EOF'" },
    { "a 1 60\n# EOF\na 2 120\n", "m.om:3: text after '# EOF'" },
    { "a 1 60\n# EOF", "m.om:2: the last line has no newline" },
    { "a 1\n# EOF\n", "m.om:1: expected a timestamp" },
    { "a x 60\n# EOF\n", "m.om:1: expected a number" },
    { "a 0x10 60\n# EOF\n", "m.om:1: expected a number" },
    { "a 1 60 # {} 1\n# EOF\n", "m.om:1: expected the end of the line" },
    { "a{x=1} 1 60\n# EOF\n", "m.om:1: expected =\" after a label name" },
    { "a{x=\"1} 1 60\n# EOF\n", "m.om:1: expected the closing quote" },
    { "a{x=\"\\q\"} 1 60\n# EOF\n", "m.om:1: expected an escape" },
    { "1a 1 60\n# EOF\n", "m.om:1: expected a metric name" },
    { "a 1 60\na 2 60\n# EOF\n", "m.om:2: a goes back in time" },
    { "# hello\n# EOF\n", "m.om:1: a comment other than" },
    { "a 1 1e3\n# EOF\n", "m.om:1: expected a timestamp in decimal seconds" },
    { "a 1 \xff\n# EOF\n", "m.om:1: not UTF-8" },
    { "# EOF\n", "m.om: no samples" },
    { "a 1 0.001\nb 1 100000\nb 1 100000.002\n# EOF\n", "share no scrape interval" },
  };
  for (size_t i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      GError *error = NULL;
      PromSeriesSet *s = parse (cases[i].text, NULL, &error);
      if (s != NULL || error == NULL || strstr (error->message, cases[i].msg) == NULL)
        fail_msg ("case %zu: expected '%s', got '%s'", i, cases[i].msg,
                  error ? error->message : "(no error)");
      assert_true (g_error_matches (error, FL_ERROR, FL_ERROR_INPUT));
      g_error_free (error);
    }
}

static void
test_rules (void **state)
{
  const char *yml =
    "groups:\n"
    "  - name: g\n"
    "    rules:\n"
    "      - record: job:x:sum\n"
    "        expr: sum(x_total)\n"
    "      - alert: High\n"
    "        expr: job:x:sum > on() DCGM_FI_DEV_XID_ERRORS\n"
    "      - alert: High\n"
    "        expr: rate(y[5m]) > 1\n"
    "  - name: h\n"
    "    rules:\n"
    "      - alert: Low\n"
    "        expr: z < 1\n";
  g_autoptr (GPtrArray) alerts = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (GHashTable) idents = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  GError *error = NULL;
  assert_true (prom_rules_parse (yml, strlen (yml), "r.yml", alerts, idents, &error));
  assert_int_equal (alerts->len, 2);
  assert_string_equal (alerts->pdata[0], "High");
  assert_string_equal (alerts->pdata[1], "Low");
  const char *names[] = { "x_total", "job:x:sum", "DCGM_FI_DEV_XID_ERRORS", "y", "z" };
  for (size_t i = 0; i < G_N_ELEMENTS (names); i++)
    assert_true (g_hash_table_contains (idents, names[i]));

  static const struct
  {
    const char *text;
    const char *msg;
  } bad[] = {
    { "groups:\n  - name: [\n", "r.yml:3:1:" },
    { "rules: []\n", "r.yml:1:1: not a Prometheus rule file" },
    { "groups:\n  - name: g\n", "r.yml:2:5: a group without a list 'rules:'" },
    { "groups:\n  - name: g\n    rules:\n      - alert: A\n", "r.yml:4:9: a rule without an 'expr:'" },
    { "groups:\n  - name: g\n    rules:\n      - alert: [1]\n        expr: x\n",
      "r.yml:4:16: an 'alert:' that is not a name" },
    { "groups:\n  - name: g\n    rules:\n      - record: r\n        expr: x\n",
      "r.yml: no alerting rule" },
  };
  for (size_t i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr (GPtrArray) a = g_ptr_array_new_with_free_func (g_free);
      g_autoptr (GHashTable) id = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
      GError *e = NULL;
      bool ok = prom_rules_parse (bad[i].text, strlen (bad[i].text), "r.yml", a, id, &e);
      if (ok || e == NULL || strstr (e->message, bad[i].msg) == NULL)
        fail_msg ("case %zu: expected '%s', got '%s'", i, bad[i].msg,
                  e ? e->message : "(no error)");
      g_error_free (e);
    }
}

/* Format and parse agree, and parse reads promtool's own spellings. */
static void
test_durations (void **state)
{
  static const struct
  {
    int64_t ms;
    const char *text;
  } cases[] = {
    { 0, "0s" }, { 500, "500ms" }, { 60000, "1m" }, { 86400000, "1d" },
    { 86400000 + 6 * 3600000 + 30 * 60000, "1d6h30m" },
    { 90061001, "1d1h1m1s1ms" },
  };
  for (size_t i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *f = prom_duration_format (cases[i].ms);
      assert_string_equal (f, cases[i].text);
      int64_t back = -1;
      assert_true (prom_duration_parse (f, &back));
      assert_int_equal (back, cases[i].ms);
    }
  int64_t ms;
  assert_true (prom_duration_parse ("1w2d", &ms));
  assert_int_equal (ms, INT64_C(9) * 86400000);
  assert_true (prom_duration_parse ("1y", &ms));
  assert_int_equal (ms, INT64_C(365) * 86400000);
  const char *bad[] = { "", "m", "1", "1x", "-1s", "1.5h", "99999999999999999999s" };
  for (size_t i = 0; i < G_N_ELEMENTS (bad); i++)
    assert_false (prom_duration_parse (bad[i], &ms));
}

int
main (void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test (test_encoding),
    cmocka_unit_test (test_want_and_special_values),
    cmocka_unit_test (test_errors),
    cmocka_unit_test (test_rules),
    cmocka_unit_test (test_durations),
  };
  return cmocka_run_group_tests (tests, NULL, NULL);
}
