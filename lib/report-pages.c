/* lib/report-pages.c - the report of a sweep folder and the comparison
 * page of two runs or two sweeps (see report.h). The numbers come from
 * sweep.json (lib/sweep-aggregate.c) and lib/compare.h; this file only
 * lays them out, with the metric table's labels, units and rounding. */
#include "report-int.h"
#include "compare.h"
#include "plots.h"
#include "sweep-compare.h"

#include <math.h>
#include <string.h>

bool
report_is_sweep (const char *dir)
{
  g_autofree char *p = g_build_filename (dir, "sweep.json", NULL);
  return g_file_test (dir, G_FILE_TEST_IS_DIR)
         && g_file_test (p, G_FILE_TEST_IS_REGULAR);
}

/* ---- a sweep ---- */

/* The statistics object of metric NAME at point PO, or NULL. */
static JsonObject *
report_point_stats (JsonObject *po, const char *name)
{
  JsonNode *m = json_object_get_member (po, "metrics");
  if (m == NULL || !JSON_NODE_HOLDS_OBJECT (m))
    return NULL;
  JsonNode *st = json_object_get_member (json_node_get_object (m), name);
  return st && JSON_NODE_HOLDS_OBJECT (st) ? json_node_get_object (st) : NULL;
}

/* A cell "mean ± half the 95% CI" (a person reads the mean first; the
 * interval is in the point's own table). */
static void
report_mean_ci_td (GString *s, const MetrictabEntry *e, JsonObject *st)
{
  double mean = report_number (st, "mean");
  double lo = report_number (st, "ci95_low");
  double hi = report_number (st, "ci95_high");
  if (st == NULL || (isnan (mean) && !e->null_is_infinite))
    {
      g_string_append (s, "<td class=\"na\" title=\"not measured\">-</td>");
      return;
    }
  g_autofree char *m = metrictab_format (e, mean, true);
  g_string_append (s, "<td class=\"num\">");
  report_esc (s, m);
  if (isfinite (lo) && isfinite (hi))
    {
      g_autofree char *h = metrictab_format (e, (hi - lo) / 2, false);
      g_string_append (s, " <small class=\"note\">&plusmn;&nbsp;");
      report_esc (s, h);
      g_string_append (s, "</small>");
    }
  g_string_append (s, "</td>");
}

static const char *
report_point_name (JsonObject *po)
{
  return json_object_get_string_member_with_default (po, "name", "?");
}

