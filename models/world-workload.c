/* models/world-workload.c - where the jobs come from: the scenario's jobs
 * at their submit times, an SWF trace (swf.h), and the research workload's
 * Poisson arrivals (workload.h), one drawn ahead at a time. Each arrival is
 * handed to the jobs module (jobs_submit). */
#include "world-int.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "swf.h"

static void schedule_next_research (World *w);

static void
on_arrival (Sim *sim, const SimEvent *e, void *ud)
{
  World *w = ud;
  Job *j = g_ptr_array_index (w->jobs.all, e->target);
  jobs_submit (w, j);
  if (e->data == 1)
    schedule_next_research (w);
}

/* A job of the research workload or the SWF trace, named `name`. */
static Job *
job_from_workload (World *w, const WorkloadJob *wj, const char *name)
{
  Job *j = jobs_new (w, name, wj->nodes, wj->work_h, wj->submit_s / 3600.0);
  j->tau_h = wj->checkpoint_every_s / 3600.0;
  if (j->tau_h <= 0)
    j->tau_h = INFINITY; /* research jobs without checkpoints */
  j->delta_h = wj->checkpoint_cost_s / 3600.0;
  j->restart_h = wj->restart_s / 3600.0;
  j->comm_share = wj->comm_share;
  j->priority = wj->priority;
  j->preemptible = wj->preemptible;
  j->est_runtime_h = wj->est_runtime_s > 0 ? wj->est_runtime_s / 3600.0 : NAN;
  return j;
}

static void
schedule_next_research (World *w)
{
  WorkloadJob wj;
  if (w->jobs.research == NULL || !workload_next (w->jobs.research, &wj))
    return;
  SimTime at = simtime_from_s (wj.submit_s);
  if (at > world_length (w))
    return;
  if (wj.nodes > w->hw.n_nodes)
    wj.nodes = w->hw.n_nodes;
  char name[64];
  snprintf (name, sizeof name, "research-%06u", w->jobs.all->len); /* its id */
  Job *j = job_from_workload (w, &wj, name);
  sim_at (w->core.sim, MAX (at, sim_now (w->core.sim)), w->core.kinds[EV_ARRIVAL], j->m.id, 1);
}

/* workload.research_sizes "NODES[:WEIGHT],..." into sizes (uint32_t) and
 * weights (double); "" leaves both empty (the default mix). */
static bool
research_sizes_parse (const char *spec, GArray *sizes, GArray *weights,
                      GError **error)
{
  if (spec == NULL || *spec == '\0')
    return true;
  g_auto (GStrv) items = g_strsplit (spec, ",", -1);
  for (char **it = items; *it != NULL; it++)
    {
      char *item = g_strstrip (*it);
      char *colon = strchr (item, ':');
      if (colon != NULL)
        *colon = '\0';
      guint64 nodes = 0;
      double weight = 1.0;
      bool ok = g_ascii_string_to_unsigned (g_strstrip (item), 10, 1, UINT32_MAX,
                                            &nodes, NULL);
      if (colon != NULL)
        {
          char *w = g_strstrip (colon + 1), *end = NULL;
          weight = g_ascii_strtod (w, &end);
          ok = ok && end != w && *end == '\0' && weight > 0 && isfinite (weight);
          *colon = ':'; /* for the message */
        }
      if (!ok)
        {
          g_set_error (error, WORLD_ERROR, WORLD_ERROR_INVALID,
                       "workload.research_sizes: '%s' is not NODES or NODES:WEIGHT "
                       "(a whole number of nodes >= 1 and a weight > 0), in '%s'",
                       item, spec);
          return false;
        }
      uint32_t n32 = (uint32_t) nodes;
      g_array_append_val (sizes, n32);
      g_array_append_val (weights, weight);
    }
  return true;
}

/* workload.research_duration's names (models/config.c checks a value
 * against them). */
enum { RESEARCH_LOGNORMAL, RESEARCH_EXPONENTIAL, RESEARCH_CONSTANT };
const char *const *
workload_research_durations (void)
{
  static const char *const names[] = {
    [RESEARCH_LOGNORMAL] = "lognormal", [RESEARCH_EXPONENTIAL] = "exponential",
    [RESEARCH_CONSTANT] = "constant", NULL
  };
  return names;
}

