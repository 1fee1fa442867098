/* lib/sweep-aggregate.c - a finished sweep's aggregates from its replicas'
 * summary.json files: sweep.json, sweep.csv, <point>/summary.json, the
 * ETTR plot and the point rows of results.sqlite. Used by sweep_run (an
 * unsharded sweep) and sweep_merge, so both write the same bytes.
 *
 * Everything is computed in (point, seed) order from the files as
 * `faultline run` wrote them, never in completion order. One replica's
 * summary.json is parsed at a time and each is read twice: the first pass
 * sums its numbers into its point's accumulators and appends its
 * sweep.csv row; the second streams its metrics into the point's
 * summary.json and completes the point's statistics (sd and CI need the
 * mean first; sweep_acc_* give the bits sweep_stats gives). A point keeps
 * sums only, never a value per replica, so memory does not grow with the
 * number of replicas or points. Not here: running replicas (sweep.c), the
 * database itself (sweep-db.c). */
#include "sweep-int.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "atomicfile.h"
#include "faultline.h"
#include "fl-int.h"
#include "plots.h"
#include "infile.h"
#include "metrictab.h"
#include "results.h"

/* ---- aggregation ---- */

/* The value of a metric node: NaN for null, absent or non-number. */
static double
sweep_node_number (JsonNode *n)
{
  if (n == NULL || !JSON_NODE_HOLDS_VALUE (n))
    return NAN;
  GType t = json_node_get_value_type (n);
  if (t == G_TYPE_INT64 || t == G_TYPE_DOUBLE)
    return json_node_get_double (n);
  return NAN;
}

/* The metric list of the sweep (from the first replica of the first
 * point) and the statistics of every point, kept for sweep.json, the plot
 * and the database: a few numbers per point and metric. */
typedef struct
{
  GPtrArray *numeric;   /* metrics with a number or null, in order: a key,
                         * or KEY.NAME for a member of a by-job object */
  GPtrArray *num_key;   /* the key in "metrics" of each numeric entry */
  GPtrArray *num_sub;   /* its member name in that object, or NULL */
  GPtrArray *objects;   /* metric keys holding an object (by cause, by job) */
  SweepStats *stats;    /* [point * numeric->len + k] */
} SweepData;

static void
sweep_data_clear (SweepData *d)
{
  g_clear_pointer (&d->numeric, g_ptr_array_unref);
  g_clear_pointer (&d->num_key, g_ptr_array_unref);
  g_clear_pointer (&d->num_sub, g_ptr_array_unref);
  g_clear_pointer (&d->objects, g_ptr_array_unref);
  g_clear_pointer (&d->stats, g_free);
}

/* One metric key of a point's summary.json, in the order of the point's
 * first replica: a number (the sum of its values over the replicas) or an
 * object (the union of its members over the replicas, in order of first
 * appearance, and the sum of each member's values). Only the means are
 * written, so only the first pass of the accumulators is used. */
typedef struct
{
  char *key;
  bool object;
  SweepAcc acc;         /* a number */
  double absent;        /* an object: the value of a member a replica lacks */
  GPtrArray *subs;      /* an object: member names (owned) */
  GArray *sub_acc;      /* an object: SweepAcc per member */
  GArray *sub_seen;     /* an object: per member, last seed counted + 1 */
  GHashTable *sub_at;   /* an object: name -> index + 1 */
} SweepKey;

static void
sweep_key_free (gpointer p)
{
  SweepKey *k = p;
  g_free (k->key);
  if (k->subs != NULL)
    {
      g_ptr_array_unref (k->subs);
      g_array_unref (k->sub_acc);
      g_array_unref (k->sub_seen);
      g_hash_table_unref (k->sub_at);
    }
  g_free (k);
}

/* What one point keeps while its replicas are read one at a time: sums,
 * never a value per replica nor a parsed summary, so memory does not grow
 * with the number of replicas. The statistics need two passes over the
 * values in order (sweep_acc_*): the first while the replicas are read
 * for sweep.csv, the second while their metrics are streamed into the
 * point's summary.json. */
