/* models/world-jobs.c - the jobs and the only user of the scheduler.
 *
 * A job computes in intervals of its checkpoint period; a checkpoint blocks
 * for its cost, then (asynchronous saves) is written in the background for
 * its write time while the job computes on, one write in flight at a time;
 * an interruption loses the work since the last durable checkpoint; a
 * restart pays the restart overhead. Also: scheduling passes, preemption,
 * planned-maintenance drains, hot spares, the research workload and SWF
 * traces, and the jobs' reaction to fabric bandwidth. */
#include "world-int.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "ckpt.h"
#include "health.h"
#include "sched.h"
#include "swf.h"

static void job_schedule_phase_end (World *w, Job *j);
static void schedule_next_research (World *w);

double
jobs_gpus (const World *w, const Job *j)
{
  return (double) j->nodes * w->hw.gpn;
}

/* Work done in the current compute interval at time t. */
static double
job_interval_work (const World *w, const Job *j, SimTime t)
{
  if (j->phase != PHASE_COMPUTE)
    return j->phase == PHASE_CHECKPOINT ? j->interval_h : 0;
  double el = simtime_to_h (t - j->phase_start);
  double s = isfinite (j->slowdown) ? j->slowdown : INFINITY;
  return j->phase_work0 + (isfinite (s) ? el / s : 0);
}

/* Checkpoint interval for the next compute interval, in hours of work. */
static double
job_tau (World *w, Job *j)
{
  if (j->tau_h > 0)
    return j->tau_h;
  /* Young/Daly from the failure rate: the catalogue's expectation for the
   * job's nodes, replaced by the observed rate once there are three
   * interruptions (docs/scheduling.md). */
  double M;
  if (j->m.interruptions >= 3 && j->running_h > 0)
    M = j->running_h / j->m.interruptions;
  else
    {
      double per_node = 0;
      for (int c = 0; c < FL_CLASS_COUNT; c++)
        {
          double r = fl_failure_catalog_rate_per_hour (w->faults.cat, (FlClass) c);
          if (c == FL_CLASS_GPU)
            per_node += r * w->hw.gpn;
          else if (c == FL_CLASS_NODE || c == FL_CLASS_JOB)
            per_node += r;
          else if (c == FL_CLASS_NIC || c == FL_CLASS_CABLE)
            per_node += r * w->hw.rails;
        }
      M = per_node > 0 ? 1.0 / (per_node * j->nodes) : INFINITY;
    }
  if (!isfinite (M))
    return 24.0;
  double tau = ckpt_daly (MAX (j->delta_h, 1e-6), M, j->restart_h);
  /* An interval shorter than the background write would stall on it. */
  return CLAMP (MAX (tau, j->write_h), 1.0 / 60, 24.0);
}

static void
job_enter_compute (World *w, Job *j, SimTime t)
{
  j->phase = PHASE_COMPUTE;
  j->phase_start = t;
  j->phase_work0 = 0;
  double remaining = j->work_h - j->saved_h;
  j->interval_h = MIN (job_tau (w, j), remaining);
  job_schedule_phase_end (w, j);
}

static void
job_schedule_phase_end (World *w, Job *j)
{
  if (j->ev != EVQ_NONE)
    sim_cancel (w->core.sim, j->ev);
  j->ev = EVQ_NONE;
  SimTime end;
  switch (j->phase)
    {
    case PHASE_RESTART:
      end = j->phase_start + h_to_sim (j->restart_h);
      break;
    case PHASE_CHECKPOINT:
      /* One write in flight: a checkpoint due before the previous one is
       * written waits for it, then blocks for its own cost. */
      end = (j->writing ? MAX (j->phase_start, j->written_at)
                        : j->phase_start)
            + h_to_sim (j->delta_h);
      if (j->draining)
        end += h_to_sim (j->write_h); /* durable before the job stops */
      break;
    case PHASE_COMPUTE:
    default:
      if (!isfinite (j->slowdown) || !isfinite (j->interval_h))
        return; /* stalled (cut off) or endless: no end event */
      end = j->phase_start
            + h_to_sim ((j->interval_h - j->phase_work0) * j->slowdown);
      break;
    }
  if (end < sim_now (w->core.sim))
    end = sim_now (w->core.sim);
  if (end <= world_length (w))
    j->ev = sim_at (w->core.sim, end, w->core.kinds[EV_JOB_PHASE],
                    (uint32_t) j->m.id, 0);
}

