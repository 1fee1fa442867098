/* models/world.c - one simulated cluster over time.
 *
 * Ties the pieces together on the sim/ kernel: the topology and fabric
 * (topo.h, fabric.h), failure modes (failure.h), the health policy and the
 * scheduler (policy/health.h, policy/sched.h), the jobs and their
 * checkpoints, technicians and spare parts, and the metrics (metrics.h).
 *
 * What it assumes (docs/models.md, "The world"):
 *  - Failures of one mode with an exponential time to failure are drawn as
 *    one superposed Poisson stream per (mode, lemon or not) that picks the
 *    instance uniformly; other distributions draw per instance (renewal).
 *    A failure that hits a component already down is dropped (a broken part
 *    does not break again).
 *  - GPU and host faults take the node down; a NIC, node cable or leaf
 *    fault takes rails down and interrupts the jobs on those nodes; uplink,
 *    spine and core faults only slow jobs down (fabric_job_bandwidth);
 *    software faults interrupt the job running on the picked node.
 *  - The health policy sees only observations, with the delays of the
 *    mode (Xid at once, heartbeat loss after the missed heartbeats,
 *    periodic checks at the next check that catches the fault), and its
 *    actions take time: reset, reboot, reimage, technician tickets from a
 *    pool with a parts stock, RMA with a lead time, burn-in.
 *  - A job computes in intervals of its checkpoint period; a checkpoint
 *    blocks for its cost, then (asynchronous saves) is written in the
 *    background for its write time while the job computes on, one write
 *    in flight at a time; an interruption loses the work since the last
 *    durable checkpoint; a restart pays the restart overhead.
 * Periodic checks are never polled: the time a check will see a fault is
 * computed when the fault happens. */
#include "world-int.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "ckpt.h"
#include "dist.h"
#include "fabric.h"
#include "failure.h"
#include "health.h"
#include "ibnet.h"
#include "plugin.h"
#include "rng.h"
#include "sched.h"
#include "sim.h"
#include "stats.h"
#include "swf.h"
#include "topo.h"
#include "workload.h"

static void job_schedule_phase_end (World *w, Job *j);
static void request_sched (World *w);
static void schedule_next_research (World *w);

const char *
core_comp_name (const World *w, TopoKind kind, uint32_t index, char *buf,
                size_t len)
{
  if (topo_name (w->hw.topo, kind, index, buf, len) == 0)
    snprintf (buf, len, "%s#%u", topo_kind_name (kind), index);
  return buf;
}

const char *
core_node_name (const World *w, uint32_t node, char *buf, size_t len)
{
  return core_comp_name (w, TOPO_NODE, node, buf, len);
}

/* The health policy's link index of a topology link, and back. */
uint32_t
core_health_link_of (const World *w, TopoKind kind, uint32_t index)
{
  switch (kind)
    {
    case TOPO_CABLE: return index;
    case TOPO_UPLINK: return w->hw.n_cables + index;
    case TOPO_CORELINK: return w->hw.n_cables + w->hw.n_uplinks + index;
    default: return HEALTH_NO_LINK;
    }
}

TopoKind
core_topo_link_of (const World *w, uint32_t hlink, uint32_t *index)
{
  if (hlink < w->hw.n_cables)
    {
      *index = hlink;
      return TOPO_CABLE;
    }
  hlink -= w->hw.n_cables;
  if (hlink < w->hw.n_uplinks)
    {
      *index = hlink;
      return TOPO_UPLINK;
    }
  *index = hlink - w->hw.n_uplinks;
  return TOPO_CORELINK;
}

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
  request_sched (w);
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
  request_sched (w);
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
  request_sched (w);
}

/* The end of a job's phase. */
static void
on_job_phase (Sim *sim, const SimEvent *e, void *ud)
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
static void
on_job_written (Sim *sim, const SimEvent *e, void *ud)
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

static void
request_sched (World *w)
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

/* policy.degraded_nodes = when-short: the idle nodes with disabled ports
 * join the pool while a job interrupted by a failure waits for nodes, and
 * leave it when none waits (the ones a job took stay with it until it
 * stops). Schedules another pass when that changes what is free. */