bool
report_write_sweep (const char *dir, const char *out_path, GError **error)
{
  g_return_val_if_fail (dir != NULL, false);
  g_autofree char *jpath = g_build_filename (dir, "sweep.json", NULL);
  g_autoptr (JsonParser) parser = json_parser_new ();
  JsonObject *o = report_load_object (parser, jpath, "sweep.json", error);
  if (o == NULL)
    return false;
  JsonNode *pn = json_object_get_member (o, "points");
  JsonArray *pts = pn && JSON_NODE_HOLDS_ARRAY (pn) ? json_node_get_array (pn)
                                                    : NULL;
  if (pts == NULL || json_array_get_length (pts) == 0)
    {
      g_set_error (error, REPORT_ERROR, REPORT_ERROR_INPUT,
                   "%s: no \"points\": is it the sweep.json of `faultline "
                   "sweep`?", jpath);
      return false;
    }
  guint np = json_array_get_length (pts);
  for (guint i = 0; i < np; i++)
    if (!JSON_NODE_HOLDS_OBJECT (json_array_get_element (pts, i)))
      {
        g_set_error (error, REPORT_ERROR, REPORT_ERROR_INPUT,
                     "%s: point %u is not an object", jpath, i + 1);
        return false;
      }
  g_autofree char *name = report_scenario_name (
      json_object_get_string_member_with_default (o, "scenario", NULL));
  g_autofree char *title = g_strdup_printf ("faultline sweep report: %s",
                                            name);
  g_autoptr (GString) s = report_page_begin (title, title);

  /* What ran: points x seeds, the grid, the --set values. */
  JsonNode *sn = json_object_get_member (o, "seeds");
  guint nseeds = sn && JSON_NODE_HOLDS_ARRAY (sn)
                 ? json_array_get_length (json_node_get_array (sn)) : 0;
  double reps = report_number (o, "replicas");
  g_string_append_printf (s, "<p class=\"meta\">%u point%s &times; %u "
                          "seed%s = %.0f replicas", np, np == 1 ? "" : "s",
                          nseeds, nseeds == 1 ? "" : "s",
                          isfinite (reps) ? reps : (double) np * nseeds);
  JsonNode *gn = json_object_get_member (o, "grid");
  JsonObject *grid = gn && JSON_NODE_HOLDS_OBJECT (gn)
                     ? json_node_get_object (gn) : NULL;
  g_autoptr (GList) axes = grid ? json_object_get_members (grid) : NULL;
  for (GList *l = axes; l != NULL; l = l->next)
    {
      JsonNode *vn = json_object_get_member (grid, l->data);
      g_string_append (s, l == axes ? " &middot; grid: <code>"
                                    : "; <code>");
      report_esc (s, l->data);
      g_string_append (s, "</code> = ");
      JsonArray *va = JSON_NODE_HOLDS_ARRAY (vn) ? json_node_get_array (vn)
                                                 : NULL;
      for (guint k = 0; va != NULL && k < json_array_get_length (va); k++)
        {
          JsonNode *e = json_array_get_element (va, k);
          if (k > 0)
            g_string_append (s, ", ");
          if (JSON_NODE_HOLDS_VALUE (e)
              && json_node_get_value_type (e) == G_TYPE_STRING)
            report_esc (s, json_node_get_string (e));
        }
    }
  const char *ver = json_object_get_string_member_with_default (
      o, "faultline_version", NULL);
  if (ver != NULL)
    {
      g_string_append (s, " &middot; faultline ");
      report_esc (s, ver);
    }
  g_string_append (s, " &middot; sweep folder <code>");
  report_esc (s, dir);
  g_string_append (s, "</code></p>\n");
  JsonNode *setn = json_object_get_member (o, "sets");
  JsonArray *sets = setn && JSON_NODE_HOLDS_ARRAY (setn)
                    ? json_node_get_array (setn) : NULL;
  if (sets != NULL && json_array_get_length (sets) > 0)
    {
      g_string_append (s, "<div class=\"changed\" id=\"params\"><b>Set at "
                       "every point (<code>--set</code>):</b><ul>\n");
      for (guint k = 0; k < json_array_get_length (sets); k++)
        {
          JsonNode *e = json_array_get_element (sets, k);
          g_string_append (s, "<li><code>");
          if (JSON_NODE_HOLDS_VALUE (e)
              && json_node_get_value_type (e) == G_TYPE_STRING)
            report_esc (s, json_node_get_string (e));
          g_string_append (s, "</code></li>\n");
        }
      g_string_append (s, "</ul></div>\n");
    }
  else
    g_string_append (s, "<p class=\"note\" id=\"params\">No "
                     "<code>--set</code>: every parameter but the grid's at "
                     "the scenario's default.</p>\n");

  /* Headline: a row per point, a column per headline metric. */
  size_t n;
  const MetrictabEntry *tab = metrictab_entries (&n);
  JsonObject *p0 = json_array_get_object_element (pts, 0);
  g_string_append (s, "<h2 id=\"headline\">Headline</h2>\n"
                   "<div class=\"wide\"><table class=\"headline compact\" "
                   "id=\"headline-table\"><tr><th>point</th>");
  for (size_t i = 0; i < n; i++)
    if (tab[i].headline && report_point_stats (p0, tab[i].name) != NULL)
      {
        g_string_append (s, "<th title=\"");
        report_esc (s, tab[i].summary);
        g_string_append (s, "\">");
        report_esc (s, tab[i].label);
        g_string_append_printf (s, " <small>(%s)</small></th>",
                                metrictab_direction_name (tab[i].direction));
      }
  g_string_append (s, "</tr>\n");
  for (guint p = 0; p < np; p++)
    {
      JsonObject *po = json_array_get_object_element (pts, p);
      g_string_append_printf (s, "<tr><th><a href=\"#point-%u\">", p + 1);
      report_esc (s, report_point_name (po));
      g_string_append (s, "</a></th>");
      for (size_t i = 0; i < n; i++)
        if (tab[i].headline && report_point_stats (p0, tab[i].name) != NULL)
          report_mean_ci_td (s, &tab[i], report_point_stats (po,
                                                             tab[i].name));
      g_string_append (s, "</tr>\n");
    }
  g_string_append_printf (s, "</table></div>\n<p class=\"note\">Mean over "
                          "the %u seeds of each point &plusmn; half the 95%% "
                          "confidence interval of the mean (docs/sweep.md); "
                          "the interval itself is in the point's table.</p>\n",
                          nseeds);

  /* The sweep's plots: each headline metric against the first axis. */
  g_string_append (s, "<h2 id=\"plots\">Plots</h2>\n");
  size_t shown = 0;
  for (size_t i = 0; i < n; i++)
    {
      if (!tab[i].headline)
        continue;
      g_autofree char *png = g_strdup_printf ("%s/plots/%s.png", dir,
                                              tab[i].name);
      g_autofree char *id = g_strdup_printf ("plot-%s", tab[i].name);
      g_autofree char *cap = g_strdup_printf (
          "%c%s against the first grid axis: the mean (line) and its 95%% "
          "CI (band), one line per value of the other axes.",
          g_ascii_toupper (tab[i].label[0]), tab[i].label + 1);
      bool found;
      if (!report_figure (s, png, id, tab[i].name, cap, &found, error))
        return false;
      shown += found;
    }
  if (shown == 0)
    g_string_append (s, "<p class=\"note\">No plots: a sweep plots its "
                     "metrics against its first <code>--grid</code> axis, "
                     "so a sweep without a grid has none (and without "
                     "gnuplot only their data and scripts are "
                     "written).</p>\n");

  /* A table per point. */
  g_string_append (s, "<h2 id=\"points\">Points</h2>\n");
  for (guint p = 0; p < np; p++)
    {
      JsonObject *po = json_array_get_object_element (pts, p);
      g_string_append_printf (s, "<h3 id=\"point-%u\">", p + 1);
      report_esc (s, report_point_name (po));
      g_string_append (s, "</h3>\n<table class=\"point\"><tr><th>metric</th>"
                       "<th>mean</th><th>95% CI</th><th>sd</th><th>min</th>"
                       "<th>max</th><th>n</th></tr>\n");
      for (size_t i = 0; i < n; i++)
        {
          JsonObject *st = report_point_stats (po, tab[i].name);
          if (st == NULL)
            continue;
          g_string_append (s, "<tr><th>");
          report_esc (s, tab[i].label);
          g_string_append (s, "</th>");
          report_metric_td (s, &tab[i], report_number (st, "mean"));
          double lo = report_number (st, "ci95_low");
          double hi = report_number (st, "ci95_high");
          if (isfinite (lo) && isfinite (hi))
            {
              g_autofree char *l = metrictab_format (&tab[i], lo, false);
              g_autofree char *h = metrictab_format (&tab[i], hi, false);
              g_string_append (s, "<td class=\"num\">");
              report_esc (s, l);
              g_string_append (s, " &ndash; ");
              report_esc (s, h);
              g_string_append (s, "</td>");
            }
          else
            g_string_append (s, "<td class=\"na\">-</td>");
          report_metric_td (s, &tab[i], report_number (st, "sd"));
          report_metric_td (s, &tab[i], report_number (st, "min"));
          report_metric_td (s, &tab[i], report_number (st, "max"));
          double cnt = report_number (st, "n");
          g_string_append_printf (s, "<td class=\"num\">%.0f</td></tr>\n",
                                  isfinite (cnt) ? cnt : 0.0);
        }
      g_string_append (s, "</table>\n");
    }
  g_autofree char *path = out_path ? g_strdup (out_path)
                                   : g_build_filename (dir, "report.html",
                                                       NULL);
  return report_page_finish (s, path, error);
}

