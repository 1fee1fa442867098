/* lib/sweep.c - `faultline sweep`: replicas over a grid and seeds, run on
 * plain worker threads, then aggregated in (point, seed) order. See
 * sweep.h and docs/sweep.md.
 *
 * Each replica is fl_run_new + fl_run_execute with its own World and Lua
 * state; nothing here is shared between workers but read-only inputs, the
 * atomic counters and one result slot per replica (see "running" for the
 * hand-off, written so that ThreadSanitizer can check it). The aggregation
 * reads the replicas' summary.json texts, so it sees exactly the numbers
 * `faultline run` writes. Not here:
 * the metrics themselves (models/), command-line parsing (cli/). */
#include "sweep.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include <json-glib/json-glib.h>

#include "atomicfile.h"
#include "failure.h"
#include "faultline.h"
#include "fl-config.h"
#include "health.h"
#include "ibpcap.h"
#include "plots.h"
#include "results.h"
#include "runtime.h"
#include "sched.h"
#include "stats.h"
#include "swf.h"
#include "topo.h"
#include "workload.h"
#include "world.h"

/* ---- statistics ---- */

void
sweep_stats (const double *x, size_t n, SweepStats *out)
{
  g_return_if_fail (out != NULL);
  g_return_if_fail (n == 0 || x != NULL);
  out->n = 0;
  out->mean = out->sd = out->min = out->max = NAN;
  out->ci95_low = out->ci95_high = NAN;
  /* Two passes in index order: the same inputs give the same bits. */
  double sum = 0.0;
  for (size_t i = 0; i < n; i++)
    {
      if (!isfinite (x[i]))
        continue;
      if (out->n == 0 || x[i] < out->min)
        out->min = x[i];
      if (out->n == 0 || x[i] > out->max)
        out->max = x[i];
      sum += x[i];
      out->n++;
    }
  if (out->n == 0)
    return;
  out->mean = sum / (double) out->n;
  if (out->n < 2)
    return;
  double ss = 0.0;
  for (size_t i = 0; i < n; i++)
    if (isfinite (x[i]))
      ss += (x[i] - out->mean) * (x[i] - out->mean);
  out->sd = sqrt (ss / (double) (out->n - 1));
  double h = stats_ci95_halfwidth (out->sd, out->n);
  out->ci95_low = out->mean - h;
  out->ci95_high = out->mean + h;
}

/* ---- parsing ---- */

static int
sweep_u64_cmp (gconstpointer a, gconstpointer b)
{
  guint64 x = *(const guint64 *) a, y = *(const guint64 *) b;
  return (x > y) - (x < y);
}

static bool
sweep_parse_seed (const char *spec, const char *s, guint64 *out,
                  GError **error)
{
  if (!g_ascii_string_to_unsigned (s, 10, 0, G_MAXINT64, out, NULL))
    {
      g_set_error (error, FL_ERROR, FL_ERROR_INPUT,
                   "--seeds '%s': '%s' is not a seed (an integer 0 .. %"
                   G_GINT64_FORMAT "); expected N, A-B or a list such as "
                   "1-8 or 1,3,5", spec, s, G_MAXINT64);
      return false;
    }
  return true;
}

bool
sweep_parse_seeds (const char *spec, GArray *seeds, GError **error)
{
  g_return_val_if_fail (seeds != NULL, false);
  g_return_val_if_fail (g_array_get_element_size (seeds) == sizeof (guint64),
                        false);
  if (spec == NULL || *spec == '\0')
    {
      g_set_error (error, FL_ERROR, FL_ERROR_INPUT,
                   "--seeds '': empty; expected N, A-B or a list such as "
                   "1-8 or 1,3,5");
      return false;
    }
  g_autoptr (GArray) got = g_array_new (FALSE, FALSE, sizeof (guint64));
  g_auto (GStrv) parts = g_strsplit (spec, ",", -1);
  for (size_t i = 0; parts[i] != NULL; i++)
    {
      const char *p = parts[i];
      const char *dash = strchr (p, '-');
      guint64 a, b;
      if (dash == NULL)
        {
          if (!sweep_parse_seed (spec, p, &a, error))
            return false;
          b = a;
        }
      else
        {
          g_autofree char *lo = g_strndup (p, (gsize) (dash - p));
          if (!sweep_parse_seed (spec, lo, &a, error)
              || !sweep_parse_seed (spec, dash + 1, &b, error))
            return false;
          if (b < a)
            {
              g_set_error (error, FL_ERROR, FL_ERROR_INPUT,
                           "--seeds '%s': the range '%s' runs backwards "
                           "(write %" G_GUINT64_FORMAT "-%" G_GUINT64_FORMAT
                           ")", spec, p, b, a);
              return false;
            }
        }
      if (b - a >= SWEEP_MAX_SEEDS
          || got->len + (b - a + 1) > SWEEP_MAX_SEEDS)
        {
          g_set_error (error, FL_ERROR, FL_ERROR_INPUT,
                       "--seeds '%s': more than %d seeds", spec,
                       SWEEP_MAX_SEEDS);
          return false;
        }
      for (guint64 s = a;; s++)
        {
          g_array_append_val (got, s);
          if (s == b)
            break;
        }
    }
  g_array_sort (got, sweep_u64_cmp);
  for (guint i = 1; i < got->len; i++)
    if (g_array_index (got, guint64, i) == g_array_index (got, guint64, i - 1))
      {
        g_set_error (error, FL_ERROR, FL_ERROR_INPUT,
                     "--seeds '%s': seed %" G_GUINT64_FORMAT " is given "
                     "twice", spec, g_array_index (got, guint64, i));
        return false;
      }
  g_array_append_vals (seeds, got->data, got->len);
  return true;
}

