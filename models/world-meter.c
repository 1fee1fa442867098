/* models/world-meter.c - the run's metrics: samples of the time series,
 * the progress tick, and the summary's figures at the end (metrics.h).
 * Simulated time only: the wall clock is the caller's (lib/). Reads every
 * module's state; changes none. */
#include "world-int.h"

#include <math.h>
#include <string.h>

/* Fills the detection latency of the interruptions that the fault of
 * node `node` (failed at fault_h) caused: rows since fault_h whose
 * component is the node or one of its parts. Rows are in time order. */
void
meter_set_detect (World *w, const char *node, double fault_h, double minutes)
{
  GArray *rows = w->meter.m->interruption_rows;
  size_t len = strlen (node);
  for (guint i = rows->len; i-- > 0;)
    {
      MetricsInterruption *r = &g_array_index (rows, MetricsInterruption, i);
      if (r->t_h < fault_h)
        break;
      if (isnan (r->detect_minutes) && strncmp (r->component, node, len) == 0
          && (r->component[len] == '\0' || r->component[len] == '/'))
        r->detect_minutes = minutes;
    }
}

void
meter_node_counts_scan (const World *w, uint32_t nodes[METRICS_NODE_STATES])
{
  memset (nodes, 0, METRICS_NODE_STATES * sizeof *nodes);
  for (uint32_t i = 0; i < w->hw.n_nodes; i++)
    {
      WorldNodeState st = care_node_state (w, i);
      int k = (int) st;
      if (w->hw.nodes[i].fault_mode != NO_FAULT && st == WORLD_NODE_HEALTHY)
        k = METRICS_NODE_STATES - 1; /* down, not yet noticed */
      if (k >= 0 && k < METRICS_NODE_STATES)
        nodes[k]++;
    }
}

/* The policy's counts are its live states; WorldMeter.unnoticed uses the
 * states the world last saw (nodes_update_avail), the same ones for a
 * policy that changes a node's state only on an observation about it or
 * with an action on it, as the counting classes do (the world looks at
 * such a node after each). */
void
meter_node_counts (const World *w, uint32_t nodes[METRICS_NODE_STATES])
{
  uint32_t counts[WORLD_NODE_N_STATES];
  if (!care_node_state_counts (w, counts))
    {
      meter_node_counts_scan (w, nodes);
      return;
    }
  for (int k = 0; k < WORLD_NODE_N_STATES; k++)
    nodes[k] = counts[k];
  g_assert (nodes[WORLD_NODE_HEALTHY] >= w->meter.unnoticed);
  nodes[WORLD_NODE_HEALTHY] -= w->meter.unnoticed;
  nodes[METRICS_NODE_STATES - 1] = w->meter.unnoticed; /* down, not yet noticed */
}

void
meter_sample (World *w, SimTime t)
{
  MetricsSample s = { .t_h = simtime_to_h (t) };
  s.healthy_gpus = w->meter.healthy_gpus;
  meter_node_counts (w, s.nodes);
  s.running_jobs = jobs_running_count (w);
  s.queued_jobs = jobs_queue_length (w);
  s.spares_free = jobs_spares_free (w);
  s.fabric_bw_lost = fabric_bandwidth_lost_fraction (w->hw.fabric);
  s.main_job_progress = NAN;
  s.main_job_ettr = NAN;
  if (w->jobs.main_job != NO_JOB)
    {
      Job *j = g_ptr_array_index (w->jobs.all, w->jobs.main_job);
      if (isfinite (j->work_h) && j->work_h > 0)
        s.main_job_progress = j->saved_h / j->work_h;
      else
        {
          /* A job that runs until the end: the work it could have done in
           * the whole run without failures is its "total". */
          double avail_h = simtime_to_h (world_length (w)) - j->submit_h;
          s.main_job_progress = avail_h > 0 ? j->saved_h / avail_h : NAN;
        }
      s.main_job_ettr = jobs_ettr_at (w, j, t);
    }
  g_array_append_val (w->meter.m->timeseries, s);
}

static bool
on_tick (Sim *sim, SimTime now, void *ud)
{
  World *w = ud;
  /* The tick at 0 finds the meter_sample world_run took before the first event. */
  GArray *ts = w->meter.m->timeseries;
  if (ts->len == 0
      || g_array_index (ts, MetricsSample, ts->len - 1).t_h < simtime_to_h (now))
    meter_sample (w, now);
  if (w->meter.progress != NULL)
    w->meter.progress (w, now, world_length (w), w->meter.progress_ud);
  return w->bus.script_error == NULL;
}

void
world_set_progress (World *w, WorldProgressFn fn, void *user_data)
{
  w->meter.progress = fn;
  w->meter.progress_ud = user_data;
}

void
world_set_job_rows (World *w, WorldJobRowFn fn, void *user_data)
{
  g_return_if_fail (w != NULL);
  w->meter.job_row = fn;
  w->meter.job_row_ud = user_data;
}

const Metrics *
world_metrics (const World *w)
{
  return w->meter.m;
}

/* A job's final row (row->name borrowed): to the caller's sink
 * (world_set_job_rows), else kept with a copy of its name in
 * Metrics.job_rows, in the order the jobs end. */
void
meter_job_row (World *w, const MetricsJob *row)
{
  if (w->meter.job_row != NULL)
    {
      w->meter.job_row (row, w->meter.job_row_ud);
      return;
    }
  MetricsJob r = *row;
  r.name = g_strdup (row->name);
  g_array_append_val (w->meter.m->job_rows, r);
}

/* The summary's figures at the end of the run. The GPU-weighted sums go
 * over the jobs in id order, as they always did (floating-point sums: the
 * order is part of the bits): an ended job's shares from jobs.tally, a
 * job still queued or running from its record, whose row goes out now. */
