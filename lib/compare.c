/* lib/compare.c - `faultline compare`: metric-by-metric comparison of two
 * summary.json files with tolerances, and Welch 95% intervals when the
 * summaries carry replicas. Rules: docs/ci.md. Reads and formats only. */
#include "compare.h"

#include <errno.h>
#include <json-glib/json-glib.h>
#include <math.h>
#include <string.h>

#include "infile.h"
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
  JsonObject *top;     /* the whole summary (transfer none) */
} CompareSide;

static bool
compare_load (JsonParser *parser, const char *text, const char *name,
              CompareSide *side, GError **error)
{
  GError *local = NULL;
  /* json-glib recurses per nesting level: refuse deep text first. */
  if (!infile_json_depth_ok (text, -1, INFILE_JSON_MAX_DEPTH, name, &local))
    {
      g_set_error_literal (error, COMPARE_ERROR, COMPARE_ERROR_INVALID,
                           local->message);
      g_error_free (local);
      return false;
    }
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
  side->top = top;
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
  cmp->warnings = g_ptr_array_new_with_free_func (g_free);
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

/* A member of obj as compact JSON text, or NULL when absent. Returns:
 * (transfer full). */
static char *
compare_member_text (JsonObject *obj, const char *key)
{
  JsonNode *n = obj ? json_object_get_member (obj, key) : NULL;
  return n ? results_json_to_string (n, false) : NULL;
}

/* The scenario's file name ("spares.lua"): two checkouts give the same
 * scenario different paths. Returns: (transfer full) or NULL. */
static char *
compare_scenario (const CompareSide *side)
{
  const char *s = json_object_get_string_member_with_default (side->top,
                                                              "scenario",
                                                              NULL);
  return s ? g_path_get_basename (s) : NULL;
}

/* Warnings when the two runs do not answer the same question: different
 * scenarios, or parameters that differ (seeds may differ: that is what
 * replicas are). */
static void
compare_warnings (Comparison *cmp, const CompareSide *sb,
                  const CompareSide *sc)
{
  g_autofree char *nb = compare_scenario (sb), *nc = compare_scenario (sc);
  if (nb && nc && strcmp (nb, nc) != 0)
    g_ptr_array_add (cmp->warnings, g_strdup_printf (
      "the runs come from different scenarios (baseline %s, candidate %s): "
      "the comparison may not mean what you think", nb, nc));
  JsonNode *pb = json_object_get_member (sb->top, "params");
  JsonNode *pc = json_object_get_member (sc->top, "params");
  if (pb == NULL || pc == NULL || !JSON_NODE_HOLDS_OBJECT (pb)
      || !JSON_NODE_HOLDS_OBJECT (pc))
    return;
  g_autoptr (GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  compare_keys (names, json_node_get_object (pb), json_node_get_object (pc));
  GString *diff = g_string_new (NULL);
  for (guint i = 0; i < names->len; i++)
    {
      const char *k = names->pdata[i];
      g_autofree char *vb = compare_member_text (json_node_get_object (pb), k);
      g_autofree char *vc = compare_member_text (json_node_get_object (pc), k);
      if (g_strcmp0 (vb, vc) != 0)
        g_string_append_printf (diff, "%s%s %s -> %s", diff->len ? ", " : "",
                                k, vb ? vb : "(unset)", vc ? vc : "(unset)");
    }
  if (diff->len > 0)
    g_ptr_array_add (cmp->warnings, g_strdup_printf (
      "the runs have different parameters (%s): a change of the scenario's "
      "inputs, not only of the code", diff->str));
  g_string_free (diff, TRUE);
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
      compare_warnings (cmp, &sb, &sc);
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
  if (!infile_read (*used, "summary.json", INFILE_MAX_JSON, &text, NULL,
                    &local))
    {
      g_set_error_literal (error, COMPARE_ERROR, COMPARE_ERROR_INVALID,
                           local->message);
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
  g_ptr_array_unref (c->warnings);
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

/* A number for the table: "%.6g", "null" for NaN. */
static char *
compare_num (double v, const char *suffix)
{
  if (isnan (v))
    return g_strdup ("null");
  char buf[G_ASCII_DTOSTR_BUF_SIZE];
  return g_strconcat (g_ascii_formatd (buf, sizeof buf, "%.6g", v), suffix,
                      NULL);
}

/* A signed percentage or change: "+2.5%", "-0.31%". */
static char *
compare_signed (double v, const char *suffix)
{
  if (isnan (v))
    return g_strdup ("-");
  if (v == 0)
    return g_strconcat ("0", suffix, NULL);
  char buf[G_ASCII_DTOSTR_BUF_SIZE];
  if (*suffix == '%')
    g_ascii_formatd (buf, sizeof buf, fabs (v) >= 100 ? "%+.0f"
                     : fabs (v) >= 10 ? "%+.1f" : "%+.2f", v);
  else
    g_ascii_formatd (buf, sizeof buf, "%+.4g", v);
  return g_strconcat (buf, suffix, NULL);
}

static const char *compare_unit (const CompareRow *r);

/* The unit after a number in a sentence: none for fractions and counts. */
static const char *
compare_unit_after (const CompareRow *r)
{
  const char *u = compare_unit (r);
  return strcmp (u, "0..1") == 0 || strcmp (u, "count") == 0 ? "" : u;
}

static const char *
compare_unit (const CompareRow *r)
{
  const MetrictabEntry *e = metrictab_find (r->metric);
  if (e != NULL)
    return metrictab_unit_name (e->unit);
  return strchr (r->metric, '.') != NULL ? "count" : "";
}

static const char *
compare_row_verdict (const CompareRow *r)
{
  return r->direction == COMPARE_INFORMATIONAL
         ? "-" : compare_verdict_name (r->verdict);
}

/* How much a regressed row got worse: "-2.55% (0.9248 -> 0.9012)". */
static char *
compare_how_much (const CompareRow *r)
{
  g_autofree char *pct = compare_signed (r->change_pct, "%");
  g_autofree char *b = compare_num (r->baseline, "");
  g_autofree char *c = compare_num (r->candidate, "");
  g_autofree char *tol = compare_num (r->tolerance_pct, "%");
  if (isnan (r->change_pct))
    {
      g_autofree char *abs = compare_signed (r->change, "");
      const char *u = compare_unit_after (r);
      return g_strdup_printf ("%s%s%s (%s -> %s; tolerance %s)",
                              isnan (r->change) ? "null" : abs,
                              *u ? " " : "", u, b, c, tol);
    }
  const char *u = compare_unit_after (r);
  return g_strdup_printf ("%s (%s -> %s%s%s; tolerance %s)", pct, b, c,
                          *u ? " " : "", u, tol);
}

enum { COL_METRIC, COL_UNIT, COL_BASE, COL_CAND, COL_CHANGE, COL_PCT,
       COL_TOL, COL_BETTER, COL_VERDICT, COL_N };

char *
compare_format_table (const Comparison *c)
{
  g_return_val_if_fail (c != NULL, NULL);
  static const char *const head[COL_N] = {
    "metric", "unit", "baseline", "candidate", "change", "change%",
    "tolerance", "better", "verdict",
  };
  /* right-aligned: the numbers */
  static const bool right[COL_N] = { false, false, true, true, true, true,
                                     true, false, false };
  guint n = c->rows->len;
  g_autoptr (GPtrArray) cells = g_ptr_array_new_with_free_func (g_free);
  int w[COL_N];
  for (int k = 0; k < COL_N; k++)
    w[k] = (int) strlen (head[k]);
  for (guint i = 0; i < n; i++)
    {
      const CompareRow *r = &g_array_index (c->rows, CompareRow, i);
      char *row[COL_N] = {
        g_strdup (r->metric), g_strdup (compare_unit (r)),
        compare_num (r->baseline, ""), compare_num (r->candidate, ""),
        compare_signed (r->change, ""), compare_signed (r->change_pct, "%"),
        isnan (r->tolerance_pct) ? g_strdup ("-")
                                 : compare_num (r->tolerance_pct, "%"),
        g_strdup (compare_direction_name (r->direction)),
        g_strdup (compare_row_verdict (r)),
      };
      for (int k = 0; k < COL_N; k++)
        {
          w[k] = MAX (w[k], (int) g_utf8_strlen (row[k], -1));
          g_ptr_array_add (cells, row[k]);
        }
    }
  GString *o = g_string_new (NULL);
  g_string_append_printf (o, "baseline:  %s\ncandidate: %s\n",
                          c->baseline_path, c->candidate_path);
  for (guint i = 0; i < c->warnings->len; i++)
    g_string_append_printf (o, "warning: %s\n",
                            (char *) c->warnings->pdata[i]);
  g_string_append_c (o, '\n');
  for (int k = 0; k < COL_N; k++)
    g_string_append_printf (o, "%s%*s", k ? "  " : "",
                            right[k] ? w[k] : k == COL_N - 1 ? 0 : -w[k],
                            head[k]);
  g_string_append_c (o, '\n');
  for (guint i = 0; i < n; i++)
    {
      const CompareRow *r = &g_array_index (c->rows, CompareRow, i);
      GString *line = g_string_new (NULL);
      for (int k = 0; k < COL_N; k++)
        {
          const char *cell = cells->pdata[i * COL_N + k];
          /* pad by characters, not bytes (a cause may be UTF-8) */
          int pad = w[k] - (int) g_utf8_strlen (cell, -1);
          if (k)
            g_string_append (line, "  ");
          if (right[k])
            g_string_append_printf (line, "%*s%s", pad, "", cell);
          else if (k == COL_N - 1)
            g_string_append (line, cell);
          else
            g_string_append_printf (line, "%s%*s", cell, pad, "");
        }
      if (!isnan (r->ci95_low))
        g_string_append_printf (line, "  (n=%u/%u, 95%% CI of change "
                                "[%.4g, %.4g])", r->n_baseline,
                                r->n_candidate, r->ci95_low, r->ci95_high);
      g_string_append_len (o, line->str, (gssize) line->len);
      g_string_append_c (o, '\n');
      g_string_free (line, TRUE);
    }
  guint nreg = 0;
  int wm = 0;
  for (guint i = 0; i < n; i++)
    {
      const CompareRow *r = &g_array_index (c->rows, CompareRow, i);
      if (r->verdict == COMPARE_REGRESSION)
        {
          nreg++;
          wm = MAX (wm, (int) strlen (r->metric));
        }
    }
  if (nreg == 0)
    g_string_append (o, "\nno regression beyond tolerance\n");
  else
    {
      g_string_append_printf (o, "\nREGRESSION in %u metric%s (worse than "
                              "its tolerance):\n", nreg, nreg == 1 ? "" : "s");
      for (guint i = 0; i < n; i++)
        {
          const CompareRow *r = &g_array_index (c->rows, CompareRow, i);
          if (r->verdict != COMPARE_REGRESSION)
            continue;
          g_autofree char *how = compare_how_much (r);
          g_string_append_printf (o, "  %-*s  %s\n", wm, r->metric, how);
        }
    }
  return g_string_free (o, FALSE);
}

/* ---- markdown: a pull-request comment ---- */

/* Appends text with the characters markdown treats specially escaped. */
static void
compare_md_text (GString *o, const char *text)
{
  for (const char *p = text; *p; p++)
    {
      if (strchr ("|\\`*_<>[]", *p) != NULL)
        g_string_append_c (o, '\\');
      if (*p == '\n')
        g_string_append_c (o, ' ');
      else
        g_string_append_c (o, *p);
    }
}

/* Appends text as a code span in a table cell: a backtick becomes a
 * quote, a pipe is escaped (GitHub reads \| inside code in tables). */
static void
compare_md_code (GString *o, const char *text)
{
  g_string_append_c (o, '`');
  for (const char *p = text; *p; p++)
    {
      if (*p == '|')
        g_string_append (o, "\\|");
      else if (*p == '`')
        g_string_append_c (o, '\'');
      else if (*p == '\n')
        g_string_append_c (o, ' ');
      else
        g_string_append_c (o, *p);
    }
  g_string_append_c (o, '`');
}

/* A value for a person: the metric table's rounding and unit. */
static char *
compare_md_value (const CompareRow *r, double v)
{
  const MetrictabEntry *e = metrictab_find (r->metric);
  if (e != NULL)
    return metrictab_format (e, v, true);
  return compare_num (v, "");
}

static void
compare_md_row (GString *o, const CompareRow *r, bool ci_column)
{
  g_autofree char *b = compare_md_value (r, r->baseline);
  g_autofree char *cv = compare_md_value (r, r->candidate);
  g_autofree char *pct = compare_signed (r->change_pct, "%");
  g_autofree char *chg = isnan (r->change_pct)
                         ? compare_signed (r->change, "") : NULL;
  g_autofree char *tol = isnan (r->tolerance_pct)
                         ? g_strdup ("-")
                         : compare_num (r->tolerance_pct, "%");
  bool bad = r->verdict == COMPARE_REGRESSION;
  g_string_append (o, bad ? "| **" : "| ");
  compare_md_code (o, r->metric);
  g_string_append_printf (o, "%s | %s | %s | %s | %s | %s |", bad ? "**" : "",
                          b, cv, chg ? chg : pct, tol,
                          r->direction == COMPARE_INFORMATIONAL ? "info"
                          : bad ? "**REGRESSION**"
                          : compare_verdict_name (r->verdict));
  if (ci_column && !isnan (r->ci95_low))
    g_string_append_printf (o, " n=%u/%u, [%.4g, %.4g] |", r->n_baseline,
                            r->n_candidate, r->ci95_low, r->ci95_high);
  else if (ci_column)
    g_string_append_printf (o, " n=%u/%u |", r->n_baseline, r->n_candidate);
  g_string_append_c (o, '\n');
}

/* One comparison's markdown; heading is "###" or, for a point of a
 * sweep, "####" with the point's name. */
static void
compare_md_one (GString *o, const Comparison *c, const char *point)
{
  guint nreg = 0, njudged = 0;
  for (guint i = 0; i < c->rows->len; i++)
    {
      const CompareRow *r = &g_array_index (c->rows, CompareRow, i);
      nreg += r->verdict == COMPARE_REGRESSION;
      njudged += r->direction != COMPARE_INFORMATIONAL;
    }
  if (point != NULL)
    {
      g_string_append (o, "#### point ");
      compare_md_code (o, point);
      g_string_append (o, ": ");
    }
  else
    g_string_append (o, "### faultline compare: ");
  if (nreg > 0)
    g_string_append_printf (o, "REGRESSION in %u of %u metrics\n\n", nreg,
                            njudged);
  else
    g_string_append_printf (o, "no regression (%u metrics within tolerance "
                            "or better)\n\n", njudged);
  bool ci_column = false;
  for (guint i = 0; i < c->rows->len; i++)
    ci_column = ci_column
                || !isnan (g_array_index (c->rows, CompareRow, i).ci95_low);
  g_string_append (o, "Baseline ");
  compare_md_code (o, c->baseline_path);
  g_string_append (o, ", candidate ");
  compare_md_code (o, c->candidate_path);
  g_string_append (o, ci_column ? ". With replicas, a regression is a 95% "
                   "confidence interval of the change (Welch) wholly worse "
                   "than the tolerance.\n\n" : ".\n\n");
  for (guint i = 0; i < c->warnings->len; i++)
    {
      g_string_append (o, "> **Warning:** ");
      compare_md_text (o, c->warnings->pdata[i]);
      g_string_append (o, "\n\n");
    }
  for (int pass = 0; pass < 2; pass++)
    {
      /* judged metrics first; the informational ones folded away */
      bool info = pass == 1;
      guint k = 0;
      for (guint i = 0; i < c->rows->len; i++)
        k += (g_array_index (c->rows, CompareRow, i).direction
              == COMPARE_INFORMATIONAL) == info;
      if (k == 0)
        continue;
      if (info)
        g_string_append_printf (o, "<details><summary>%u informational "
                                "rows (never a verdict)</summary>\n\n", k);
      g_string_append (o, ci_column
                       ? "| metric | baseline | candidate | change | "
                         "tolerance | verdict | replicas, 95% CI of change "
                         "|\n| --- | ---: | ---: | ---: | ---: | --- | --- |\n"
                       : "| metric | baseline | candidate | change | "
                         "tolerance | verdict |\n"
                         "| --- | ---: | ---: | ---: | ---: | --- |\n");
      for (guint i = 0; i < c->rows->len; i++)
        {
          const CompareRow *r = &g_array_index (c->rows, CompareRow, i);
          if ((r->direction == COMPARE_INFORMATIONAL) == info)
            compare_md_row (o, r, ci_column);
        }
      if (info)
        g_string_append (o, "\n</details>\n");
      g_string_append_c (o, '\n');
    }
}

char *
compare_format_markdown (const Comparison *c)
{
  g_return_val_if_fail (c != NULL, NULL);
  GString *o = g_string_new (NULL);
  compare_md_one (o, c, NULL);
  return g_string_free (o, FALSE);
}

char *
compare_format_markdown_points (const Comparison *const *cmps,
                                const char *const *points, size_t n,
                                const char *baseline, const char *candidate)
{
  g_return_val_if_fail (n == 0 || (cmps != NULL && points != NULL), NULL);
  GString *o = g_string_new (NULL);
  size_t nreg = 0;
  for (size_t i = 0; i < n; i++)
    nreg += cmps[i]->regression;
  if (nreg > 0)
    g_string_append_printf (o, "### faultline compare: REGRESSION at %zu of "
                            "%zu sweep points\n\n", nreg, n);
  else
    g_string_append_printf (o, "### faultline compare: no regression at "
                            "any of %zu sweep points\n\n", n);
  g_string_append (o, "Baseline sweep ");
  compare_md_code (o, baseline);
  g_string_append (o, ", candidate sweep ");
  compare_md_code (o, candidate);
  g_string_append (o, ".\n\n");
  for (size_t i = 0; i < n; i++)
    compare_md_one (o, cmps[i], points[i]);
  return g_string_free (o, FALSE);
}

/* ---- JUnit XML: one test case per metric ---- */

static void
compare_xml_attr (GString *o, const char *name, const char *value)
{
  g_autofree char *e = g_markup_escape_text (value ? value : "", -1);
  g_string_append_printf (o, " %s=\"%s\"", name, e);
}

static void
compare_junit_counts (const Comparison *c, guint *n, guint *nreg,
                      guint *nskip)
{
  *n += c->rows->len;
  for (guint i = 0; i < c->rows->len; i++)
    {
      const CompareRow *r = &g_array_index (c->rows, CompareRow, i);
      *nreg += r->verdict == COMPARE_REGRESSION;
      *nskip += r->verdict == COMPARE_NA;
    }
}

/* One <testsuite>: "faultline compare", or "faultline compare POINT". */
static void
compare_junit_suite (GString *o, const Comparison *c, const char *point)
{
  guint n = 0, nreg = 0, nskip = 0;
  compare_junit_counts (c, &n, &nreg, &nskip);
  g_autofree char *suite = point ? g_strconcat ("faultline compare ", point,
                                                NULL)
                                 : g_strdup ("faultline compare");
  g_autofree char *cls = point ? g_strconcat ("faultline.compare.", point,
                                              NULL)
                               : g_strdup ("faultline.compare");
  g_autofree char *cls_info = g_strconcat (cls, ".info", NULL);
  g_string_append (o, "  <testsuite");
  compare_xml_attr (o, "name", suite);
  g_string_append_printf (o, " tests=\"%u\" failures=\"%u\" errors=\"0\" "
                          "skipped=\"%u\" time=\"0\">\n", n, nreg, nskip);
  g_string_append (o, "    <properties>\n      <property name=\"baseline\"");
  compare_xml_attr (o, "value", c->baseline_path);
  g_string_append (o, "/>\n      <property name=\"candidate\"");
  compare_xml_attr (o, "value", c->candidate_path);
  g_string_append (o, "/>\n    </properties>\n");
  for (guint i = 0; i < n; i++)
    {
      const CompareRow *r = &g_array_index (c->rows, CompareRow, i);
      g_string_append (o, "    <testcase");
      compare_xml_attr (o, "classname",
                        r->direction == COMPARE_INFORMATIONAL ? cls_info : cls);
      compare_xml_attr (o, "name", r->metric);
      g_string_append (o, " time=\"0\">\n");
      g_autofree char *b = compare_num (r->baseline, "");
      g_autofree char *cv = compare_num (r->candidate, "");
      g_autofree char *pct = compare_signed (r->change_pct, "%");
      g_autofree char *tol = compare_num (r->tolerance_pct, "%");
      g_autofree char *detail = g_strdup_printf (
        "baseline %s, candidate %s%s%s, change %s, tolerance %s, %s is "
        "better, n=%u/%u", b, cv, *compare_unit_after (r) ? " " : "",
        compare_unit_after (r), pct,
        isnan (r->tolerance_pct) ? "-" : tol,
        compare_direction_name (r->direction), r->n_baseline,
        r->n_candidate);
      if (r->verdict == COMPARE_REGRESSION)
        {
          g_autofree char *how = compare_how_much (r);
          g_autofree char *msg = g_strdup_printf ("%s regressed: %s",
                                                  r->metric, how);
          g_string_append (o, "      <failure type=\"regression\"");
          compare_xml_attr (o, "message", msg);
          g_string_append (o, ">");
          g_autofree char *e = g_markup_escape_text (detail, -1);
          g_string_append_printf (o, "%s</failure>\n", e);
        }
      else
        {
          if (r->verdict == COMPARE_NA)
            {
              g_string_append (o, "      <skipped");
              compare_xml_attr (o, "message", "null (not measured) on one "
                                              "side only: no verdict");
              g_string_append (o, "/>\n");
            }
          g_autofree char *e = g_markup_escape_text (detail, -1);
          g_string_append_printf (o, "      <system-out>%s (%s)"
                                  "</system-out>\n", e,
                                  compare_row_verdict (r));
        }
      g_string_append (o, "    </testcase>\n");
    }
  if (c->warnings->len > 0)
    {
      g_string_append (o, "    <system-err>");
      for (guint i = 0; i < c->warnings->len; i++)
        {
          g_autofree char *e = g_markup_escape_text (c->warnings->pdata[i],
                                                     -1);
          g_string_append_printf (o, "warning: %s\n", e);
        }
      g_string_append (o, "</system-err>\n");
    }
  g_string_append (o, "  </testsuite>\n");
}

char *
compare_format_junit_points (const Comparison *const *cmps,
                             const char *const *points, size_t n)
{
  g_return_val_if_fail (n == 0 || cmps != NULL, NULL);
  guint tests = 0, nreg = 0, nskip = 0;
  for (size_t i = 0; i < n; i++)
    compare_junit_counts (cmps[i], &tests, &nreg, &nskip);
  GString *o = g_string_new ("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
  g_string_append_printf (o, "<testsuites name=\"faultline compare\" "
                          "tests=\"%u\" failures=\"%u\" errors=\"0\" "
                          "skipped=\"%u\">\n", tests, nreg, nskip);
  for (size_t i = 0; i < n; i++)
    compare_junit_suite (o, cmps[i], points ? points[i] : NULL);
  g_string_append (o, "</testsuites>\n");
  return g_string_free (o, FALSE);
}

char *
compare_format_junit (const Comparison *c)
{
  g_return_val_if_fail (c != NULL, NULL);
  return compare_format_junit_points (&c, NULL, 1);
}

bool
compare_format_parse (const char *name, CompareFormat *out, GError **error)
{
  g_return_val_if_fail (name != NULL && out != NULL, false);
  static const struct
  {
    const char *name;
    CompareFormat f;
  } formats[] = {
    { "table", COMPARE_FORMAT_TABLE }, { "json", COMPARE_FORMAT_JSON },
    { "markdown", COMPARE_FORMAT_MARKDOWN }, { "md", COMPARE_FORMAT_MARKDOWN },
    { "junit", COMPARE_FORMAT_JUNIT },
  };
  for (size_t i = 0; i < G_N_ELEMENTS (formats); i++)
    if (strcmp (name, formats[i].name) == 0)
      {
        *out = formats[i].f;
        return true;
      }
  g_set_error (error, COMPARE_ERROR, COMPARE_ERROR_INVALID,
               "--format '%s': expected table, json, markdown or junit",
               name);
  return false;
}

char *
compare_format (const Comparison *c, CompareFormat f)
{
  switch (f)
    {
    case COMPARE_FORMAT_JSON: return compare_format_json (c);
    case COMPARE_FORMAT_MARKDOWN: return compare_format_markdown (c);
    case COMPARE_FORMAT_JUNIT: return compare_format_junit (c);
    case COMPARE_FORMAT_TABLE: break;
    }
  return compare_format_table (c);
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
  json_builder_set_member_name (b, "warnings");
  json_builder_begin_array (b);
  for (guint i = 0; i < c->warnings->len; i++)
    json_builder_add_string_value (b, c->warnings->pdata[i]);
  json_builder_end_array (b);
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