/* Charges the time since phase_start to the job's accounts up to t. */
void
jobs_account (World *w, Job *j, SimTime t)
{
  double el = simtime_to_h (t - j->phase_start);
  if (j->phase == PHASE_RESTART)
    j->m.restart_h += el;
  else if (j->phase == PHASE_CHECKPOINT)
    j->m.checkpoint_h += el;
  else if (isfinite (j->slowdown))
    j->m.slowdown_h += el - el / j->slowdown;
}

static void
job_set_slowdown (World *w, Job *j, double s)
{
  if (j->state != JOB_RUNNING || s == j->slowdown)
    return;
  SimTime t = sim_now (w->core.sim);
  if (j->phase == PHASE_COMPUTE)
    {
      double done = job_interval_work (w, j, t);
      jobs_account (w, j, t);
      j->phase_start = t;
      j->phase_work0 = done;
      j->slowdown = s;
      job_schedule_phase_end (w, j);
    }
  else
    j->slowdown = s;
}

void
jobs_update_bandwidth (World *w, Job *j)
{
  if (j->state != JOB_RUNNING || j->n_held == 0)
    return;
  double b = fabric_job_bandwidth (w->hw.fabric, j->nodes_held, j->n_held);
  double s = b >= 1.0 ? 1.0 : fabric_slowdown (b, j->comm_share);
  job_set_slowdown (w, j, s < 1.0 ? 1.0 : s);
}

static void
job_release_nodes (World *w, Job *j)
{
  for (uint32_t i = 0; i < j->n_held; i++)
    {
      uint32_t n = j->nodes_held[i];
      if (w->hw.nodes[n].job != j->m.id)
        continue;
      w->hw.nodes[n].job = NO_JOB;
      if (w->hw.nodes[n].rails_disabled > 0)
        nodes_update_avail (w, n); /* policy.degraded_nodes may withdraw it */
      if (health_policy_node_state (w->care.health, n) == HEALTH_NODE_DRAINING)
        {
          HealthObs o;
          health_obs_init (&o, HEALTH_OBS_ACTION_DONE, 0);
          o.node = n;
          o.action = HEALTH_ACTION_DRAIN;
          o.ok = true;
          care_observe_at (w, &o, sim_now (w->core.sim), NO_FAULT);
        }
    }
  g_clear_pointer (&j->nodes_held, g_free);
  j->n_held = 0;
  if (j->run_idx < w->jobs.running->len && g_ptr_array_index (w->jobs.running, j->run_idx) == j)
    {
      g_ptr_array_remove_index_fast (w->jobs.running, j->run_idx);
      if (j->run_idx < w->jobs.running->len)
        ((Job *) g_ptr_array_index (w->jobs.running, j->run_idx))->run_idx = j->run_idx;
    }
  j->run_idx = G_MAXUINT;
}

/* work_h more hours of work are in a durable checkpoint. */
static void
job_checkpoint_durable (World *w, Job *j, double work_h)
{
  j->saved_h += work_h;
  j->m.productive_h = j->saved_h;
  if (w->core.cfg->run_events)
    {
      WorldEvent ev;
      bus_event_init (&ev, WEV_JOB_CHECKPOINT);
      ev.job = j->name;
      ev.value = j->saved_h;
      bus_emit (w, &ev);
    }
}

/* Drops the checkpoint being written, if any (the job stopped). */
static void
job_write_abandon (World *w, Job *j)
{
  if (j->ev_write != EVQ_NONE)
    sim_cancel (w->core.sim, j->ev_write);
  j->ev_write = EVQ_NONE;
  j->writing = false;
  j->writing_h = 0;
}