static void
finalize (World *w)
{
  Metrics *m = w->meter.m;
  SimTime end = sim_now (w->core.sim);
  double end_h = simtime_to_h (end);
  m->sim_hours = end_h;
  m->events = sim_events_handled (w->core.sim);
  double ettr_num = 0, ettr_den = 0, productive_gpu_h = 0;
  const WorldJobs *js = &w->jobs;
  for (guint i = 0; i < js->all->len; i++)
    {
      if (i < js->ended->len && g_array_index (js->ended, uint8_t, i) != JOB_ENDED_NOT)
        {
          const JobTally *t = &g_array_index (js->tally, JobTally, i);
          productive_gpu_h += t->productive_gpu_h;
          if (!isnan (t->ettr_gpu))
            ettr_num += t->ettr_gpu;
          m->fabric_slowdown_gpu_hours += t->slowdown_gpu_h;
          continue;
        }
      Job *j = g_ptr_array_index (js->all, i);
      if (j->state == JOB_RUNNING)
        {
          jobs_account (w, j, end);
          j->phase_start = end;
          j->running_h += simtime_to_h (end - j->running_since);
          j->running_since = end;
        }
      else if (j->state == JOB_QUEUED)
        {
          /* A wait still open counts, cut at the end (a job stuck after an
           * interruption must show in the percentiles). */
          j->m.queue_h += simtime_to_h (end - j->queued_since);
          stats_quantile_add (w->meter.queue_wait, simtime_to_h (end - j->queued_since));
        }
      if (j->state == JOB_PENDING)
        continue; /* submitted after the end: no row */
      j->m.productive_h = j->saved_h;
      j->m.ettr = jobs_ettr_at (w, j, end);
      productive_gpu_h += j->saved_h * jobs_gpus (w, j);
      if (!isnan (j->m.ettr))
        {
          ettr_num += j->m.ettr * jobs_gpus (w, j);
          ettr_den += jobs_gpus (w, j);
        }
      MetricsJob row = j->m;
      row.name = (char *) j->name;
      meter_job_row (w, &row);
      m->fabric_slowdown_gpu_hours += j->m.slowdown_h * jobs_gpus (w, j);
    }
  ettr_den += js->ended_ettr_gpus; /* whole numbers below 2^53: exact */
  m->ettr = ettr_den > 0 ? ettr_num / ettr_den : NAN;
  m->goodput = end_h > 0 ? productive_gpu_h / (world_gpus (w) * end_h) : NAN;
  m->gpu_availability = stats_timeavg_get (&w->meter.avail, end_h);
  if (w->jobs.main_job != NO_JOB)
    {
      Job *j = g_ptr_array_index (w->jobs.all, w->jobs.main_job);
      m->mtti_hours = j->m.interruptions > 0 ? j->running_h / j->m.interruptions : NAN;
      m->main_job = g_strdup (j->name);
      m->main_job_ettr = j->m.ettr;
      m->main_job_interruptions = j->m.interruptions;
      m->main_job_lost_hours = j->m.lost_h + j->m.restart_h;
      m->main_job_completion_hours = j->m.completed ? j->m.end_h - j->submit_h : NAN;
    }
  else
    m->mtti_hours = m->interruptions > 0 ? end_h / m->interruptions : NAN;
  m->mttr_hours = stats_online_mean (&w->meter.mttr);
  m->queue_wait_hours_p50 = stats_quantile_get (w->meter.queue_wait, 0.5);
  m->queue_wait_hours_p99 = stats_quantile_get (w->meter.queue_wait, 0.99);
  m->detection_latency_minutes_p50 = stats_quantile_get (w->meter.detect_lat, 0.5);
  m->spares_exhausted_hours = w->core.cfg->cluster_spares > 0
                                ? stats_timeavg_get (&w->meter.spares_empty, end_h) * end_h : 0;
  /* The final meter_sample at the end of the run, unless a tick just took it. */
  GArray *ts = m->timeseries;
  if (ts->len == 0 || g_array_index (ts, MetricsSample, ts->len - 1).t_h < end_h)
    meter_sample (w, end);
}

uint32_t
world_healthy_gpus (const World *w)
{
  return w->meter.healthy_gpus;
}

/* ---- the module ---- */

static bool
meter_init (World *w, GError **error)
{
  w->meter.m = metrics_new ();
  w->meter.queue_wait = stats_quantile_new (0.01);
  w->meter.detect_lat = stats_quantile_new (0.01);
  stats_online_init (&w->meter.mttr);
  stats_timeavg_init (&w->meter.avail);
  stats_timeavg_init (&w->meter.spares_empty);
  w->meter.healthy_gpus = w->hw.n_nodes * w->hw.gpn;
  w->meter.m->nodes = w->hw.n_nodes;
  w->meter.m->gpus = w->hw.n_nodes * w->hw.gpn;
  w->meter.m->switches = topo_n_switches (w->hw.topo);
  w->meter.m->links = (uint32_t) topo_n_links (w->hw.topo);
  sim_set_tick (w->core.sim, simtime_from_s (w->core.cfg->run_sample_every), on_tick, w);
  return true;
}

static bool
meter_start (World *w, GError **error)
{
  stats_timeavg_set (&w->meter.avail, 0, 1.0);
  stats_timeavg_set (&w->meter.spares_empty, 0, 0.0);
  return true;
}

static void
meter_fini (World *w)
{
  metrics_free (w->meter.m);
  stats_quantile_free (w->meter.queue_wait);
  stats_quantile_free (w->meter.detect_lat);
}

const WorldModule world_meter_module = {
  .name = "meter", .init = meter_init, .start = meter_start,
  .finish = finalize, .fini = meter_fini,
};
