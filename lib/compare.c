/* lib/compare.c - `faultline compare`: metric-by-metric comparison of two
 * summary.json files with tolerances, and Welch 95% intervals when the
 * summaries carry replicas. Rules: docs/ci.md. Reads and formats only. */
#include "compare.h"

#include <errno.h>
#include <json-glib/json-glib.h>
#include <math.h>
#include <string.h>

#include "metrictab.h"
#include "results.h"
#include "stats.h"

G_DEFINE_QUARK (faultline-compare-error-quark, compare_error)

/* ---- the metrics we judge: the metric table (lib/metrictab.h) ---- */

/* Only the table's rows with a direction carry a tolerance. */
#define COMPARE_MAX_METRICS 64

struct CompareOptions
{
  double tolerance_pct[COMPARE_MAX_METRICS]; /* by metric table index */
};

static CompareDirection
compare_direction_of (const MetrictabEntry *e)
{
  switch (e->direction)
    {
    case METRICTAB_HIGHER_BETTER: return COMPARE_HIGHER_BETTER;
    case METRICTAB_LOWER_BETTER: return COMPARE_LOWER_BETTER;
    case METRICTAB_INFORMATIONAL: break;
    }
  return COMPARE_INFORMATIONAL;
}

/* The table row of a judged metric NAME (one with a direction), or NULL. */
static const MetrictabEntry *
compare_find (const char *name, size_t *index)
{
  size_t n;
  const MetrictabEntry *tab = metrictab_entries (&n);
  for (size_t i = 0; i < n; i++)
    if (strcmp (tab[i].name, name) == 0
        && tab[i].direction != METRICTAB_INFORMATIONAL)
      {
        if (index != NULL)
          *index = i;
        return &tab[i];
      }
  return NULL;
}

CompareOptions *
compare_options_new (void)
{
  size_t n;
  const MetrictabEntry *tab = metrictab_entries (&n);
  g_assert (n <= COMPARE_MAX_METRICS);
  CompareOptions *opt = g_new0 (CompareOptions, 1);
  for (size_t i = 0; i < n; i++)
    opt->tolerance_pct[i] = tab[i].tolerance_pct;
  return opt;
}

void
compare_options_free (CompareOptions *opt)
{
  g_free (opt);
}

bool
compare_options_set_tolerance (CompareOptions *opt, const char *spec,
                               GError **error)
{
  g_return_val_if_fail (opt != NULL, false);
  g_return_val_if_fail (spec != NULL, false);
  const char *eq = strchr (spec, '=');
  if (eq == NULL || eq == spec || eq[1] == '\0')
    {
      g_set_error (error, COMPARE_ERROR, COMPARE_ERROR_INVALID,
                   "--tolerance '%s': expected METRIC=PCT, e.g. ettr=0.5",
                   spec);
      return false;
    }
  g_autofree char *name = g_strndup (spec, (gsize) (eq - spec));
  size_t idx;
  if (compare_find (name, &idx) == NULL)
    {
      GString *valid = g_string_new (NULL);
      size_t nt;
      const MetrictabEntry *tab = metrictab_entries (&nt);
      for (size_t i = 0; i < nt; i++)
        if (tab[i].direction != METRICTAB_INFORMATIONAL)
          g_string_append_printf (valid, "%s%s", valid->len ? ", " : "",
                                  tab[i].name);
      g_set_error (error, COMPARE_ERROR, COMPARE_ERROR_INVALID,
                   "--tolerance '%s': unknown metric '%s' (metrics with a "
                   "direction: %s)", spec, name, valid->str);
      g_string_free (valid, TRUE);
      return false;
    }
  g_autofree char *num = g_strdup (eq + 1);
  size_t n = strlen (num);
  if (n > 0 && num[n - 1] == '%')
    num[n - 1] = '\0';
  char *end = NULL;
  errno = 0;
  double pct = g_ascii_strtod (num, &end);
  if (*num == '\0' || end == NULL || *end != '\0' || errno != 0
      || !isfinite (pct) || pct < 0)
    {
      g_set_error (error, COMPARE_ERROR, COMPARE_ERROR_INVALID,
                   "--tolerance '%s': '%s' is not a non-negative percentage",
                   spec, eq + 1);
      return false;
    }
  opt->tolerance_pct[idx] = pct;
  return true;
}

