/* lib/sweep.c - `faultline sweep`: the statistics, the option parsers,
 * and the run of one shard: the replicas not yet done, on plain worker
 * threads, each recorded as it ends, then (unsharded) the aggregates. See
 * sweep.h and docs/sweep.md.
 *
 * Each replica is fl_run_new + fl_run_execute with its own World and Lua
 * state; nothing here is shared between workers but read-only inputs, the
 * atomic counters, the database (its own lock) and one error slot per
 * replica (see "running" for the hand-off, written so that
 * ThreadSanitizer can check it). Not here: the plan and shard record
 * (sweep-plan.c), the aggregates (sweep-aggregate.c), merging
 * (sweep-merge.c), the metrics themselves (models/), command-line parsing
 * (cli/). */
#include "sweep-int.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include <glib/gstdio.h>

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
sweep_acc_add1 (SweepAcc *a, double x)
{
  if (!isfinite (x))
    return;
  if (a->n == 0 || x < a->min)
    a->min = x;
  if (a->n == 0 || x > a->max)
    a->max = x;
  a->sum += x;
  a->n++;
}

double
sweep_acc_mean (const SweepAcc *a)
{
  return a->n > 0 ? a->sum / (double) a->n : NAN;
}

void
sweep_acc_add2 (SweepAcc *a, double x)
{
  if (!isfinite (x))
    return;
  double mean = a->sum / (double) a->n;
  a->ss += (x - mean) * (x - mean);
}

void
sweep_acc_stats (const SweepAcc *a, SweepStats *out)
{
  out->n = a->n;
  out->mean = out->sd = out->min = out->max = NAN;
  out->ci95_low = out->ci95_high = NAN;
  if (a->n == 0)
    return;
  out->min = a->min;
  out->max = a->max;
  out->mean = a->sum / (double) a->n;
  if (a->n < 2)
    return;
  out->sd = sqrt (a->ss / (double) (a->n - 1));
  double h = stats_ci95_halfwidth (out->sd, out->n);
  out->ci95_low = out->mean - h;
  out->ci95_high = out->mean + h;
}