bool
sweep_parse_axis (const char *spec, char **key, char ***values,
                  GError **error)
{
  g_return_val_if_fail (key != NULL && values != NULL, false);
  const char *eq = spec != NULL ? strchr (spec, '=') : NULL;
  if (eq == NULL || eq == spec)
    {
      g_set_error (error, FL_ERROR, FL_ERROR_INPUT,
                   "--grid '%s': expected KEY=V1,V2,... (e.g. --grid "
                   "spares=64,128,256)", spec ? spec : "");
      return false;
    }
  if (eq[1] == '\0')
    {
      g_set_error (error, FL_ERROR, FL_ERROR_INPUT,
                   "--grid '%s': empty list of values (e.g. --grid "
                   "%.*s=1,2,3)", spec, (int) (eq - spec), spec);
      return false;
    }
  g_auto (GStrv) vals = g_strsplit (eq + 1, ",", -1);
  for (size_t i = 0; vals[i] != NULL; i++)
    {
      if (vals[i][0] == '\0')
        {
          g_set_error (error, FL_ERROR, FL_ERROR_INPUT,
                       "--grid '%s': value %zu is empty", spec, i + 1);
          return false;
        }
      for (size_t j = 0; j < i; j++)
        if (strcmp (vals[i], vals[j]) == 0)
          {
            g_set_error (error, FL_ERROR, FL_ERROR_INPUT,
                         "--grid '%s': value '%s' is given twice", spec,
                         vals[i]);
            return false;
          }
    }
  *key = g_strndup (spec, (gsize) (eq - spec));
  *values = g_steal_pointer (&vals);
  return true;
}

char *
sweep_point_name (const SweepAxis *axes, size_t n_axes,
                  const char *const *values)
{
  if (n_axes == 0)
    return g_strdup ("base");
  g_return_val_if_fail (axes != NULL && values != NULL, NULL);
  GString *s = g_string_new (NULL);
  for (size_t i = 0; i < n_axes; i++)
    g_string_append_printf (s, "%s%s=%s", i ? "," : "", axes[i].key,
                            values[i]);
  for (char *p = s->str; *p; p++)
    if (!g_ascii_isalnum (*p) && strchr ("._+=-,", *p) == NULL)
      *p = '_';
  if (s->str[0] == '.')
    s->str[0] = '_'; /* never "." or ".." or a hidden folder */
  return g_string_free (s, FALSE);
}

/* ---- the plan: points x seeds ---- */

typedef struct
{
  char *name;     /* folder name, unique */
  char **values;  /* one per axis, NULL-terminated */
  char **sets;    /* opt->sets then KEY=VALUE per axis, NULL-terminated */
} SweepPoint;

static void
sweep_point_free (gpointer p)
{
  SweepPoint *pt = p;
  g_free (pt->name);
  g_strfreev (pt->values);
  g_strfreev (pt->sets);
  g_free (pt);
}

/* Points in row-major order: the first axis varies slowest. */
static GPtrArray *
sweep_points (const SweepOptions *opt)
{
  GPtrArray *points = g_ptr_array_new_with_free_func (sweep_point_free);
  size_t n_points = 1;
  for (size_t a = 0; a < opt->n_axes; a++)
    n_points *= g_strv_length ((char **) opt->axes[a].values);
  g_autoptr (GHashTable) names = g_hash_table_new (g_str_hash, g_str_equal);
  for (size_t p = 0; p < n_points; p++)
    {
      SweepPoint *pt = g_new0 (SweepPoint, 1);
      pt->values = g_new0 (char *, opt->n_axes + 1);
      size_t rest = p;
      for (size_t a = opt->n_axes; a-- > 0;)
        {
          size_t k = g_strv_length ((char **) opt->axes[a].values);
          pt->values[a] = g_strdup (opt->axes[a].values[rest % k]);
          rest /= k;
        }
      GPtrArray *sets = g_ptr_array_new ();
      for (size_t i = 0; opt->sets != NULL && opt->sets[i] != NULL; i++)
        g_ptr_array_add (sets, g_strdup (opt->sets[i]));
      for (size_t a = 0; a < opt->n_axes; a++)
        g_ptr_array_add (sets, g_strconcat (opt->axes[a].key, "=",
                                            pt->values[a], NULL));
      g_ptr_array_add (sets, NULL);
      pt->sets = (char **) g_ptr_array_free (sets, FALSE);
      pt->name = sweep_point_name (opt->axes, opt->n_axes,
                                   (const char *const *) pt->values);
      /* Two values that differ only in replaced bytes: keep names unique. */
      for (int k = 2; g_hash_table_contains (names, pt->name); k++)
        {
          char *n = g_strdup_printf ("%s~%d", pt->name, k);
          if (!g_hash_table_contains (names, n))
            {
              g_free (pt->name);
              pt->name = n;
              break;
            }
          g_free (n);
        }
      g_hash_table_add (names, pt->name);
      g_ptr_array_add (points, pt);
    }
  return points;
}

