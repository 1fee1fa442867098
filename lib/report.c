/* lib/report.c - the page frame every report shares, and the page of a run
 * folder. See report.h; the sweep and comparison pages are in
 * report-pages.c.
 *
 * One pass that appends to a GString: head with inline CSS, the headline
 * table (metric table labels, units and rounding, lib/metrictab.h), the
 * params off their defaults (summary.json "param_defaults"), plots as
 * base64 PNG, then every member of summary.json and the CSV tables through
 * plots_table_read(). Every run-provided string goes through
 * g_markup_escape_text. No JavaScript. */
#include "report-int.h"
#include "atomicfile.h"
#include "infile.h"
#include "plots.h"

#include <math.h>
#include <string.h>

G_DEFINE_QUARK (faultline-report-error-quark, report_error)

/* Rows of jobs.csv shown; the rest are counted. */
#define REPORT_MAX_JOBS 1000

static const char report_css[] =
  "body{font-family:system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;"
  "margin:2em auto;max-width:1200px;padding:0 1em;color:#222}"
  "h1{font-size:1.6em;margin-bottom:.2em}h2{margin-top:1.6em;"
  "border-bottom:1px solid #ccc;padding-bottom:.2em}"
  "table{border-collapse:collapse;margin:.5em 0;font-size:.9em}"
  "th,td{border:1px solid #ddd;padding:.25em .6em;text-align:left}"
  "th{background:#f3f3f3}td.num{text-align:right;"
  "font-variant-numeric:tabular-nums}tr:nth-child(even) td{background:#fafafa}"
  "td.na{color:#999;text-align:center}figure{margin:1em 0}"
  "figure img{max-width:100%;border:1px solid #eee}"
  "figcaption{color:#555;font-size:.9em}.note{color:#555}"
  ".meta{color:#444;margin-top:0}"
  "table.headline{font-size:1.05em}table.headline td.num{min-width:8em}"
  ".changed{background:#fff8e1;border-left:4px solid #f0b400;"
  "padding:.4em .8em;margin:.8em 0}.changed ul{margin:.2em 0}"
  ".warn{background:#fdecea;border-left:4px solid #d62728;"
  "padding:.4em .8em;margin:.8em 0}"
  ".ok{color:#2a7d2a}.bad{color:#c0151b;font-weight:bold}"
  ".better{color:#2a7d2a}"
  ".pair{display:grid;grid-template-columns:1fr 1fr;gap:1em}"
  ".pair figure{margin:.3em 0}"
  ".wide{overflow-x:auto}td small{white-space:nowrap}"
  "table.compact{font-size:.85em}table.compact td.num{min-width:0}"
  "table.compact th,table.compact td{padding:.2em .4em}"
  ".scroll{max-height:40em;overflow:auto}";

void
report_esc (GString *s, const char *text)
{
  g_autofree char *e = g_markup_escape_text (text ? text : "", -1);
  g_string_append (s, e);
}

GString *
report_page_begin (const char *title, const char *heading)
{
  GString *s = g_string_new (
      "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
      "<meta name=\"generator\" content=\"faultline report\">\n<title>");
  report_esc (s, title);
  g_string_append_printf (s, "</title>\n<style>%s</style>\n</head>\n<body>\n"
                          "<h1>", report_css);
  report_esc (s, heading);
  g_string_append (s, "</h1>\n");
  return s;
}

bool
report_page_finish (GString *page, const char *path, GError **error)
{
  g_string_append (page, "</body>\n</html>\n");
  g_autoptr (GError) local = NULL;
  if (!atomicfile_write (path, page->str, page->len, &local))
    {
      g_set_error (error, REPORT_ERROR, REPORT_ERROR_IO, "%s",
                   local->message);
      return false;
    }
  return true;
}