/* ---- reading summaries ---- */

typedef struct
{
  const char *name;    /* file name for messages */
  JsonObject *metrics; /* (transfer none) */
  JsonArray *replicas; /* (transfer none) or NULL */
} CompareSide;

static bool
compare_load (JsonParser *parser, const char *text, const char *name,
              CompareSide *side, GError **error)
{
  GError *local = NULL;
  if (!json_parser_load_from_data (parser, text, -1, &local))
    {
      g_set_error (error, COMPARE_ERROR, COMPARE_ERROR_INVALID,
                   "'%s' is not valid JSON: %s", name, local->message);
      g_error_free (local);
      return false;
    }
  JsonNode *root = json_parser_get_root (parser);
  JsonObject *top = root && JSON_NODE_HOLDS_OBJECT (root)
                    ? json_node_get_object (root) : NULL;
  JsonNode *m = top ? json_object_get_member (top, "metrics") : NULL;
  if (m == NULL || !JSON_NODE_HOLDS_OBJECT (m))
    {
      g_set_error (error, COMPARE_ERROR, COMPARE_ERROR_INVALID,
                   "'%s' has no \"metrics\" object: is it a faultline "
                   "summary.json?", name);
      return false;
    }
  side->name = name;
  side->metrics = json_node_get_object (m);
  side->replicas = NULL;
  JsonNode *r = json_object_get_member (top, "replicas");
  if (r != NULL && !JSON_NODE_HOLDS_NULL (r))
    {
      if (!JSON_NODE_HOLDS_ARRAY (r))
        {
          g_set_error (error, COMPARE_ERROR, COMPARE_ERROR_INVALID,
                       "'%s': \"replicas\" must be an array of metrics "
                       "objects", name);
          return false;
        }
      side->replicas = json_node_get_array (r);
      for (guint i = 0; i < json_array_get_length (side->replicas); i++)
        if (!JSON_NODE_HOLDS_OBJECT (json_array_get_element (side->replicas,
                                                              i)))
          {
            g_set_error (error, COMPARE_ERROR, COMPARE_ERROR_INVALID,
                         "'%s': replicas[%u] is not a metrics object", name,
                         i);
            return false;
          }
    }
  return true;
}

/* Reads obj[key] into *out (NaN for null). *present is false when absent.
 * A value of another type is bad input. */
static bool
compare_number (JsonObject *obj, const char *key, const char *where,
                const char *name, double *out, bool *present, GError **error)
{
  JsonNode *n = json_object_get_member (obj, key);
  *present = n != NULL;
  *out = NAN;
  if (n == NULL || JSON_NODE_HOLDS_NULL (n))
    return true;
  GType t = JSON_NODE_HOLDS_VALUE (n) ? json_node_get_value_type (n)
                                      : G_TYPE_INVALID;
  if (t == G_TYPE_INT64 || t == G_TYPE_DOUBLE)
    {
      *out = json_node_get_double (n);
      return true;
    }
  g_set_error (error, COMPARE_ERROR, COMPARE_ERROR_INVALID,
               "'%s': %s%s is not a number or null", name, where, key);
  return false;
}

/* ---- deciding ---- */