/* ---- running ---- */

/* The hand-off between threads, all of it visible to ThreadSanitizer (no
 * GThreadPool: its GAsyncQueue and GLib 2.74's futex-based GMutex/GCond
 * live in uninstrumented libglib, so TSan sees neither their ordering nor
 * their memory reuse):
 *   - every input (opt, points, staging) is written before the workers
 *     are created (g_thread_try_new = pthread_create: happens-before);
 *   - a worker claims replica i with an atomic fetch-and-add on `next`,
 *     so slot i of summaries/errors has exactly one writer;
 *   - the main thread reads the slots only after g_thread_join of every
 *     worker (pthread_join: happens-before);
 *   - `done` and `failed` are only touched with g_atomic_*; lock/cond
 *     wake the main thread up for the progress callback and guard no
 *     data (a waiter re-reads `done` under the lock, the worker signals
 *     under the lock, so no wake-up is lost). */
typedef struct
{
  const SweepOptions *opt;
  GPtrArray *points;
  const char *staging;
  unsigned total;
  char **summaries; /* [total]: replica summary.json texts */
  GError **errors;  /* [total] */
  gint next;        /* atomic: the next replica to claim */
  gint done;        /* atomic: replicas finished or skipped */
  gint failed;      /* atomic: skip the replicas not yet started */
  GMutex lock;      /* wake-ups only, see above */
  GCond cond;
} SweepCtx;

static SweepPoint *
sweep_ctx_point (const SweepCtx *c, unsigned i)
{
  return g_ptr_array_index (c->points, i / c->opt->n_seeds);
}

static uint64_t
sweep_ctx_seed (const SweepCtx *c, unsigned i)
{
  return c->opt->seeds[i % c->opt->n_seeds];
}

/* root/<point>/seed-N, or <point>/seed-N when root is NULL. */
static char *
sweep_replica_dir (const char *root, const SweepPoint *pt, uint64_t seed)
{
  g_autofree char *s = g_strdup_printf ("seed-%" G_GUINT64_FORMAT, seed);
  return root != NULL ? g_build_filename (root, pt->name, s, NULL)
                      : g_build_filename (pt->name, s, NULL);
}

/* One replica, exactly as `faultline run` does it. Returns: (transfer
 * full) the summary.json text, or NULL with error. */
static char *
sweep_replica (const SweepCtx *c, unsigned i, GError **error)
{
  const SweepOptions *opt = c->opt;
  const SweepPoint *pt = sweep_ctx_point (c, i);
  g_autofree char *dir = sweep_replica_dir (c->staging, pt,
                                            sweep_ctx_seed (c, i));
  FlRunOptions o;
  fl_run_options_init (&o);
  o.scenario = opt->scenario;
  o.seed = sweep_ctx_seed (c, i);
  o.sets = (const char *const *) pt->sets;
  o.output_dir = dir;
  o.plots = opt->plots;
  o.pcap = opt->pcap;
  o.write_wall_seconds = opt->write_wall_seconds;
  FlRun *run = fl_run_new (&o, error);
  if (run == NULL)
    return NULL;
  char *summary = NULL;
  if (fl_run_execute (run, error))
    summary = g_strdup (fl_run_summary_json (run));
  fl_run_free (run);
  return summary;
}

/* Runs, before any worker exists, the lazy initialisations of the replica
 * code path that are not thread-safe or not visible to ThreadSanitizer:
 *   - G_DEFINE_QUARK caches its GQuark in a plain static int written on
 *     first call, a C11 data race when two workers make the first call at
 *     once (WORLD_ERROR is taken on every Lua timer, lua/runtime.c
 *     lb_hook_timer); once set it is only read;
 *   - health_params_keys() fills a static table under g_once, whose
 *     release is inside uninstrumented libglib;
 *   - GLib allocates the pthread lock behind a GRWLock on first use and
 *     publishes it with an atomic inside libglib: the first two GErrors
 *     made at once (error_domain_global in gerror.c) read a lock TSan
 *     saw malloc'ed by the other thread with no ordering.
 * A new lazily initialised static on the replica path belongs here. */