/* ---- a comparison ---- */

/* The change of row r as a person reads it: "+1.2 %" for a fraction
 * (percentage points are what moved), "-3" for a count, "+0.40 h". */
static void
report_change_td (GString *s, const MetrictabEntry *e, const CompareRow *r)
{
  if (!isfinite (r->change))
    {
      g_string_append (s, "<td class=\"na\">-</td>");
      return;
    }
  /* A fraction moves in percentage points. */
  bool pt = e->unit == METRICTAB_FRACTION;
  g_autofree char *a = metrictab_format (e, fabs (r->change), !pt);
  const char *cls = "";
  if (r->verdict == COMPARE_REGRESSION)
    cls = " bad";
  else if (r->verdict == COMPARE_IMPROVED)
    cls = " better";
  g_string_append_printf (s, "<td class=\"num%s\">%s", cls,
                          r->change < 0 ? "&minus;" : "+");
  report_esc (s, a);
  if (pt)
    g_string_append (s, " pt");
  if (isfinite (r->change_pct))
    {
      char buf[G_ASCII_DTOSTR_BUF_SIZE];
      g_string_append_printf (s, " <small>(%s%s %%)</small>",
                              r->change_pct < 0 ? "&minus;" : "+",
                              g_ascii_formatd (buf, sizeof buf, "%.2f",
                                               fabs (r->change_pct)));
    }
  g_string_append (s, "</td>");
}

