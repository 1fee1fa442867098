/* models/world-jobs.c - the jobs and the only user of the scheduler.
 *
 * A job computes in intervals of its checkpoint period; a checkpoint blocks
 * for its cost, then (asynchronous saves) is written in the background for
 * its write time while the job computes on, one write in flight at a time;
 * an interruption loses the work since the last durable checkpoint (a job
 * with lose_work = false keeps it, as with in-memory redundancy); a
 * restart pays the restart overhead (plus host selection through the
 * scheduler). A job with warm standbys swaps its failed nodes for them
 * and restarts where it is, paying the swap instead of the queue. Also:
 * scheduling passes, preemption,
 * planned-maintenance drains, hot spares, the research workload and SWF
 * traces, and the jobs' reaction to fabric bandwidth. */
#include "world-int.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "ckpt.h"
#include "sched.h"

static void job_schedule_phase_end (World *w, Job *j);
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

/* The work job j keeps at time t (hours): its durable checkpoints, and for
 * a job that loses nothing (keep_work) all the work done so far. */
static double
job_kept_work (const World *w, const Job *j, SimTime t)
{
  if (!j->keep_work || j->state != JOB_RUNNING)
    return j->saved_h;
  return j->saved_h + j->writing_h + job_interval_work (w, j, t);
}

/* Checkpoint interval for the next compute interval, in hours of work. */
static double
job_tau (World *w, Job *j)
{
  if (j->tau_h > 0)
    return j->tau_h;
  if (j->keep_work)
    return INFINITY; /* nothing to protect: no checkpoint unless asked */
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
      end = j->phase_start + h_to_sim (j->restart_h + j->restart_extra_h);
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
  j->bw_stale = false;
  double b = fabric_tenant_bandwidth (w->hw.fabric, j->fab);
  double s = b >= 1.0 ? 1.0 : fabric_slowdown (b, j->comm_share);
  job_set_slowdown (w, j, s < 1.0 ? 1.0 : s);
}

/* The job running on node, or NO_JOB: the owner of the node in the
 * fabric's view of the jobs (fabric_node_tenant), while it holds its
 * nodes. A job waiting to restart keeps its nodes there, so a restart on
 * mostly the same nodes marks only the swapped ones. */
uint32_t
jobs_on_node (const World *w, uint32_t node)
{
  uint32_t id = fabric_node_tenant (w->hw.fabric, node);
  if (id == FABRIC_NO_TENANT)
    return NO_JOB;
  const Job *j = g_ptr_array_index (w->jobs.all, id);
  return j->n_held > 0 ? id : NO_JOB;
}

void
jobs_node_attn (World *w, uint32_t node)
{
  const NodeRt *n = &w->hw.nodes[node];
  w->jobs.attn[node] = (n->rails_disabled > 0 || n->may_drain ? JOB_ATTN_LEAVE : 0)
                       | (n->fault_mode != NO_FAULT ? JOB_ATTN_FAULT : 0);
}

/* Node n stopped being one of a job's: what a node with disabled ports or
 * one the policy may drain needs then (the others need nothing: jobs.attn
 * says which). */
static void
job_left_node (World *w, uint32_t n)
{
  if (w->hw.nodes[n].rails_disabled > 0)
    nodes_update_avail (w, n); /* policy.degraded_nodes may withdraw it */
  /* A node the policy drains is idle now. Only a node it asked to drain
   * can be draining (NodeRt.may_drain), so the others cost no question
   * to the policy. */
  if (!w->hw.nodes[n].may_drain)
    return;
  if (care_node_state (w, n) != WORLD_NODE_DRAINING)
    {
      w->hw.nodes[n].may_drain = false;
      jobs_node_attn (w, n);
    }
  else
    {
      HealthObs o;
      health_obs_init (&o, HEALTH_OBS_ACTION_DONE, 0);
      o.node = n;
      o.action = HEALTH_ACTION_DRAIN;
      o.ok = true;
      care_observe_at (w, &o, sim_now (w->core.sim), NO_FAULT);
    }
}

/* Job j leaves its nodes: they stay its in the fabric's view (j->fab)
 * for its restart, but jobs_on_node no longer names it (n_held = 0). */