void
sweep_stats (const double *x, size_t n, SweepStats *out)
{
  g_return_if_fail (out != NULL);
  g_return_if_fail (n == 0 || x != NULL);
  /* Two passes in index order: the same inputs give the same bits. */
  SweepAcc a = { 0 };
  for (size_t i = 0; i < n; i++)
    sweep_acc_add1 (&a, x[i]);
  for (size_t i = 0; i < n; i++)
    sweep_acc_add2 (&a, x[i]);
  sweep_acc_stats (&a, out);
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

bool
sweep_parse_shard (const char *spec, unsigned *shard, unsigned *shards,
                   GError **error)
{
  g_return_val_if_fail (shard != NULL && shards != NULL, false);
  const char *slash = spec != NULL ? strchr (spec, '/') : NULL;
  guint64 k = 0, n = 0;
  if (slash != NULL)
    {
      g_autofree char *ks = g_strndup (spec, (gsize) (slash - spec));
      if (!g_ascii_string_to_unsigned (ks, 10, 1, SWEEP_MAX_SHARDS, &k, NULL)
          || !g_ascii_string_to_unsigned (slash + 1, 10, 1, SWEEP_MAX_SHARDS,
                                          &n, NULL))
        k = n = 0;
    }
  if (k == 0 || n == 0 || k > n)
    {
      g_set_error (error, FL_ERROR, FL_ERROR_INPUT,
                   "--shard '%s': expected K/N with 1 <= K <= N <= %d (shard "
                   "K of N, e.g. --shard 3/8)", spec ? spec : "",
                   SWEEP_MAX_SHARDS);
      return false;
    }
  *shard = (unsigned) k;
  *shards = (unsigned) n;
  return true;
}

/* ---- running ---- */

/* The hand-off between threads, all of it visible to ThreadSanitizer (no
 * GThreadPool: its GAsyncQueue and GLib 2.74's futex-based GMutex/GCond
 * live in uninstrumented libglib, so TSan sees neither their ordering nor
 * their memory reuse):
 *   - every input (plan, todo, root, db) is written before the workers
 *     are created (g_thread_try_new = pthread_create: happens-before);
 *   - a worker claims todo[k] with an atomic fetch-and-add on `next`,
 *     so slot k of errors has exactly one writer;
 *   - the main thread reads the slots only after g_thread_join of every
 *     worker (pthread_join: happens-before);
 *   - `done`, `failed`, `points_done`, `point_left[]` and `busy_us` are
 *     only touched atomically; lock/cond wake the main thread up for the
 *     progress callback and guard no data (a waiter re-reads `done` under
 *     the lock, the worker signals under the lock, so no wake-up is lost);
 *   - the database has its own lock (sweep-db.c). */
typedef struct
{
  const SweepOptions *opt;
  const SweepPlan *plan;
  const char *root;     /* the output folder */
  SweepDb *db;
  unsigned *todo;       /* replicas of the shard not done, ascending */
  unsigned n_todo;
  GError **errors;      /* [n_todo] */
  gint *point_left;     /* atomic, per point: replicas of the shard to do */
  gint next;            /* atomic: the next slot of todo to claim */
  gint done;            /* atomic: slots finished or skipped */
  gint failed;          /* atomic: skip the replicas not yet started */
  gint points_done;     /* atomic */
  gint64 busy_us;       /* atomic (__atomic builtins) */
  GMutex lock;          /* wake-ups only, see above */
  GCond cond;
} SweepCtx;

/* One replica, exactly as `faultline run` does it, written to
 * root/<point>/seed-N (appearing whole or not at all) and recorded in the
 * database. */
static bool
sweep_replica (const SweepCtx *c, unsigned i, GError **error)
{
  const SweepPlan *plan = c->plan;
  const SweepPoint *pt = sweep_plan_point (plan, i);
  g_autofree char *dir = sweep_replica_dir (c->root, pt,
                                            sweep_plan_seed (plan, i));
  FlRunOptions o;
  fl_run_options_init (&o);
  o.scenario = plan->scenario;
  o.seed = sweep_plan_seed (plan, i);
  o.sets = (const char *const *) pt->sets;
  o.output_dir = dir;
  o.plots = plan->plots;
  o.pcap = plan->pcap;
  o.write_wall_seconds = plan->write_wall_seconds;
  FlRun *run = fl_run_new (&o, error);
  if (run == NULL)
    return false;
  bool ok = fl_run_execute (run, error)
            && sweep_db_add_replica (c->db, plan, i,
                                     fl_run_summary_json (run), error);
  fl_run_free (run);
  return ok;
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
 *     saw malloc'ed by the other thread with no ordering;
 *   - JsonParser's GType is registered on first use (g_once inside
 *     libglib); workers parse each replica's summary for results.sqlite.
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
  g_object_unref (json_parser_new ());
}

/* A worker thread: claims replicas in index order until none is left. */
static gpointer
sweep_worker (gpointer data)
{
  SweepCtx *c = data;
  for (;;)
    {
      /* next never exceeds n_todo + threads <= G_MAXINT (sweep-plan.c) */
      unsigned k = (unsigned) g_atomic_int_add (&c->next, 1);
      if (k >= c->n_todo)
        break;
      unsigned i = c->todo[k];
      GError *err = NULL;
      if (!g_atomic_int_get (&c->failed))
        {
          gint64 t0 = g_get_monotonic_time ();
          if (!sweep_replica (c, i, &err))
            {
              g_assert (err != NULL);
              g_prefix_error (&err, "point '%s', seed %" G_GUINT64_FORMAT
                              ": ", sweep_plan_point (c->plan, i)->name,
                              sweep_plan_seed (c->plan, i));
              g_atomic_int_set (&c->failed, 1);
            }
          else if (g_atomic_int_dec_and_test (
                       &c->point_left[i / c->plan->n_seeds]))
            g_atomic_int_inc (&c->points_done);
          __atomic_fetch_add (&c->busy_us, g_get_monotonic_time () - t0,
                              __ATOMIC_RELAXED);
        }
      /* slot k is this thread's alone; read after the join */
      c->errors[k] = err;
      g_atomic_int_inc (&c->done);
      g_mutex_lock (&c->lock);
      g_cond_signal (&c->cond);
      g_mutex_unlock (&c->lock);
    }
  return NULL;
}

