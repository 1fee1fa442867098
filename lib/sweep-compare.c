/* lib/sweep-compare.c - two sweep folders compared point by point (see
 * sweep-compare.h). The verdicts are lib/compare.c's on each point's
 * summary.json; this file only pairs the points, adds each side's CI from
 * sweep.json and formats. Not here: the rule itself (compare.c). */
#include "sweep-compare.h"

#include <math.h>
#include <string.h>

#include <json-glib/json-glib.h>

#include "infile.h"
#include "results.h"

bool
sweep_compare_is_sweep (const char *path)
{
  g_autofree char *p = g_build_filename (path, "sweep.json", NULL);
  return g_file_test (path, G_FILE_TEST_IS_DIR)
         && g_file_test (p, G_FILE_TEST_IS_REGULAR);
}

static void
sweep_compare_point_free (gpointer data)
{
  SweepComparePoint *p = data;
  g_free (p->point);
  compare_free (p->cmp);
  g_free (p->base_low);
  g_free (p->base_high);
  g_free (p->cand_low);
  g_free (p->cand_high);
  g_free (p);
}

void
sweep_compare_free (SweepComparison *c)
{
  if (c == NULL)
    return;
  g_free (c->baseline);
  g_free (c->candidate);
  g_ptr_array_unref (c->points);
  g_ptr_array_unref (c->only_baseline);
  g_ptr_array_unref (c->only_candidate);
  g_free (c);
}

/* sweep.json's points: name -> metrics object. The parser owns them. */
static GHashTable *
sweep_compare_load (const char *dir, JsonParser *p, GPtrArray *order,
                    GError **error)
{
  g_autofree char *path = g_build_filename (dir, "sweep.json", NULL);
  GError *err = NULL;
  if (!infile_load_json (p, path, "sweep.json", &err))
    {
      g_set_error_literal (error, COMPARE_ERROR, COMPARE_ERROR_INVALID,
                           err->message);
      g_error_free (err);
      return NULL;
    }
  JsonNode *root = json_parser_get_root (p);
  JsonObject *o = root && JSON_NODE_HOLDS_OBJECT (root)
                  ? json_node_get_object (root) : NULL;
  JsonNode *pts = o ? json_object_get_member (o, "points") : NULL;
  if (pts == NULL || !JSON_NODE_HOLDS_ARRAY (pts))
    {
      g_set_error (error, COMPARE_ERROR, COMPARE_ERROR_INVALID,
                   "%s: not a sweep.json (no \"points\" array)", path);
      return NULL;
    }
  GHashTable *h = g_hash_table_new (g_str_hash, g_str_equal);
  JsonArray *a = json_node_get_array (pts);
  for (guint i = 0; i < json_array_get_length (a); i++)
    {
      JsonNode *e = json_array_get_element (a, i);
      JsonObject *po = JSON_NODE_HOLDS_OBJECT (e) ? json_node_get_object (e)
                                                  : NULL;
      JsonNode *name = po ? json_object_get_member (po, "name") : NULL;
      JsonNode *m = po ? json_object_get_member (po, "metrics") : NULL;
      if (name == NULL || json_node_get_value_type (name) != G_TYPE_STRING
          || m == NULL || !JSON_NODE_HOLDS_OBJECT (m))
        {
          g_set_error (error, COMPARE_ERROR, COMPARE_ERROR_INVALID,
                       "%s: point %u has no name or metrics", path, i + 1);
          g_hash_table_unref (h);
          return NULL;
        }
      const char *n = json_node_get_string (name);
      g_hash_table_insert (h, (gpointer) n, json_node_get_object (m));
      if (order != NULL)
        g_ptr_array_add (order, (gpointer) n);
    }
  return h;
}

/* The CI bound of metric `key` in a point's sweep.json metrics, or NaN. */
static double
sweep_compare_ci (JsonObject *m, const char *key, const char *bound)
{
  JsonNode *n = m ? json_object_get_member (m, key) : NULL;
  if (n == NULL || !JSON_NODE_HOLDS_OBJECT (n))
    return NAN;
  JsonNode *v = json_object_get_member (json_node_get_object (n), bound);
  if (v == NULL || !JSON_NODE_HOLDS_VALUE (v))
    return NAN;
  return json_node_get_double (v);
}