static void
job_release_nodes (World *w, Job *j)
{
  const uint8_t *attn = w->jobs.attn;
  for (uint32_t i = 0; i < j->n_held; i++)
    if ((attn[j->nodes_held[i]] & JOB_ATTN_LEAVE)
        && fabric_node_tenant (w->hw.fabric, j->nodes_held[i]) == j->m.id)
      job_left_node (w, j->nodes_held[i]);
  j->n_held = 0; /* nodes_held keeps its j->nodes slots for the restart */
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
      ev.checkpoint.job = j->name;
      ev.checkpoint.saved_h = j->saved_h;
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

/* A job stops computing at now: interrupted (completed false) or
 * completed; its accounts are closed up to now and its pending events
 * cancelled, and it keeps its nodes. Returns the work lost (hours): 0 for
 * a job with lose_work = false, which keeps it. */
static double
job_halt (World *w, Job *j, bool completed)
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
      if (j->keep_work)
        {
          /* lose_work = false: the job restarts where it stopped. */
          j->saved_h += lost;
          j->m.productive_h = j->saved_h;
          lost = 0;
        }
      j->m.lost_h += lost;
    }
  job_write_abandon (w, j);
  j->draining = false;
  return lost;
}

/* job_halt, and the job leaves its nodes (interrupted, preempted or
 * completed). */
static double
job_stop (World *w, Job *j, bool completed)
{
  double lost = job_halt (w, j, completed);
  j->running_h += simtime_to_h (sim_now (w->core.sim) - j->running_since);
  job_release_nodes (w, j);
  return lost;
}

/* What the fabric means for j on its nodes (j->fab holds them): whether
 * it spans SUs, and its slowdown. */
static void
job_fabric_view (World *w, Job *j)
{
  g_assert (fabric_tenant_size (j->fab) == j->n_held);
  j->multi_su = fabric_tenant_multi_su (j->fab);
  j->slowdown = 1.0;
  j->bw_stale = false;
  double b = fabric_tenant_bandwidth (w->hw.fabric, j->fab);
  if (b < 1.0)
    j->slowdown = MAX (1.0, fabric_slowdown (b, j->comm_share));
}

/* Warm standbys: job j, interrupted, swaps the nodes it lost (`node`,
 * those the launcher blamed for a fault, and those taken for an action or
 * planned maintenance) for its standbys, when it holds
 * enough, and restarts where it is: it loses the work since its restart
 * point and pays its restart plus swap_h (when a node was swapped). A
 * failure that took no node of its (a job crash, a cable) restarts it on
 * the same nodes. Returns the work lost, or a negative number when the
 * standbys cannot cover the loss (nothing changed: the job goes through
 * the queue). */
static double
job_restart_on_standbys (World *w, Job *j, uint32_t node)
{
  uint32_t have = 0, k = 0;
  sched_job_standbys (w->jobs.sched, j->m.id, &have);
  g_autofree uint32_t *lost_nodes = g_new (uint32_t, j->n_held);
  for (uint32_t i = 0; i < j->n_held; i++)
    {
      const NodeRt *n = &w->hw.nodes[j->nodes_held[i]];
      if (j->nodes_held[i] == node || (n->blamed && n->fault_mode != NO_FAULT)
          || n->busy_action || n->in_maintenance)
        lost_nodes[k++] = j->nodes_held[i];
    }
  if (k > have)
    return -1;
  double lost = job_halt (w, j, false);
  for (uint32_t i = 0; i < k; i++)
    {
      uint32_t in;
      bool ok = sched_job_swap (w->jobs.sched, j->m.id, lost_nodes[i], &in);
      g_assert (ok);
      fabric_tenant_remove (w->hw.fabric, j->fab, lost_nodes[i]);
      job_left_node (w, lost_nodes[i]);
      fabric_tenant_add (w->hw.fabric, j->fab, in);
    }
  if (k > 0)
    {
      uint32_t n;
      const uint32_t *now = sched_job_nodes (w->jobs.sched, j->m.id, &n);
      g_assert (n == j->n_held);
      memcpy (j->nodes_held, now, n * sizeof *now);
      job_fabric_view (w, j);
    }
  j->phase = PHASE_RESTART;
  j->phase_start = sim_now (w->core.sim);
  j->restart_extra_h = k > 0 ? j->swap_h : 0;
  job_schedule_phase_end (w, j);
  return lost;
}