bool
report_figure (GString *s, const char *path, const char *id, const char *alt,
               const char *caption, bool *found, GError **error)
{
  *found = g_file_test (path, G_FILE_TEST_IS_REGULAR);
  if (!*found)
    return true;
  g_autofree char *data = NULL;
  gsize len;
  g_autoptr (GError) local = NULL;
  if (!infile_read (path, "PNG plot", INFILE_MAX_CSV, &data, &len, &local))
    {
      g_set_error (error, REPORT_ERROR, REPORT_ERROR_INPUT, "%s",
                   local->message);
      return false;
    }
  g_autofree char *b64 = g_base64_encode ((const guchar *) data, len);
  g_string_append (s, "<figure id=\"");
  report_esc (s, id);
  g_string_append (s, "\"><img alt=\"");
  report_esc (s, alt);
  g_string_append_printf (s, "\" src=\"data:image/png;base64,%s\">"
                          "<figcaption>", b64);
  report_esc (s, caption);
  g_string_append (s, "</figcaption></figure>\n");
  return true;
}

JsonObject *
report_load_object (JsonParser *parser, const char *path, const char *what,
                    GError **error)
{
  g_autoptr (GError) local = NULL;
  if (!infile_load_json (parser, path, what, &local))
    {
      g_set_error_literal (error, REPORT_ERROR, REPORT_ERROR_INPUT,
                           local->message);
      return NULL;
    }
  JsonNode *root = json_parser_get_root (parser);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    {
      g_set_error (error, REPORT_ERROR, REPORT_ERROR_INPUT,
                   "%s:1: expected a JSON object at the top level", path);
      return NULL;
    }
  return json_node_get_object (root);
}

double
report_number (JsonObject *o, const char *member)
{
  JsonNode *n = o ? json_object_get_member (o, member) : NULL;
  if (n == NULL || !JSON_NODE_HOLDS_VALUE (n))
    return NAN;
  GType t = json_node_get_value_type (n);
  if (t == G_TYPE_INT64 || t == G_TYPE_DOUBLE)
    return json_node_get_double (n);
  return NAN;
}

void
report_metric_td (GString *s, const MetrictabEntry *e, double v)
{
  if (isnan (v) && !e->null_is_infinite)
    {
      g_string_append (s, "<td class=\"na\" title=\"not measured\">-</td>");
      return;
    }
  g_autofree char *t = metrictab_format (e, v, true);
  g_string_append (s, "<td class=\"num\">");
  report_esc (s, t);
  g_string_append (s, "</td>");
}

char *
report_scenario_name (const char *path)
{
  if (path == NULL || *path == '\0')
    return g_strdup ("(unnamed scenario)");
  return g_path_get_basename (path);
}

/* ---- the details: every member of summary.json ---- */

/* Unit of a summary key: the metric table's for "metrics.*" keys (and
 * their by-cause counts), the documented unit of the few run keys that
 * have one (docs/results.md), else none. */
static const char *
report_unit (const char *key)
{
  static const struct
  {
    const char *key, *unit;
  } run_keys[] = {
    { "sim_hours", "h" }, { "wall_seconds", "s" },
  };
  for (size_t i = 0; i < G_N_ELEMENTS (run_keys); i++)
    if (strcmp (key, run_keys[i].key) == 0)
      return run_keys[i].unit;
  if (strncmp (key, "metrics.", 8) != 0)
    return "";
  g_autofree char *name = g_strdup (key + 8);
  char *sub = strchr (name, '.');
  if (sub != NULL)
    *sub = '\0';
  const MetrictabEntry *e = metrictab_find (name);
  return e != NULL ? metrictab_unit_name (e->unit) : "";
}