typedef struct
{
  size_t ns;            /* replicas (seeds) of the point */
  SweepAcc *acc;        /* per numeric entry */
  double *row;          /* per numeric entry: the replica being read */
  JsonNode *params;     /* the first replica's "params" (a copy), or NULL */
  GPtrArray *keys;      /* SweepKey *, NULL until the first replica */
} SweepPointData;

static void
sweep_point_data_clear (SweepPointData *pd)
{
  g_clear_pointer (&pd->acc, g_free);
  g_clear_pointer (&pd->row, g_free);
  g_clear_pointer (&pd->params, json_node_unref);
  g_clear_pointer (&pd->keys, g_ptr_array_unref);
}

/* Parses replica i's summary.json into parser and returns its metrics
 * object (transfer none), or NULL with FL_ERROR_INPUT naming the file. */
static JsonObject *
sweep_replica_metrics (const SweepPlan *plan, const char *root,
                       JsonParser *parser, unsigned i, JsonNode **root_out,
                       GError **error)
{
  g_autofree char *dir = sweep_replica_dir (root, sweep_plan_point (plan, i),
                                            sweep_plan_seed (plan, i));
  g_autofree char *path = g_build_filename (dir, "summary.json", NULL);
  GError *err = NULL;
  JsonNode *r = NULL, *m = NULL;
  if (infile_load_json (parser, path, "summary.json", &err))
    r = json_parser_get_root (parser);
  if (r != NULL && JSON_NODE_HOLDS_OBJECT (r))
    m = json_object_get_member (json_node_get_object (r), "metrics");
  if (m == NULL || !JSON_NODE_HOLDS_OBJECT (m))
    {
      g_set_error (error, FL_ERROR, FL_ERROR_INPUT,
                   "%s: not a replica summary (no metrics object)%s%s",
                   path, err ? ": " : "", err ? err->message : "");
      g_clear_error (&err);
      return NULL;
    }
  if (root_out != NULL)
    *root_out = r;
  return json_node_get_object (m);
}

/* Lists the sweep's metric keys from the first replica's metrics. */
static void
sweep_data_list (SweepData *d, JsonObject *first)
{
  d->numeric = g_ptr_array_new_with_free_func (g_free);
  d->num_key = g_ptr_array_new_with_free_func (g_free);
  d->num_sub = g_ptr_array_new_with_free_func (g_free);
  d->objects = g_ptr_array_new_with_free_func (g_free);
  GList *names = json_object_get_members (first);
  for (GList *l = names; l != NULL; l = l->next)
    {
      JsonNode *n = json_object_get_member (first, l->data);
      if (JSON_NODE_HOLDS_OBJECT (n))
        {
          g_ptr_array_add (d->objects, g_strdup (l->data));
          /* A by-job object (each job{}'s completion time) is numbers
           * users want CIs of: one entry per job, KEY.NAME. Every replica
           * has the same jobs (null when one did not complete). */
          const MetrictabEntry *e = metrictab_find (l->data);
          if (e == NULL || e->kind != METRICTAB_BY_JOB)
            continue;
          GList *subs = json_object_get_members (json_node_get_object (n));
          for (GList *q = subs; q != NULL; q = q->next)
            {
              g_ptr_array_add (d->numeric, g_strconcat (l->data, ".",
                                                        q->data, NULL));
              g_ptr_array_add (d->num_key, g_strdup (l->data));
              g_ptr_array_add (d->num_sub, g_strdup (q->data));
            }
          g_list_free (subs);
        }
      else if (JSON_NODE_HOLDS_NULL (n)
               || (JSON_NODE_HOLDS_VALUE (n)
                   && (json_node_get_value_type (n) == G_TYPE_INT64
                       || json_node_get_value_type (n) == G_TYPE_DOUBLE)))
        {
          g_ptr_array_add (d->numeric, g_strdup (l->data));
          g_ptr_array_add (d->num_key, g_strdup (l->data));
          g_ptr_array_add (d->num_sub, NULL);
        }
    }
  g_list_free (names);
}

/* The value of numeric entry k in metrics object o: NaN when null or
 * absent. */
static double
sweep_data_number (const SweepData *d, JsonObject *o, guint k)
{
  JsonNode *n = json_object_get_member (o, d->num_key->pdata[k]);
  const char *sub = d->num_sub->pdata[k];
  if (sub != NULL)
    n = n && JSON_NODE_HOLDS_OBJECT (n)
          ? json_object_get_member (json_node_get_object (n), sub) : NULL;
  return sweep_node_number (n);
}