void
jobs_interrupt (World *w, Job *j, const char *component, const FlFailureMode *fm,
                const char *cause_override)
{
  jobs_interrupt_node (w, j, NO_NODE, component, fm, cause_override);
}

void
jobs_interrupt_node (World *w, Job *j, uint32_t node, const char *component,
                     const FlFailureMode *fm, const char *cause_override)
{
  if (j->state != JOB_RUNNING)
    return;
  double lost = j->standbys > 0 ? job_restart_on_standbys (w, j, node) : -1;
  bool in_place = lost >= 0;
  if (!in_place)
    lost = job_stop (w, j, false);
  const char *cause = cause_override ? cause_override : fm ? fm->cause : "Unknown";
  double extra = in_place ? j->restart_extra_h : j->host_select_h;
  double lost_gpu_h = (lost + j->restart_h + extra) * jobs_gpus (w, j);
  j->m.interruptions++;
  if (!in_place)
    {
      j->state = JOB_QUEUED;
      j->restarting = true;
      j->waiting_restart = true;
      w->jobs.restarts_waiting++;
      j->queued_since = sim_now (w->core.sim);
      sched_job_interrupted (w->jobs.sched, j->m.id);
    }
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
  ev.component = component;
  ev.interrupt.job = j->name;
  ev.interrupt.cause = cause;
  ev.interrupt.mode = fm ? fm->name : NULL;
  ev.interrupt.lost_gpu_hours = lost_gpu_h;
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
  ev.job.name = j->name;
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

/* The fabric forgets job j's nodes (it will not run again). */
static void
job_fabric_forget (World *w, Job *j)
{
  if (j->fab == NULL)
    return;
  fabric_tenant_set (w->hw.fabric, j->fab, j->nodes_held, j->n_fab, NULL, 0);
  fabric_tenant_free (w->hw.fabric, j->fab);
  j->fab = NULL;
  j->n_fab = 0;
}

/* ---- the end of a job's record ---- */

/* JobNameBlock's room: names are short ("research-000123"); a longer one
 * gets a block of its own. */
#define JOB_NAME_BLOCK 65536

/* Copies name into WorldJobs.names, after the name of the last job made.
 * Returns: (transfer none) the copy, valid until jobs_fini. */
static const char *
job_name_keep (World *w, const char *name)
{
  GPtrArray *blocks = w->jobs.names;
  size_t len = strlen (name) + 1;
  JobNameBlock *b = blocks->len > 0 ? g_ptr_array_index (blocks, blocks->len - 1) : NULL;
  if (b == NULL || b->size - b->used < len)
    {
      size_t size = MAX (len, JOB_NAME_BLOCK);
      b = g_malloc (sizeof *b + size);
      b->used = 0;
      b->size = size;
      g_ptr_array_add (blocks, b);
    }
  char *copy = b->data + b->used;
  memcpy (copy, name, len);
  b->used += len;
  return copy;
}

/* The id of the first job named `name` (as the scan of every job by id
 * always answered), or NO_JOB. O(all the names' bytes): for the scripts'
 * occasional questions, not for the run's own use. */
static uint32_t
job_find (const World *w, const char *name)
{
  uint32_t id = 0;
  for (guint i = 0; i < w->jobs.names->len; i++)
    {
      const JobNameBlock *b = g_ptr_array_index (w->jobs.names, i);
      for (const char *p = b->data; p < b->data + b->used; p += strlen (p) + 1, id++)
        if (strcmp (p, name) == 0)
          return id;
    }
  return NO_JOB;
}

/* JOB_ENDED_* of job id. */
static uint8_t
job_ended (const World *w, uint32_t id)
{
  return id < w->jobs.ended->len ? g_array_index (w->jobs.ended, uint8_t, id)
                                 : JOB_ENDED_NOT;
}

static void
job_free (gpointer p)
{
  Job *j = p;
  if (j == NULL)
    return;
  g_free (j->nodes_held);
  g_free (j);
}

/* Job j ended (JOB_DONE: completed, or dropped at submission) at now: its
 * final row goes to the meter at once, and its record is freed. What
 * finalize needs of it stays in WorldJobs.tally (its shares of the sums,
 * added in id order at the end), summary.json's job_completion_hours gets
 * its entry, and world_job_progress's answer stays in WorldJobs.ended.
 * The main job keeps its record: the meter reads it at every sample and
 * at the end. Nothing may hold j after this (its events were cancelled,
 * its fabric tenant freed, the scheduler forgot it). */
static void
job_retire (World *w, Job *j)
{
  SimTime now = sim_now (w->core.sim);
  uint32_t id = j->m.id;
  double gpus = jobs_gpus (w, j);
  g_assert (j->state == JOB_DONE && j->fab == NULL && j->ev == EVQ_NONE
            && j->ev_write == EVQ_NONE);
  j->m.productive_h = j->saved_h;
  j->m.ettr = jobs_ettr_at (w, j, now); /* the same at the end: end_h is set */
  MetricsJob row = j->m;
  row.name = (char *) j->name;
  meter_job_row (w, &row);
  if (w->jobs.tally->len <= id)
    g_array_set_size (w->jobs.tally, id + 1);
  JobTally *t = &g_array_index (w->jobs.tally, JobTally, id);
  t->productive_gpu_h = j->saved_h * gpus;
  t->ettr_gpu = j->m.ettr * gpus;
  t->slowdown_gpu_h = j->m.slowdown_h * gpus;
  if (!isnan (j->m.ettr))
    w->jobs.ended_ettr_gpus += gpus;
  if (j->from_scenario)
    {
      /* build_jobs made the scenario's jobs first: id = its entry */
      GArray *times = w->meter.m->job_completion_hours;
      g_assert (id < times->len);
      MetricsJobTime *jt = &g_array_index (times, MetricsJobTime, id);
      jt->hours = j->m.completed ? j->m.end_h - j->submit_h : NAN;
    }
  double p = isfinite (j->work_h) && j->work_h > 0
               ? job_kept_work (w, j, now) / j->work_h : NAN;
  g_assert (isnan (p) || p == 1.0 || p == 0.0);
  if (w->jobs.ended->len <= id)
    g_array_set_size (w->jobs.ended, id + 1);
  g_array_index (w->jobs.ended, uint8_t, id)
    = isnan (p) ? JOB_ENDED_NAN : p == 1.0 ? JOB_ENDED_ONE : JOB_ENDED_ZERO;
  if (id == w->jobs.main_job)
    return;
  g_ptr_array_index (w->jobs.all, id) = NULL;
  job_free (j);
  w->jobs.live--;
}

static void
job_complete (World *w, Job *j)
{
  job_stop (w, j, true);
  job_fabric_forget (w, j);
  j->state = JOB_DONE;
  j->m.completed = true;
  j->m.end_h = now_h (w);
  j->m.productive_h = j->saved_h;
  sched_job_finished (w->jobs.sched, j->m.id);
  w->meter.m->jobs_completed++;
  WorldEvent ev;
  bus_event_init (&ev, WEV_JOB_COMPLETED);
  ev.job.name = j->name;
  bus_emit (w, &ev);
  jobs_request_sched (w);
  job_retire (w, j);
}

/* The end of a job's phase. */
static void
on_job_phase (Sim *sim, const SimEvent *e, void *ud)
{
  World *w = ud;
  Job *j = g_ptr_array_index (w->jobs.all, e->target);
  SimTime t = sim_now (sim);
  g_assert (j != NULL); /* an ended job's events were cancelled (job_halt) */
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
            if (!(w->jobs.attn[j->nodes_held[i]] & JOB_ATTN_FAULT))
              continue; /* no fault: nothing to read in its NodeRt */
            NodeRt *n = &w->hw.nodes[j->nodes_held[i]];
            if (n->fault_mode != NO_FAULT)
              {
                uint32_t node = j->nodes_held[i];
                FlFailureMode *fm = w->faults.modes[n->fault_mode].fm;
                n->blamed = true; /* the launcher saw this node fail to come up */
                jobs_interrupt (w, j, core_node_name (w, node), fm, NULL);
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
  g_assert (j != NULL && j->state == JOB_RUNNING);
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
  g_assert (n <= j->nodes);
  if (j->nodes_held == NULL) /* allocated once: a restart reuses it */
    j->nodes_held = g_new (uint32_t, j->nodes);
  /* A restart on (mostly) the same nodes changes only the swapped ones in
   * the fabric's view of the job. */
  if (j->fab == NULL)
    j->fab = fabric_tenant_new (w->hw.fabric, j->m.id);
  fabric_tenant_set (w->hw.fabric, j->fab, j->nodes_held, j->n_fab, nodes, n);
  j->n_fab = n;
  memcpy (j->nodes_held, nodes, n * sizeof *nodes);
  j->n_held = n; /* jobs_on_node names it on them from now */
  job_fabric_view (w, j);
  j->phase_start = t;
  j->restart_extra_h = j->restarting ? j->host_select_h : 0;
  if (j->restarting && j->restart_h + j->restart_extra_h > 0)
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
  ev.job.name = j->name;
  ev.job.nodes = n;
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
    nodes_degraded_update (w);
  spares_track (w);
}

void
jobs_submit (World *w, Job *j)
{
  j->state = JOB_QUEUED;
  j->queued_since = sim_now (w->core.sim);
  SchedJob sj = {
    .id = j->m.id, .nodes = j->nodes, .priority = j->priority,
    .submit = to_ms (sim_now (w->core.sim)),
    .est_runtime = isfinite (j->est_runtime_h) ? (SchedTimeMs) (j->est_runtime_h * 3.6e6) : 0,
    .preemptible = j->preemptible, .standbys = j->standbys,
  };
  w->meter.m->jobs_submitted++;
  if (!sched_submit (w->jobs.sched, &sj))
    {
      /* Larger than the general pool: it can never start. */
      j->state = JOB_DONE;
      g_warning ("job %s needs %u nodes, more than the cluster can give it",
                 j->name, j->nodes);
      job_retire (w, j);
      return;
    }
  WorldEvent ev;
  bus_event_init (&ev, WEV_JOB_SUBMITTED);
  ev.job.name = j->name;
  ev.job.nodes = j->nodes;
  bus_emit (w, &ev);
  jobs_request_sched (w);
}

Job *
jobs_new (World *w, const char *name, uint32_t nodes, double work_h,
          double submit_h)
{
  Job *j = g_new0 (Job, 1);
  j->name = job_name_keep (w, name);
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
  w->jobs.live++;
  return j;
}

static int
job_run_idx_cmp (const void *a, const void *b)
{
  const Job *x = *(Job *const *) a, *y = *(Job *const *) b;
  return (x->run_idx > y->run_idx) - (x->run_idx < y->run_idx);
}

/* After a fabric failure or repair: the running jobs that cross SUs (an
 * uplink, spine or core fault only touches those: a job inside one SU
 * keeps its traffic on its leaves) or are slowed already take their
 * bandwidth anew. Only the jobs whose nodes sit under a link or switch
 * that changed since can have a new one (fabric_tenants_touched: they are
 * marked bw_stale), so only those are computed again, in the order of the
 * running list, as a pass over every running job would; a stale job left
 * out keeps its mark for the next time. */
void
jobs_update_all_bandwidth (World *w)
{
  WorldJobs *js = &w->jobs;
  g_array_set_size (js->bw_touched, 0);
  fabric_tenants_touched (w->hw.fabric, js->bw_touched);
  for (guint i = 0; i < js->bw_touched->len; i++)
    {
      uint32_t id = g_array_index (js->bw_touched, uint32_t, i);
      Job *j = g_ptr_array_index (js->all, id);
      if (j != NULL && j->state == JOB_RUNNING && !j->bw_stale)
        {
          j->bw_stale = true;
          g_array_append_val (js->bw_stale, id);
        }
    }
  g_ptr_array_set_size (js->bw_apply, 0);
  guint keep = 0;
  for (guint i = 0; i < js->bw_stale->len; i++)
    {
      uint32_t id = g_array_index (js->bw_stale, uint32_t, i);
      Job *j = g_ptr_array_index (js->all, id);
      if (j == NULL || !j->bw_stale)
        continue; /* ended, computed since, or listed twice */
      if (j->state != JOB_RUNNING)
        j->bw_stale = false; /* a (re)start computes it */
      else if (j->multi_su || j->slowdown > 1.0)
        {
          j->bw_stale = false;
          g_ptr_array_add (js->bw_apply, j);
        }
      else
        g_array_index (js->bw_stale, uint32_t, keep++) = id;
    }
  g_array_set_size (js->bw_stale, keep);
  if (js->bw_apply->len > 1)
    qsort (js->bw_apply->pdata, js->bw_apply->len, sizeof (gpointer), job_run_idx_cmp);
  for (guint i = 0; i < js->bw_apply->len; i++)
    jobs_update_bandwidth (w, g_ptr_array_index (js->bw_apply, i));
  WorldEvent ev;
  bus_event_init (&ev, WEV_FABRIC_DEGRADED);
  ev.fabric.lost_fraction = fabric_bandwidth_lost_fraction (w->hw.fabric);
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
  return job_kept_work (w, j, t) / wall;
}

/* Planned maintenance of a node of running job j: the job checkpoints
 * gracefully first. It blocks for its checkpoint cost after the write in
 * flight ends, and (asynchronous saves) until that checkpoint is written,
 * then stops with nothing lost; a failure meanwhile interrupts it as
 * usual. A job that is restarting stops at once (it has nothing new to
 * save), and so does a job with lose_work = false (it loses nothing).
 * Returns when the job has left its nodes. */
SimTime
jobs_drain (World *w, Job *j)
{
  SimTime now = sim_now (w->core.sim);
  if (j->state != JOB_RUNNING)
    return now;
  if (j->draining)
    return j->drain_end;
  if (j->phase == PHASE_RESTART || j->keep_work)
    {
      /* Nothing new to save, or nothing to lose (lose_work = false). */
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
  return jobs_running_count (w);
}

double
world_job_progress (const World *w, const char *job)
{
  uint32_t id = job_find (w, job);
  if (id == NO_JOB)
    return NAN;
  const Job *j = g_ptr_array_index (w->jobs.all, id);
  if (j == NULL)
    switch (job_ended (w, id))
      {
      case JOB_ENDED_ONE: return 1.0;
      case JOB_ENDED_ZERO: return 0.0;
      default: return NAN;
      }
  return isfinite (j->work_h) && j->work_h > 0
           ? job_kept_work (w, j, sim_now (w->core.sim)) / j->work_h : NAN;
}

bool
world_job_nodes (const World *w, const char *job, const uint32_t **nodes,
                 uint32_t *n)
{
  g_return_val_if_fail (w != NULL && job != NULL && nodes != NULL && n != NULL,
                        false);
  *nodes = NULL;
  *n = 0;
  uint32_t id = job_find (w, job);
  if (id == NO_JOB)
    return false;
  const Job *j = g_ptr_array_index (w->jobs.all, id);
  if (j != NULL && j->state == JOB_RUNNING) /* an ended job holds none */
    {
      *nodes = j->nodes_held;
      *n = j->n_held;
    }
  return true;
}

/* What the other modules may ask of the scheduler. */
uint32_t
jobs_running_count (const World *w)
{
  return sched_running_count (w->jobs.sched);
}

uint32_t
jobs_queue_length (const World *w)
{
  return sched_queue_length (w->jobs.sched);
}

uint32_t
jobs_spares_free (const World *w)
{
  return sched_spares_free (w->jobs.sched);
}

/* Tells the scheduler whether it may place jobs on node. */
void
jobs_node_set_available (World *w, uint32_t node, bool avail)
{
  sched_node_set_available (w->jobs.sched, node, avail);
}

/* ---- the configuration's view of the scheduler ---- */

/* policy.sched's names: the values of the scheduler's "policy" key
 * (sched_config_keys), split once. */
const char *const *
jobs_sched_names (void)
{
  static char **names;
  static gsize done = 0;
  if (g_once_init_enter (&done))
    {
      size_t n = 0;
      const SchedConfigKey *keys = sched_config_keys (&n);
      for (size_t i = 0; i < n && names == NULL; i++)
        if (strcmp (keys[i].key, "policy") == 0)
          names = g_strsplit (keys[i].values, "|", -1);
      g_assert (names != NULL);
      g_once_init_leave (&done, 1);
    }
  return (const char *const *) names;
}

bool
jobs_param_check (const char *key, const char *value, GError **error)
{
  SchedConfig sc;
  sched_config_init (&sc);
  return sched_config_set (&sc, key, value, error);
}

/* ---- the module ---- */

/* Builds the scheduler (policy.sched, sched.*, cluster.spares). */
static bool
jobs_init (World *w, GError **error)
{
  const WorldConfig *cfg = w->core.cfg;
  w->jobs.main_job = NO_JOB;
  w->jobs.all = g_ptr_array_new_with_free_func (job_free);
  w->jobs.tally = g_array_new (FALSE, TRUE, sizeof (JobTally));
  w->jobs.ended = g_array_new (FALSE, TRUE, sizeof (uint8_t));
  w->jobs.names = g_ptr_array_new_with_free_func (g_free);
  w->jobs.running = g_ptr_array_new ();
  w->jobs.decisions = g_array_new (FALSE, FALSE, sizeof (SchedDecision));
  w->jobs.bw_stale = g_array_new (FALSE, FALSE, sizeof (uint32_t));
  w->jobs.bw_apply = g_ptr_array_new ();
  w->jobs.bw_touched = g_array_new (FALSE, FALSE, sizeof (uint32_t));
  w->jobs.attn = g_new0 (uint8_t, MAX (w->hw.n_nodes, 1));
  w->core.kinds[EV_SCHED] = sim_register (w->core.sim, "schedule", on_sched, w);
  w->core.kinds[EV_JOB_PHASE] = sim_register (w->core.sim, "job-phase", on_job_phase, w);
  w->core.kinds[EV_JOB_WRITTEN] = sim_register (w->core.sim, "job-written", on_job_written, w);

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
  if (!workload_spares_fit (sc.spares, w->hw.n_nodes, error))
    return false;
  uint32_t *groups = g_new (uint32_t, w->hw.n_nodes);
  for (uint32_t i = 0; i < w->hw.n_nodes; i++)
    groups[i] = topo_node_su (w->hw.topo, i);
  w->jobs.sched = sched_new (&sc, w->hw.n_nodes, groups, error);
  g_free (groups);
  return w->jobs.sched != NULL;
}

/* The run is over: a job that loses nothing (lose_work = false) keeps the
 * work of its last interval, as if it had stopped now (the meter then
 * counts it productive, as it counts the others' durable checkpoints). */
static void
jobs_finish (World *w)
{
  SimTime end = sim_now (w->core.sim);
  for (guint i = 0; i < w->jobs.all->len; i++)
    {
      Job *j = g_ptr_array_index (w->jobs.all, i);
      if (j == NULL || !j->keep_work || j->state != JOB_RUNNING)
        continue;
      double kept = job_kept_work (w, j, end);
      jobs_account (w, j, end);
      j->phase_start = end;
      j->phase_work0 = 0;
      j->interval_h = 0; /* job_interval_work is 0 from here */
      j->writing_h = 0;
      j->saved_h = kept;
      j->m.productive_h = kept;
    }
}

static void
jobs_fini (World *w)
{
  sched_free (w->jobs.sched);
  workload_free (w->jobs.research);
  for (guint i = 0; w->jobs.all != NULL && i < w->jobs.all->len; i++)
    if (g_ptr_array_index (w->jobs.all, i) != NULL)
      job_fabric_forget (w, g_ptr_array_index (w->jobs.all, i));
  g_clear_pointer (&w->jobs.bw_stale, g_array_unref);
  g_clear_pointer (&w->jobs.tally, g_array_unref);
  g_clear_pointer (&w->jobs.ended, g_array_unref);
  g_clear_pointer (&w->jobs.names, g_ptr_array_unref);
  g_clear_pointer (&w->jobs.bw_apply, g_ptr_array_unref);
  g_clear_pointer (&w->jobs.bw_touched, g_array_unref);
  g_clear_pointer (&w->jobs.attn, g_free);
  g_clear_pointer (&w->jobs.running, g_ptr_array_unref);
  g_clear_pointer (&w->jobs.all, g_ptr_array_unref);
  g_clear_pointer (&w->jobs.decisions, g_array_unref);
}

const WorldModule world_jobs_module = {
  .name = "jobs", .init = jobs_init, .finish = jobs_finish,
  .fini = jobs_fini,
};