/* The research jobs' runtime distribution (hours) from the config. */
static bool
research_duration (const WorldConfig *cfg, Dist *out, GError **error)
{
  (void) error;
  double mean_h = cfg->workload_research_mean / 3600.0;
  double sd_h = cfg->workload_research_sd / 3600.0;
  switch (config_name_index (workload_research_durations (),
                             cfg->workload_research_duration))
    {
    case RESEARCH_LOGNORMAL:
      *out = sd_h > 0 ? dist_lognormal_mean_sd (mean_h, sd_h) : dist_constant (mean_h);
      break;
    case RESEARCH_EXPONENTIAL:
      *out = dist_exponential (mean_h);
      break;
    case RESEARCH_CONSTANT:
      *out = dist_constant (mean_h);
      break;
    default:
      g_assert_not_reached (); /* world_config_set checked it */
    }
  return true;
}

bool
workload_spares_fit (uint32_t spares, uint32_t n_nodes, GError **error)
{
  if (spares < n_nodes)
    return true;
  g_set_error (error, WORLD_ERROR, WORLD_ERROR_INVALID,
               "cluster.spares = %u leaves no node for jobs (the cluster has %u nodes)",
               spares, n_nodes);
  return false;
}

bool
workload_research_sizes_check (const WorldConfig *cfg, GError **error)
{
  g_autoptr (GArray) sizes = g_array_new (FALSE, FALSE, sizeof (uint32_t));
  g_autoptr (GArray) weights = g_array_new (FALSE, FALSE, sizeof (double));
  return research_sizes_parse (cfg->workload_research_sizes, sizes, weights,
                               error);
}

bool
workload_jobs_fit (const WorldConfig *cfg, uint32_t n_nodes, GError **error)
{
  for (guint i = 0; i < cfg->jobs->len; i++)
    {
      const WorldJobSpec *s = &g_array_index (cfg->jobs, WorldJobSpec, i);
      if (s->nodes + (uint32_t) cfg->cluster_spares > n_nodes)
        {
          g_set_error (error, WORLD_ERROR, WORLD_ERROR_INVALID,
                       "job '%s' needs %u nodes but the cluster has %u (with %u hot spares held back)",
                       s->name, s->nodes, n_nodes, (uint32_t) cfg->cluster_spares);
          return false;
        }
      if ((uint64_t) s->nodes + s->standbys + (uint32_t) cfg->cluster_spares > n_nodes)
        {
          g_set_error (error, WORLD_ERROR, WORLD_ERROR_INVALID,
                       "job '%s' needs %u nodes and %u standbys but the cluster has %u "
                       "(with %u hot spares held back)", s->name, s->nodes, s->standbys,
                       n_nodes, (uint32_t) cfg->cluster_spares);
          return false;
        }
    }
  return true;
}