static void
degraded_update (World *w)
{
  bool want = w->jobs.restarts_waiting > 0;
  if (want == w->pool.degraded_released)
    return;
  w->pool.degraded_released = want;
  for (uint32_t i = 0; i < w->hw.n_nodes; i++)
    if (w->hw.nodes[i].rails_disabled > 0 && w->hw.nodes[i].job == NO_JOB)
      nodes_update_avail (w, i);
}

static void
on_sched (Sim *sim, const SimEvent *e, void *ud)
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
    degraded_update (w);
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
  request_sched (w);
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

static void
job_free (gpointer p)
{
  Job *j = p;
  g_free (j->name);
  g_free (j->nodes_held);
  g_free (j);
}

static void
on_arrival (Sim *sim, const SimEvent *e, void *ud)
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

static bool
node_schedulable (World *w, uint32_t node)
{
  NodeRt *n = &w->hw.nodes[node];
  bool degraded_ok = w->pool.degraded == DEGRADED_USE
                     || (w->pool.degraded == DEGRADED_WHEN_SHORT && w->pool.degraded_released);
  if (n->busy_action || n->in_maintenance
      || (n->rails_disabled > 0 && !degraded_ok)
      || (n->blamed && n->fault_mode != NO_FAULT)
      || fabric_node_rails_alive (w->hw.fabric, node) == 0)
    return false;
  HealthNodeState s = health_policy_node_state (w->care.health, node);
  return s == HEALTH_NODE_HEALTHY || s == HEALTH_NODE_SUSPECT;
}

/* Emits node_state when the policy's state of the node changed since the
 * world last looked (after every observation and action on the node). */
static void
node_state_track (World *w, uint32_t node)
{
  NodeRt *n = &w->hw.nodes[node];
  HealthNodeState st = health_policy_node_state (w->care.health, node);
  if ((uint8_t) st == n->state)
    return;
  char nb[96];
  WorldEvent ev;
  bus_event_init (&ev, WEV_NODE_STATE);
  ev.component = core_node_name (w, node, nb, sizeof nb);
  ev.node = (int32_t) node;
  ev.old_state = n->state;
  ev.new_state = (int32_t) st;
  ev.detail = health_node_state_name (st);
  n->state = (uint8_t) st;
  bus_emit (w, &ev);
}

void
nodes_update_avail (World *w, uint32_t node)
{
  NodeRt *n = &w->hw.nodes[node];
  node_state_track (w, node);
  bool avail = node_schedulable (w, node);
  if (avail != n->avail)
    {
      n->avail = avail;
      sched_node_set_available (w->jobs.sched, node, avail);
      if (avail)
        request_sched (w);
    }
  bool ok = avail && n->fault_mode == NO_FAULT;
  if (ok != n->in_service_ok)
    {
      n->in_service_ok = ok;
      if (ok)
        w->meter.healthy_gpus += w->hw.gpn;
      else
        w->meter.healthy_gpus -= w->hw.gpn;
      stats_timeavg_set (&w->meter.avail, now_h (w),
                         (double) w->meter.healthy_gpus / (w->hw.n_nodes * w->hw.gpn));
      if (ok && n->down_since >= 0)
        {
          stats_online_add (&w->meter.mttr, simtime_to_h (sim_now (w->core.sim) - n->down_since));
          n->down_since = -1;
        }
    }
}