/* The value cell of one side, with the side's own 95% CI when given. */
static void
report_side_td (GString *s, const MetrictabEntry *e, double v, double lo,
                double hi)
{
  if (!isfinite (lo) || !isfinite (hi))
    {
      report_metric_td (s, e, v);
      return;
    }
  g_autofree char *m = metrictab_format (e, v, true);
  g_autofree char *l = metrictab_format (e, lo, false);
  g_autofree char *h = metrictab_format (e, hi, false);
  g_string_append (s, "<td class=\"num\">");
  report_esc (s, m);
  g_string_append (s, "<br><small class=\"note\">95% CI ");
  report_esc (s, l);
  g_string_append (s, " &ndash; ");
  report_esc (s, h);
  g_string_append (s, "</small></td>");
}

/* The table of one comparison: the metric table's metrics (a row of
 * lib/compare.h each), then the counts by cause in a table of their own
 * when ALL. CIs (NULL: none) are indexed as cmp->rows. */
static void
report_compare_table (GString *s, const Comparison *cmp, const char *id,
                      const double *bl, const double *bh, const double *cl,
                      const double *ch)
{
  g_string_append (s, "<table class=\"headline\"");
  if (id != NULL)
    g_string_append_printf (s, " id=\"%s\"", id);
  g_string_append (s, "><tr><th>metric</th><th>baseline</th>"
                   "<th>candidate</th><th>change</th><th>tolerance</th>"
                   "<th>verdict</th></tr>\n");
  for (guint i = 0; i < cmp->rows->len; i++)
    {
      const CompareRow *r = &g_array_index (cmp->rows, CompareRow, i);
      const MetrictabEntry *e = metrictab_find (r->metric);
      if (e == NULL)
        continue; /* a count by cause: below */
      g_string_append (s, "<tr><th title=\"");
      report_esc (s, e->summary);
      g_string_append (s, "\">");
      report_esc (s, e->label);
      g_string_append (s, "</th>");
      report_side_td (s, e, r->baseline, bl ? bl[i] : NAN, bh ? bh[i] : NAN);
      report_side_td (s, e, r->candidate, cl ? cl[i] : NAN,
                      ch ? ch[i] : NAN);
      report_change_td (s, e, r);
      if (isfinite (r->tolerance_pct))
        {
          char buf[G_ASCII_DTOSTR_BUF_SIZE];
          g_string_append_printf (s, "<td class=\"num\">%s %% (%s)</td>",
                                  g_ascii_formatd (buf, sizeof buf, "%g",
                                                   r->tolerance_pct),
                                  compare_direction_name (r->direction));
        }
      else
        g_string_append (s, "<td class=\"na\">info</td>");
      const char *v = compare_verdict_name (r->verdict);
      g_string_append_printf (s, "<td class=\"%s\">%s</td></tr>\n",
                              r->verdict == COMPARE_REGRESSION ? "bad"
                              : r->verdict == COMPARE_IMPROVED ? "better"
                                                               : "ok", v);
    }
  g_string_append (s, "</table>\n");
}