/* The keys of the point's summary.json from its first replica: the numbers
 * and objects of the sweep's lists, in that replica's order. */
static void
sweep_point_keys (SweepPointData *pd, const SweepData *d, JsonObject *first)
{
  pd->keys = g_ptr_array_new_with_free_func (sweep_key_free);
  GList *names = json_object_get_members (first);
  for (GList *l = names; l != NULL; l = l->next)
    {
      const char *key = l->data;
      bool num = g_ptr_array_find_with_equal_func (d->numeric, key,
                                                   g_str_equal, NULL);
      if (!num && !g_ptr_array_find_with_equal_func (d->objects, key,
                                                     g_str_equal, NULL))
        continue;
      SweepKey *k = g_new0 (SweepKey, 1);
      k->key = g_strdup (key);
      if (!num)
        {
          /* a count by cause: absent means none; a job's time: absent
           * means not measured */
          const MetrictabEntry *e = metrictab_find (key);
          k->object = true;
          k->absent = e != NULL && e->kind == METRICTAB_BY_JOB ? NAN : 0.0;
          k->subs = g_ptr_array_new_with_free_func (g_free);
          k->sub_acc = g_array_new (FALSE, TRUE, sizeof (SweepAcc));
          k->sub_seen = g_array_new (FALSE, TRUE, sizeof (size_t));
          k->sub_at = g_hash_table_new (g_str_hash, g_str_equal);
        }
      g_ptr_array_add (pd->keys, k);
    }
  g_list_free (names);
}

/* First pass over seed s of the point (seeds in order): its metrics
 * object m into the point's sums and into pd->row. */
static void
sweep_point_add (SweepPointData *pd, const SweepData *d, size_t s,
                 JsonObject *m)
{
  for (guint k = 0; k < d->numeric->len; k++)
    {
      pd->row[k] = sweep_data_number (d, m, k);
      sweep_acc_add1 (&pd->acc[k], pd->row[k]);
    }
  for (guint i = 0; i < pd->keys->len; i++)
    {
      SweepKey *k = pd->keys->pdata[i];
      JsonNode *n = json_object_get_member (m, k->key);
      if (!k->object)
        {
          sweep_acc_add1 (&k->acc, sweep_node_number (n));
          continue;
        }
      JsonObject *o = n != NULL && JSON_NODE_HOLDS_OBJECT (n)
                        ? json_node_get_object (n) : NULL;
      GList *subs = o != NULL ? json_object_get_members (o) : NULL;
      for (GList *q = subs; q != NULL; q = q->next)
        {
          guint at = GPOINTER_TO_UINT (g_hash_table_lookup (k->sub_at,
                                                            q->data));
          if (at == 0)
            {
              /* a member first seen here: the seeds before lacked it */
              char *name = g_strdup (q->data);
              SweepAcc acc = { 0 };
              for (size_t t = 0; t < s; t++)
                sweep_acc_add1 (&acc, k->absent);
              g_ptr_array_add (k->subs, name);
              g_array_append_val (k->sub_acc, acc);
              g_array_append_val (k->sub_seen, s);
              at = k->subs->len;
              g_hash_table_insert (k->sub_at, name, GUINT_TO_POINTER (at));
            }
          sweep_acc_add1 (&g_array_index (k->sub_acc, SweepAcc, at - 1),
                          sweep_node_number (json_object_get_member (
                              o, q->data)));
          g_array_index (k->sub_seen, size_t, at - 1) = s + 1;
        }
      g_list_free (subs);
      /* the members this seed lacks */
      for (guint q = 0; q < k->subs->len; q++)
        if (g_array_index (k->sub_seen, size_t, q) != s + 1)
          {
            sweep_acc_add1 (&g_array_index (k->sub_acc, SweepAcc, q),
                            k->absent);
            g_array_index (k->sub_seen, size_t, q) = s + 1;
          }
    }
}

static void
sweep_add_seeds (JsonBuilder *b, const SweepPlan *opt)
{
  json_builder_set_member_name (b, "seeds");
  json_builder_begin_array (b);
  for (size_t s = 0; s < opt->n_seeds; s++)
    json_builder_add_int_value (b, (gint64) opt->seeds[s]);
  json_builder_end_array (b);
}