SweepComparison *
sweep_compare_dirs (const char *baseline, const char *candidate,
                    const CompareOptions *opt, GError **error)
{
  for (int k = 0; k < 2; k++)
    if (!sweep_compare_is_sweep (k ? candidate : baseline))
      {
        g_set_error (error, COMPARE_ERROR, COMPARE_ERROR_INVALID,
                     "%s: not a sweep folder (no sweep.json); compare two "
                     "sweep folders, or two runs", k ? candidate : baseline);
        return NULL;
      }
  g_autoptr (JsonParser) pb = json_parser_new ();
  g_autoptr (JsonParser) pc = json_parser_new ();
  g_autoptr (GPtrArray) order = g_ptr_array_new ();
  g_autoptr (GPtrArray) corder = g_ptr_array_new ();
  g_autoptr (GHashTable) hb = sweep_compare_load (baseline, pb, order, error);
  if (hb == NULL)
    return NULL;
  g_autoptr (GHashTable) hc = sweep_compare_load (candidate, pc, corder,
                                                  error);
  if (hc == NULL)
    return NULL;
  SweepComparison *c = g_new0 (SweepComparison, 1);
  c->baseline = g_strdup (baseline);
  c->candidate = g_strdup (candidate);
  c->points = g_ptr_array_new_with_free_func (sweep_compare_point_free);
  c->only_baseline = g_ptr_array_new_with_free_func (g_free);
  c->only_candidate = g_ptr_array_new_with_free_func (g_free);
  for (guint i = 0; i < corder->len; i++)
    if (!g_hash_table_contains (hb, corder->pdata[i]))
      g_ptr_array_add (c->only_candidate, g_strdup (corder->pdata[i]));
  for (guint i = 0; i < order->len; i++)
    {
      const char *name = order->pdata[i];
      JsonObject *mc = g_hash_table_lookup (hc, name);
      if (mc == NULL)
        {
          g_ptr_array_add (c->only_baseline, g_strdup (name));
          continue;
        }
      JsonObject *mb = g_hash_table_lookup (hb, name);
      g_autofree char *fb = g_build_filename (baseline, name, "summary.json",
                                              NULL);
      g_autofree char *fc = g_build_filename (candidate, name,
                                              "summary.json", NULL);
      Comparison *cmp = compare_files (fb, fc, opt, error);
      if (cmp == NULL)
        {
          sweep_compare_free (c);
          return NULL;
        }
      SweepComparePoint *p = g_new0 (SweepComparePoint, 1);
      p->point = g_strdup (name);
      p->cmp = cmp;
      guint n = cmp->rows->len;
      p->base_low = g_new (double, MAX (n, 1));
      p->base_high = g_new (double, MAX (n, 1));
      p->cand_low = g_new (double, MAX (n, 1));
      p->cand_high = g_new (double, MAX (n, 1));
      for (guint r = 0; r < n; r++)
        {
          const char *metric = g_array_index (cmp->rows, CompareRow, r).metric;
          p->base_low[r] = sweep_compare_ci (mb, metric, "ci95_low");
          p->base_high[r] = sweep_compare_ci (mb, metric, "ci95_high");
          p->cand_low[r] = sweep_compare_ci (mc, metric, "ci95_low");
          p->cand_high[r] = sweep_compare_ci (mc, metric, "ci95_high");
        }
      c->regression = c->regression || cmp->regression;
      g_ptr_array_add (c->points, p);
    }
  if (c->points->len == 0)
    {
      g_set_error (error, COMPARE_ERROR, COMPARE_ERROR_INVALID,
                   "%s and %s have no grid point in common (points are "
                   "matched by name, e.g. spares=64)", baseline, candidate);
      sweep_compare_free (c);
      return NULL;
    }
  return c;
}

/* "0.912 [0.90, 0.92]" in a 28-wide cell. */
static void
sweep_compare_cell (GString *o, double v, double lo, double hi)
{
  char buf[64];
  if (isnan (v))
    g_snprintf (buf, sizeof buf, "null");
  else if (isnan (lo))
    g_snprintf (buf, sizeof buf, "%.4g", v);
  else
    g_snprintf (buf, sizeof buf, "%.4g [%.4g, %.4g]", v, lo, hi);
  g_string_append_printf (o, " %-30s", buf);
}