static void
report_value (GString *s, const char *key, JsonNode *node)
{
  if (JSON_NODE_HOLDS_NULL (node))
    {
      g_string_append (s, "<td class=\"na\" title=\"null\">-</td>");
      return;
    }
  if (JSON_NODE_HOLDS_ARRAY (node)
      && json_array_get_length (json_node_get_array (node)) > 8)
    {
      g_string_append_printf (s, "<td>array of %u (see summary.json)</td>",
                              json_array_get_length (json_node_get_array (node)));
      return;
    }
  if (!JSON_NODE_HOLDS_VALUE (node))
    {
      g_autoptr (JsonGenerator) gen = json_generator_new ();
      json_generator_set_root (gen, node);
      g_autofree char *text = json_generator_to_data (gen, NULL);
      g_string_append (s, "<td><code>");
      report_esc (s, text);
      g_string_append (s, "</code></td>");
      return;
    }
  GType t = json_node_get_value_type (node);
  if (t == G_TYPE_INT64)
    g_string_append_printf (s, "<td class=\"num\">%" G_GINT64_FORMAT "</td>",
                            json_node_get_int (node));
  else if (t == G_TYPE_DOUBLE)
    {
      double v = json_node_get_double (node);
      char buf[G_ASCII_DTOSTR_BUF_SIZE];
      g_string_append_printf (s, "<td class=\"num\">%s",
                              g_ascii_formatd (buf, sizeof buf, "%.8g", v));
      if (strcmp (report_unit (key), "0..1") == 0 && isfinite (v))
        g_string_append_printf (s, " (%s %%)",
                                g_ascii_formatd (buf, sizeof buf, "%.2f",
                                                 100.0 * v));
      g_string_append (s, "</td>");
    }
  else if (t == G_TYPE_BOOLEAN)
    g_string_append_printf (s, "<td>%s</td>",
                            json_node_get_boolean (node) ? "true" : "false");
  else
    {
      g_string_append (s, "<td>");
      report_esc (s, json_node_get_string (node));
      g_string_append (s, "</td>");
    }
}

/* Rows "key | value | unit" for the members of O; nested objects are
 * flattened with dotted keys. */
static void
report_object_rows (GString *s, const char *prefix, JsonObject *o,
                    bool scalars_only)
{
  g_autoptr (GList) members = json_object_get_members (o);
  for (GList *l = members; l != NULL; l = l->next)
    {
      const char *name = l->data;
      JsonNode *n = json_object_get_member (o, name);
      g_autofree char *key = prefix ? g_strdup_printf ("%s.%s", prefix, name)
                                    : g_strdup (name);
      if (JSON_NODE_HOLDS_OBJECT (n))
        {
          if (!scalars_only)
            report_object_rows (s, key, json_node_get_object (n), false);
          continue;
        }
      g_string_append (s, "<tr><th>");
      report_esc (s, key);
      g_string_append (s, "</th>");
      report_value (s, key, n);
      g_string_append (s, "<td>");
      report_esc (s, report_unit (key));
      g_string_append (s, "</td></tr>\n");
    }
}

static void
report_section_table (GString *s, const char *title, const char *id,
                      const char *prefix, JsonObject *o, bool scalars_only)
{
  g_string_append_printf (s, "<h3 id=\"%s\">", id);
  report_esc (s, title);
  g_string_append (s, "</h3>\n<table class=\"summary\"><tr><th>key</th>"
                   "<th>value</th><th>unit</th></tr>\n");
  report_object_rows (s, prefix, o, scalars_only);
  g_string_append (s, "</table>\n");
}

/* "summary-" + key, with every byte but letters, digits and '-' as '-'. */
static char *
report_id (const char *key)
{
  char *id = g_strdup_printf ("summary-%s", key);
  for (char *p = id; *p; p++)
    if (!g_ascii_isalnum (*p) && *p != '-')
      *p = '-';
  return id;
}

static void
report_details (GString *s, JsonObject *o)
{
  g_string_append (s, "<h2 id=\"summary\">Details: summary.json</h2>\n"
                   "<p class=\"note\">Every member of summary.json, as "
                   "dotted keys (the names <code>faultline compare "
                   "--tolerance</code> takes). Units are the metric table's "
                   "(docs/results.md).</p>\n");
  JsonNode *m = json_object_get_member (o, "metrics");
  JsonObject *mo = json_node_get_object (m);
  report_section_table (s, "All metrics", "metrics", "metrics", mo, true);
  /* Its objects (interruptions_by_cause, ...) as tables of their own. */
  g_autoptr (GList) sub = json_object_get_members (mo);
  for (GList *l = sub; l != NULL; l = l->next)
    {
      JsonNode *n = json_object_get_member (mo, l->data);
      if (!JSON_NODE_HOLDS_OBJECT (n))
        continue;
      g_autofree char *key = g_strdup_printf ("metrics.%s",
                                              (char *) l->data);
      g_autofree char *id = report_id (key);
      report_section_table (s, key, id, key, json_node_get_object (n), false);
    }
  report_section_table (s, "Run", "run", NULL, o, true);
  g_autoptr (GList) members = json_object_get_members (o);
  for (GList *l = members; l != NULL; l = l->next)
    {
      const char *key = l->data;
      JsonNode *n = json_object_get_member (o, key);
      if (!JSON_NODE_HOLDS_OBJECT (n) || strcmp (key, "metrics") == 0)
        continue;
      g_autofree char *t = g_strdup_printf ("%c%s",
                                            g_ascii_toupper (key[0]), key + 1);
      g_autofree char *id = report_id (key);
      report_section_table (s, t, id, key, json_node_get_object (n), false);
    }
}