static void
sweep_warm_up (void)
{
  GQuark q[] = {
    FL_ERROR, WORLD_ERROR, LB_ERROR, SCHED_ERROR, HEALTH_ERROR,
    IBPCAP_ERROR, SWF_ERROR, TOPO_ERROR, WORKLOAD_ERROR, FL_FAILURE_ERROR,
    RESULTS_ERROR, ATOMICFILE_ERROR, PLOTS_ERROR,
  };
  const HealthParamInfo *keys = health_params_keys ();
  for (size_t k = 0; k < G_N_ELEMENTS (q); k++)
    g_assert (q[k] != 0);
  g_assert (keys != NULL);
  (void) keys;
  g_error_free (g_error_new_literal (FL_ERROR, FL_ERROR_INTERNAL, "-"));
}

/* A worker thread: claims replicas in index order until none is left. */
static gpointer
sweep_worker (gpointer data)
{
  SweepCtx *c = data;
  for (;;)
    {
      /* next never exceeds total + threads <= G_MAXINT (see sweep_run) */
      unsigned i = (unsigned) g_atomic_int_add (&c->next, 1);
      if (i >= c->total)
        break;
      char *summary = NULL;
      GError *err = NULL;
      if (!g_atomic_int_get (&c->failed))
        {
          summary = sweep_replica (c, i, &err);
          if (summary == NULL)
            {
              g_assert (err != NULL);
              g_prefix_error (&err, "point '%s', seed %" G_GUINT64_FORMAT
                              ": ", sweep_ctx_point (c, i)->name,
                              sweep_ctx_seed (c, i));
              g_atomic_int_set (&c->failed, 1);
            }
        }
      /* slot i is this thread's alone; read after the join */
      c->summaries[i] = summary;
      c->errors[i] = err;
      g_atomic_int_inc (&c->done);
      g_mutex_lock (&c->lock);
      g_cond_signal (&c->cond);
      g_mutex_unlock (&c->lock);
    }
  return NULL;
}

/* Runs every replica; false with the first error in (point, seed) order. */
static bool
sweep_run_all (SweepCtx *c, GError **error)
{
  const SweepOptions *opt = c->opt;
  unsigned n = MIN (opt->threads, c->total);
  sweep_warm_up ();
  g_autofree GThread **threads = g_new0 (GThread *, n);
  unsigned started = 0;
  GError *err = NULL;
  for (; started < n; started++)
    {
      g_autofree char *name = g_strdup_printf ("sweep-%u", started);
      threads[started] = g_thread_try_new (name, sweep_worker, c, &err);
      if (threads[started] == NULL)
        break;
    }
  if (started == 0)
    {
      g_set_error (error, FL_ERROR, FL_ERROR_INTERNAL,
                   "cannot start a thread: %s", err->message);
      g_error_free (err);
      return false;
    }
  /* Fewer threads than asked: the same results, only slower. */
  g_clear_error (&err);
  if (opt->progress != NULL)
    {
      unsigned reported = 0;
      g_mutex_lock (&c->lock);
      for (;;)
        {
          unsigned d;
          while ((d = (unsigned) g_atomic_int_get (&c->done)) == reported)
            g_cond_wait (&c->cond, &c->lock);
          g_mutex_unlock (&c->lock);
          opt->progress (d, c->total, opt->progress_data);
          reported = d;
          if (d >= c->total)
            break;
          g_mutex_lock (&c->lock);
        }
    }
  for (unsigned k = 0; k < started; k++)
    g_thread_join (threads[k]);
  for (unsigned i = 0; i < c->total; i++)
    if (c->errors[i] != NULL)
      {
        g_propagate_error (error, g_steal_pointer (&c->errors[i]));
        return false;
      }
  return true;
}

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

typedef struct
{
  GPtrArray *parsers;   /* JsonParser per replica */
  GPtrArray *metrics;   /* JsonObject * per replica (transfer none) */
  GPtrArray *numeric;   /* metric keys with a number or null, in order */
  GPtrArray *objects;   /* metric keys holding an object (by cause) */
} SweepData;

static void
sweep_data_clear (SweepData *d)
{
  g_clear_pointer (&d->parsers, g_ptr_array_unref);
  g_clear_pointer (&d->metrics, g_ptr_array_unref);
  g_clear_pointer (&d->numeric, g_ptr_array_unref);
  g_clear_pointer (&d->objects, g_ptr_array_unref);
}