/* A job stops running at now: interrupted by a failure (cause != NULL),
 * preempted (preempt), or completed. Returns the work lost (hours). */
static double
job_stop (World *w, Job *j, bool completed)
{
  SimTime t = sim_now (w->core.sim);
  double lost = 0;
  if (j->ev != EVQ_NONE)
    sim_cancel (w->core.sim, j->ev);
  j->ev = EVQ_NONE;
  jobs_account (w, j, t);
  if (!completed)
    {
      if (j->phase == PHASE_COMPUTE)
        lost = job_interval_work (w, j, t);
      else if (j->phase == PHASE_CHECKPOINT)
        lost = j->interval_h;
      lost += j->writing_h; /* a checkpoint not yet written is no restart point */
      j->m.lost_h += lost;
    }
  job_write_abandon (w, j);
  j->draining = false;
  j->running_h += simtime_to_h (t - j->running_since);
  job_release_nodes (w, j);
  return lost;
}

void
jobs_interrupt (World *w, Job *j, const char *component, const FlFailureMode *fm,
                const char *cause_override)
{
  if (j->state != JOB_RUNNING)
    return;
  double lost = job_stop (w, j, false);
  const char *cause = cause_override ? cause_override : fm ? fm->cause : "Unknown";
  double lost_gpu_h = (lost + j->restart_h) * jobs_gpus (w, j);
  j->m.interruptions++;
  j->state = JOB_QUEUED;
  j->restarting = true;
  j->waiting_restart = true;
  w->jobs.restarts_waiting++;
  j->queued_since = sim_now (w->core.sim);
  sched_job_interrupted (w->jobs.sched, j->m.id);
  Metrics *m = w->meter.m;
  m->interruptions++;
  metrics_cause_add (m->interruptions_by_cause, cause, 1);
  m->lost_gpu_hours += lost_gpu_h;
  MetricsInterruption row = {
    .t_h = now_h (w), .job = g_strdup (j->name),
    .component = g_strdup (component ? component : ""),
    .cause = g_strdup (cause), .mode = g_strdup (fm ? fm->name : ""),
    .lost_gpu_hours = lost_gpu_h, .detect_minutes = NAN,
  };
  g_array_append_val (m->interruption_rows, row);
  WorldEvent ev;
  bus_event_init (&ev, WEV_JOB_INTERRUPTED);
  ev.job = j->name;
  ev.component = component;
  ev.cause = cause;
  ev.mode = fm ? fm->name : NULL;
  ev.lost_gpu_hours = lost_gpu_h;
  bus_emit (w, &ev);
  jobs_request_sched (w);
}

static void
job_preempt (World *w, Job *j)
{
  if (j->state != JOB_RUNNING)
    return;
  double lost = job_stop (w, j, false);
  w->meter.m->lost_gpu_hours += lost * jobs_gpus (w, j);
  j->m.preemptions++;
  j->state = JOB_QUEUED;
  j->restarting = true;
  j->queued_since = sim_now (w->core.sim);
  WorldEvent ev;
  bus_event_init (&ev, WEV_JOB_PREEMPTED);
  ev.job = j->name;
  bus_emit (w, &ev);
}

/* A job leaves its nodes for planned maintenance: requeued to restart at
 * once, on spares if it needs them; while it waits for nodes it counts as
 * a failed job does (spares_exhausted_hours, policy.degraded_nodes). */
static void
job_stop_planned (World *w, Job *j)
{
  g_assert (j->state == JOB_RUNNING);
  job_preempt (w, j);
  j->waiting_restart = true;
  w->jobs.restarts_waiting++;
  sched_job_interrupted (w->jobs.sched, j->m.id);
  jobs_request_sched (w);
}