/* "Regressions: ETTR (-2.10 %), ..." or "no regression", as a box. */
static void
report_verdict (GString *s, const Comparison *cmp, const char *point)
{
  g_autoptr (GString) names = g_string_new (NULL);
  for (guint i = 0; i < cmp->rows->len; i++)
    {
      const CompareRow *r = &g_array_index (cmp->rows, CompareRow, i);
      if (r->verdict != COMPARE_REGRESSION)
        continue;
      const MetrictabEntry *e = metrictab_find (r->metric);
      if (names->len > 0)
        g_string_append (names, ", ");
      report_esc (names, e ? e->label : r->metric);
      if (isfinite (r->change_pct))
        {
          char buf[G_ASCII_DTOSTR_BUF_SIZE];
          g_string_append_printf (names, " (%s%s %%)",
                                  r->change_pct < 0 ? "&minus;" : "+",
                                  g_ascii_formatd (buf, sizeof buf, "%.2f",
                                                   fabs (r->change_pct)));
        }
    }
  if (names->len > 0)
    {
      g_string_append (s, "<div class=\"warn verdict\"><b>");
      if (point != NULL)
        {
          report_esc (s, point);
          g_string_append (s, ": ");
        }
      g_string_append_printf (s, "worse than the tolerance:</b> %s</div>\n",
                              names->str);
    }
  else
    {
      g_string_append (s, "<p class=\"ok verdict\"><b>");
      if (point != NULL)
        {
          report_esc (s, point);
          g_string_append (s, ": ");
        }
      g_string_append (s, "no metric got worse than its tolerance.</b></p>\n");
    }
}

/* The folder of a run given as a folder or its summary.json. Returns:
 * (transfer full). */
static char *
report_run_dir (const char *path)
{
  if (g_file_test (path, G_FILE_TEST_IS_DIR))
    return g_strdup (path);
  return g_path_get_dirname (path);
}

/* The scenario's file name in summary.json PATH ("?" when unreadable).
 * Returns: (transfer full). */
static char *
report_summary_scenario (const char *path)
{
  g_autoptr (JsonParser) p = json_parser_new ();
  JsonObject *o = report_load_object (p, path, "summary.json", NULL);
  return report_scenario_name (
      o ? json_object_get_string_member_with_default (o, "scenario", NULL)
        : NULL);
}

static char *
report_sweep_scenario (const char *dir)
{
  g_autofree char *path = g_build_filename (dir, "sweep.json", NULL);
  return report_summary_scenario (path);
}

/* Side-by-side figures, baseline left: each of names[] found on a side. */
static bool
report_pairs (GString *s, const char *bdir, const char *cdir,
              const char *const *names, size_t n, GError **error)
{
  g_string_append (s, "<h2 id=\"plots\">Plots: baseline (left), candidate "
                   "(right)</h2>\n");
  size_t shown = 0;
  for (size_t i = 0; i < n; i++)
    {
      g_autofree char *bp = g_strdup_printf ("%s/plots/%s.png", bdir,
                                             names[i]);
      g_autofree char *cp = g_strdup_printf ("%s/plots/%s.png", cdir,
                                             names[i]);
      if (!g_file_test (bp, G_FILE_TEST_IS_REGULAR)
          && !g_file_test (cp, G_FILE_TEST_IS_REGULAR))
        continue;
      g_string_append (s, "<div class=\"pair\">\n");
      const char *side[2] = { "baseline", "candidate" };
      const char *paths[2] = { bp, cp };
      for (int k = 0; k < 2; k++)
        {
          g_autofree char *id = g_strdup_printf ("plot-%s-%s", side[k],
                                                 names[i]);
          g_autofree char *cap = g_strdup_printf ("%s: %s", side[k],
                                                  names[i]);
          bool found;
          if (!report_figure (s, paths[k], id, names[i], cap, &found, error))
            return false;
          if (!found)
            {
              g_string_append (s, "<p class=\"note\">");
              report_esc (s, side[k]);
              g_string_append (s, ": no such plot.</p>\n");
            }
          shown += found;
        }
      g_string_append (s, "</div>\n");
    }
  if (shown == 0)
    g_string_append (s, "<p class=\"note\">Neither side has plots (run "
                     "<code>faultline plot</code> on a run folder).</p>\n");
  return true;
}