guint
core_slab_take (GArray *slab, GArray *free_list, const void *item)
{
  guint i;
  if (free_list->len > 0)
    {
      i = g_array_index (free_list, guint, free_list->len - 1);
      g_array_set_size (free_list, free_list->len - 1);
      memcpy (slab->data + (gsize) i * g_array_get_element_size (slab), item,
              g_array_get_element_size (slab));
    }
  else
    {
      i = slab->len;
      g_array_append_vals (slab, item, 1);
    }
  return i;
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

/* ---- precursors: parts that degrade before they fail ----
 *
 * Some failures announce themselves (docs/models.md, "Precursors"): HBM and
 * SRAM faults with correctable-ECC / row-remap events (Xid 63), thermal
 * faults with a rising temperature, cables and NICs with a climbing
 * SymbolErrorCounter. A fraction failures.precursor_fraction of such
 * failures start as a degradation: the precursor signals go out now and
 * the hard failure follows after a lead time ~ Exp(failures.precursor_lead).
 * Each failure is only delayed, so long-run rates are unchanged. A repair
 * strong enough for the mode during the lead time averts the failure. The
 * fraction and lead are assumptions: the field data gives no figure. */

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

static Topo *
build_topology (const WorldConfig *cfg, GError **error)
{
  if (cfg->cluster_ibnet != NULL && *cfg->cluster_ibnet)
    return ibnet_read_file (cfg->cluster_ibnet, (uint32_t) cfg->cluster_gpus_per_node, error);
  if (strcmp (cfg->cluster_preset, "h100-superpod") != 0
      && strcmp (cfg->cluster_preset, "custom") != 0)
    {
      g_set_error (error, WORLD_ERROR, WORLD_ERROR_INVALID,
                   "cluster.preset: unknown preset '%s' (h100-superpod or custom)",
                   cfg->cluster_preset);
      return NULL;
    }
  TopoParams p;
  topo_params_init (&p);
  p.gpus_per_node = (uint32_t) cfg->cluster_gpus_per_node;
  p.nodes = cfg->cluster_gpus > 0
              ? (uint32_t) ceil (cfg->cluster_gpus / p.gpus_per_node)
              : (uint32_t) cfg->cluster_nodes;
  p.rails = (uint32_t) cfg->cluster_rails;
  p.su_size = (uint32_t) cfg->cluster_su_size;
  p.radix = (uint32_t) cfg->cluster_radix;
  p.oversubscription = cfg->cluster_oversubscription;
  p.tiers = (uint32_t) cfg->cluster_tiers;
  p.nodes_per_rack = (uint32_t) cfg->cluster_nodes_per_rack;
  p.racks_per_row = (uint32_t) cfg->cluster_racks_per_row;
  return topo_new_fattree (&p, error);
}

Topo *
world_config_build_topology (const WorldConfig *cfg, GError **error)
{
  g_return_val_if_fail (cfg != NULL, NULL);
  return build_topology (cfg, error);
}

static bool
build_policies (World *w, GError **error)
{
  const WorldConfig *cfg = w->core.cfg;
  HealthParams hp;
  const HealthPolicyClass *cls = NULL;
  bool has_plugin = cfg->policy_health_plugin != NULL
                    && *cfg->policy_health_plugin;
  if (cfg->health_factory != NULL && has_plugin)
    {
      g_set_error (error, WORLD_ERROR, WORLD_ERROR_INVALID,
                   "policy.health_plugin = %s and a health policy written "
                   "in Lua are both set; keep one of them",
                   cfg->policy_health_plugin);
      return false;
    }
  if (cfg->health_factory != NULL)
    health_params_default (&hp, "standard");
  else if (has_plugin)
    {
      cls = health_plugin_load (cfg->policy_health_plugin, error);
      if (cls == NULL)
        return false;
      health_params_default (&hp, "standard");
    }
  else
    {
      cls = health_policy_class_lookup (cfg->policy_health);
      if (cls == NULL)
        {
          g_set_error (error, WORLD_ERROR, WORLD_ERROR_INVALID,
                       "policy.health: unknown policy '%s' (%s)", cfg->policy_health,
                       health_policy_class_names ());
          return false;
        }
      health_params_default (&hp, cfg->policy_health);
    }
  for (guint i = 0; i < cfg->health_kv->len; i++)
    {
      WorldKV *kv = &g_array_index (cfg->health_kv, WorldKV, i);
      if (!health_params_set (&hp, kv->key, kv->value, error))
        return false;
    }
  uint32_t n_links = w->hw.n_cables + w->hw.n_uplinks + w->hw.n_corelinks;
  if (cfg->health_factory != NULL)
    w->care.health = cfg->health_factory (w, &hp, w->hw.n_nodes, n_links,
                                     cfg->health_factory_data, error);
  else
    w->care.health = health_policy_new (cls, &hp, w->hw.n_nodes, n_links, error);
  if (w->care.health == NULL)
    return false;
  w->care.hp = health_policy_params (w->care.health);

  const char *dn = cfg->policy_degraded_nodes;
  if (strcmp (dn, "drain") == 0)
    w->pool.degraded = DEGRADED_DRAIN;
  else if (strcmp (dn, "use") == 0)
    w->pool.degraded = DEGRADED_USE;
  else if (strcmp (dn, "when-short") == 0)
    w->pool.degraded = DEGRADED_WHEN_SHORT;
  else
    {
      g_set_error (error, WORLD_ERROR, WORLD_ERROR_INVALID,
                   "policy.degraded_nodes: unknown value '%s' (use drain, use "
                   "or when-short)", dn);
      return false;
    }

  SchedConfig sc;
  sched_config_init (&sc);
  if (!sched_config_named (&sc, cfg->policy_sched, error))
    return false;
  sc.spares = (uint32_t) cfg->cluster_spares;
  for (guint i = 0; i < cfg->sched_kv->len; i++)
    {
      WorldKV *kv = &g_array_index (cfg->sched_kv, WorldKV, i);
      if (!sched_config_set (&sc, kv->key, kv->value, error))
        return false;
    }
  if (sc.spares >= w->hw.n_nodes)
    {
      g_set_error (error, WORLD_ERROR, WORLD_ERROR_INVALID,
                   "cluster.spares = %u leaves no node for jobs (the cluster has %u nodes)",
                   sc.spares, w->hw.n_nodes);
      return false;
    }
  uint32_t *groups = g_new (uint32_t, w->hw.n_nodes);
  for (uint32_t i = 0; i < w->hw.n_nodes; i++)
    groups[i] = topo_node_su (w->hw.topo, i);
  w->jobs.sched = sched_new (&sc, w->hw.n_nodes, groups, error);
  g_free (groups);
  return w->jobs.sched != NULL;
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

static bool
build_jobs (World *w, GError **error)
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

World *
world_new (const WorldConfig *cfg_in, uint64_t seed, GError **error)
{
  g_return_val_if_fail (cfg_in != NULL, NULL);
  World *w = g_new0 (World, 1);
  w->core.cfg = world_config_copy (cfg_in);
  w->core.seed = seed;
  w->jobs.main_job = NO_JOB;
  w->jobs.all = g_ptr_array_new_with_free_func (job_free);
  w->jobs.running = g_ptr_array_new ();
  w->bus.listeners = g_array_new (FALSE, FALSE, sizeof (Listener));
  w->care.actions = g_array_new (FALSE, FALSE, sizeof (HealthAction));
  w->jobs.decisions = g_array_new (FALSE, FALSE, sizeof (SchedDecision));
  w->care.pobs = g_array_new (FALSE, FALSE, sizeof (PendingObs));
  w->care.pobs_free = g_array_new (FALSE, FALSE, sizeof (guint));
  w->care.pact = g_array_new (FALSE, FALSE, sizeof (PendingAction));
  w->care.pact_free = g_array_new (FALSE, FALSE, sizeof (guint));
  w->script.timers = g_array_new (FALSE, FALSE, sizeof (TimerRt));
  g_queue_init (&w->care.tickets);
  g_queue_init (&w->care.parts_wait);
  w->care.switch_tickets = g_hash_table_new_full (g_direct_hash, g_direct_equal, NULL,
                                             (GDestroyNotify) g_array_unref);
  w->care.wakeup_at = SIM_NEVER;
  w->meter.m = metrics_new ();
  w->meter.queue_wait = stats_quantile_new (0.01);
  w->meter.detect_lat = stats_quantile_new (0.01);
  stats_online_init (&w->meter.mttr);
  stats_timeavg_init (&w->meter.avail);
  stats_timeavg_init (&w->meter.spares_empty);
  w->bus.notes = g_string_new (NULL);

  w->hw.topo = build_topology (w->core.cfg, error);
  if (w->hw.topo == NULL)
    goto fail;
  w->hw.fabric = fabric_new (w->hw.topo);
  w->hw.n_nodes = topo_count (w->hw.topo, TOPO_NODE);
  w->hw.gpn = topo_gpus_per_node (w->hw.topo);
  w->hw.rails = topo_rails (w->hw.topo);
  w->hw.n_cables = topo_index_limit (w->hw.topo, TOPO_CABLE);
  w->hw.n_uplinks = topo_index_limit (w->hw.topo, TOPO_UPLINK);
  w->hw.n_corelinks = topo_index_limit (w->hw.topo, TOPO_CORELINK);
  uint32_t n_links = w->hw.n_cables + w->hw.n_uplinks + w->hw.n_corelinks;
  w->faults.link_down = g_new0 (uint8_t, MAX (n_links, 1));
  w->hw.link_admin = g_new0 (uint8_t, MAX (w->hw.n_cables, 1));
  w->faults.link_pending = g_new0 (EvqHandle, MAX (w->hw.n_cables, 1));
  w->faults.link_fault_mode = g_new (uint32_t, MAX (n_links, 1));
  for (uint32_t i = 0; i < n_links; i++)
    w->faults.link_fault_mode[i] = NO_FAULT;
  w->hw.nodes = g_new0 (NodeRt, w->hw.n_nodes);
  for (uint32_t i = 0; i < w->hw.n_nodes; i++)
    {
      w->hw.nodes[i].fault_mode = NO_FAULT;
      w->hw.nodes[i].fault_group = NO_FAULT;
      w->hw.nodes[i].job = NO_JOB;
      w->hw.nodes[i].avail = true;
      w->hw.nodes[i].in_service_ok = true;
      w->hw.nodes[i].down_since = -1;
      w->hw.nodes[i].pending_mode = NO_FAULT;
    }
  w->meter.healthy_gpus = w->hw.n_nodes * w->hw.gpn;
  w->meter.m->nodes = w->hw.n_nodes;
  w->meter.m->gpus = w->hw.n_nodes * w->hw.gpn;
  w->meter.m->switches = topo_n_switches (w->hw.topo);
  w->meter.m->links = (uint32_t) topo_n_links (w->hw.topo);

  w->faults.cat = catalog_from_config (w->core.cfg, error);
  if (w->faults.cat == NULL)
    goto fail;
  catalog_add_scripted_modes (w);
  if (!build_policies (w, error))
    goto fail;

  w->core.sim = sim_new (seed);
  static const char *const kind_names[EV_N] = {
    "fail", "fail-instance", "observe", "action-done", "policy-wakeup",
    "schedule", "job-phase", "job-written", "arrival", "timer", "restock",
    "false-positive", "hard-fail",
  };
  static const SimHandlerFn fns[EV_N] = {
    faults_on_fail_agg, faults_on_fail_inst, care_on_observe, care_on_action_done, care_on_wakeup,
    on_sched, on_job_phase, on_job_written, on_arrival, script_on_timer, care_on_restock,
    sensor_on_false_positive, faults_on_hard_fail,
  };
  for (int k = 0; k < EV_N; k++)
    w->core.kinds[k] = sim_register (w->core.sim, kind_names[k], fns[k], w);
  sim_set_tick (w->core.sim, simtime_from_s (w->core.cfg->run_sample_every), meter_on_tick, w);

  rng_stream_init (&w->care.rng_diag, seed, "health", "diag");
  rng_stream_init (&w->care.rng_fp, seed, "health", "false-positive");
  rng_stream_init (&w->faults.rng_misc, seed, "world", "misc");
  rng_stream_init (&w->faults.rng_precursor, seed, "world", "precursor");
  w->care.parts_stock = w->core.cfg->cluster_spare_parts > 0 ? w->core.cfg->cluster_spare_parts : INFINITY;

  if (!build_jobs (w, error))
    goto fail;
  faults_build (w);
  if (w->care.hp->check_period_ms > 0 && w->care.hp->false_positive_prob > 0)
    {
      w->care.fp_rate_per_h = w->hw.n_nodes * w->care.hp->false_positive_prob
                         / ((double) w->care.hp->check_period_ms / 3.6e6);
      double dt_h = -log (rng_uniform_pos (&w->care.rng_fp)) / w->care.fp_rate_per_h;
      if (h_to_sim (dt_h) <= world_length (w))
        sim_at (w->core.sim, h_to_sim (dt_h), w->core.kinds[EV_FALSE_POS], 0, 0);
    }
  for (guint i = 0; i < w->core.cfg->timers->len; i++)
    {
      WorldTimerReg *r = &g_array_index (w->core.cfg->timers, WorldTimerReg, i);
      world_every (w, r->first, r->period, r->cb);
    }
  for (guint i = 0; i < w->core.cfg->ons->len; i++)
    {
      WorldOnReg *r = &g_array_index (w->core.cfg->ons, WorldOnReg, i);
      if (w->bus.ons[r->kind] == NULL)
        w->bus.ons[r->kind] = g_array_new (FALSE, FALSE, sizeof (uint64_t));
      g_array_append_val (w->bus.ons[r->kind], r->cb);
    }
  stats_timeavg_set (&w->meter.avail, 0, 1.0);
  stats_timeavg_set (&w->meter.spares_empty, 0, 0.0);
  return w;

fail:
  world_free (w);
  return NULL;
}

void
world_free (World *w)
{
  if (w == NULL)
    return;
  sim_free (w->core.sim);
  health_policy_free (w->care.health);
  sched_free (w->jobs.sched);
  workload_free (w->jobs.research);
  fl_failure_catalog_free (w->faults.cat);
  fabric_free (w->hw.fabric);
  topo_free (w->hw.topo);
  g_free (w->faults.modes);
  g_free (w->hw.nodes);
  g_free (w->faults.lemons);
  g_free (w->faults.link_down);
  g_free (w->hw.link_admin);
  g_free (w->faults.link_pending);
  g_free (w->faults.link_fault_mode);
  g_ptr_array_unref (w->jobs.running);
  g_ptr_array_unref (w->jobs.all);
  g_array_unref (w->bus.listeners);
  g_array_unref (w->care.actions);
  g_array_unref (w->jobs.decisions);
  g_array_unref (w->care.pobs);
  g_array_unref (w->care.pobs_free);
  g_array_unref (w->care.pact);
  g_array_unref (w->care.pact_free);
  g_array_unref (w->script.timers);
  g_queue_clear (&w->care.tickets);
  g_queue_clear (&w->care.parts_wait);
  g_hash_table_unref (w->care.switch_tickets);
  for (int k = 0; k < WEV_COUNT; k++)
    if (w->bus.ons[k])
      g_array_unref (w->bus.ons[k]);
  metrics_free (w->meter.m);
  stats_quantile_free (w->meter.queue_wait);
  stats_quantile_free (w->meter.detect_lat);
  g_clear_error (&w->bus.script_error);
  g_string_free (w->bus.notes, TRUE);
  world_config_free (w->core.cfg);
  g_free (w);
}

SimTime
world_now (const World *w)
{
  return sim_now (w->core.sim);
}

SimTime
world_length (const World *w)
{
  return simtime_from_s (w->core.cfg->run_length);
}

uint64_t
world_events (const World *w)
{
  return sim_events_handled (w->core.sim);
}

uint32_t
world_nodes (const World *w)
{
  return w->hw.n_nodes;
}

const struct Topo *
world_topo (const World *w)
{
  return w->hw.topo;
}

uint32_t
world_gpus (const World *w)
{
  return w->hw.n_nodes * w->hw.gpn;
}

bool
world_run (World *w, GError **error)
{
  w->meter.wall_start_us = g_get_monotonic_time ();
  w->meter.last_progress_us = w->meter.wall_start_us;
  meter_sample (w, 0);
  /* a policy may want its first wakeup before any observation (a Lua
   * policy with every =); the built-in ones start with none */
  care_reschedule_wakeup (w);
  sim_run (w->core.sim, world_length (w));
  if (w->bus.script_error != NULL)
    {
      g_propagate_error (error, w->bus.script_error);
      w->bus.script_error = NULL;
      return false;
    }
  meter_finalize (w);
  w->meter.m->wall_seconds = (g_get_monotonic_time () - w->meter.wall_start_us) / 1e6;
  if (w->meter.progress != NULL)
    w->meter.progress (w, world_now (w), world_length (w), w->meter.progress_ud);
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