static void
job_complete (World *w, Job *j)
{
  job_stop (w, j, true);
  j->state = JOB_DONE;
  j->m.completed = true;
  j->m.end_h = now_h (w);
  j->m.productive_h = j->saved_h;
  sched_job_finished (w->jobs.sched, j->m.id);
  w->meter.m->jobs_completed++;
  WorldEvent ev;
  bus_event_init (&ev, WEV_JOB_COMPLETED);
  ev.job = j->name;
  bus_emit (w, &ev);
  jobs_request_sched (w);
}

/* The end of a job's phase. */
void
jobs_on_job_phase (Sim *sim, const SimEvent *e, void *ud)
{
  World *w = ud;
  Job *j = g_ptr_array_index (w->jobs.all, e->target);
  SimTime t = sim_now (sim);
  j->ev = EVQ_NONE;
  if (j->state != JOB_RUNNING)
    return;
  jobs_account (w, j, t);
  j->phase_start = t; /* accounted up to now: a stop below adds nothing */
  switch (j->phase)
    {
    case PHASE_RESTART:
      {
        /* The job comes up: a node with an undetected fault crashes it. */
        for (uint32_t i = 0; i < j->n_held; i++)
          {
            NodeRt *n = &w->hw.nodes[j->nodes_held[i]];
            if (n->fault_mode != NO_FAULT)
              {
                char nb[96];
                uint32_t node = j->nodes_held[i];
                FlFailureMode *fm = w->faults.modes[n->fault_mode].fm;
                core_node_name (w, node, nb, sizeof nb);
                n->blamed = true; /* the launcher saw this node fail to come up */
                jobs_interrupt (w, j, nb, fm, NULL);
                nodes_update_avail (w, node);
                HealthObs o;
                health_obs_init (&o, HEALTH_OBS_JOB_FAILED, to_ms (t));
                o.node = node;
                care_feed (w, &o);
                return;
              }
          }
        job_enter_compute (w, j, t);
        break;
      }
    case PHASE_COMPUTE:
      if (j->saved_h + j->interval_h >= j->work_h - 1e-12)
        {
          j->saved_h = j->work_h;
          job_complete (w, j);
          return;
        }
      j->phase = PHASE_CHECKPOINT;
      j->phase_start = t;
      job_schedule_phase_end (w, j);
      break;
    case PHASE_CHECKPOINT:
      if (j->draining)
        {
          /* The graceful checkpoint is written: stop for the maintenance. */
          g_assert (!j->writing);
          job_checkpoint_durable (w, j, j->interval_h);
          j->interval_h = 0;
          j->phase_start = t; /* accounted up to now above */
          job_stop_planned (w, j);
          return;
        }
      if (j->write_h > 0)
        {
          /* The snapshot is taken: written in the background from now. */
          g_assert (!j->writing);
          j->writing = true;
          j->writing_h = j->interval_h;
          j->written_at = t + h_to_sim (j->write_h);
          if (j->written_at <= world_length (w))
            j->ev_write = sim_at (w->core.sim, j->written_at,
                                  w->core.kinds[EV_JOB_WRITTEN], (uint32_t) j->m.id, 0);
        }
      else
        job_checkpoint_durable (w, j, j->interval_h);
      job_enter_compute (w, j, t);
      break;
    }
}

/* The end of a checkpoint's background write: it becomes the restart
 * point. A checkpoint stall waiting for it already ends after it. */
void
jobs_on_job_written (Sim *sim, const SimEvent *e, void *ud)
{
  World *w = ud;
  Job *j = g_ptr_array_index (w->jobs.all, e->target);
  (void) sim;
  g_assert (j->state == JOB_RUNNING);
  j->ev_write = EVQ_NONE;
  double work = j->writing_h;
  j->writing = false;
  j->writing_h = 0;
  job_checkpoint_durable (w, j, work);
}