/* ---- the head of the page: what ran, what changed, the numbers ---- */

/* A JSON scalar as a person reads it. Returns: (transfer full). */
static char *
report_scalar_text (JsonNode *n)
{
  if (n == NULL)
    return g_strdup ("?");
  if (JSON_NODE_HOLDS_NULL (n))
    return g_strdup ("null");
  if (!JSON_NODE_HOLDS_VALUE (n))
    {
      g_autoptr (JsonGenerator) gen = json_generator_new ();
      json_generator_set_root (gen, n);
      return json_generator_to_data (gen, NULL);
    }
  GType t = json_node_get_value_type (n);
  if (t == G_TYPE_STRING)
    return g_strdup (json_node_get_string (n));
  if (t == G_TYPE_BOOLEAN)
    return g_strdup (json_node_get_boolean (n) ? "true" : "false");
  if (t == G_TYPE_INT64)
    return g_strdup_printf ("%" G_GINT64_FORMAT, json_node_get_int (n));
  char buf[G_ASCII_DTOSTR_BUF_SIZE];
  return g_strdup (g_ascii_formatd (buf, sizeof buf, "%.6g",
                                    json_node_get_double (n)));
}

/* "17,408". Returns: (transfer full). */
static char *
report_count (double v)
{
  return metrictab_format (metrictab_find ("interruptions"), v, false);
}

static void
report_meta (GString *s, JsonObject *o, const char *dir)
{
  g_string_append (s, "<p class=\"meta\">");
  JsonNode *seed = json_object_get_member (o, "seed");
  if (seed != NULL)
    {
      g_autofree char *t = report_scalar_text (seed);
      g_string_append (s, "seed ");
      report_esc (s, t);
    }
  JsonNode *cl = json_object_get_member (o, "cluster");
  if (cl != NULL && JSON_NODE_HOLDS_OBJECT (cl))
    {
      JsonObject *c = json_node_get_object (cl);
      g_autofree char *g = report_count (report_number (c, "gpus"));
      g_autofree char *n = report_count (report_number (c, "nodes"));
      g_string_append_printf (s, " &middot; %s GPUs on %s nodes", g, n);
    }
  double h = report_number (o, "sim_hours");
  if (isfinite (h))
    {
      char buf[G_ASCII_DTOSTR_BUF_SIZE];
      g_string_append_printf (s, " &middot; %s %s simulated",
                              g_ascii_formatd (buf, sizeof buf, "%.4g",
                                               h > 96 ? h / 24 : h),
                              h > 96 ? "days" : "hours");
    }
  const char *v = json_object_get_string_member_with_default (
      o, "faultline_version", NULL);
  if (v != NULL)
    {
      g_string_append (s, " &middot; faultline ");
      report_esc (s, v);
    }
  g_string_append (s, " &middot; run folder <code>");
  report_esc (s, dir);
  g_string_append (s, "</code></p>\n");
}

