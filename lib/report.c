/* lib/report.c - the HTML report of a run folder. See report.h.
 *
 * One pass that appends to a GString: head with inline CSS, summary tables
 * from summary.json (json-glib), plots as base64 PNG, CSV tables through
 * plots_table_read(). Every run-provided string goes through
 * g_markup_escape_text. No JavaScript. */
#include "report.h"
#include "atomicfile.h"
#include "infile.h"
#include "metrictab.h"
#include "plots.h"

#include <json-glib/json-glib.h>
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
  ".scroll{max-height:40em;overflow:auto}";

static void
report_esc (GString *s, const char *text)
{
  g_autofree char *e = g_markup_escape_text (text ? text : "", -1);
  g_string_append (s, e);
}

/* Unit of a summary key: the metric table's for "metrics.*" and
 * "headline.*" keys (and their by-cause counts), the documented unit of
 * the few run keys that have one (docs/results.md), else none. */
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
  const char *dot = strchr (key, '.');
  if (dot == NULL || (strncmp (key, "metrics.", 8) != 0
                      && strncmp (key, "headline.", 9) != 0))
    return "";
  g_autofree char *name = g_strdup (dot + 1);
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

static bool
report_summary (GString *s, const char *dir, char **title, GError **error)
{
  g_autofree char *path = g_build_filename (dir, "summary.json", NULL);
  g_autoptr (JsonParser) parser = json_parser_new ();
  g_autoptr (GError) local = NULL;
  if (!infile_load_json (parser, path, "summary.json", &local))
    {
      g_set_error_literal (error, REPORT_ERROR, REPORT_ERROR_INPUT,
                           local->message);
      return false;
    }
  JsonNode *root = json_parser_get_root (parser);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    {
      g_set_error (error, REPORT_ERROR, REPORT_ERROR_INPUT,
                   "%s:1: expected a JSON object at the top level", path);
      return false;
    }
  JsonObject *o = json_node_get_object (root);
  JsonNode *metrics = json_object_get_member (o, "metrics");
  if (metrics == NULL || !JSON_NODE_HOLDS_OBJECT (metrics))
    {
      /* Every summary.json faultline writes has one (docs/results.md). */
      g_set_error (error, REPORT_ERROR, REPORT_ERROR_INPUT,
                   "%s: no \"metrics\" object: is it a summary.json written "
                   "by `faultline run`?", path);
      return false;
    }
  const char *name = NULL;
  if (json_object_has_member (o, "scenario_name"))
    name = json_object_get_string_member_with_default (o, "scenario_name",
                                                       NULL);
  if (name == NULL && json_object_has_member (o, "scenario"))
    name = json_object_get_string_member_with_default (o, "scenario", NULL);
  *title = g_strdup (name ? name : dir);

  g_string_append (s, "<h2 id=\"summary\">Summary</h2>\n"
                   "<p class=\"note\">From summary.json. Units are the "
                   "metric table's (docs/results.md).</p>\n");
  /* Headline metrics first, then the run's own scalars, then every other
   * object (cluster, params, ...) in file order. */
  static const char *const headline[] = { "metrics", "headline" };
  for (size_t i = 0; i < G_N_ELEMENTS (headline); i++)
    {
      JsonNode *m = json_object_get_member (o, headline[i]);
      if (m == NULL || !JSON_NODE_HOLDS_OBJECT (m))
        continue;
      JsonObject *mo = json_node_get_object (m);
      report_section_table (s, "Headline metrics", "metrics", headline[i],
                            mo, true);
      /* Its objects (interruptions_by_cause, ...) as tables of their own. */
      g_autoptr (GList) sub = json_object_get_members (mo);
      for (GList *l = sub; l != NULL; l = l->next)
        {
          JsonNode *n = json_object_get_member (mo, l->data);
          if (!JSON_NODE_HOLDS_OBJECT (n))
            continue;
          g_autofree char *key = g_strdup_printf ("%s.%s", headline[i],
                                                  (char *) l->data);
          g_autofree char *id = g_strdup_printf ("summary-%s", key);
          for (char *p = id; *p; p++)
            if (!g_ascii_isalnum (*p) && *p != '-')
              *p = '-';
          report_section_table (s, key, id, key, json_node_get_object (n),
                                false);
        }
    }
  report_section_table (s, "Run", "run", NULL, o, true);
  g_autoptr (GList) members = json_object_get_members (o);
  for (GList *l = members; l != NULL; l = l->next)
    {
      const char *key = l->data;
      JsonNode *n = json_object_get_member (o, key);
      if (!JSON_NODE_HOLDS_OBJECT (n) || strcmp (key, "metrics") == 0
          || strcmp (key, "headline") == 0)
        continue;
      g_autofree char *t = g_strdup_printf ("%c%s",
                                            g_ascii_toupper (key[0]), key + 1);
      g_autofree char *id = g_strdup_printf ("summary-%s", key);
      for (char *p = id; *p; p++)
        if (!g_ascii_isalnum (*p) && *p != '-')
          *p = '-';
      report_section_table (s, t, id, key, json_node_get_object (n), false);
    }
  return true;
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
      if (!g_file_test (path, G_FILE_TEST_IS_REGULAR))
        {
          missing++;
          continue;
        }
      g_autofree char *data = NULL;
      gsize len;
      g_autoptr (GError) local = NULL;
      if (!infile_read (path, "PNG plot", INFILE_MAX_CSV, &data, &len,
                        &local))
        {
          g_set_error (error, REPORT_ERROR, REPORT_ERROR_INPUT, "%s",
                       local->message);
          return false;
        }
      g_autofree char *b64 = g_base64_encode ((const guchar *) data, len);
      g_string_append_printf (s, "<figure id=\"plot-%s\"><img alt=\"",
                              plots_names[i]);
      report_esc (s, plots_names[i]);
      g_string_append_printf (s, "\" src=\"data:image/png;base64,%s\">"
                              "<figcaption>", b64);
      report_esc (s, plots_caption (plots_names[i]));
      g_string_append (s, "</figcaption></figure>\n");
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

  g_autoptr (GString) body = g_string_new (NULL);
  g_autofree char *title = NULL;
  if (!report_summary (body, dir, &title, error)
      || !report_plots (body, dir, error)
      || !report_csv (body, dir, "interruptions_by_cause.csv",
                      "Interruptions by cause", "by-cause", G_MAXSIZE, error)
      || !report_csv (body, dir, "interruptions.csv", "Interruptions",
                      "interruptions", REPORT_MAX_INTERRUPTIONS, error)
      || !report_csv (body, dir, "jobs.csv", "Jobs", "jobs", REPORT_MAX_JOBS,
                      error))
    return false;

  g_autoptr (GString) s = g_string_new (
      "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
      "<meta name=\"generator\" content=\"faultline report\">\n<title>");
  g_string_append (s, "faultline report: ");
  report_esc (s, title);
  g_string_append_printf (s, "</title>\n<style>%s</style>\n</head>\n<body>\n"
                          "<h1>faultline report: ", report_css);
  report_esc (s, title);
  g_string_append (s, "</h1>\n<p class=\"note\">Run folder <code>");
  report_esc (s, dir);
  g_string_append (s, "</code>. Sections: <a href=\"#summary\">summary</a>, "
                   "<a href=\"#plots\">plots</a>, <a href=\"#by-cause\">"
                   "interruptions by cause</a>, <a href=\"#interruptions\">"
                   "interruptions</a>, <a href=\"#jobs\">jobs</a>.</p>\n");
  g_string_append_len (s, body->str, (gssize) body->len);
  g_string_append (s, "</body>\n</html>\n");

  g_autofree char *path = out_path ? g_strdup (out_path)
                                   : g_build_filename (dir, "report.html",
                                                       NULL);
  g_autoptr (GError) local = NULL;
  if (!atomicfile_write (path, s->str, s->len, &local))
    {
      g_set_error (error, REPORT_ERROR, REPORT_ERROR_IO, "%s",
                   local->message);
      return false;
    }
  return true;
}
