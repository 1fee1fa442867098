/* models/workload.c - synthetic workload generator; see workload.h.
 *
 * The research stream is generated lazily, one arrival ahead, so an
 * unbounded horizon costs nothing. Each kind of draw has its own stream
 * ("workload", "arrival" | "size" | "duration"): changing the size table
 * does not move the arrival times. Not a scheduler, not an executor. */
#include "workload.h"

#include <math.h>
#include <string.h>

G_DEFINE_QUARK (faultline-workload-error-quark, workload_error)

/* Default size table, in nodes of 8 GPUs (derivation: docs/scheduling.md,
 * from field-data.md §2.1, RSC-1): 90% of jobs fit in one node (">90% of
 * jobs use <8 GPUs"), and jobs of >= 32 nodes (>= 256 GPUs) carry 66% of
 * the node-time when durations do not depend on size:
 * E[nodes] = 3.6216, sum over >= 32 nodes of w*n = 2.3936, 2.3936/3.6216 =
 * 0.661. */
static const uint32_t workload_sizes[] = { 1, 2, 4, 8, 16, 32, 64, 128, 256,
                                           512, 1024 };
static const double workload_weights[] = { 0.9, 0.05, 0.025, 0.01, 0.003,
                                           0.0032, 0.003, 0.002, 0.002,
                                           0.001, 0.0008 };

/* RSC-1: 7,200 jobs/day on 2,000 nodes at 83% utilisation (field-data.md
 * §2.1): 300 jobs/h x 3.6216 nodes x D = 0.83 x 2,000 -> D = 1.53 h. */
#define WORKLOAD_DEFAULT_RATE_PER_H 300.0
#define WORKLOAD_DEFAULT_MEAN_H 1.53
#define WORKLOAD_DEFAULT_SD_H 4.6 /* assumption: heavy tail, CV = 3 */

struct Workload
{
  WorkloadBigJob *big; /* sorted by (submit_s, given order) */
  size_t n_big, next_big;
  WorkloadResearch research;
  uint32_t *size_nodes;
  double *size_cum;    /* cumulative weights */
  Dist duration;
  RngStream arrival, size, dur;
  bool have_pending;   /* pending research job generated */
  WorkloadJob pending;
  uint32_t next_id;
  double t_arrival;    /* last arrival time, seconds */
};

void
workload_default_sizes (const uint32_t **nodes, const double **weight,
                        size_t *n)
{
  if (nodes != NULL)
    *nodes = workload_sizes;
  if (weight != NULL)
    *weight = workload_weights;
  if (n != NULL)
    *n = G_N_ELEMENTS (workload_sizes);
}

void
workload_spec_init (WorkloadSpec *spec)
{
  g_return_if_fail (spec != NULL);
  memset (spec, 0, sizeof *spec);
  WorkloadResearch *r = &spec->research;
  r->rate_per_h = WORKLOAD_DEFAULT_RATE_PER_H;
  r->start_s = 0;
  r->horizon_s = INFINITY;
  workload_default_sizes (&r->size_nodes, &r->size_weight, &r->n_sizes);
  r->duration_h = dist_lognormal_mean_sd (WORKLOAD_DEFAULT_MEAN_H,
                                          WORKLOAD_DEFAULT_SD_H);
  r->est_factor = 1.0;
  r->max_nodes = 0;
  r->priority = 0;
  r->preemptible = true; /* RSC: preemptible after 2 h (§2.1) */
  r->checkpoint_every_s = 0;
  r->checkpoint_cost_s = 0;
  r->restart_s = 300; /* field-data.md §12.3: u0 = 5 min */
  r->comm_share = 0;
}

static gint
workload_big_cmp (gconstpointer a, gconstpointer b, gpointer unused)
{
  const WorkloadBigJob *x = a, *y = b;
  return (x->submit_s > y->submit_s) - (x->submit_s < y->submit_s);
}