static void
sweep_report (const SweepCtx *c, unsigned resumed, unsigned total,
              unsigned points, unsigned threads, unsigned done)
{
  SweepProgressInfo info = {
    .done = resumed + done,
    .total = total,
    .resumed = resumed,
    .points_done = (unsigned) g_atomic_int_get ((gint *) &c->points_done),
    .points = points,
    .threads = threads,
    .busy_seconds = (double) __atomic_load_n (&c->busy_us, __ATOMIC_RELAXED)
                    / 1e6,
  };
  c->opt->progress (&info, c->opt->progress_data);
}

/* Runs the replicas of todo; false with the first error in (point, seed)
 * order. */
static bool
sweep_run_all (SweepCtx *c, unsigned resumed, unsigned total,
               unsigned points, GError **error)
{
  const SweepOptions *opt = c->opt;
  unsigned n = MIN (opt->threads, c->n_todo);
  if (opt->progress != NULL)
    sweep_report (c, resumed, total, points, n, 0);
  if (n == 0)
    return true;
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
          sweep_report (c, resumed, total, points, started, d);
          reported = d;
          if (d >= c->n_todo)
            break;
          g_mutex_lock (&c->lock);
        }
    }
  for (unsigned k = 0; k < started; k++)
    g_thread_join (threads[k]);
  for (unsigned k = 0; k < c->n_todo; k++)
    if (c->errors[k] != NULL)
      {
        g_propagate_error (error, g_steal_pointer (&c->errors[k]));
        return false;
      }
  return true;
}

/* ---- the output folder ---- */

static bool
sweep_dir_is_empty (const char *dir)
{
  GDir *d = g_dir_open (dir, 0, NULL);
  bool empty = d != NULL && g_dir_read_name (d) == NULL;
  if (d != NULL)
    g_dir_close (d);
  return empty;
}