static bool
sweep_data_load (const SweepCtx *c, SweepData *d, GError **error)
{
  d->parsers = g_ptr_array_new_with_free_func (g_object_unref);
  d->metrics = g_ptr_array_new ();
  d->numeric = g_ptr_array_new_with_free_func (g_free);
  d->objects = g_ptr_array_new_with_free_func (g_free);
  for (unsigned i = 0; i < c->total; i++)
    {
      JsonParser *p = json_parser_new ();
      g_ptr_array_add (d->parsers, p);
      GError *err = NULL;
      JsonNode *root = NULL, *m = NULL;
      if (json_parser_load_from_data (p, c->summaries[i], -1, &err))
        root = json_parser_get_root (p);
      if (root != NULL && JSON_NODE_HOLDS_OBJECT (root))
        m = json_object_get_member (json_node_get_object (root), "metrics");
      if (m == NULL || !JSON_NODE_HOLDS_OBJECT (m))
        {
          g_set_error (error, FL_ERROR, FL_ERROR_INTERNAL,
                       "replica %u: summary.json has no metrics object%s%s",
                       i, err ? ": " : "", err ? err->message : "");
          g_clear_error (&err);
          return false;
        }
      g_ptr_array_add (d->metrics, json_node_get_object (m));
    }
  GList *names = json_object_get_members (d->metrics->pdata[0]);
  for (GList *l = names; l != NULL; l = l->next)
    {
      JsonNode *n = json_object_get_member (d->metrics->pdata[0], l->data);
      if (JSON_NODE_HOLDS_OBJECT (n))
        g_ptr_array_add (d->objects, g_strdup (l->data));
      else if (JSON_NODE_HOLDS_NULL (n)
               || (JSON_NODE_HOLDS_VALUE (n)
                   && (json_node_get_value_type (n) == G_TYPE_INT64
                       || json_node_get_value_type (n) == G_TYPE_DOUBLE)))
        g_ptr_array_add (d->numeric, g_strdup (l->data));
    }
  g_list_free (names);
  return true;
}

static void
sweep_stats_of (const SweepCtx *c, const SweepData *d, guint point,
                const char *key, const char *sub, SweepStats *st)
{
  size_t ns = c->opt->n_seeds;
  g_autofree double *x = g_new (double, ns);
  for (size_t s = 0; s < ns; s++)
    {
      JsonObject *o = d->metrics->pdata[point * ns + s];
      JsonNode *n = json_object_get_member (o, key);
      if (sub != NULL)
        {
          /* a count by cause: absent means none */
          JsonObject *so = n && JSON_NODE_HOLDS_OBJECT (n)
                           ? json_node_get_object (n) : NULL;
          n = so ? json_object_get_member (so, sub) : NULL;
          x[s] = n ? sweep_node_number (n) : 0.0;
        }
      else
        x[s] = sweep_node_number (n);
    }
  sweep_stats (x, ns, st);
}

static void
sweep_add_seeds (JsonBuilder *b, const SweepOptions *opt)
{
  json_builder_set_member_name (b, "seeds");
  json_builder_begin_array (b);
  for (size_t s = 0; s < opt->n_seeds; s++)
    json_builder_add_int_value (b, (gint64) opt->seeds[s]);
  json_builder_end_array (b);
}

static void
sweep_add_point_params (JsonBuilder *b, const SweepOptions *opt,
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
sweep_json_begin (const SweepOptions *opt)
{
  JsonBuilder *b = json_builder_new ();
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "faultline_version");
  json_builder_add_string_value (b, FL_VERSION);
  json_builder_set_member_name (b, "scenario");
  json_builder_add_string_value (b, opt->scenario);
  return b;
}

