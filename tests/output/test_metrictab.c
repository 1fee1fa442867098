/* tests/output/test_metrictab.c - the metric table (lib/metrictab.h) is
 * the one source: summary.json's metrics are exactly the table's keys in
 * its order and types; docs/summary.schema.json and the generated tables
 * of docs/results.md and docs/ci.md are byte-identical to what the table
 * generates (fix: `ninja -C build docs-metrics`); compare judges exactly
 * the table's metrics with the table's directions and tolerances; values
 * are rounded for people as documented. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>
#include <glib.h>
#include <json-glib/json-glib.h>

#include "compare.h"
#include "faultline.h"
#include "metrictab.h"
#include "results.h"

static char *
read_source (const char *rel)
{
  const char *src = g_getenv ("FL_SOURCE_DIR");
  g_autofree char *p = g_build_filename (src ? src : ".", rel, NULL);
  char *text = NULL;
  if (!g_file_get_contents (p, &text, NULL, NULL))
    fail_msg ("cannot read %s", p);
  return text;
}

/* The lines between "<!-- BEGIN generated: metric-docs NAME -->" and
 * "<!-- END generated -->" of a doc. Returns: (transfer full). */
static char *
generated_part (const char *doc, const char *name)
{
  g_autofree char *begin = g_strdup_printf (
    "<!-- BEGIN generated: metric-docs %s -->\n", name);
  const char *b = strstr (doc, begin);
  if (b == NULL)
    fail_msg ("no '%s' line", begin);
  b += strlen (begin);
  const char *e = strstr (b, "<!-- END generated -->");
  if (e == NULL)
    fail_msg ("no END line after '%s'", begin);
  return g_strndup (b, (gsize) (e - b));
}

static void
assert_same_text (const char *file, const char *have, const char *want)
{
  if (strcmp (have, want) == 0)
    return;
  size_t i = 0;
  while (have[i] && have[i] == want[i])
    i++;
  size_t line = 1;
  for (size_t k = 0; k < i; k++)
    line += want[k] == '\n';
  fail_msg ("%s disagrees with the metric table from generated line %zu "
            "('%.60s' vs '%.60s'): run `ninja -C build docs-metrics`",
            file, line, have + i, want + i);
}

static void
test_schema_generated (void **state)
{
  g_autofree char *have = read_source ("docs/summary.schema.json");
  g_autofree char *want = metrictab_schema_json ();
  assert_same_text ("docs/summary.schema.json", have, want);
}

static void
test_results_md_generated (void **state)
{
  g_autofree char *doc = read_source ("docs/results.md");
  g_autofree char *have = generated_part (doc, "results");
  g_autofree char *want = metrictab_results_md ();
  assert_same_text ("docs/results.md", have, want);
  /* and the table names every metric */
  size_t n;
  const MetrictabEntry *tab = metrictab_entries (&n);
  for (size_t i = 0; i < n; i++)
    {
      g_autofree char *cell = g_strdup_printf ("| `%s` |", tab[i].name);
      assert_non_null (strstr (have, cell));
    }
}

static void
test_ci_md_generated (void **state)
{
  g_autofree char *doc = read_source ("docs/ci.md");
  g_autofree char *have = generated_part (doc, "ci");
  g_autofree char *want = metrictab_ci_md ();
  assert_same_text ("docs/ci.md", have, want);
}

/* The summary's metrics object has exactly the table's keys, in order,
 * with the table's JSON types. */
static void
test_summary_follows_table (void **state)
{
  Metrics *m = metrics_new ();
  m->ettr = 0.5;
  m->goodput = 0.25;
  m->gpu_availability = 0.75;
  m->mtti_hours = 3.5;
  m->mttr_hours = 9;
  m->lost_gpu_hours = 12.5;
  m->queue_wait_hours_p50 = 0.5;
  m->queue_wait_hours_p99 = 1.5;
  m->detection_latency_minutes_p50 = 2.5;
  m->spares_exhausted_hours = 0.5;
  m->fabric_slowdown_gpu_hours = 0.5;
  m->interruptions = 3;
  m->main_job_ettr = 0.25;
  m->main_job_lost_hours = 1.5;
  m->main_job_completion_hours = 30;
  ResultsRunInfo info = { "0.1.0", "s.lua", NULL, 1, NULL, 0, false, 0, NULL, NULL, 0, NULL, false };
  g_autofree char *text = results_summary_json (&info, m, NULL);
  assert_non_null (text);
  JsonNode *root = json_from_string (text, NULL);
  JsonObject *mo = json_object_get_object_member (json_node_get_object (root),
                                                  "metrics");
  size_t n;
  const MetrictabEntry *tab = metrictab_entries (&n);
  GList *names = json_object_get_members (mo);
  size_t i = 0;
  for (GList *l = names; l != NULL; l = l->next, i++)
    {
      assert_true (i < n);
      assert_string_equal (l->data, tab[i].name);
      JsonNode *v = json_object_get_member (mo, l->data);
      switch (tab[i].kind)
        {
        case METRICTAB_NUMBER:
          /* a whole double is written as an integer ("9"), a JSON number */
          assert_true (JSON_NODE_HOLDS_VALUE (v));
          assert_true (json_node_get_double (v)
                       == metrictab_value (&tab[i], m));
          break;
        case METRICTAB_COUNT:
          assert_int_equal (json_node_get_value_type (v), G_TYPE_INT64);
          assert_true ((double) json_node_get_int (v)
                       == metrictab_value (&tab[i], m));
          break;
        case METRICTAB_BY_CAUSE:
        case METRICTAB_BY_JOB:
          assert_true (JSON_NODE_HOLDS_OBJECT (v));
          break;
        }
    }
  assert_int_equal (i, n);
  g_list_free (names);
  json_node_unref (root);
  metrics_free (m);
}