static void
compare_decide (CompareRow *row, const MetrictabEntry *cm, double tol_pct,
                GArray *xb, GArray *xc)
{
  row->direction = cm ? compare_direction_of (cm) : COMPARE_INFORMATIONAL;
  row->tolerance_pct = cm ? tol_pct : NAN;
  row->tolerance_abs = cm ? cm->tolerance_abs : NAN;
  row->ci95_low = row->ci95_high = NAN;
  row->verdict = COMPARE_OK;
  StatsOnline sb, sc;
  stats_online_init (&sb);
  stats_online_init (&sc);
  for (guint i = 0; i < xb->len; i++)
    if (isfinite (g_array_index (xb, double, i)))
      stats_online_add (&sb, g_array_index (xb, double, i));
  for (guint i = 0; i < xc->len; i++)
    if (isfinite (g_array_index (xc, double, i)))
      stats_online_add (&sc, g_array_index (xc, double, i));
  row->n_baseline = (uint32_t) sb.n;
  row->n_candidate = (uint32_t) sc.n;
  double b = stats_online_mean (&sb), c = stats_online_mean (&sc);
  /* mtti_hours is null when the job was never interrupted: +infinity. */
  bool inf_null = cm != NULL && cm->null_is_infinite;
  row->baseline = b;
  row->candidate = c;
  row->change = c - b;
  row->change_pct = isfinite (b) && b != 0 ? 100.0 * (c - b) / fabs (b)
                                           : NAN;
  if (cm == NULL)
    return;
  if (isnan (b) && isnan (c))
    return; /* null on both sides: nothing changed */
  if (isnan (b) || isnan (c))
    {
      if (!inf_null)
        row->verdict = COMPARE_NA;
      else
        row->verdict = isnan (b) ? COMPARE_REGRESSION : COMPARE_IMPROVED;
      return;
    }
  double s = cm->direction == METRICTAB_HIGHER_BETTER ? 1.0 : -1.0;
  double margin = MAX (tol_pct / 100.0 * fabs (b), cm->tolerance_abs);
  double d = s * (c - b), lo = d, hi = d;
  double vb = sb.n >= 2 ? stats_online_variance (&sb) : 0.0;
  double vc = sc.n >= 2 ? stats_online_variance (&sc) : 0.0;
  double qb = vb / (double) sb.n, qc = vc / (double) sc.n;
  double se = sqrt (qb + qc);
  if (se > 0)
    {
      /* Welch-Satterthwaite degrees of freedom, rounded down (a slightly
       * wider interval: conservative). */
      double den = (sb.n >= 2 ? qb * qb / (double) (sb.n - 1) : 0.0)
                   + (sc.n >= 2 ? qc * qc / (double) (sc.n - 1) : 0.0);
      double df = den > 0 ? (qb + qc) * (qb + qc) / den : 1.0;
      double t = stats_t95 ((uint64_t) MAX (1.0, floor (df)));
      lo = d - t * se;
      hi = d + t * se;
      row->ci95_low = (c - b) - t * se;
      row->ci95_high = (c - b) + t * se;
    }
  if (hi < -margin)
    row->verdict = COMPARE_REGRESSION;
  else if (lo > margin)
    row->verdict = COMPARE_IMPROVED;
}

/* Values of one metric for one side: the replicas when there are any, else
 * the single summary value. */
static bool
compare_values (const CompareSide *side, const char *obj_key,
                const char *key, GArray *out, GError **error)
{
  g_array_set_size (out, 0);
  guint n = side->replicas ? json_array_get_length (side->replicas) : 0;
  for (guint i = 0; i <= n; i++)
    {
      JsonObject *o;
      if (n == 0)
        o = side->metrics;
      else if (i == n)
        break;
      else
        o = json_array_get_object_element (side->replicas, i);
      g_autofree char *where = n ? g_strdup_printf ("replicas[%u].", i)
                                 : g_strdup ("metrics.");
      if (obj_key != NULL)
        {
          JsonNode *sub = json_object_get_member (o, obj_key);
          if (sub == NULL || !JSON_NODE_HOLDS_OBJECT (sub))
            continue;
          o = json_node_get_object (sub);
          char *w = g_strconcat (where, obj_key, ".", NULL);
          g_free (where);
          where = w;
        }
      double v;
      bool present;
      if (!compare_number (o, key, where, side->name, &v, &present, error))
        return false;
      if (present)
        g_array_append_val (out, v);
    }
  return true;
}