static void
job_start (World *w, Job *j, const uint32_t *nodes, uint32_t n)
{
  SimTime t = sim_now (w->core.sim);
  double wait_h = simtime_to_h (t - j->queued_since);
  j->m.queue_h += wait_h;
  if (j->waiting_restart)
    {
      j->waiting_restart = false;
      w->jobs.restarts_waiting--;
    }
  stats_quantile_add (w->meter.queue_wait, wait_h);
  if (isnan (j->m.first_start_h))
    j->m.first_start_h = now_h (w);
  j->state = JOB_RUNNING;
  j->running_since = t;
  j->run_idx = w->jobs.running->len;
  g_ptr_array_add (w->jobs.running, j);
  j->nodes_held = g_memdup2 (nodes, n * sizeof *nodes);
  j->n_held = n;
  j->multi_su = false;
  for (uint32_t i = 0; i < n; i++)
    {
      w->hw.nodes[nodes[i]].job = j->m.id;
      j->multi_su |= topo_node_su (w->hw.topo, nodes[i]) != topo_node_su (w->hw.topo, nodes[0]);
    }
  j->slowdown = 1.0;
  double b = fabric_job_bandwidth (w->hw.fabric, nodes, n);
  if (b < 1.0)
    j->slowdown = MAX (1.0, fabric_slowdown (b, j->comm_share));
  j->phase_start = t;
  if (j->restarting && j->restart_h > 0)
    {
      j->phase = PHASE_RESTART;
      job_schedule_phase_end (w, j);
    }
  else
    {
      /* A first start pays no restart overhead (docs/models.md), but a
       * faulty node still crashes it as it comes up. */
      j->phase = PHASE_RESTART;
      j->ev = sim_at (w->core.sim, t, w->core.kinds[EV_JOB_PHASE], j->m.id, 0);
    }
  WorldEvent ev;
  bus_event_init (&ev, WEV_JOB_STARTED);
  ev.job = j->name;
  ev.value = n;
  bus_emit (w, &ev);
}

void
jobs_request_sched (World *w)
{
  if (w->jobs.sched_pending)
    return;
  w->jobs.sched_pending = true;
  sim_after (w->core.sim, 0, w->core.kinds[EV_SCHED], 0, 0);
}

static void
spares_track (World *w)
{
  if (w->core.cfg->cluster_spares <= 0)
    return;
  /* Exhausted: no spare left, or an interrupted job waits for nodes (the
   * pool refills from the idle nodes of the job that stopped, so it can
   * look full while the restart cannot be covered). */
  bool out = sched_spares_free (w->jobs.sched) == 0 || w->jobs.restarts_waiting > 0;
  stats_timeavg_set (&w->meter.spares_empty, now_h (w), out ? 1.0 : 0.0);
}

void
jobs_on_sched (Sim *sim, const SimEvent *e, void *ud)
{
  World *w = ud;
  w->jobs.sched_pending = false;
  g_array_set_size (w->jobs.decisions, 0);
  sched_schedule (w->jobs.sched, to_ms (sim_now (sim)), w->jobs.decisions);
  for (guint i = 0; i < w->jobs.decisions->len; i++)
    {
      SchedDecision *d = &g_array_index (w->jobs.decisions, SchedDecision, i);
      Job *j = g_ptr_array_index (w->jobs.all, d->job);
      if (d->kind == SCHED_DECISION_PREEMPT)
        job_preempt (w, j);
      else
        job_start (w, j, d->nodes, d->n);
    }
  if (w->pool.degraded == DEGRADED_WHEN_SHORT)
    nodes_degraded_update (w);
  spares_track (w);
}

static void
job_submit (World *w, Job *j)
{
  j->state = JOB_QUEUED;
  j->queued_since = sim_now (w->core.sim);
  SchedJob sj = {
    .id = j->m.id, .nodes = j->nodes, .priority = j->priority,
    .submit = to_ms (sim_now (w->core.sim)),
    .est_runtime = isfinite (j->est_runtime_h) ? (SchedTimeMs) (j->est_runtime_h * 3.6e6) : 0,
    .preemptible = j->preemptible,
  };
  w->meter.m->jobs_submitted++;
  if (!sched_submit (w->jobs.sched, &sj))
    {
      /* Larger than the general pool: it can never start. */
      j->state = JOB_DONE;
      g_warning ("job %s needs %u nodes, more than the cluster can give it",
                 j->name, j->nodes);
      return;
    }
  WorldEvent ev;
  bus_event_init (&ev, WEV_JOB_SUBMITTED);
  ev.job = j->name;
  ev.value = j->nodes;
  bus_emit (w, &ev);
  jobs_request_sched (w);
}