static void
sweep_add_point_params (JsonBuilder *b, const SweepPlan *opt,
                        const SweepPoint *pt)
{
  json_builder_set_member_name (b, "params");
  json_builder_begin_object (b);
  for (size_t a = 0; a < opt->n_axes; a++)
    {
      json_builder_set_member_name (b, opt->axes[a].key);
      json_builder_add_string_value (b, pt->values[a]);
    }
  json_builder_end_object (b);
}

/* A JSON object opened with the members every sweep file starts with. */
static JsonBuilder *
sweep_json_begin (const SweepPlan *opt)
{
  JsonBuilder *b = json_builder_new ();
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "faultline_version");
  json_builder_add_string_value (b, opt->version);
  json_builder_set_member_name (b, "scenario");
  g_autofree char *label = fl_scenario_label (opt->scenario);
  json_builder_add_string_value (b, label);
  return b;
}

static char *
sweep_json (const SweepPlan *plan, const SweepData *d, double wall_s)
{
  const SweepPlan *opt = plan;
  g_autoptr (JsonBuilder) b = sweep_json_begin (opt);
  json_builder_set_member_name (b, "sets");
  json_builder_begin_array (b);
  for (size_t i = 0; opt->sets != NULL && opt->sets[i] != NULL; i++)
    json_builder_add_string_value (b, opt->sets[i]);
  json_builder_end_array (b);
  json_builder_set_member_name (b, "grid");
  json_builder_begin_object (b);
  for (size_t a = 0; a < opt->n_axes; a++)
    {
      json_builder_set_member_name (b, opt->axes[a].key);
      json_builder_begin_array (b);
      for (size_t v = 0; opt->axes[a].values[v] != NULL; v++)
        json_builder_add_string_value (b, opt->axes[a].values[v]);
      json_builder_end_array (b);
    }
  json_builder_end_object (b);
  sweep_add_seeds (b, opt);
  json_builder_set_member_name (b, "replicas");
  json_builder_add_int_value (b, plan->total);
  results_json_add_number (b, "wall_seconds",
                           opt->write_wall_seconds ? wall_s : NAN);
  json_builder_set_member_name (b, "points");
  json_builder_begin_array (b);
  for (guint p = 0; p < plan->points->len; p++)
    {
      const SweepPoint *pt = g_ptr_array_index (plan->points, p);
      json_builder_begin_object (b);
      json_builder_set_member_name (b, "name");
      json_builder_add_string_value (b, pt->name);
      sweep_add_point_params (b, opt, pt);
      sweep_add_seeds (b, opt);
      json_builder_set_member_name (b, "metrics");
      json_builder_begin_object (b);
      for (guint k = 0; k < d->numeric->len; k++)
        {
          SweepStats st = d->stats[p * d->numeric->len + k];
          json_builder_set_member_name (b, d->numeric->pdata[k]);
          json_builder_begin_object (b);
          json_builder_set_member_name (b, "n");
          json_builder_add_int_value (b, (gint64) st.n);
          results_json_add_number (b, "mean", st.mean);
          results_json_add_number (b, "sd", st.sd);
          results_json_add_number (b, "min", st.min);
          results_json_add_number (b, "max", st.max);
          results_json_add_number (b, "ci95_low", st.ci95_low);
          results_json_add_number (b, "ci95_high", st.ci95_high);
          json_builder_end_object (b);
        }
      json_builder_end_object (b);
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
  json_builder_end_object (b);
  g_autoptr (JsonNode) root = json_builder_get_root (b);
  return results_json_to_string (root, true);
}

/* Appends the metrics object m as results_json_to_string writes it at
 * depth 2 (an element of the top-level "replicas" array): a literal
 * newline only ever starts an indentation (strings escape theirs), so
 * indenting each line by two more levels is the same text. */
static void
sweep_append_replica (GString *o, JsonObject *m)
{
  g_autoptr (JsonNode) n = json_node_alloc ();
  json_node_init_object (n, m);
  g_autofree char *text = results_json_to_string (n, true);
  size_t len = strlen (text);
  if (len > 0 && text[len - 1] == '\n')
    text[--len] = '\0';
  for (const char *c = text; *c; c++)
    {
      g_string_append_c (o, *c);
      if (*c == '\n')
        g_string_append (o, "    ");
    }
}

/* OUT/<point>/summary.json: a summary whose metrics are the means and whose
 * "replicas" are the metrics of each seed (docs/ci.md). Written as a
 * stream: the head from the point's sums, then each replica's metrics
 * read again from its summary.json, one at a time; that read is also the
 * second pass of the point's statistics (pd->acc). */
static bool
sweep_point_summary (const SweepPlan *plan, const char *root,
                     const SweepData *d, SweepPointData *pd, guint p,
                     GError **error)
{
  const SweepPlan *opt = plan;
  size_t ns = pd->ns;
  g_autoptr (JsonBuilder) b = sweep_json_begin (opt);
  sweep_add_seeds (b, opt);
  /* the params of the first seed's summary (the same for every seed) */
  json_builder_set_member_name (b, "params");
  if (pd->params != NULL)
    json_builder_add_value (b, json_node_copy (pd->params));
  else
    json_builder_add_null_value (b);
  json_builder_set_member_name (b, "metrics");
  json_builder_begin_object (b);
  for (guint i = 0; i < pd->keys->len; i++)
    {
      const SweepKey *k = pd->keys->pdata[i];
      if (!k->object)
        {
          results_json_add_number (b, k->key, sweep_acc_mean (&k->acc));
          continue;
        }
      json_builder_set_member_name (b, k->key);
      json_builder_begin_object (b);
      for (guint q = 0; q < k->subs->len; q++)
        results_json_add_number (
            b, k->subs->pdata[q],
            sweep_acc_mean (&g_array_index (k->sub_acc, SweepAcc, q)));
      json_builder_end_object (b);
    }
  json_builder_end_object (b);
  json_builder_end_object (b);
  g_autoptr (JsonNode) head = json_builder_get_root (b);
  g_autofree char *text = results_json_to_string (head, true);
  /* text ends with the object's closing "\n}\n": "replicas" goes before */
  size_t len = strlen (text);
  g_assert (len >= 3 && strcmp (text + len - 3, "\n}\n") == 0);

  const SweepPoint *pt = g_ptr_array_index (plan->points, p);
  g_autofree char *path = g_build_filename (root, pt->name, "summary.json",
                                            NULL);
  GError *err = NULL;
  AtomicFile *f = atomicfile_open (path, &err);
  g_autoptr (GString) o = g_string_new_len (text, (gssize) len - 3);
  g_string_append (o, ",\n  \"replicas\": [");
  bool ok = f != NULL;
  for (size_t s = 0; ok && s < ns; s++)
    {
      g_autoptr (JsonParser) parser = json_parser_new ();
      JsonObject *m = sweep_replica_metrics (plan, root, parser,
                                             (unsigned) (p * ns + s), NULL,
                                             error);
      ok = m != NULL;
      if (!ok)
        break;
      for (guint k = 0; k < d->numeric->len; k++)
        sweep_acc_add2 (&pd->acc[k], sweep_data_number (d, m, k));
      g_string_append (o, s > 0 ? ",\n    " : "\n    ");
      sweep_append_replica (o, m);
      ok = atomicfile_append (f, o->str, o->len, &err);
      g_string_truncate (o, 0);
    }
  g_string_append (o, ns > 0 ? "\n  ]\n}\n" : "]\n}\n");
  ok = ok && atomicfile_append (f, o->str, o->len, &err);
  if (ok)
    ok = atomicfile_commit (g_steal_pointer (&f), &err);
  atomicfile_abort (f);
  if (err != NULL)
    {
      if (error != NULL && *error == NULL)
        g_set_error_literal (error, FL_ERROR, FL_ERROR_INPUT, err->message);
      g_error_free (err);
    }
  return ok;
}

static void
sweep_csv_str (GString *o, const char *s)
{
  if (strpbrk (s, ",\"\r\n") == NULL)
    {
      g_string_append (o, s);
      return;
    }
  g_string_append_c (o, '"');
  for (const char *p = s; *p; p++)
    {
      if (*p == '"')
        g_string_append_c (o, '"');
      g_string_append_c (o, *p);
    }
  g_string_append_c (o, '"');
}

/* The header of sweep.csv. */
static void
sweep_csv_head (GString *o, const SweepPlan *plan, const SweepData *d)
{
  const SweepPlan *opt = plan;
  g_string_append (o, "point");
  for (size_t a = 0; a < opt->n_axes; a++)
    {
      g_string_append_c (o, ',');
      sweep_csv_str (o, opt->axes[a].key);
    }
  g_string_append (o, ",seed,dir");
  for (guint k = 0; k < d->numeric->len; k++)
    {
      g_string_append_c (o, ',');
      sweep_csv_str (o, d->numeric->pdata[k]);
    }
  g_string_append_c (o, '\n');
}

/* The row of sweep.csv of seed s of point p (its numbers in pd->row). */
static void
sweep_csv_row (GString *o, const SweepPlan *plan, const SweepData *d,
               const SweepPointData *pd, guint p, size_t s)
{
  const SweepPlan *opt = plan;
  unsigned i = (unsigned) (p * pd->ns + s);
  const SweepPoint *pt = sweep_plan_point (plan, i);
  uint64_t seed = sweep_plan_seed (plan, i);
  sweep_csv_str (o, pt->name);
  for (size_t a = 0; a < opt->n_axes; a++)
    {
      g_string_append_c (o, ',');
      sweep_csv_str (o, pt->values[a]);
    }
  g_string_append_printf (o, ",%" G_GUINT64_FORMAT ",", seed);
  g_autofree char *dir = sweep_replica_dir (NULL, pt, seed);
  sweep_csv_str (o, dir);
  for (guint k = 0; k < d->numeric->len; k++)
    {
      char buf[40];
      g_string_append_c (o, ',');
      g_string_append (o, results_format_double (pd->row[k], buf,
                                                 sizeof buf));
    }
  g_string_append_c (o, '\n');
}

/* ---- the plot: ETTR against the first grid key ---- */

static bool
sweep_is_number (const char *s)
{
  char *end;
  double v = g_ascii_strtod (s, &end);
  return end != s && *end == '\0' && isfinite (v);
}

/* Writes plots/METRIC.dat and METRIC.gp for one headline metric and runs
 * gnuplot. A missing or failing gnuplot is a warning (the run's numbers
 * are in sweep.json); *warned keeps the "not found" line to one. */
static bool
sweep_plot_metric (const SweepPlan *plan, const SweepData *d,
                   const char *dir, const MetrictabEntry *e, guint k,
                   bool *warned, GError **error)
{
  const SweepPlan *opt = plan;
  const char *metric = e->name;
  const SweepAxis *x = &opt->axes[0];
  size_t nx = g_strv_length ((char **) x->values);
  size_t series = plan->points->len / nx;
  bool numeric = true;
  for (size_t v = 0; v < nx; v++)
    numeric = numeric && sweep_is_number (x->values[v]);
  /* Fractions are shown as they are stored (0..1), as in summary.json. */
  const char *unit = metrictab_unit_name (e->unit);

  g_autoptr (GString) dat = g_string_new (NULL);
  g_autofree char *dat_head = g_strdup_printf (
      "%s.dat - written by faultline sweep: mean %s and its 95%% CI per "
      "value of %s\n1:x 2:mean 3:ci95_low 4:ci95_high 5:label", metric,
      e->label, x->key);
  g_string_append (dat, "# ");
  plots_gp_comment (dat, dat_head);
  g_string_append_c (dat, '\n');
  g_autofree char *file = g_strdup_printf ("%s.dat", metric);
  g_autoptr (GString) plot = g_string_new ("plot ");
  for (size_t r = 0; r < series; r++)
    {
      /* points r, r + series, ...: the first axis varies slowest */
      const SweepPoint *p0 = g_ptr_array_index (plan->points, r);
      g_autoptr (GString) title = g_string_new (NULL);
      for (size_t a = 1; a < opt->n_axes; a++)
        g_string_append_printf (title, "%s%s=%s", a > 1 ? ", " : "",
                                opt->axes[a].key, p0->values[a]);
      if (title->len == 0)
        g_string_append (title, "mean");
      if (r > 0)
        g_string_append (dat, "\n\n");
      g_string_append (dat, "# ");
      plots_gp_comment (dat, title->str);
      g_string_append_c (dat, '\n');
      for (size_t v = 0; v < nx; v++)
        {
          guint p = (guint) (v * series + r);
          SweepStats st = d->stats[p * d->numeric->len + k];
          bool ci = isfinite (st.ci95_low);
          if (numeric)
            plots_gp_number (dat, g_ascii_strtod (x->values[v], NULL));
          else
            g_string_append_printf (dat, "%zu", v);
          g_string_append_c (dat, ' ');
          plots_gp_number (dat, st.mean);
          g_string_append_c (dat, ' ');
          plots_gp_number (dat, ci ? st.ci95_low : st.mean);
          g_string_append_c (dat, ' ');
          plots_gp_number (dat, ci ? st.ci95_high : st.mean);
          g_string_append_c (dat, ' ');
          plots_gp_datafield (dat, x->values[v]);
          g_string_append_c (dat, '\n');
        }
      /* The CI as a shaded band, the mean as a line with points, in the
       * series' colour. */
      g_string_append_printf (plot, "%s'%s' index %zu using 1:3:4 with "
                              "filledcurves fs transparent solid 0.2 "
                              "noborder lc %zu notitle, '%s' index %zu "
                              "using 1:2%s with linespoints lw 2 pt 7 lc %zu "
                              "title ", r ? ", " : "", file, r, r + 1, file,
                              r, numeric ? "" : ":xtic(5)", r + 1);
      plots_gp_quoted (plot, title->str);
    }

  g_autofree char *about = g_strdup_printf (
      "mean %s against %s, with the 95%% CI of the mean over\n%zu seeds "
      "as a shaded band", e->label, x->key, opt->n_seeds);
  g_autofree char *title = g_strdup_printf (
      "%c%s against %s (mean and 95%% CI over %zu seed%s)",
      g_ascii_toupper (e->label[0]), e->label + 1, x->key, opt->n_seeds,
      opt->n_seeds == 1 ? "" : "s");
  g_autofree char *ylabel = g_strdup_printf ("%s (%s)", e->label, unit);
  g_autoptr (GString) gp = plots_script_new (
      metric, about, "`faultline sweep` (docs/sweep.md)", title, x->key,
      ylabel);
  g_autoptr (GString) sub = g_string_new (NULL);
  if (plan->scenario != NULL)
    {
      g_autofree char *base = g_path_get_basename (plan->scenario);
      g_string_append (sub, base);
    }
  for (size_t i = 0; plan->sets != NULL && plan->sets[i] != NULL; i++)
    g_string_append_printf (sub, "%s%s", i ? ", " : "; ", plan->sets[i]);
  plots_script_subtitle (gp, sub->str);
  g_string_append (gp, "set key outside right top\n"
                   "set offsets graph 0.05, graph 0.05, 0, 0\n");
  if (!numeric)
    g_string_append (gp, "set xtics noenhanced\n");
  plots_script_end (gp, plot->str);
  g_autofree char *gpname = g_strdup_printf ("%s.gp", metric);
  if (!sweep_write_file (dir, file, dat->str, dat->len, error)
      || !sweep_write_file (dir, gpname, gp->str, gp->len, error))
    return false;

  PlotsOptions po = { 0 };
  g_autoptr (GError) err = NULL;
  if (!plots_run_script (dir, metric, &po, &err))
    g_printerr ("faultline: warning: %s\n", err->message);
  else if (po.gnuplot_missing && !*warned)
    {
      g_printerr ("faultline: gnuplot not found; wrote the data files and "
                  "scripts of plots/ only\n");
      *warned = true;
    }
  return true;
}

/* With a grid, plots/METRIC.{dat,gp,png,svg} for each headline metric of
 * the metric table that some point measured: the metric against the
 * first grid axis. */
static bool
sweep_plot (const SweepPlan *plan, const SweepData *d, const char *root,
            GError **error)
{
  if (plan->n_axes == 0)
    return true;
  g_autofree char *dir = g_build_filename (root, "plots", NULL);
  if (g_mkdir_with_parents (dir, 0755) != 0)
    {
      g_set_error (error, FL_ERROR, FL_ERROR_INPUT, "%s: cannot create: %s",
                   dir, g_strerror (errno));
      return false;
    }
  size_t n_tab;
  const MetrictabEntry *tab = metrictab_entries (&n_tab);
  bool warned = false;
  for (size_t i = 0; i < n_tab; i++)
    {
      guint k = 0;
      if (!tab[i].headline
          || !g_ptr_array_find_with_equal_func (d->numeric, tab[i].name,
                                                g_str_equal, &k))
        continue;
      /* Not measured at any point (null in every replica: a main job that
       * never completes, a job never interrupted): nothing to plot. */
      bool any = false;
      for (guint p = 0; p < plan->points->len; p++)
        any = any || isfinite (d->stats[p * d->numeric->len + k].mean);
      if (!any)
        continue;
      if (!sweep_plot_metric (plan, d, dir, &tab[i], k, &warned, error))
        return false;
    }
  return true;
}

/* ---- all of it ---- */

bool
sweep_aggregate (const SweepPlan *plan, const char *root, SweepDb *db,
                 double wall_s, GError **error)
{
  SweepData d = { 0 };
  g_autofree char *csv_path = g_build_filename (root, "sweep.csv", NULL);
  AtomicFile *csv = NULL;
  GError *err = NULL;
  g_autoptr (GString) chunk = g_string_new (NULL);
  size_t ns = plan->n_seeds;
  bool ok = true;
  /* Point by point, and in a point replica by replica: parse its
   * summary.json, add its numbers to the point's sums, append its
   * sweep.csv row, drop the parse; then the point's summary.json (the
   * second pass) and its statistics. */
  for (guint p = 0; ok && p < plan->points->len; p++)
    {
      SweepPointData pd = { .ns = ns };
      for (size_t s = 0; ok && s < ns; s++)
        {
          g_autoptr (JsonParser) parser = json_parser_new ();
          JsonNode *r = NULL;
          JsonObject *m = sweep_replica_metrics (plan, root, parser,
                                                 (unsigned) (p * ns + s), &r,
                                                 error);
          ok = m != NULL;
          if (!ok)
            break;
          if (d.numeric == NULL)
            {
              sweep_data_list (&d, m);
              d.stats = g_new0 (SweepStats,
                                MAX (d.numeric->len * plan->points->len, 1));
              csv = atomicfile_open (csv_path, &err);
              ok = csv != NULL;
              sweep_csv_head (chunk, plan, &d);
            }
          if (s == 0)
            {
              JsonNode *params = json_object_get_member (
                  json_node_get_object (r), "params");
              pd.params = params != NULL ? json_node_copy (params) : NULL;
              pd.acc = g_new0 (SweepAcc, MAX (d.numeric->len, 1));
              pd.row = g_new (double, MAX (d.numeric->len, 1));
              sweep_point_keys (&pd, &d, m);
            }
          sweep_point_add (&pd, &d, s, m);
          sweep_csv_row (chunk, plan, &d, &pd, p, s);
          ok = ok && atomicfile_append (csv, chunk->str, chunk->len, &err);
          g_string_truncate (chunk, 0);
        }
      ok = ok && sweep_point_summary (plan, root, &d, &pd, p, error);
      size_t nm = ok ? d.numeric->len : 0;
      for (size_t k = 0; k < nm; k++)
        sweep_acc_stats (&pd.acc[k], &d.stats[p * nm + k]);
      sweep_point_data_clear (&pd);
    }
  if (ok)
    {
      AtomicFile *f = g_steal_pointer (&csv);
      ok = atomicfile_commit (f, &err);
    }
  atomicfile_abort (csv);
  if (err != NULL)
    {
      if (error != NULL && *error == NULL)
        g_set_error_literal (error, FL_ERROR, FL_ERROR_INPUT, err->message);
      g_error_free (err);
    }
  ok = ok && sweep_plot (plan, &d, root, error);
  if (ok && db != NULL)
    ok = sweep_db_set_point_stats (db, plan,
                                   (const char *const *) d.numeric->pdata,
                                   d.numeric->len, d.stats, error);
  if (ok)
    {
      g_autofree char *json = sweep_json (plan, &d, wall_s);
      ok = sweep_write_file (root, "sweep.json", json, strlen (json), error);
    }
  sweep_data_clear (&d);
  return ok;
}
