/* models/metrics.c - allocation of a run's Metrics and the cause counters.
 *
 * Plain data only: the world fills the fields, lib/results.c writes them.
 * This file computes nothing; it owns the strings of the arrays (freed by
 * each array's clear function). */
#include "metrics.h"

#include <math.h>
#include <string.h>

const char *const metrics_node_state_names[METRICS_NODE_STATES] = {
  "healthy", "suspect", "cordoned", "draining", "remediating",
  "in_repair", "burn_in", "quarantined", "down",
};

static void
metrics_cause_clear (gpointer p)
{
  MetricsCause *c = p;
  g_free (c->cause);
}

static void
metrics_interruption_clear (gpointer p)
{
  MetricsInterruption *r = p;
  g_free (r->job);
  g_free (r->component);
  g_free (r->cause);
  g_free (r->mode);
}

static void
metrics_job_clear (gpointer p)
{
  MetricsJob *j = p;
  g_free (j->name);
}

static void
metrics_job_time_clear (gpointer p)
{
  MetricsJobTime *t = p;
  g_free (t->job);
}

static GArray *
metrics_cause_array_new (void)
{
  GArray *a = g_array_new (FALSE, TRUE, sizeof (MetricsCause));
  g_array_set_clear_func (a, metrics_cause_clear);
  return a;
}

/* Returns: (transfer full). Every double that means "not measured" starts
 * as NaN, every count at 0. */
Metrics *
metrics_new (void)
{
  Metrics *m = g_new0 (Metrics, 1);
  m->ettr = NAN;
  m->goodput = NAN;
  m->gpu_availability = NAN;
  m->mtti_hours = NAN;
  m->mttr_hours = NAN;
  m->queue_wait_hours_p50 = NAN;
  m->queue_wait_hours_p99 = NAN;
  m->detection_latency_minutes_p50 = NAN;
  m->main_job_ettr = NAN;
  m->main_job_lost_hours = NAN;
  m->main_job_completion_hours = NAN;
  m->job_completion_hours = g_array_new (FALSE, TRUE, sizeof (MetricsJobTime));
  g_array_set_clear_func (m->job_completion_hours, metrics_job_time_clear);
  m->interruptions_by_cause = metrics_cause_array_new ();
  m->failures_by_cause = metrics_cause_array_new ();
  m->timeseries = g_array_new (FALSE, TRUE, sizeof (MetricsSample));
  m->interruption_rows = g_array_new (FALSE, TRUE,
                                      sizeof (MetricsInterruption));
  g_array_set_clear_func (m->interruption_rows, metrics_interruption_clear);
  m->job_rows = g_array_new (FALSE, TRUE, sizeof (MetricsJob));
  g_array_set_clear_func (m->job_rows, metrics_job_clear);
  return m;
}

void
metrics_free (Metrics *m)
{
  if (m == NULL)
    return;
  g_clear_pointer (&m->interruptions_by_cause, g_array_unref);
  g_clear_pointer (&m->failures_by_cause, g_array_unref);
  g_clear_pointer (&m->timeseries, g_array_unref);
  g_clear_pointer (&m->interruption_rows, g_array_unref);
  g_clear_pointer (&m->job_rows, g_array_unref);
  g_clear_pointer (&m->job_completion_hours, g_array_unref);
  g_free (m->main_job);
  g_free (m);
}

/* Adds n to the count of `cause`, appending it (copied) at the end when it
 * is new, so the array keeps the order in which causes were first added.
 * O(number of causes): there are about twenty. */
void
metrics_cause_add (GArray *causes, const char *cause, uint64_t n)
{
  g_return_if_fail (causes != NULL);
  g_return_if_fail (cause != NULL);
  for (guint i = 0; i < causes->len; i++)
    {
      MetricsCause *c = &g_array_index (causes, MetricsCause, i);
      if (strcmp (c->cause, cause) == 0)
        {
          c->count += n;
          return;
        }
    }
  MetricsCause c = { g_strdup (cause), n };
  g_array_append_val (causes, c);
}