static Job *
job_new (World *w, const char *name, uint32_t nodes, double work_h,
         double submit_h)
{
  Job *j = g_new0 (Job, 1);
  j->name = g_strdup (name);
  j->nodes = nodes;
  j->work_h = work_h;
  j->submit_h = submit_h;
  j->slowdown = 1.0;
  j->est_runtime_h = NAN;
  j->m.id = w->jobs.all->len;
  j->m.nodes = nodes;
  j->m.gpus = nodes * w->hw.gpn;
  j->m.submit_h = submit_h;
  j->m.first_start_h = NAN;
  j->m.end_h = NAN;
  j->m.work_h = work_h;
  j->m.ettr = NAN;
  g_ptr_array_add (w->jobs.all, j);
  return j;
}

void
jobs_free (gpointer p)
{
  Job *j = p;
  g_free (j->name);
  g_free (j->nodes_held);
  g_free (j);
}

void
jobs_on_arrival (Sim *sim, const SimEvent *e, void *ud)
{
  World *w = ud;
  Job *j = g_ptr_array_index (w->jobs.all, e->target);
  job_submit (w, j);
  if (e->data == 1)
    schedule_next_research (w);
}

static Job *
job_from_workload (World *w, const WorkloadJob *wj)
{
  Job *j = job_new (w, wj->name, wj->nodes, wj->work_h, wj->submit_s / 3600.0);
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
  Job *j = job_from_workload (w, &wj);
  char name[64];
  snprintf (name, sizeof name, "research-%06u", j->m.id);
  g_free (j->name);
  j->name = g_strdup (name);
  sim_at (w->core.sim, MAX (at, sim_now (w->core.sim)), w->core.kinds[EV_ARRIVAL], j->m.id, 1);
}

void
jobs_update_all_bandwidth (World *w)
{
  for (guint i = 0; i < w->jobs.running->len; i++)
    {
      Job *j = g_ptr_array_index (w->jobs.running, i);
      /* Uplink, spine and core faults only touch jobs that cross SUs (a
       * job inside one SU keeps its traffic on its leaves). */
      if (j->state == JOB_RUNNING && (j->multi_su || j->slowdown > 1.0))
        jobs_update_bandwidth (w, j);
    }
  WorldEvent ev;
  bus_event_init (&ev, WEV_FABRIC_DEGRADED);
  ev.value = fabric_bandwidth_lost_fraction (w->hw.fabric);
  bus_emit (w, &ev);
}