static bool
build_jobs (World *w, GError **error)
{
  const WorldConfig *cfg = w->core.cfg;
  if (!workload_jobs_fit (cfg, w->hw.n_nodes, error)
      || !workload_research_sizes_check (cfg, error))
    return false;
  uint32_t biggest = 0;
  bool marked = false; /* a job{} with main = true: the main job */
  for (guint i = 0; i < cfg->jobs->len; i++)
    {
      const WorldJobSpec *s = &g_array_index (cfg->jobs, WorldJobSpec, i);
      Job *j = jobs_new (w, s->name, s->nodes, s->work_s > 0 ? s->work_s / 3600.0 : INFINITY,
                        s->submit_s / 3600.0);
      j->tau_h = s->checkpoint_every_s / 3600.0;
      j->delta_h = s->checkpoint_cost_s / 3600.0;
      j->write_h = s->checkpoint_write_s / 3600.0;
      j->restart_h = s->restart_s / 3600.0;
      j->comm_share = s->comm_share;
      j->priority = s->priority;
      j->preemptible = s->preemptible;
      j->keep_work = s->keep_work;
      j->standbys = s->standbys;
      j->swap_h = s->standby_swap_s / 3600.0;
      j->host_select_h = s->host_selection_s / 3600.0;
      j->est_runtime_h = s->work_s > 0 ? s->work_s / 3600.0 : NAN;
      j->from_scenario = true;
      /* its summary.json job_completion_hours entry, in scenario order:
       * not completed until it does (job_retire) */
      MetricsJobTime jt = { g_strdup (s->name), NAN };
      g_assert (j->m.id == w->meter.m->job_completion_hours->len);
      g_array_append_val (w->meter.m->job_completion_hours, jt);
      if (s->main)
        {
          marked = true;
          w->jobs.main_job = j->m.id;
        }
      else if (!marked && s->nodes > biggest)
        {
          biggest = s->nodes;
          w->jobs.main_job = j->m.id;
        }
      sim_at (w->core.sim, simtime_from_s (s->submit_s), w->core.kinds[EV_ARRIVAL], j->m.id, 0);
    }
  if (cfg->workload_trace != NULL && *cfg->workload_trace)
    {
      SwfOptions so;
      swf_options_init (&so);
      so.processors_per_node = w->hw.gpn;
      so.time_scale = cfg->workload_trace_time_scale;
      so.lenient = cfg->workload_trace_lenient;
      so.max_nodes = w->hw.n_nodes - (uint32_t) cfg->cluster_spares;
      GArray *tj = g_array_new (FALSE, FALSE, sizeof (WorkloadJob));
      SwfStats st;
      if (!swf_load (cfg->workload_trace, &so, tj, &st, error))
        {
          g_array_unref (tj);
          return false;
        }
      WorldTraceStats *ts = &w->workload.trace;
      w->workload.have_trace = true;
      ts->skipped_malformed = st.skipped_malformed;
      ts->skipped_cancelled = st.skipped_cancelled;
      ts->skipped_unusable = st.skipped_unusable;
      ts->capped = st.capped;
      for (guint i = 0; i < tj->len; i++)
        {
          WorkloadJob *wj = &g_array_index (tj, WorkloadJob, i);
          if (simtime_from_s (wj->submit_s) > world_length (w))
            {
              ts->after_end++;
              continue;
            }
          ts->jobs++;
          char name[32];
          snprintf (name, sizeof name, "swf-%u", wj->id);
          Job *j = job_from_workload (w, wj, name);
          sim_at (w->core.sim, simtime_from_s (wj->submit_s), w->core.kinds[EV_ARRIVAL], j->m.id, 0);
        }
      g_array_unref (tj);
    }
  if (cfg->workload_research_rate > 0)
    {
      WorkloadSpec spec;
      workload_spec_init (&spec);
      g_autoptr (GArray) sizes = g_array_new (FALSE, FALSE, sizeof (uint32_t));
      g_autoptr (GArray) weights = g_array_new (FALSE, FALSE, sizeof (double));
      if (!research_sizes_parse (cfg->workload_research_sizes, sizes, weights, error)
          || !research_duration (cfg, &spec.research.duration_h, error))
        return false;
      if (sizes->len > 0)
        {
          spec.research.n_sizes = sizes->len;
          spec.research.size_nodes = (const uint32_t *) sizes->data;
          spec.research.size_weight = (const double *) weights->data;
        }
      spec.research.rate_per_h = cfg->workload_research_rate;
      spec.research.start_s = 0;
      spec.research.horizon_s = simtime_to_s (world_length (w));
      spec.research.max_nodes = MIN ((uint32_t) cfg->workload_research_max_nodes,
                                     w->hw.n_nodes - (uint32_t) cfg->cluster_spares);
      w->jobs.research = workload_new (&spec, w->core.seed, error);
      if (w->jobs.research == NULL)
        return false;
      schedule_next_research (w);
    }
  return true;
}

bool
world_trace_stats (const World *w, WorldTraceStats *out)
{
  g_return_val_if_fail (w != NULL && out != NULL, false);
  *out = w->workload.trace;
  return w->workload.have_trace;
}

/* ---- the module ---- */

static bool
workload_init (World *w, GError **error)
{
  w->core.kinds[EV_ARRIVAL] = sim_register (w->core.sim, "arrival", on_arrival, w);
  return true;
}

/* The configured jobs' arrivals, the SWF trace, the research workload. */
static bool
workload_start (World *w, GError **error)
{
  return build_jobs (w, error);
}

const WorldModule world_workload_module = {
  .name = "workload", .init = workload_init, .start = workload_start,
};