/* The params that differ from the scenario's defaults, called out. */
static void
report_changed_params (GString *s, JsonObject *o)
{
  JsonNode *pn = json_object_get_member (o, "params");
  JsonNode *dn = json_object_get_member (o, "param_defaults");
  JsonObject *po = pn && JSON_NODE_HOLDS_OBJECT (pn)
                   ? json_node_get_object (pn) : NULL;
  JsonObject *d = dn && JSON_NODE_HOLDS_OBJECT (dn)
                  ? json_node_get_object (dn) : NULL;
  if (d == NULL || json_object_get_size (d) == 0)
    {
      g_string_append (s, "<p class=\"note\" id=\"params\">Every parameter "
                       "at the scenario's default (no <code>--set</code> "
                       "changed one).</p>\n");
      return;
    }
  g_string_append (s, "<div class=\"changed\" id=\"params\"><b>Changed from "
                   "the scenario's defaults:</b><ul>\n");
  g_autoptr (GList) names = json_object_get_members (d);
  for (GList *l = names; l != NULL; l = l->next)
    {
      g_autofree char *v = report_scalar_text (
          po ? json_object_get_member (po, l->data) : NULL);
      g_autofree char *dv = report_scalar_text (
          json_object_get_member (d, l->data));
      g_string_append (s, "<li><code>");
      report_esc (s, l->data);
      g_string_append (s, "</code> = <b>");
      report_esc (s, v);
      g_string_append (s, "</b> (default ");
      report_esc (s, dv);
      g_string_append (s, ")</li>\n");
    }
  g_string_append (s, "</ul></div>\n");
}

/* The main job of jobs.csv (most GPUs, the lowest id on a tie), as plots.c
 * picks it: its row, or -1 (no jobs.csv, no rows). */
typedef struct
{
  PlotsTable *t;
  gssize row;
} ReportJobs;

static bool
report_main_job (const char *dir, ReportJobs *j, GError **error)
{
  g_autofree char *path = g_build_filename (dir, "jobs.csv", NULL);
  j->t = NULL;
  j->row = -1;
  if (!g_file_test (path, G_FILE_TEST_EXISTS))
    return true;
  g_autoptr (GError) local = NULL;
  j->t = plots_table_read (path, &local);
  if (j->t == NULL)
    {
      g_set_error (error, REPORT_ERROR, REPORT_ERROR_INPUT, "%s",
                   local->message);
      return false;
    }
  int cg = plots_table_column (j->t, "gpus"), ci = plots_table_column (j->t, "id");
  double best = -1, best_id = INFINITY;
  for (size_t r = 0; cg >= 0 && r < j->t->rows->len; r++)
    {
      double g, id = (double) r;
      if (!plots_table_number (j->t, r, (size_t) cg, &g, &local)
          || (ci >= 0 && !plots_table_number (j->t, r, (size_t) ci, &id, &local)))
        {
          g_set_error (error, REPORT_ERROR, REPORT_ERROR_INPUT, "%s",
                       local->message);
          return false;
        }
      if (isfinite (g) && (g > best || (g == best && id < best_id)))
        {
          best = g;
          best_id = id;
          j->row = (gssize) r;
        }
    }
  return true;
}

/* Column COL of the main job's row as a number; NaN when absent/empty. */
static double
report_job_number (const ReportJobs *j, const char *col)
{
  if (j->row < 0)
    return NAN;
  int c = plots_table_column (j->t, col);
  double v = NAN;
  if (c >= 0 && !plots_table_number (j->t, (size_t) j->row, (size_t) c, &v,
                                     NULL))
    return NAN;
  return v;
}

/* The headline table: the metric table's headline metrics (rounded, with
 * units), each in the column it describes, the main job's or the whole
 * fleet's. ETTR and interruptions exist for both. */