double
jobs_ettr_at (const World *w, const Job *j, SimTime t)
{
  if (isnan (j->m.first_start_h))
    return NAN;
  double end = isnan (j->m.end_h) ? simtime_to_h (t) : j->m.end_h;
  double wall = end - j->m.first_start_h;
  if (wall <= 0)
    return NAN;
  return j->saved_h / wall;
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

/* The research jobs' runtime distribution (hours) from the config. */
static bool
research_duration (const WorldConfig *cfg, Dist *out, GError **error)
{
  const char *name = cfg->workload_research_duration;
  double mean_h = cfg->workload_research_mean / 3600.0;
  double sd_h = cfg->workload_research_sd / 3600.0;
  if (strcmp (name, "lognormal") == 0)
    *out = sd_h > 0 ? dist_lognormal_mean_sd (mean_h, sd_h) : dist_constant (mean_h);
  else if (strcmp (name, "exponential") == 0)
    *out = dist_exponential (mean_h);
  else if (strcmp (name, "constant") == 0)
    *out = dist_constant (mean_h);
  else
    {
      g_set_error (error, WORLD_ERROR, WORLD_ERROR_INVALID,
                   "workload.research_duration: unknown distribution '%s' "
                   "(use lognormal, exponential or constant)", name);
      return false;
    }
  return true;
}

bool
jobs_build (World *w, GError **error)
{
  const WorldConfig *cfg = w->core.cfg;
  uint32_t biggest = 0;
  for (guint i = 0; i < cfg->jobs->len; i++)
    {
      const WorldJobSpec *s = &g_array_index (cfg->jobs, WorldJobSpec, i);
      if (s->nodes + (uint32_t) cfg->cluster_spares > w->hw.n_nodes)
        {
          g_set_error (error, WORLD_ERROR, WORLD_ERROR_INVALID,
                       "job '%s' needs %u nodes but the cluster has %u (with %u hot spares held back)",
                       s->name, s->nodes, w->hw.n_nodes, (uint32_t) cfg->cluster_spares);
          return false;
        }
      Job *j = job_new (w, s->name, s->nodes, s->work_s > 0 ? s->work_s / 3600.0 : INFINITY,
                        s->submit_s / 3600.0);
      j->tau_h = s->checkpoint_every_s / 3600.0;
      j->delta_h = s->checkpoint_cost_s / 3600.0;
      j->write_h = s->checkpoint_write_s / 3600.0;
      j->restart_h = s->restart_s / 3600.0;
      j->comm_share = s->comm_share;
      j->priority = s->priority;
      j->preemptible = s->preemptible;
      j->est_runtime_h = s->work_s > 0 ? s->work_s / 3600.0 : NAN;
      if (s->nodes > biggest)
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
      if (!swf_load (cfg->workload_trace, &so, tj, NULL, error))
        {
          g_array_unref (tj);
          return false;
        }
      for (guint i = 0; i < tj->len; i++)
        {
          WorkloadJob *wj = &g_array_index (tj, WorkloadJob, i);
          if (simtime_from_s (wj->submit_s) > world_length (w))
            continue;
          Job *j = job_from_workload (w, wj);
          g_free (j->name);
          j->name = g_strdup_printf ("swf-%u", wj->id);
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

/* Planned maintenance of a node of running job j: the job checkpoints
 * gracefully first. It blocks for its checkpoint cost after the write in
 * flight ends, and (asynchronous saves) until that checkpoint is written,
 * then stops with nothing lost; a failure meanwhile interrupts it as
 * usual. A job that is restarting stops at once (it has nothing new to
 * save). Returns when the job has left its nodes. */
SimTime
jobs_drain (World *w, Job *j)
{
  SimTime now = sim_now (w->core.sim);
  if (j->state != JOB_RUNNING)
    return now;
  if (j->draining)
    return j->drain_end;
  if (j->phase == PHASE_RESTART)
    {
      job_stop_planned (w, j);
      return now;
    }
  /* The snapshot is the work done so far; a checkpoint already blocking
   * restarts its stall (a simplification of at most one stall). */
  double work = job_interval_work (w, j, now);
  jobs_account (w, j, now);
  if (j->ev != EVQ_NONE)
    sim_cancel (w->core.sim, j->ev);
  j->ev = EVQ_NONE;
  j->phase = PHASE_CHECKPOINT;
  j->phase_start = now;
  j->phase_work0 = 0;
  j->interval_h = work;
  j->draining = true;
  job_schedule_phase_end (w, j);
  j->drain_end = (j->writing ? MAX (now, j->written_at) : now)
                 + h_to_sim (j->delta_h + j->write_h);
  return j->drain_end;
}

uint32_t
world_running_jobs (const World *w)
{
  return sched_running_count (w->jobs.sched);
}

double
world_job_progress (const World *w, const char *job)
{
  for (guint i = 0; i < w->jobs.all->len; i++)
    {
      Job *j = g_ptr_array_index (w->jobs.all, i);
      if (strcmp (j->name, job) == 0)
        return isfinite (j->work_h) && j->work_h > 0 ? j->saved_h / j->work_h : NAN;
    }
  return NAN;
}