/* compare judges the table's metrics, its way. */
static void
test_compare_follows_table (void **state)
{
  size_t n;
  const MetrictabEntry *tab = metrictab_entries (&n);
  CompareOptions *opt = compare_options_new ();
  for (size_t i = 0; i < n; i++)
    {
      g_autofree char *spec = g_strdup_printf ("%s=3", tab[i].name);
      GError *error = NULL;
      bool ok = compare_options_set_tolerance (opt, spec, &error);
      assert_int_equal (ok, tab[i].direction != METRICTAB_INFORMATIONAL);
      g_clear_error (&error);
    }
  compare_options_free (opt);
  /* Each judged metric moved a little beyond its default tolerance in its
   * bad direction is a regression; the same move the good way is not. */
  Metrics *m = metrics_new ();
  m->ettr = m->goodput = m->gpu_availability = 0.5;
  m->mtti_hours = m->mttr_hours = 100;
  m->lost_gpu_hours = 1000;
  m->queue_wait_hours_p50 = m->queue_wait_hours_p99 = 100;
  m->detection_latency_minutes_p50 = 100;
  m->spares_exhausted_hours = m->fabric_slowdown_gpu_hours = 1000;
  m->interruptions = m->jobs_completed = 1000;
  m->main_job_ettr = 0.5;
  m->main_job_interruptions = 1000;
  m->main_job_lost_hours = m->main_job_completion_hours = 100;
  ResultsRunInfo info = { "0.1.0", "s.lua", NULL, 1, NULL, 0, false, 0, NULL, NULL, 0, NULL, false };
  g_autofree char *base = results_summary_json (&info, m, NULL);
  for (size_t i = 0; i < n; i++)
    {
      const MetrictabEntry *e = &tab[i];
      if (e->direction == METRICTAB_INFORMATIONAL)
        continue;
      for (int way = -1; way <= 1; way += 2)
        {
          Metrics *c = metrics_new ();
          /* the baseline's values, then the one metric moved */
          for (size_t k = 0; k < n; k++)
            if (tab[k].kind != METRICTAB_BY_CAUSE
                && tab[k].kind != METRICTAB_BY_JOB)
              memcpy ((char *) c + tab[k].offset, (char *) m + tab[k].offset,
                      tab[k].kind == METRICTAB_COUNT ? sizeof (uint64_t)
                                                     : sizeof (double));
          double v = metrictab_value (e, m);
          double bad = e->direction == METRICTAB_HIGHER_BETTER ? -1 : 1;
          double nv = v + way * bad * v * (e->tolerance_pct + 1.0) / 100.0;
          if (e->kind == METRICTAB_COUNT)
            *(uint64_t *) ((char *) c + e->offset) = (uint64_t) llround (nv);
          else
            *(double *) ((char *) c + e->offset) = nv;
          g_autofree char *cand = results_summary_json (&info, c, NULL);
          CompareOptions *o = compare_options_new ();
          Comparison *cmp = compare_texts (base, "b", cand, "c", o, NULL);
          assert_non_null (cmp);
          if (cmp->regression != (way == 1))
            fail_msg ("%s moved %s: regression %d", e->name,
                      way == 1 ? "the bad way" : "the good way",
                      cmp->regression);
          compare_free (cmp);
          compare_options_free (o);
          metrics_free (c);
        }
    }
  metrics_free (m);
}

static void
test_format (void **state)
{
  const MetrictabEntry *ettr = metrictab_find ("ettr");
  const MetrictabEntry *lost = metrictab_find ("lost_gpu_hours");
  const MetrictabEntry *mtti = metrictab_find ("mtti_hours");
  const MetrictabEntry *intr = metrictab_find ("interruptions");
  assert_null (metrictab_find ("nope"));
  g_autofree char *a = metrictab_format (ettr, 0.91234, true);
  assert_string_equal (a, "91.23 %");
  g_autofree char *b = metrictab_format (lost, 1292401.4, true);
  assert_string_equal (b, "1,292,401 GPU-h");
  g_autofree char *c = metrictab_format (mtti, NAN, true);
  assert_string_equal (c, "never");
  g_autofree char *d = metrictab_format (mtti, 3.104, false);
  assert_string_equal (d, "3.10");
  g_autofree char *e = metrictab_format (intr, 419, true);
  assert_string_equal (e, "419");
  g_autofree char *f = metrictab_format (intr, 419.25, true);
  assert_string_equal (f, "419.2");
  g_autofree char *g = metrictab_format (metrictab_find ("mttr_hours"), NAN,
                                         true);
  assert_string_equal (g, "-");
  /* the public API is the same table */
  FlMetricInfo mi;
  size_t n;
  metrictab_entries (&n);
  for (size_t i = 0; i < n; i++)
    assert_true (fl_metric_info (i, &mi));
  assert_false (fl_metric_info (n, &mi));
  g_autofree char *h = fl_metric_format ("ettr", 0.5);
  assert_string_equal (h, "50.00 %");
  assert_null (fl_metric_format ("nope", 1));
}

int
main (void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test (test_schema_generated),
    cmocka_unit_test (test_results_md_generated),
    cmocka_unit_test (test_ci_md_generated),
    cmocka_unit_test (test_summary_follows_table),
    cmocka_unit_test (test_compare_follows_table),
    cmocka_unit_test (test_format),
  };
  return cmocka_run_group_tests (tests, NULL, NULL);
}