static void
report_headline (GString *s, JsonObject *o, const ReportJobs *j)
{
  JsonObject *m = json_node_get_object (json_object_get_member (o, "metrics"));
  bool have_job = j->row >= 0;
  g_string_append (s, "<h2 id=\"headline\">Headline</h2>\n"
                   "<table class=\"headline\" id=\"headline-table\"><tr>"
                   "<th>metric</th>");
  if (have_job)
    {
      int cn = plots_table_column (j->t, "name");
      g_autofree char *g = report_count (report_job_number (j, "gpus"));
      g_string_append (s, "<th>main job: ");
      report_esc (s, cn >= 0 ? plots_table_get (j->t, (size_t) j->row,
                                                (size_t) cn) : "?");
      g_string_append_printf (s, " (%s GPUs)</th>", g);
    }
  JsonNode *cl = json_object_get_member (o, "cluster");
  g_autofree char *fg = report_count (
      cl && JSON_NODE_HOLDS_OBJECT (cl)
      ? report_number (json_node_get_object (cl), "gpus") : NAN);
  g_string_append_printf (s, "<th>fleet (%s GPUs)</th><th>better</th></tr>\n",
                          fg);
  size_t n;
  const MetrictabEntry *tab = metrictab_entries (&n);
  for (size_t i = 0; i < n; i++)
    {
      const MetrictabEntry *e = &tab[i];
      if (!e->headline)
        continue;
      double fleet = report_number (m, e->name);
      double job = NAN;
      bool job_col = false, fleet_col = true;
      if (strcmp (e->name, "ettr") == 0)
        {
          job = report_job_number (j, "ettr");
          job_col = true;
        }
      else if (strcmp (e->name, "interruptions") == 0)
        {
          job = report_job_number (j, "interruptions");
          job_col = true;
        }
      else if (strcmp (e->name, "mtti_hours") == 0 && have_job)
        {
          /* mtti_hours is the largest job's (docs/results.md). */
          job = fleet;
          job_col = true;
          fleet_col = false;
        }
      g_string_append (s, "<tr><th title=\"");
      report_esc (s, e->summary);
      g_string_append (s, "\">");
      report_esc (s, e->label);
      g_string_append (s, "</th>");
      if (have_job)
        {
          if (job_col)
            report_metric_td (s, e, job);
          else
            g_string_append (s, "<td class=\"na\"></td>");
        }
      if (fleet_col)
        report_metric_td (s, e, fleet);
      else
        g_string_append (s, "<td class=\"na\"></td>");
      g_string_append_printf (s, "<td>%s</td></tr>\n",
                              metrictab_direction_name (e->direction));
    }
  /* Jobs done. */
  double done = report_number (m, "jobs_completed");
  double sub = report_number (m, "jobs_submitted");
  if (isfinite (done) && isfinite (sub))
    {
      g_autofree char *a = report_count (done);
      g_autofree char *b = report_count (sub);
      g_string_append (s, "<tr><th>jobs completed</th>");
      if (have_job)
        {
          double c = report_job_number (j, "completed");
          g_string_append_printf (s, "<td class=\"num\">%s</td>",
                                  isnan (c) ? "-" : c != 0 ? "yes" : "no");
        }
      g_string_append_printf (s, "<td class=\"num\">%s of %s</td>"
                              "<td>higher</td></tr>\n", a, b);
    }
  g_string_append (s, "</table>\n<p class=\"note\">ETTR: the main job's "
                   "own, and the GPU-weighted mean over the jobs that "
                   "started; the main job is the one with the most GPUs. "
                   "Definitions: docs/results.md.</p>\n");
}

static bool
report_plots (GString *s, const char *dir, GError **error)
{
  g_string_append (s, "<h2 id=\"plots\">Plots</h2>\n");
  size_t missing = 0;
  for (size_t i = 0; i < plots_n_names; i++)
    {
      g_autofree char *path = g_strdup_printf ("%s/plots/%s.png", dir,
                                               plots_names[i]);
      g_autofree char *id = g_strdup_printf ("plot-%s", plots_names[i]);
      bool found;
      if (!report_figure (s, path, id, plots_names[i],
                          plots_caption (plots_names[i]), &found, error))
        return false;
      missing += !found;
    }
  if (missing > 0)
    g_string_append_printf (s, "<p class=\"note\">%zu of %zu plots were not "
                            "rendered (gnuplot missing, or no data for "
                            "them): run <code>faultline plot</code> on the "
                            "run folder.</p>\n", missing, plots_n_names);
  return true;
}

static bool
report_is_number (const char *f)
{
  if (*f == '\0')
    return false;
  char *end;
  g_ascii_strtod (f, &end);
  return *end == '\0';
}

/* A CSV file as a table; the first MAX rows, then a count. A missing file
 * is a note, not an error. */