/* Removes everything inside dir, not dir itself (its lock stays). */
static void
sweep_dir_clear (const char *dir)
{
  GDir *d = g_dir_open (dir, 0, NULL);
  if (d == NULL)
    return;
  const char *name;
  g_autoptr (GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  while ((name = g_dir_read_name (d)) != NULL)
    g_ptr_array_add (names, g_build_filename (dir, name, NULL));
  g_dir_close (d);
  for (guint k = 0; k < names->len; k++)
    atomicfile_remove_tree (names->pdata[k]);
}

/* How the output folder relates to this sweep. */
typedef enum
{
  SWEEP_OUT_NEW,    /* absent: this run creates it */
  SWEEP_OUT_EMPTY,  /* present and empty */
  SWEEP_OUT_RESUME, /* holds this sweep and shard: resume */
  SWEEP_OUT_FRESH,  /* holds a sweep to remove (--fresh) */
} SweepOut;

/* Why a recorded plan differs from this one, or NULL. */
static const char *
sweep_plan_differs (const SweepPlan *old, const SweepPlan *plan)
{
  if (strcmp (old->id, plan->id) != 0)
    return "another sweep (a different scenario, --set, --grid, --seeds or "
           "faultline version)";
  if (old->shard != plan->shard || old->shards != plan->shards)
    return "another shard of this sweep";
  if (old->plots != plan->plots || old->pcap != plan->pcap
      || old->write_wall_seconds != plan->write_wall_seconds)
    return "this sweep with other --plots, --pcap or --no-wall-seconds "
           "options";
  return NULL;
}

static bool
sweep_check_output (const SweepPlan *plan, const char *out, bool fresh,
                    SweepOut *how, double *wall_s, GError **error)
{
  *wall_s = 0.0;
  if (!g_file_test (out, G_FILE_TEST_EXISTS))
    {
      *how = SWEEP_OUT_NEW;
      return true;
    }
  if (!g_file_test (out, G_FILE_TEST_IS_DIR))
    {
      g_set_error (error, FL_ERROR, FL_ERROR_INPUT,
                   "output folder '%s' exists and is not a folder: choose "
                   "another -o", out);
      return false;
    }
  if (sweep_dir_is_empty (out))
    {
      *how = SWEEP_OUT_EMPTY;
      return true;
    }
  SweepShardState st;
  bool absent = false;
  g_autoptr (GError) err = NULL;
  g_autoptr (SweepPlan) old = sweep_shard_read (out, &st, &absent, &err);
  if (absent)
    {
      g_set_error (error, FL_ERROR, FL_ERROR_INPUT,
                   "output folder '%s' exists, is not empty and holds no "
                   "sweep (no %s): choose another -o or remove it", out,
                   SWEEP_SHARD_FILE);
      return false;
    }
  const char *why = old == NULL ? err->message
                                : sweep_plan_differs (old, plan);
  if (why == NULL && !fresh)
    {
      *how = SWEEP_OUT_RESUME;
      *wall_s = st.wall_seconds;
      return true;
    }
  if (fresh)
    {
      *how = SWEEP_OUT_FRESH;
      return true;
    }
  g_set_error (error, FL_ERROR, FL_ERROR_INPUT,
               "output folder '%s' holds %s: choose another -o, or add "
               "--fresh to replace it", out, why);
  return false;
}

/* Takes an exclusive flock(2) on the folder itself; returns the fd to
 * keep, or -1 with error when another sweep holds it. */
static int
sweep_lock (const char *out, GError **error)
{
  int fd = open (out, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0)
    {
      g_set_error (error, FL_ERROR, FL_ERROR_INPUT, "%s: cannot open: %s",
                   out, g_strerror (errno));
      return -1;
    }
  if (flock (fd, LOCK_EX | LOCK_NB) != 0)
    {
      int e = errno;
      close (fd);
      g_set_error (error, FL_ERROR, FL_ERROR_INPUT, "output folder '%s' %s",
                   out, e == EWOULDBLOCK
                   ? "is being written by another faultline sweep"
                   : g_strerror (e));
      return -1;
    }
  return fd;
}

/* Loads every grid point with a replica in the shard once (no run): an
 * unknown key or a bad value fails here, before any output exists. */
static bool
sweep_validate (const SweepPlan *plan, GError **error)
{
  for (guint p = 0; p < plan->points->len; p++)
    {
      bool owned = false;
      for (size_t s = 0; s < plan->n_seeds && !owned; s++)
        owned = sweep_plan_owns (plan, (unsigned) (p * plan->n_seeds + s));
      if (!owned)
        continue;
      const SweepPoint *pt = g_ptr_array_index (plan->points, p);
      FlRunOptions o;
      fl_run_options_init (&o);
      o.scenario = plan->scenario;
      o.seed = plan->seeds[0];
      o.sets = (const char *const *) pt->sets;
      GError *err = NULL;
      FlRun *run = fl_run_new (&o, &err);
      if (run == NULL)
        {
          /* one line: a load error's traceback only repeats it */
          g_auto (GStrv) lines = g_strsplit (err->message, "\n", 2);
          if (plan->n_axes > 0)
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

/* Lists the replicas of the shard still to run; records in the database
 * the finished ones it lacks (a sweep killed between a replica's folder
 * and its row). Returns the number of finished ones. */
static bool
sweep_scan (SweepCtx *c, unsigned *resumed, unsigned *total,
            unsigned *points, GError **error)
{
  const SweepPlan *plan = c->plan;
  GArray *todo = g_array_new (FALSE, FALSE, sizeof (unsigned));
  g_autofree unsigned *owned = g_new0 (unsigned, plan->points->len);
  *resumed = *total = *points = 0;
  bool ok = true;
  for (unsigned i = 0; ok && i < plan->total; i++)
    {
      if (!sweep_plan_owns (plan, i))
        continue;
      unsigned p = i / (unsigned) plan->n_seeds;
      owned[p]++;
      (*total)++;
      g_autofree char *dir = sweep_replica_dir (c->root,
                                                sweep_plan_point (plan, i),
                                                sweep_plan_seed (plan, i));
      g_autofree char *sum = g_build_filename (dir, "summary.json", NULL);
      g_autofree char *text = NULL;
      if (!g_file_get_contents (sum, &text, NULL, NULL))
        {
          c->point_left[p]++;
          g_array_append_val (todo, i);
          continue;
        }
      (*resumed)++;
      if (!sweep_db_has_replica (c->db, plan, i))
        ok = sweep_db_add_replica (c->db, plan, i, text, error);
    }
  for (guint p = 0; p < plan->points->len; p++)
    if (owned[p] > 0)
      {
        (*points)++;
        if (c->point_left[p] == 0)
          c->points_done++;
      }
  c->n_todo = todo->len;
  c->todo = (unsigned *) g_array_free (todo, FALSE);
  return ok;
}

/* ---- sweep_run ---- */

bool
sweep_run (const SweepOptions *opt, GError **error)
{
  g_return_val_if_fail (opt != NULL, false);
  g_return_val_if_fail (opt->scenario != NULL && opt->output_dir != NULL,
                        false);
  g_return_val_if_fail (opt->seeds != NULL && opt->n_seeds > 0, false);
  g_return_val_if_fail (opt->n_axes == 0 || opt->axes != NULL, false);
  g_return_val_if_fail (opt->threads >= 1, false);
  g_return_val_if_fail (opt->shards == 0
                        || (opt->shard >= 1 && opt->shard <= opt->shards),
                        false);
  gint64 t0 = g_get_monotonic_time ();
  for (size_t a = 0; a < opt->n_axes; a++)
    g_return_val_if_fail (opt->axes[a].key != NULL
                          && opt->axes[a].values != NULL
                          && opt->axes[a].values[0] != NULL, false);

  const char *out = opt->output_dir;
  g_autoptr (SweepPlan) plan = sweep_plan_new (opt, error);
  SweepOut how;
  double wall_before;
  if (plan == NULL
      || !sweep_check_output (plan, out, opt->fresh, &how, &wall_before,
                              error)
      || !sweep_validate (plan, error))
    return false;
  if (how == SWEEP_OUT_NEW && g_mkdir_with_parents (out, 0755) != 0)
    {
      g_set_error (error, FL_ERROR, FL_ERROR_INPUT, "%s: cannot create: %s",
                   out, g_strerror (errno));
      return false;
    }
  int lock = sweep_lock (out, error);
  if (lock < 0)
    {
      if (how == SWEEP_OUT_NEW)
        g_rmdir (out);
      return false;
    }
  if (how == SWEEP_OUT_FRESH)
    sweep_dir_clear (out);
  bool created = how != SWEEP_OUT_RESUME;

  SweepCtx c = { 0 };
  c.opt = opt;
  c.plan = plan;
  c.root = out;
  c.point_left = g_new0 (gint, plan->points->len);
  g_mutex_init (&c.lock);
  g_cond_init (&c.cond);
  SweepShardState st = { false, plan->write_wall_seconds ? wall_before
                                                         : NAN };
  unsigned resumed = 0, total = 0, points = 0;
  bool ok = sweep_shard_write (out, plan, &st, error)
            && (c.db = sweep_db_open (out, plan, error)) != NULL
            && sweep_scan (&c, &resumed, &total, &points, error);
  if (ok)
    {
      c.errors = g_new0 (GError *, MAX (c.n_todo, 1));
      ok = sweep_run_all (&c, resumed, total, points, error);
    }
  if (ok)
    {
      st.complete = true;
      st.wall_seconds = plan->write_wall_seconds
        ? wall_before + (double) (g_get_monotonic_time () - t0) / 1e6 : NAN;
      if (plan->shards == 1)
        ok = sweep_aggregate (plan, out, c.db, st.wall_seconds, error);
      ok = ok && sweep_shard_write (out, plan, &st, error);
    }
  sweep_db_close (c.db);
  if (!ok && created)
    {
      /* nothing of this run's is worth a resume: leave what was there */
      sweep_dir_clear (out);
      if (how == SWEEP_OUT_NEW)
        g_rmdir (out);
    }
  close (lock);
  for (unsigned k = 0; c.errors != NULL && k < c.n_todo; k++)
    g_clear_error (&c.errors[k]);
  g_free (c.errors);
  g_free (c.todo);
  g_free (c.point_left);
  g_mutex_clear (&c.lock);
  g_cond_clear (&c.cond);
  return ok;
}