static void
compare_row_clear (gpointer p)
{
  g_free (((CompareRow *) p)->metric);
}

/* Adds the union of member names of obj in a and b (a's order first). */
static void
compare_keys (GPtrArray *keys, JsonObject *a, JsonObject *b)
{
  JsonObject *objs[2] = { a, b };
  for (int k = 0; k < 2; k++)
    {
      GList *names = json_object_get_members (objs[k]);
      for (GList *l = names; l; l = l->next)
        {
          bool seen = false;
          for (guint i = 0; i < keys->len && !seen; i++)
            seen = strcmp (keys->pdata[i], l->data) == 0;
          if (!seen)
            g_ptr_array_add (keys, g_strdup (l->data));
        }
      g_list_free (names);
    }
}

static bool
compare_add (Comparison *cmp, const CompareSide *sb, const CompareSide *sc,
             const CompareOptions *opt, const char *obj_key, const char *key,
             GError **error)
{
  g_autoptr (GArray) xb = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr (GArray) xc = g_array_new (FALSE, FALSE, sizeof (double));
  if (!compare_values (sb, obj_key, key, xb, error)
      || !compare_values (sc, obj_key, key, xc, error))
    return false;
  if (xb->len == 0 && xc->len == 0)
    return true;
  size_t idx = 0;
  const MetrictabEntry *cm = obj_key ? NULL : compare_find (key, &idx);
  CompareRow row = { 0 };
  row.metric = obj_key ? g_strconcat (obj_key, ".", key, NULL)
                       : g_strdup (key);
  compare_decide (&row, cm, cm ? opt->tolerance_pct[idx] : NAN, xb, xc);
  if (row.verdict == COMPARE_REGRESSION)
    cmp->regression = true;
  g_array_append_val (cmp->rows, row);
  return true;
}

static Comparison *
compare_sides (const CompareSide *sb, const CompareSide *sc,
               const CompareOptions *opt, GError **error)
{
  /* Required metrics first, in a missing-key check of both sides. */
  const CompareSide *sides[2] = { sb, sc };
  size_t nt;
  const MetrictabEntry *tab = metrictab_entries (&nt);
  for (int k = 0; k < 2; k++)
    for (size_t i = 0; i < nt; i++)
      if (tab[i].compare_required
          && !json_object_has_member (sides[k]->metrics, tab[i].name))
        {
          g_set_error (error, COMPARE_ERROR, COMPARE_ERROR_INVALID,
                       "'%s': metrics.%s is missing: is it a faultline "
                       "summary.json?", sides[k]->name, tab[i].name);
          return NULL;
        }
  Comparison *cmp = g_new0 (Comparison, 1);
  cmp->rows = g_array_new (FALSE, TRUE, sizeof (CompareRow));
  g_array_set_clear_func (cmp->rows, compare_row_clear);
  g_autoptr (GPtrArray) keys = g_ptr_array_new_with_free_func (g_free);
  for (size_t i = 0; i < nt; i++)
    if (tab[i].direction != METRICTAB_INFORMATIONAL)
      g_ptr_array_add (keys, g_strdup (tab[i].name));
  compare_keys (keys, sb->metrics, sc->metrics);
  for (guint i = 0; i < keys->len; i++)
    {
      const char *key = keys->pdata[i];
      JsonNode *nb = json_object_get_member (sb->metrics, key);
      JsonNode *nc = json_object_get_member (sc->metrics, key);
      bool is_obj = (nb && JSON_NODE_HOLDS_OBJECT (nb))
                    || (nc && JSON_NODE_HOLDS_OBJECT (nc));
      bool ok = true;
      if (!is_obj)
        ok = compare_add (cmp, sb, sc, opt, NULL, key, error);
      else
        {
          /* e.g. interruptions_by_cause: one informational row per cause */
          g_autoptr (GPtrArray) sub = g_ptr_array_new_with_free_func (g_free);
          JsonObject *empty = json_object_new ();
          compare_keys (sub, nb && JSON_NODE_HOLDS_OBJECT (nb)
                               ? json_node_get_object (nb) : empty,
                        nc && JSON_NODE_HOLDS_OBJECT (nc)
                          ? json_node_get_object (nc) : empty);
          json_object_unref (empty);
          for (guint j = 0; ok && j < sub->len; j++)
            ok = compare_add (cmp, sb, sc, opt, key, sub->pdata[j], error);
        }
      if (!ok)
        {
          compare_free (cmp);
          return NULL;
        }
    }
  return cmp;
}