static char *
sweep_json (const SweepCtx *c, const SweepData *d, double wall_s)
{
  const SweepOptions *opt = c->opt;
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
  json_builder_add_int_value (b, c->total);
  results_json_add_number (b, "wall_seconds",
                           opt->write_wall_seconds ? wall_s : NAN);
  json_builder_set_member_name (b, "points");
  json_builder_begin_array (b);
  for (guint p = 0; p < c->points->len; p++)
    {
      const SweepPoint *pt = g_ptr_array_index (c->points, p);
      json_builder_begin_object (b);
      json_builder_set_member_name (b, "name");
      json_builder_add_string_value (b, pt->name);
      sweep_add_point_params (b, opt, pt);
      sweep_add_seeds (b, opt);
      json_builder_set_member_name (b, "metrics");
      json_builder_begin_object (b);
      for (guint k = 0; k < d->numeric->len; k++)
        {
          SweepStats st;
          sweep_stats_of (c, d, p, d->numeric->pdata[k], NULL, &st);
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

/* OUT/<point>/summary.json: a summary whose metrics are the means and whose
 * "replicas" are the metrics of each seed (docs/ci.md). */
static char *
sweep_point_summary (const SweepCtx *c, const SweepData *d, guint p)
{
  const SweepOptions *opt = c->opt;
  size_t ns = opt->n_seeds;
  g_autoptr (JsonBuilder) b = sweep_json_begin (opt);
  sweep_add_seeds (b, opt);
  /* the params of the first seed's summary (the same for every seed) */
  JsonNode *root = json_parser_get_root (d->parsers->pdata[p * ns]);
  JsonNode *params = json_object_get_member (json_node_get_object (root),
                                             "params");
  json_builder_set_member_name (b, "params");
  if (params != NULL)
    json_builder_add_value (b, json_node_copy (params));
  else
    json_builder_add_null_value (b);
  json_builder_set_member_name (b, "metrics");
  json_builder_begin_object (b);
  JsonObject *first = d->metrics->pdata[p * ns];
  GList *names = json_object_get_members (first);
  for (GList *l = names; l != NULL; l = l->next)
    {
      const char *key = l->data;
      SweepStats st;
      if (g_ptr_array_find_with_equal_func (d->numeric, key, g_str_equal,
                                            NULL))
        {
          sweep_stats_of (c, d, p, key, NULL, &st);
          results_json_add_number (b, key, st.mean);
          continue;
        }
      if (!g_ptr_array_find_with_equal_func (d->objects, key, g_str_equal,
                                             NULL))
        continue;
      /* the union of the sub-keys, in order of first appearance */
      g_autoptr (GPtrArray) subs = g_ptr_array_new ();
      for (size_t s = 0; s < ns; s++)
        {
          JsonNode *n = json_object_get_member (d->metrics->pdata[p * ns + s],
                                                key);
          if (n == NULL || !JSON_NODE_HOLDS_OBJECT (n))
            continue;
          GList *sn = json_object_get_members (json_node_get_object (n));
          for (GList *q = sn; q != NULL; q = q->next)
            if (!g_ptr_array_find_with_equal_func (subs, q->data,
                                                   g_str_equal, NULL))
              g_ptr_array_add (subs, q->data);
          g_list_free (sn);
        }
      json_builder_set_member_name (b, key);
      json_builder_begin_object (b);
      for (guint q = 0; q < subs->len; q++)
        {
          sweep_stats_of (c, d, p, key, subs->pdata[q], &st);
          results_json_add_number (b, subs->pdata[q], st.mean);
        }
      json_builder_end_object (b);
    }
  g_list_free (names);
  json_builder_end_object (b);
  json_builder_set_member_name (b, "replicas");
  json_builder_begin_array (b);
  for (size_t s = 0; s < ns; s++)
    {
      JsonNode *n = json_node_alloc ();
      json_node_init_object (n, d->metrics->pdata[p * ns + s]);
      json_builder_add_value (b, n);
    }
  json_builder_end_array (b);
  json_builder_end_object (b);
  g_autoptr (JsonNode) out = json_builder_get_root (b);
  return results_json_to_string (out, true);
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

static GString *
sweep_csv (const SweepCtx *c, const SweepData *d)
{
  const SweepOptions *opt = c->opt;
  GString *o = g_string_new ("point");
  for (size_t a = 0; a < opt->n_axes; a++)
    {
      g_string_append_c (o, ',');
      sweep_csv_str (o, opt->axes[a].key);
    }
  g_string_append (o, ",seed,dir");
  for (guint k = 0; k < d->numeric->len; k++)
    g_string_append_printf (o, ",%s", (char *) d->numeric->pdata[k]);
  g_string_append_c (o, '\n');
  for (unsigned i = 0; i < c->total; i++)
    {
      const SweepPoint *pt = sweep_ctx_point (c, i);
      uint64_t seed = sweep_ctx_seed (c, i);
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
          JsonNode *n = json_object_get_member (d->metrics->pdata[i],
                                                d->numeric->pdata[k]);
          g_string_append_c (o, ',');
          g_string_append (o, results_format_double (sweep_node_number (n),
                                                     buf, sizeof buf));
        }
      g_string_append_c (o, '\n');
    }
  return o;
}

/* ---- the plot: ETTR against the first grid key ---- */

static bool
sweep_is_number (const char *s)
{
  char *end;
  double v = g_ascii_strtod (s, &end);
  return end != s && *end == '\0' && isfinite (v);
}

static bool
sweep_write (const char *dir, const char *name, const char *text, size_t len,
             GError **error)
{
  g_autofree char *path = g_build_filename (dir, name, NULL);
  GError *err = NULL;
  if (!atomicfile_write (path, text, len, &err))
    {
      g_set_error_literal (error, FL_ERROR, FL_ERROR_INPUT, err->message);
      g_error_free (err);
      return false;
    }
  return true;
}

/* Writes plots/ettr.dat and ettr.gp and runs gnuplot. A missing or failing
 * gnuplot is a warning (the run's numbers are in sweep.json). */
static bool
sweep_plot (const SweepCtx *c, const SweepData *d, const char *root,
            GError **error)
{
  const SweepOptions *opt = c->opt;
  const char *metric = "ettr";
  if (opt->n_axes == 0
      || !g_ptr_array_find_with_equal_func (d->numeric, metric, g_str_equal,
                                            NULL))
    return true;
  g_autofree char *dir = g_build_filename (root, "plots", NULL);
  if (g_mkdir_with_parents (dir, 0755) != 0)
    {
      g_set_error (error, FL_ERROR, FL_ERROR_INPUT, "%s: cannot create: %s",
                   dir, g_strerror (errno));
      return false;
    }
  const SweepAxis *x = &opt->axes[0];
  size_t nx = g_strv_length ((char **) x->values);
  size_t series = c->points->len / nx;
  bool numeric = true;
  for (size_t v = 0; v < nx; v++)
    numeric = numeric && sweep_is_number (x->values[v]);

  g_autoptr (GString) dat = g_string_new (NULL);
  g_string_append_printf (dat, "# ettr.dat - written by faultline sweep: "
                          "mean ETTR and its 95%% CI per value of %s\n"
                          "# 1:x 2:mean 3:ci95_low 4:ci95_high 5:label\n",
                          x->key);
  g_autoptr (GString) plot = g_string_new ("plot ");
  for (size_t r = 0; r < series; r++)
    {
      /* points r, r + series, ...: the first axis varies slowest */
      const SweepPoint *p0 = g_ptr_array_index (c->points, r);
      g_autoptr (GString) title = g_string_new (NULL);
      for (size_t a = 1; a < opt->n_axes; a++)
        g_string_append_printf (title, "%s%s=%s", a > 1 ? ", " : "",
                                opt->axes[a].key, p0->values[a]);
      if (title->len == 0)
        g_string_append (title, "mean, 95% CI");
      if (r > 0)
        g_string_append (dat, "\n\n");
      g_string_append (dat, "# ");
      g_string_append (dat, title->str);
      g_string_append_c (dat, '\n');
      for (size_t v = 0; v < nx; v++)
        {
          guint p = (guint) (v * series + r);
          SweepStats st;
          sweep_stats_of (c, d, p, metric, NULL, &st);
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
          plots_gp_quoted (dat, x->values[v]);
          g_string_append_c (dat, '\n');
        }
      g_string_append_printf (plot, "%s'ettr.dat' index %zu using 1:2:3:4%s "
                              "with yerrorlines lw 2 pt 7 title ",
                              r ? ", " : "", r, numeric ? "" : ":xtic(5)");
      plots_gp_quoted (plot, title->str);
    }

  g_autofree char *about = g_strdup_printf (
      "mean ETTR against %s, with the 95%% CI of the mean over\n# %zu seeds "
      "as error bars", x->key, opt->n_seeds);
  g_autofree char *title = g_strdup_printf (
      "ETTR against %s (mean and 95%% CI over %zu seeds)", x->key,
      opt->n_seeds);
  g_autoptr (GString) gp = plots_script_new (
      "ettr", about, "`faultline sweep` (docs/sweep.md)", title, x->key,
      "ETTR (productive time / elapsed time)");
  g_string_append (gp, "set key bottom right\n"
                   "set offsets graph 0.05, graph 0.05, 0, 0\n");
  if (!numeric)
    g_string_append (gp, "set xtics noenhanced\n");
  plots_script_end (gp, plot->str);
  if (!sweep_write (dir, "ettr.dat", dat->str, dat->len, error)
      || !sweep_write (dir, "ettr.gp", gp->str, gp->len, error))
    return false;

  PlotsOptions po = { 0 };
  g_autoptr (GError) err = NULL;
  if (!plots_run_script (dir, "ettr", &po, &err))
    g_printerr ("faultline: warning: %s\n", err->message);
  else if (po.gnuplot_missing)
    g_printerr ("faultline: gnuplot not found; wrote plots/ettr.dat and "
                "ettr.gp only\n");
  return true;
}

/* ---- sweep_run ---- */

static bool
sweep_check_output (const char *out, GError **error)
{
  if (!g_file_test (out, G_FILE_TEST_EXISTS))
    return true;
  if (!g_file_test (out, G_FILE_TEST_IS_DIR))
    {
      g_set_error (error, FL_ERROR, FL_ERROR_INPUT,
                   "output folder '%s' exists and is not a folder: choose "
                   "another -o", out);
      return false;
    }
  GDir *d = g_dir_open (out, 0, NULL);
  bool empty = d != NULL && g_dir_read_name (d) == NULL;
  if (d != NULL)
    g_dir_close (d);
  if (!empty)
    {
      g_set_error (error, FL_ERROR, FL_ERROR_INPUT,
                   "output folder '%s' exists and is not empty: choose "
                   "another -o or remove it", out);
      return false;
    }
  return true;
}

/* Loads every grid point once (no run): an unknown key or a bad value
 * fails here, before any output exists. */
static bool
sweep_validate (const SweepOptions *opt, GPtrArray *points, GError **error)
{
  for (guint p = 0; p < points->len; p++)
    {
      const SweepPoint *pt = g_ptr_array_index (points, p);
      FlRunOptions o;
      fl_run_options_init (&o);
      o.scenario = opt->scenario;
      o.seed = opt->seeds[0];
      o.sets = (const char *const *) pt->sets;
      GError *err = NULL;
      FlRun *run = fl_run_new (&o, &err);
      if (run == NULL)
        {
          /* one line: a load error's traceback only repeats it */
          g_auto (GStrv) lines = g_strsplit (err->message, "\n", 2);
          if (opt->n_axes > 0)
            g_set_error (error, FL_ERROR, err->code, "grid point '%s': %s",
                         pt->name, lines[0]);
          else
            g_set_error_literal (error, FL_ERROR, err->code, lines[0]);
          g_error_free (err);
          return false;
        }
      fl_run_free (run);
    }
  return true;
}

bool
sweep_run (const SweepOptions *opt, GError **error)
{
  g_return_val_if_fail (opt != NULL, false);
  g_return_val_if_fail (opt->scenario != NULL && opt->output_dir != NULL,
                        false);
  g_return_val_if_fail (opt->seeds != NULL && opt->n_seeds > 0, false);
  g_return_val_if_fail (opt->n_axes == 0 || opt->axes != NULL, false);
  g_return_val_if_fail (opt->threads >= 1, false);
  gint64 t0 = g_get_monotonic_time ();
  for (size_t a = 0; a < opt->n_axes; a++)
    g_return_val_if_fail (opt->axes[a].key != NULL
                          && opt->axes[a].values != NULL
                          && opt->axes[a].values[0] != NULL, false);

  if (!sweep_check_output (opt->output_dir, error))
    return false;
  g_autoptr (GPtrArray) points = sweep_points (opt);
  /* at most G_MAXINT / 2: SweepCtx.next may run past total by the
   * number of threads */
  if ((guint64) points->len * opt->n_seeds > G_MAXINT / 2)
    {
      g_set_error (error, FL_ERROR, FL_ERROR_INPUT,
                   "%u grid points x %zu seeds: too many replicas (at most "
                   "%d)", points->len, opt->n_seeds, G_MAXINT / 2);
      return false;
    }
  if (!sweep_validate (opt, points, error))
    return false;

  GError *err = NULL;
  AtomicDir *dir = atomicfile_dir_begin (opt->output_dir, &err);
  if (dir == NULL)
    {
      g_set_error_literal (error, FL_ERROR, FL_ERROR_INPUT, err->message);
      g_error_free (err);
      return false;
    }
  SweepCtx c = { 0 };
  c.opt = opt;
  c.points = points;
  c.staging = atomicfile_dir_staging (dir);
  c.total = points->len * (unsigned) opt->n_seeds;
  c.summaries = g_new0 (char *, c.total);
  c.errors = g_new0 (GError *, c.total);
  g_mutex_init (&c.lock);
  g_cond_init (&c.cond);
  SweepData d = { 0 };

  bool ok = sweep_run_all (&c, error) && sweep_data_load (&c, &d, error);
  if (ok)
    {
      double wall_s = (double) (g_get_monotonic_time () - t0) / 1e6;
      g_autofree char *json = sweep_json (&c, &d, wall_s);
      g_autoptr (GString) csv = sweep_csv (&c, &d);
      ok = sweep_write (c.staging, "sweep.csv", csv->str, csv->len, error);
      for (guint p = 0; ok && p < points->len; p++)
        {
          const SweepPoint *pt = g_ptr_array_index (points, p);
          g_autofree char *sum = sweep_point_summary (&c, &d, p);
          g_autofree char *pdir = g_build_filename (c.staging, pt->name,
                                                    NULL);
          ok = sweep_write (pdir, "summary.json", sum, strlen (sum), error);
        }
      ok = ok && sweep_plot (&c, &d, c.staging, error)
           && sweep_write (c.staging, "sweep.json", json, strlen (json),
                           error);
    }
  if (ok)
    {
      AtomicDir *dd = g_steal_pointer (&dir);
      if (!atomicfile_dir_commit (dd, &err))
        {
          g_set_error_literal (error, FL_ERROR, FL_ERROR_INPUT, err->message);
          g_error_free (err);
          ok = false;
        }
    }
  atomicfile_dir_abort (dir);
  sweep_data_clear (&d);
  for (unsigned i = 0; i < c.total; i++)
    {
      g_free (c.summaries[i]);
      g_clear_error (&c.errors[i]);
    }
  g_free (c.summaries);
  g_free (c.errors);
  g_mutex_clear (&c.lock);
  g_cond_clear (&c.cond);
  return ok;
}