char *
sweep_compare_format_table (const SweepComparison *c)
{
  g_return_val_if_fail (c != NULL, NULL);
  GString *o = g_string_new (NULL);
  g_string_append_printf (o, "baseline:  %s\ncandidate: %s\n\n", c->baseline,
                          c->candidate);
  g_string_append_printf (o, "%-28s %-26s %-30s %-30s %-28s %s\n", "point",
                          "metric", "baseline mean [95% CI]",
                          "candidate mean [95% CI]",
                          "change [95% CI of change]", "verdict");
  for (guint i = 0; i < c->points->len; i++)
    {
      const SweepComparePoint *p = c->points->pdata[i];
      for (guint r = 0; r < p->cmp->rows->len; r++)
        {
          const CompareRow *row = &g_array_index (p->cmp->rows, CompareRow, r);
          bool show = strcmp (row->metric, "ettr") == 0
                      || (row->direction != COMPARE_INFORMATIONAL
                          && row->verdict != COMPARE_OK);
          if (!show)
            continue;
          g_string_append_printf (o, "%-28s %-26s", p->point, row->metric);
          sweep_compare_cell (o, row->baseline, p->base_low[r],
                              p->base_high[r]);
          sweep_compare_cell (o, row->candidate, p->cand_low[r],
                              p->cand_high[r]);
          char buf[64];
          if (isnan (row->change))
            g_snprintf (buf, sizeof buf, "-");
          else if (isnan (row->ci95_low))
            g_snprintf (buf, sizeof buf, "%+.4g", row->change);
          else
            g_snprintf (buf, sizeof buf, "%+.4g [%+.4g, %+.4g]", row->change,
                        row->ci95_low, row->ci95_high);
          g_string_append_printf (o, " %-28s %s\n", buf,
                                  row->direction == COMPARE_INFORMATIONAL
                                  ? "-" : compare_verdict_name (row->verdict));
        }
    }
  for (guint i = 0; i < c->only_baseline->len; i++)
    g_string_append_printf (o, "%-28s only in the baseline: not compared\n",
                            (char *) c->only_baseline->pdata[i]);
  for (guint i = 0; i < c->only_candidate->len; i++)
    g_string_append_printf (o, "%-28s only in the candidate: not compared\n",
                            (char *) c->only_candidate->pdata[i]);
  guint bad = 0;
  for (guint i = 0; i < c->points->len; i++)
    bad += ((SweepComparePoint *) c->points->pdata[i])->cmp->regression;
  if (c->regression)
    g_string_append_printf (o, "\nREGRESSION at %u of %u points: a metric's "
                            "whole 95%% CI of change is worse than its "
                            "tolerance\n", bad, c->points->len);
  else
    g_string_append_printf (o, "\nno regression beyond tolerance at %u "
                            "point%s\n", c->points->len,
                            c->points->len == 1 ? "" : "s");
  return g_string_free (o, FALSE);
}

char *
sweep_compare_format_json (const SweepComparison *c)
{
  g_return_val_if_fail (c != NULL, NULL);
  g_autoptr (JsonBuilder) b = json_builder_new ();
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "baseline");
  json_builder_add_string_value (b, c->baseline);
  json_builder_set_member_name (b, "candidate");
  json_builder_add_string_value (b, c->candidate);
  json_builder_set_member_name (b, "regression");
  json_builder_add_boolean_value (b, c->regression);
  json_builder_set_member_name (b, "points");
  json_builder_begin_array (b);
  for (guint i = 0; i < c->points->len; i++)
    {
      const SweepComparePoint *p = c->points->pdata[i];
      /* compare.c's JSON of the point, with each side's CI added */
      g_autofree char *text = compare_format_json (p->cmp);
      g_autoptr (JsonParser) jp = json_parser_new ();
      if (!json_parser_load_from_data (jp, text, -1, NULL))
        g_assert_not_reached ();
      JsonObject *po = json_node_get_object (json_parser_get_root (jp));
      JsonArray *rows = json_object_get_array_member (po, "metrics");
      for (guint r = 0; r < json_array_get_length (rows); r++)
        {
          JsonObject *ro = json_array_get_object_element (rows, r);
          const double v[4] = { p->base_low[r], p->base_high[r],
                                p->cand_low[r], p->cand_high[r] };
          const char *k[4] = { "baseline_ci95_low", "baseline_ci95_high",
                               "candidate_ci95_low", "candidate_ci95_high" };
          for (int q = 0; q < 4; q++)
            if (isnan (v[q]))
              json_object_set_null_member (ro, k[q]);
            else
              json_object_set_double_member (ro, k[q], v[q]);
        }
      json_builder_begin_object (b);
      json_builder_set_member_name (b, "point");
      json_builder_add_string_value (b, p->point);
      json_builder_set_member_name (b, "regression");
      json_builder_add_boolean_value (b, p->cmp->regression);
      json_builder_set_member_name (b, "metrics");
      json_builder_add_value (b, json_node_copy (
          json_object_get_member (po, "metrics")));
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
  const GPtrArray *only[2] = { c->only_baseline, c->only_candidate };
  const char *names[2] = { "only_baseline", "only_candidate" };
  for (int k = 0; k < 2; k++)
    {
      json_builder_set_member_name (b, names[k]);
      json_builder_begin_array (b);
      for (guint i = 0; i < only[k]->len; i++)
        json_builder_add_string_value (b, only[k]->pdata[i]);
      json_builder_end_array (b);
    }
  json_builder_end_object (b);
  g_autoptr (JsonNode) root = json_builder_get_root (b);
  return results_json_to_string (root, true);
}