static bool
report_csv (GString *s, const char *dir, const char *file, const char *title,
            const char *id, size_t max, GError **error)
{
  g_autofree char *path = g_build_filename (dir, file, NULL);
  g_string_append_printf (s, "<h2 id=\"%s\">", id);
  report_esc (s, title);
  g_string_append (s, "</h2>\n");
  if (!g_file_test (path, G_FILE_TEST_EXISTS))
    {
      g_string_append_printf (s, "<p class=\"note\">No %s in the run "
                              "folder.</p>\n", file);
      return true;
    }
  g_autoptr (GError) local = NULL;
  g_autoptr (PlotsTable) t = plots_table_read (path, &local);
  if (t == NULL)
    {
      g_set_error (error, REPORT_ERROR, REPORT_ERROR_INPUT, "%s",
                   local->message);
      return false;
    }
  size_t n = t->rows->len, shown = MIN (n, max);
  g_string_append_printf (s, "<p class=\"count\">%zu rows", n);
  if (shown < n)
    g_string_append_printf (s, "; the first %zu are shown (all are in %s)",
                            shown, file);
  g_string_append (s, ".</p>\n<div class=\"scroll\"><table><tr>");
  for (size_t c = 0; c < t->n_cols; c++)
    {
      g_string_append (s, "<th>");
      report_esc (s, t->header[c]);
      g_string_append (s, "</th>");
    }
  g_string_append (s, "</tr>\n");
  for (size_t r = 0; r < shown; r++)
    {
      g_string_append (s, "<tr>");
      for (size_t c = 0; c < t->n_cols; c++)
        {
          const char *f = plots_table_get (t, r, c);
          if (*f == '\0')
            g_string_append (s, "<td class=\"na\" title=\"not measured\">"
                             "-</td>");
          else
            {
              g_string_append (s, report_is_number (f) ? "<td class=\"num\">"
                                                       : "<td>");
              report_esc (s, f);
              g_string_append (s, "</td>");
            }
        }
      g_string_append (s, "</tr>\n");
    }
  g_string_append (s, "</table></div>\n");
  return true;
}

bool
report_write (const char *dir, const char *out_path, GError **error)
{
  g_return_val_if_fail (dir != NULL, false);
  g_return_val_if_fail (error == NULL || *error == NULL, false);

  g_autofree char *spath = g_build_filename (dir, "summary.json", NULL);
  g_autoptr (JsonParser) parser = json_parser_new ();
  JsonObject *o = report_load_object (parser, spath, "summary.json", error);
  if (o == NULL)
    return false;
  JsonNode *metrics = json_object_get_member (o, "metrics");
  if (metrics == NULL || !JSON_NODE_HOLDS_OBJECT (metrics))
    {
      /* Every summary.json faultline writes has one (docs/results.md). */
      g_set_error (error, REPORT_ERROR, REPORT_ERROR_INPUT,
                   "%s: no \"metrics\" object: is it a summary.json written "
                   "by `faultline run`?", spath);
      return false;
    }
  ReportJobs jobs = { 0 };
  if (!report_main_job (dir, &jobs, error))
    return false;
  g_autoptr (PlotsTable) jt = jobs.t;

  g_autofree char *name = report_scenario_name (
      json_object_get_string_member_with_default (o, "scenario", NULL));
  g_autofree char *title = g_strdup_printf ("faultline report: %s", name);
  g_autoptr (GString) s = report_page_begin (title, title);
  report_meta (s, o, dir);
  report_changed_params (s, o);
  report_headline (s, o, &jobs);
  g_string_append (s, "<p class=\"note\">Sections: <a href=\"#headline\">"
                   "headline</a>, <a href=\"#plots\">plots</a>, "
                   "<a href=\"#summary\">summary.json</a>, "
                   "<a href=\"#by-cause\">interruptions by cause</a>, "
                   "<a href=\"#interruptions\">interruptions</a>, "
                   "<a href=\"#jobs\">jobs</a>.</p>\n");
  if (!report_plots (s, dir, error))
    return false;
  report_details (s, o);
  if (!report_csv (s, dir, "interruptions_by_cause.csv",
                   "Interruptions by cause", "by-cause", G_MAXSIZE, error)
      || !report_csv (s, dir, "interruptions.csv", "Interruptions",
                      "interruptions", REPORT_MAX_INTERRUPTIONS, error)
      || !report_csv (s, dir, "jobs.csv", "Jobs", "jobs", REPORT_MAX_JOBS,
                      error))
    return false;
  g_autofree char *path = out_path ? g_strdup (out_path)
                                   : g_build_filename (dir, "report.html",
                                                       NULL);
  return report_page_finish (s, path, error);
}