static void
report_warnings (GString *s, const Comparison *cmp)
{
  for (guint i = 0; i < cmp->warnings->len; i++)
    {
      g_string_append (s, "<div class=\"warn\"><b>Warning:</b> ");
      report_esc (s, cmp->warnings->pdata[i]);
      g_string_append (s, "</div>\n");
    }
}

static bool
report_compare_runs (GString *s, const char *baseline, const char *candidate,
                     GError **error)
{
  CompareOptions *opt = compare_options_new ();
  g_autoptr (GError) local = NULL;
  Comparison *cmp = compare_files (baseline, candidate, opt, &local);
  compare_options_free (opt);
  if (cmp == NULL)
    {
      g_set_error_literal (error, REPORT_ERROR, REPORT_ERROR_INPUT,
                           local->message);
      return false;
    }
  g_string_append (s, "<p class=\"meta\">baseline <code>");
  report_esc (s, cmp->baseline_path);
  g_string_append (s, "</code> &middot; candidate <code>");
  report_esc (s, cmp->candidate_path);
  g_string_append (s, "</code> &middot; default tolerances "
                   "(docs/ci.md)</p>\n");
  report_warnings (s, cmp);
  report_verdict (s, cmp, NULL);
  g_string_append (s, "<h2 id=\"headline\">Metrics</h2>\n");
  report_compare_table (s, cmp, "headline-table", NULL, NULL, NULL, NULL);
  /* The counts by cause. */
  g_string_append (s, "<h2 id=\"by-cause\">Counts by cause</h2>\n<table>"
                   "<tr><th>count</th><th>baseline</th><th>candidate</th>"
                   "<th>change</th></tr>\n");
  for (guint i = 0; i < cmp->rows->len; i++)
    {
      const CompareRow *r = &g_array_index (cmp->rows, CompareRow, i);
      if (metrictab_find (r->metric) != NULL)
        continue;
      char a[G_ASCII_DTOSTR_BUF_SIZE], b[G_ASCII_DTOSTR_BUF_SIZE];
      char c[G_ASCII_DTOSTR_BUF_SIZE];
      g_string_append (s, "<tr><th>");
      report_esc (s, r->metric);
      g_string_append_printf (s, "</th><td class=\"num\">%s</td>"
                              "<td class=\"num\">%s</td>"
                              "<td class=\"num\">%s</td></tr>\n",
                              g_ascii_formatd (a, sizeof a, "%g", r->baseline),
                              g_ascii_formatd (b, sizeof b, "%g",
                                               r->candidate),
                              g_ascii_formatd (c, sizeof c, "%+g", r->change));
    }
  g_string_append (s, "</table>\n");
  g_autofree char *bdir = report_run_dir (baseline);
  g_autofree char *cdir = report_run_dir (candidate);
  bool ok = report_pairs (s, bdir, cdir, plots_names, plots_n_names, error);
  compare_free (cmp);
  return ok;
}