static bool
workload_check (const WorkloadSpec *spec, GError **error)
{
  for (size_t i = 0; i < spec->n_big; i++)
    {
      const WorkloadBigJob *b = &spec->big[i];
      const char *name = b->name ? b->name : "(unnamed)";
      const char *why = NULL;
      if (b->nodes == 0)
        why = "nodes must be > 0";
      else if (!(b->work_h > 0) || !isfinite (b->work_h))
        why = "work must be a positive finite number of hours";
      else if (!(b->submit_s >= 0) || !isfinite (b->submit_s))
        why = "submit time must be >= 0";
      else if (b->checkpoint_every_s < 0 || b->checkpoint_cost_s < 0
               || b->restart_s < 0)
        why = "checkpoint interval, checkpoint cost and restart must be >= 0";
      else if (!(b->comm_share >= 0 && b->comm_share <= 1))
        why = "comm_share must be in [0, 1]";
      if (why != NULL)
        {
          g_set_error (error, WORKLOAD_ERROR, WORKLOAD_ERROR_INVALID,
                       "workload: job '%s' (big job %zu): %s", name, i + 1,
                       why);
          return false;
        }
    }
  const WorkloadResearch *r = &spec->research;
  const char *why = NULL;
  if (!(r->rate_per_h >= 0) || !isfinite (r->rate_per_h))
    why = "rate_per_h must be a finite number >= 0";
  else if (r->rate_per_h > 0)
    {
      if (r->n_sizes == 0 || r->size_nodes == NULL || r->size_weight == NULL)
        why = "the size table is empty";
      else if (!(r->horizon_s > r->start_s) || !(r->start_s >= 0))
        why = "the arrival window [start, horizon) is empty or negative";
      else if (!(r->comm_share >= 0 && r->comm_share <= 1))
        why = "comm_share must be in [0, 1]";
      else if (r->checkpoint_every_s < 0 || r->checkpoint_cost_s < 0
               || r->restart_s < 0)
        why = "checkpoint interval, checkpoint cost and restart must be >= 0";
      for (size_t i = 0; why == NULL && i < r->n_sizes; i++)
        if (r->size_nodes[i] == 0 || !(r->size_weight[i] > 0)
            || !isfinite (r->size_weight[i]))
          {
            g_set_error (error, WORKLOAD_ERROR, WORKLOAD_ERROR_INVALID,
                         "workload: research size table entry %zu (%u nodes,"
                         " weight %g): nodes and weight must be > 0", i + 1,
                         r->size_nodes[i], r->size_weight[i]);
            return false;
          }
    }
  if (why != NULL)
    {
      g_set_error (error, WORKLOAD_ERROR, WORKLOAD_ERROR_INVALID,
                   "workload: research stream: %s", why);
      return false;
    }
  return true;
}

Workload *
workload_new (const WorkloadSpec *spec, uint64_t seed, GError **error)
{
  g_return_val_if_fail (spec != NULL, NULL);
  g_return_val_if_fail (spec->n_big == 0 || spec->big != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);
  if (!workload_check (spec, error))
    return NULL;

  Workload *w = g_new0 (Workload, 1);
  w->n_big = spec->n_big;
  w->big = g_new (WorkloadBigJob, MAX (w->n_big, 1));
  for (size_t i = 0; i < w->n_big; i++)
    {
      w->big[i] = spec->big[i];
      w->big[i].name = g_intern_string (spec->big[i].name ? spec->big[i].name
                                                          : "big");
    }
  /* Stable: equal submit times keep the given order. */
  g_qsort_with_data (w->big, (gint) w->n_big, sizeof *w->big,
                     workload_big_cmp, NULL);
  w->research = spec->research;
  const WorkloadResearch *r = &spec->research;
  if (r->rate_per_h > 0)
    {
      w->size_nodes = g_memdup2 (r->size_nodes, sizeof (uint32_t) * r->n_sizes);
      w->size_cum = g_new (double, r->n_sizes);
      double c = 0;
      for (size_t i = 0; i < r->n_sizes; i++)
        w->size_cum[i] = (c += r->size_weight[i]);
      w->duration = dist_copy (&r->duration_h);
    }
  else
    w->duration = dist_constant (0);
  w->research.size_nodes = w->size_nodes;
  w->research.size_weight = NULL;
  w->research.duration_h = w->duration;
  rng_stream_init (&w->arrival, seed, "workload", "arrival");
  rng_stream_init (&w->size, seed, "workload", "size");
  rng_stream_init (&w->dur, seed, "workload", "duration");
  w->next_id = (uint32_t) w->n_big + 1;
  w->t_arrival = r->start_s;
  return w;
}