Comparison *
compare_texts (const char *baseline, const char *baseline_name,
               const char *candidate, const char *candidate_name,
               const CompareOptions *opt, GError **error)
{
  g_return_val_if_fail (baseline != NULL && candidate != NULL, NULL);
  g_return_val_if_fail (opt != NULL, NULL);
  g_autoptr (JsonParser) pb = json_parser_new_immutable ();
  g_autoptr (JsonParser) pc = json_parser_new_immutable ();
  CompareSide sb, sc;
  if (!compare_load (pb, baseline, baseline_name, &sb, error)
      || !compare_load (pc, candidate, candidate_name, &sc, error))
    return NULL;
  Comparison *cmp = compare_sides (&sb, &sc, opt, error);
  if (cmp != NULL)
    {
      cmp->baseline_path = g_strdup (baseline_name);
      cmp->candidate_path = g_strdup (candidate_name);
    }
  return cmp;
}

/* Reads path, or path/summary.json when path is a folder. */
static char *
compare_read (const char *path, char **used, GError **error)
{
  *used = g_file_test (path, G_FILE_TEST_IS_DIR)
          ? g_build_filename (path, "summary.json", NULL) : g_strdup (path);
  char *text = NULL;
  GError *local = NULL;
  if (!g_file_get_contents (*used, &text, NULL, &local))
    {
      g_set_error (error, COMPARE_ERROR, COMPARE_ERROR_INVALID,
                   "cannot read summary: %s", local->message);
      g_error_free (local);
      g_clear_pointer (used, g_free);
      return NULL;
    }
  return text;
}

Comparison *
compare_files (const char *baseline, const char *candidate,
               const CompareOptions *opt, GError **error)
{
  g_return_val_if_fail (baseline != NULL && candidate != NULL, NULL);
  g_autofree char *ub = NULL, *uc = NULL;
  g_autofree char *tb = compare_read (baseline, &ub, error);
  if (tb == NULL)
    return NULL;
  g_autofree char *tc = compare_read (candidate, &uc, error);
  if (tc == NULL)
    return NULL;
  return compare_texts (tb, ub, tc, uc, opt, error);
}

void
compare_free (Comparison *c)
{
  if (c == NULL)
    return;
  g_array_unref (c->rows);
  g_free (c->baseline_path);
  g_free (c->candidate_path);
  g_free (c);
}

/* ---- output ---- */

const char *
compare_verdict_name (CompareVerdict v)
{
  switch (v)
    {
    case COMPARE_OK: return "ok";
    case COMPARE_IMPROVED: return "improved";
    case COMPARE_REGRESSION: return "REGRESSION";
    case COMPARE_NA: return "n/a";
    }
  return "?";
}

const char *
compare_direction_name (CompareDirection d)
{
  switch (d)
    {
    case COMPARE_HIGHER_BETTER: return "higher";
    case COMPARE_LOWER_BETTER: return "lower";
    case COMPARE_INFORMATIONAL: return "info";
    }
  return "?";
}

static void
compare_cell (GString *o, double v, const char *fmt_suffix)
{
  if (isnan (v))
    g_string_append_printf (o, " %12s", "null");
  else
    {
      char buf[48];
      g_snprintf (buf, sizeof buf, "%.6g%s", v, fmt_suffix);
      g_string_append_printf (o, " %12s", buf);
    }
}