static bool
report_compare_sweeps (GString *s, const char *baseline,
                       const char *candidate, GError **error)
{
  CompareOptions *opt = compare_options_new ();
  g_autoptr (GError) local = NULL;
  SweepComparison *sc = sweep_compare_dirs (baseline, candidate, opt, &local);
  compare_options_free (opt);
  if (sc == NULL)
    {
      g_set_error_literal (error, REPORT_ERROR, REPORT_ERROR_INPUT,
                           local->message);
      return false;
    }
  g_string_append (s, "<p class=\"meta\">baseline sweep <code>");
  report_esc (s, baseline);
  g_string_append (s, "</code> &middot; candidate sweep <code>");
  report_esc (s, candidate);
  g_string_append_printf (s, "</code> &middot; %u point%s in common; a "
                          "regression needs the whole 95%% CI of the change "
                          "beyond the tolerance (docs/ci.md)</p>\n",
                          sc->points->len, sc->points->len == 1 ? "" : "s");
  for (guint k = 0; k < 2; k++)
    {
      GPtrArray *only = k ? sc->only_candidate : sc->only_baseline;
      for (guint i = 0; i < only->len; i++)
        {
          g_string_append_printf (s, "<div class=\"warn\"><b>Warning:</b> "
                                  "point <code>");
          report_esc (s, only->pdata[i]);
          g_string_append_printf (s, "</code> is only in the %s.</div>\n",
                                  k ? "candidate" : "baseline");
        }
    }
  g_string_append (s, "<h2 id=\"headline\">Verdicts</h2>\n");
  for (guint i = 0; i < sc->points->len; i++)
    {
      const SweepComparePoint *p = g_ptr_array_index (sc->points, i);
      report_verdict (s, p->cmp, p->point);
    }
  for (guint i = 0; i < sc->points->len; i++)
    {
      const SweepComparePoint *p = g_ptr_array_index (sc->points, i);
      g_string_append_printf (s, "<h3 id=\"point-%u\">", i + 1);
      report_esc (s, p->point);
      g_string_append (s, "</h3>\n");
      report_warnings (s, p->cmp);
      report_compare_table (s, p->cmp, i == 0 ? "headline-table" : NULL,
                            p->base_low, p->base_high, p->cand_low,
                            p->cand_high);
    }
  size_t n;
  const MetrictabEntry *tab = metrictab_entries (&n);
  g_autoptr (GPtrArray) names = g_ptr_array_new ();
  for (size_t i = 0; i < n; i++)
    if (tab[i].headline)
      g_ptr_array_add (names, (gpointer) tab[i].name);
  bool ok = report_pairs (s, baseline, candidate,
                          (const char *const *) names->pdata, names->len,
                          error);
  sweep_compare_free (sc);
  return ok;
}

bool
report_write_compare (const char *baseline, const char *candidate,
                      const char *out_path, GError **error)
{
  g_return_val_if_fail (baseline != NULL && candidate != NULL, false);
  g_return_val_if_fail (out_path != NULL, false);
  bool sb = report_is_sweep (baseline), sc = report_is_sweep (candidate);
  if (sb != sc)
    {
      g_set_error (error, REPORT_ERROR, REPORT_ERROR_INPUT,
                   "%s is a sweep folder and %s is not: compare a run with "
                   "a run, or a sweep with a sweep", sb ? baseline : candidate,
                   sb ? candidate : baseline);
      return false;
    }
  g_autofree char *bname = NULL, *cname = NULL;
  if (sb)
    {
      bname = report_sweep_scenario (baseline);
      cname = report_sweep_scenario (candidate);
    }
  else
    {
      g_autofree char *bdir = report_run_dir (baseline);
      g_autofree char *cdir = report_run_dir (candidate);
      g_autofree char *bs = g_file_test (baseline, G_FILE_TEST_IS_DIR)
          ? g_build_filename (baseline, "summary.json", NULL)
          : g_strdup (baseline);
      g_autofree char *cs = g_file_test (candidate, G_FILE_TEST_IS_DIR)
          ? g_build_filename (candidate, "summary.json", NULL)
          : g_strdup (candidate);
      bname = report_summary_scenario (bs);
      cname = report_summary_scenario (cs);
    }
  g_autofree char *title = strcmp (bname, cname) == 0
      ? g_strdup_printf ("faultline comparison: %s", bname)
      : g_strdup_printf ("faultline comparison: %s vs %s", bname, cname);
  g_autoptr (GString) s = report_page_begin (title, title);
  if (!(sb ? report_compare_sweeps (s, baseline, candidate, error)
           : report_compare_runs (s, baseline, candidate, error)))
    return false;
  return report_page_finish (s, out_path, error);
}