void
workload_free (Workload *w)
{
  if (w == NULL)
    return;
  g_free (w->big);
  g_free (w->size_nodes);
  g_free (w->size_cum);
  dist_clear (&w->duration);
  g_free (w);
}

/* Generates the next research arrival into w->pending, if any. */
static void
workload_gen_research (Workload *w)
{
  const WorkloadResearch *r = &w->research;
  if (w->have_pending || !(r->rate_per_h > 0))
    return;
  /* Exponential inter-arrival times: a Poisson process of rate_per_h. */
  double gap_s = -log (rng_uniform_pos (&w->arrival)) * 3600.0
                 / r->rate_per_h;
  double t = w->t_arrival + gap_s;
  if (!(t < r->horizon_s))
    return;
  w->t_arrival = t;

  double u = rng_uniform (&w->size) * w->size_cum[r->n_sizes - 1];
  size_t k = 0;
  while (k + 1 < r->n_sizes && w->size_cum[k] <= u)
    k++;
  uint32_t nodes = w->size_nodes[k];
  if (r->max_nodes > 0 && nodes > r->max_nodes)
    nodes = r->max_nodes;

  double hours = dist_sample (&w->duration, &w->dur);
  if (!(hours >= 1.0 / 3600)) /* non-positive or NaN samples: 1 s */
    hours = 1.0 / 3600;

  WorkloadJob *j = &w->pending;
  memset (j, 0, sizeof *j);
  j->id = w->next_id++;
  j->name = g_intern_static_string ("research");
  j->submit_s = t;
  j->nodes = nodes;
  j->work_h = hours;
  j->est_runtime_s = r->est_factor > 0 ? r->est_factor * hours * 3600 : 0;
  j->priority = r->priority;
  j->preemptible = r->preemptible;
  j->checkpoint_every_s = r->checkpoint_every_s;
  j->checkpoint_cost_s = r->checkpoint_cost_s;
  j->restart_s = r->restart_s;
  j->comm_share = r->comm_share;
  w->have_pending = true;
}

bool
workload_next (Workload *w, WorkloadJob *out)
{
  g_return_val_if_fail (w != NULL && out != NULL, false);
  workload_gen_research (w);
  bool have_big = w->next_big < w->n_big;
  if (have_big
      && (!w->have_pending || w->big[w->next_big].submit_s
                                  <= w->pending.submit_s))
    {
      const WorkloadBigJob *b = &w->big[w->next_big];
      memset (out, 0, sizeof *out);
      out->id = (uint32_t) w->next_big + 1;
      out->name = b->name;
      out->submit_s = b->submit_s;
      out->nodes = b->nodes;
      out->work_h = b->work_h;
      out->est_runtime_s = b->work_h * 3600;
      out->priority = b->priority;
      out->preemptible = b->preemptible;
      out->checkpoint_every_s = b->checkpoint_every_s;
      out->checkpoint_cost_s = b->checkpoint_cost_s;
      out->restart_s = b->restart_s;
      out->comm_share = b->comm_share;
      w->next_big++;
      return true;
    }
  if (!w->have_pending)
    return false;
  *out = w->pending;
  w->have_pending = false;
  return true;
}