char *
compare_format_table (const Comparison *c)
{
  g_return_val_if_fail (c != NULL, NULL);
  GString *o = g_string_new (NULL);
  g_string_append_printf (o, "baseline:  %s\ncandidate: %s\n\n",
                          c->baseline_path, c->candidate_path);
  g_string_append_printf (o, "%-36s %12s %12s %12s %12s %12s %-7s %s\n",
                          "metric", "baseline", "candidate", "change",
                          "change%", "tolerance", "better", "verdict");
  for (guint i = 0; i < c->rows->len; i++)
    {
      const CompareRow *r = &g_array_index (c->rows, CompareRow, i);
      g_string_append_printf (o, "%-36s", r->metric);
      compare_cell (o, r->baseline, "");
      compare_cell (o, r->candidate, "");
      compare_cell (o, r->change, "");
      compare_cell (o, r->change_pct, "%");
      if (isnan (r->tolerance_pct))
        g_string_append_printf (o, " %12s", "-");
      else
        compare_cell (o, r->tolerance_pct, "%");
      g_string_append_printf (o, " %-7s %s",
                              compare_direction_name (r->direction),
                              r->direction == COMPARE_INFORMATIONAL
                                ? "-" : compare_verdict_name (r->verdict));
      if (!isnan (r->ci95_low))
        g_string_append_printf (o, "  (n=%u/%u, 95%% CI of change "
                                "[%.4g, %.4g])", r->n_baseline,
                                r->n_candidate, r->ci95_low, r->ci95_high);
      g_string_append_c (o, '\n');
    }
  g_string_append_printf (o, "\n%s\n", c->regression
                          ? "REGRESSION: at least one metric is worse than "
                            "its tolerance"
                          : "no regression beyond tolerance");
  return g_string_free (o, FALSE);
}


char *
compare_format_json (const Comparison *c)
{
  g_return_val_if_fail (c != NULL, NULL);
  g_autoptr (JsonBuilder) b = json_builder_new ();
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "baseline");
  json_builder_add_string_value (b, c->baseline_path);
  json_builder_set_member_name (b, "candidate");
  json_builder_add_string_value (b, c->candidate_path);
  json_builder_set_member_name (b, "regression");
  json_builder_add_boolean_value (b, c->regression);
  json_builder_set_member_name (b, "metrics");
  json_builder_begin_array (b);
  for (guint i = 0; i < c->rows->len; i++)
    {
      const CompareRow *r = &g_array_index (c->rows, CompareRow, i);
      json_builder_begin_object (b);
      json_builder_set_member_name (b, "metric");
      json_builder_add_string_value (b, r->metric);
      json_builder_set_member_name (b, "direction");
      json_builder_add_string_value (b, compare_direction_name (r->direction));
      results_json_add_number (b, "baseline", r->baseline);
      results_json_add_number (b, "candidate", r->candidate);
      results_json_add_number (b, "change", r->change);
      results_json_add_number (b, "change_pct", r->change_pct);
      results_json_add_number (b, "tolerance_pct", r->tolerance_pct);
      results_json_add_number (b, "tolerance_abs", r->tolerance_abs);
      json_builder_set_member_name (b, "n_baseline");
      json_builder_add_int_value (b, r->n_baseline);
      json_builder_set_member_name (b, "n_candidate");
      json_builder_add_int_value (b, r->n_candidate);
      results_json_add_number (b, "ci95_low", r->ci95_low);
      results_json_add_number (b, "ci95_high", r->ci95_high);
      json_builder_set_member_name (b, "verdict");
      json_builder_add_string_value (b, r->direction == COMPARE_INFORMATIONAL
                                          ? "info"
                                          : compare_verdict_name (r->verdict));
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
  json_builder_end_object (b);
  g_autoptr (JsonNode) root = json_builder_get_root (b);
  return results_json_to_string (root, true);
}
