/* models/world-faults.c - failures and their effects on the hardware.
 *
 * Failures of one mode with an exponential time to failure are drawn as
 * one superposed Poisson stream per (mode, lemon or not) that picks the
 * instance uniformly; other distributions draw per instance (renewal). A
 * failure that hits a component already down is dropped (a broken part
 * does not break again). GPU and host faults take the node down; a NIC,
 * node cable or leaf fault takes rails down and interrupts the jobs on
 * those nodes; uplink, spine and core faults only slow jobs down
 * (fabric_job_bandwidth); software faults interrupt the job running on the
 * picked node. Also lemons, precursors, hardware repair and the failure
 * catalogue a configuration describes (docs/models.md, "The world"). */
#include "world-int.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "dist.h"


/* A node-level fault (GPU, host, or one node of a domain: group !=
 * NO_FAULT). BY_TRACE: an outage of a fault trace with repair = "trace"
 * (the trace says when the node is down and back, so the node leaves the
 * pool at once, the policy is shown nothing and the trace's end clears it).
 * Returns false if dropped. A domain's caller (fail_domain) interrupts the
 * jobs and sends the observations once for the domain. */
bool
faults_fail_node (World *w, uint32_t node, uint32_t mode, int gpu, uint32_t group,
                  const char *component, bool by_trace)
{
  NodeRt *n = &w->hw.nodes[node];
  if (n->fault_mode != NO_FAULT)
    return false;
  FlFailureMode *fm = w->faults.modes[mode].fm;
  n->fault_mode = mode;
  jobs_node_attn (w, node);
  n->fault_gpu = gpu;
  n->fault_group = group;
  n->fault_time = sim_now (w->core.sim);
  n->detected = false;
  /* A domain's nodes go dark together: the job's launcher and the
   * scheduler lose all of them at once, so none is a restart target. */
  n->blamed = by_trace || group != NO_FAULT;
  if (n->down_since < 0)
    n->down_since = sim_now (w->core.sim);
  nodes_update_avail (w, node);
  WorldEvent ev;
  bus_event_init (&ev, WEV_NODE_FAILED);
  ev.component = core_node_name (w, node);
  ev.node = (int32_t) node;
  ev.fault.mode = fm->name;
  ev.fault.cause = fm->cause;
  ev.fault.xid = fm->xid;
  bus_emit (w, &ev);
  if (group != NO_FAULT)
    return true;
  uint32_t job = jobs_on_node (w, node);
  if (job != NO_JOB && (fm->obs != FL_OBS_SILENT || by_trace))
    {
      /* The job's launcher blames the node it lost and the scheduler
       * excludes it from the restart (docs/models.md). */
      n->blamed = true;
      jobs_interrupt (w, g_ptr_array_index (w->jobs.all, job), component, fm, NULL);
      nodes_update_avail (w, node);
    }
  if (by_trace)
    return true;
  if (repair_pipeline_takes (w, fm, group, by_trace))
    {
      repair_pipeline_fault (w, node, fm); /* repair_pipeline{}: not the policy */
      return true;
    }
  sensor_node_observations (w, node, fm, gpu);
  if (fm->repair == FL_REPAIR_NONE)
    {
      /* Transient: it clears by itself after the repair time. */
      PendingAction pa = { .act = { .kind = HEALTH_ACTION_NONE, .node = node,
                                    .gpu = gpu, .link = HEALTH_NO_LINK } };
      guint slot = core_slab_take (w->care.pact, w->care.pact_free, &pa);
      double h = dist_sample (&fm->repair_time, &w->faults.rng_misc);
      sim_after (w->core.sim, h_to_sim (h), w->core.kinds[EV_ACTION_DONE], slot, 0);
    }
  return true;
}

/* Rows per cooling loop (cluster.rows_per_cooling_loop). */
static uint32_t
rows_per_loop (const World *w)
{
  return w->core.cfg->cluster_rows_per_cooling_loop >= 1
           ? (uint32_t) w->core.cfg->cluster_rows_per_cooling_loop : 1;
}

/* The domain of a node for a domain class: its rack, its row, or its
 * cooling loop (rows r*k .. r*k + k - 1 with k rows per loop;
 * docs/failure-modes.md). */
uint32_t
faults_node_domain (const World *w, FlClass cls, uint32_t node)
{
  if (cls == FL_CLASS_RACK)
    return topo_node_rack (w->hw.topo, node);
  uint32_t row = topo_node_row (w->hw.topo, node);
  return cls == FL_CLASS_COOLING ? row / rows_per_loop (w) : row;
}

/* The nodes of domain d of a domain class: [*lo, *hi). Node numbers run
 * rack by rack and row by row (topo_node_rack, topo_node_row), so a rack,
 * a row and a cooling loop are each one range: a domain's nodes are found
 * without a pass over the cluster. */
void
faults_domain_range (const World *w, FlClass cls, uint32_t d, uint32_t *lo, uint32_t *hi)
{
  const TopoParams *p = topo_params (w->hw.topo);
  uint64_t per = p->nodes_per_rack;
  if (cls != FL_CLASS_RACK)
    per *= (uint64_t) p->racks_per_row * (cls == FL_CLASS_COOLING ? rows_per_loop (w) : 1);
  uint64_t a = per * d, b = a + per;
  *lo = (uint32_t) MIN (a, (uint64_t) w->hw.n_nodes);
  *hi = (uint32_t) MIN (b, (uint64_t) w->hw.n_nodes);
}

/* A domain's name: rack-051 and row-03 as the topology names them, a
 * cooling loop cooling-01. */
const char *
faults_domain_name (const World *w, FlClass cls, uint32_t d)
{
  if (cls == FL_CLASS_COOLING)
    {
      char buf[32];
      snprintf (buf, sizeof buf, "cooling-%02u", d);
      return core_intern (w, buf);
    }
  return core_comp_name (w, cls == FL_CLASS_RACK ? TOPO_RACK : TOPO_ROW, d);
}

/* A rack, row or cooling loop fails: one incident. Every node of the
 * domain goes down at this instant, each job on them is interrupted once
 * (charged one restart), and the policy sees the domain's nodes by one
 * signal at one time (sensor_domain_observations). Nodes down already for
 * their own fault keep it. */
static bool
fail_domain (World *w, uint32_t mi, uint32_t d, const char *name)
{
  FlFailureMode *fm = w->faults.modes[mi].fm;
  GArray *down = g_array_new (FALSE, FALSE, sizeof (uint32_t));
  GArray *jobs = g_array_new (FALSE, FALSE, sizeof (uint32_t));
  uint32_t lo, hi;
  faults_domain_range (w, fm->cls, d, &lo, &hi);
  for (uint32_t node = lo; node < hi; node++)
    {
      if (!faults_fail_node (w, node, mi, HEALTH_NO_GPU, d, name, false))
        continue;
      g_array_append_val (down, node);
      uint32_t job = jobs_on_node (w, node);
      bool seen = job == NO_JOB;
      for (guint j = 0; j < jobs->len && !seen; j++)
        seen = g_array_index (jobs, uint32_t, j) == job;
      if (!seen)
        g_array_append_val (jobs, job);
    }
  for (guint j = 0; j < jobs->len; j++)
    jobs_interrupt (w, g_ptr_array_index (w->jobs.all, g_array_index (jobs, uint32_t, j)),
                    name, fm, NULL);
  for (guint i = 0; i < down->len; i++)
    nodes_update_avail (w, g_array_index (down, uint32_t, i));
  sensor_domain_observations (w, (const uint32_t *) down->data, down->len, fm);
  bool any = down->len > 0;
  g_array_unref (down);
  g_array_unref (jobs);
  return any;
}

/* A node port goes down or up. A hardware failure leaves the node
 * schedulable on its other rails (the job restarts at reduced bandwidth,
 * fabric_job_bandwidth); a port the policy disabled (admin) keeps the node
 * out of the scheduler's pool. */
void
faults_rail_down (World *w, uint32_t node, uint32_t rail, uint32_t hlink,
                  bool down, bool admin)
{
  NodeRt *n = &w->hw.nodes[node];
  if (admin && down)
    n->rails_disabled++;
  else if (admin && n->rails_disabled > 0)
    n->rails_disabled--;
  if (admin)
    jobs_node_attn (w, node);
  nodes_update_avail (w, node);
  /* A job running on a degraded node speeds up when the rail comes back. */
  uint32_t job = jobs_on_node (w, node);
  if (!down && !admin && job != NO_JOB)
    jobs_update_bandwidth (w, g_ptr_array_index (w->jobs.all, job));
  uint32_t idx;
  TopoKind k = core_topo_link_of (w, hlink, &idx);
  WorldEvent ev;
  bus_event_init (&ev, WEV_LINK_STATE);
  ev.component = core_comp_name (w, k, idx);
  ev.node = (int32_t) node;
  ev.link.rail = (int32_t) rail;
  ev.link.to = down ? WORLD_PORT_DOWN : WORLD_PORT_ACTIVE;
  {
    const TopoLink *tl = topo_link (w->hw.topo, TOPO_CABLE, idx);
    ev.link.sw = tl ? (int32_t) tl->b : -1; /* the leaf: the trap's issuer */
    ev.link.sw_port = tl ? tl->b_port : 0;
  }
  bus_emit (w, &ev);
}

/* A link (cable, uplink, corelink) fails; owner_mode is the failing mode. */
static bool
fail_link (World *w, TopoKind kind, uint32_t idx, uint32_t mode, bool by_switch)
{
  uint32_t h = core_health_link_of (w, kind, idx);
  if (h == HEALTH_NO_LINK || w->faults.link_down[h])
    return false;
  const FlFailureMode *fm = w->faults.modes[mode].fm;
  SimTime t = sim_now (w->core.sim);
  w->faults.link_down[h] = 1;
  w->faults.link_fault_mode[h] = mode;
  w->faults.link_fault_time[h] = t;
  w->faults.link_detected[h] = 0;
  /* The port state change reaches the policy after the mode's detection
   * delay, like a node fault's observation (sensor_node_observations). */
  w->faults.link_seen_at[h] = t + simtime_from_s (fm->detect_delay_s);
  if (!by_switch)
    fabric_fail_link (w->hw.fabric, kind, idx);
  const char *lb = core_comp_name (w, kind, idx);
  if (kind == TOPO_CABLE)
    {
      uint32_t node = idx / w->hw.rails, rail = idx % w->hw.rails;
      faults_rail_down (w, node, rail, h, true, false);
      uint32_t job = jobs_on_node (w, node);
      if (job != NO_JOB)
        jobs_interrupt_node (w, g_ptr_array_index (w->jobs.all, job), node, lb,
                             w->faults.modes[mode].fm, NULL);
      sensor_link_down (w, h, (int32_t) node, (int32_t) rail,
                        w->faults.link_seen_at[h]);
    }
  else
    {
      WorldEvent ev;
      bus_event_init (&ev, WEV_LINK_STATE);
      ev.component = lb;
      ev.link.to = WORLD_PORT_DOWN;
      const TopoLink *tl = topo_link (w->hw.topo, kind, idx);
      ev.link.sw = tl ? (int32_t) tl->a : -1;
      ev.link.sw_port = tl ? tl->a_port : 0;
      bus_emit (w, &ev);
      sensor_link_down (w, h, -1, -1, w->faults.link_seen_at[h]);
    }
  if (fm->repair == FL_REPAIR_NONE && !by_switch)
    {
      /* Transient (a flap, a reseat by itself): the port comes back after
       * the mode's repair time. act.time keys the fault, so a later fault
       * of the same link is not ended by this one's timer. */
      PendingAction pa = { .act = { .kind = HEALTH_ACTION_NONE, .time = to_ms (t),
                                    .node = HEALTH_NO_NODE, .gpu = HEALTH_NO_GPU,
                                    .link = h } };
      guint slot = core_slab_take (w->care.pact, w->care.pact_free, &pa);
      double hours = dist_sample (&fm->repair_time, &w->faults.rng_misc);
      sim_after (w->core.sim, h_to_sim (hours), w->core.kinds[EV_ACTION_DONE], slot, 0);
    }
  return true;
}

void
faults_restore_link (World *w, uint32_t h)
{
  if (!w->faults.link_down[h])
    return;
  w->faults.link_down[h] = 0;
  w->faults.link_fault_mode[h] = NO_FAULT;
  uint32_t idx;
  TopoKind kind = core_topo_link_of (w, h, &idx);
  fabric_restore_link (w->hw.fabric, kind, idx);
  /* The port is Active again: the policy hears it (never before it heard
   * of the fault). */
  SimTime seen = MAX (sim_now (w->core.sim), w->faults.link_seen_at[h]);
  if (kind == TOPO_CABLE)
    {
      uint32_t node = idx / w->hw.rails, rail = idx % w->hw.rails;
      faults_rail_down (w, node, rail, h, false, false);
      sensor_link_up (w, h, (int32_t) node, (int32_t) rail, seen);
    }
  else
    {
      sensor_link_up (w, h, -1, -1, seen);
      WorldEvent ev;
      bus_event_init (&ev, WEV_LINK_STATE);
      ev.component = core_comp_name (w, kind, idx);
      ev.link.to = WORLD_PORT_ACTIVE;
      const TopoLink *tl = topo_link (w->hw.topo, kind, idx);
      ev.link.sw = tl ? (int32_t) tl->a : -1;
      ev.link.sw_port = tl ? tl->a_port : 0;
      bus_emit (w, &ev);
    }
}

static bool
fail_switch (World *w, TopoKind kind, uint32_t sw, uint32_t mode)
{
  if (fabric_switch_failed (w->hw.fabric, kind, sw))
    return false;
  fabric_fail_switch (w->hw.fabric, kind, sw);
  const TopoRef *refs;
  uint32_t n;
  topo_switch_links (w->hw.topo, kind, sw, &refs, &n);
  for (uint32_t i = 0; i < n; i++)
    fail_link (w, refs[i].kind, refs[i].index, mode, true);
  return true;
}

void
faults_emit_component_failed (World *w, const char *name, const FlFailureMode *fm)
{
  WorldEvent ev;
  bus_event_init (&ev, WEV_COMPONENT_FAILED);
  ev.component = name;
  ev.fault.mode = fm->name;
  ev.fault.cause = fm->cause;
  ev.fault.xid = fm->xid;
  bus_emit (w, &ev);
}

/* One failure of instance i of mode mi, not counted. Returns false when
 * dropped. */
static bool
fail_instance (World *w, uint32_t mi, uint32_t i)
{
  ModeRt *mr = &w->faults.modes[mi];
  FlFailureMode *fm = mr->fm;
  const char *name;
  bool happened = false;
  switch (fm->cls)
    {
    case FL_CLASS_GPU:
      if (w->hw.nodes[i / w->hw.gpn].fault_mode != NO_FAULT)
        return false;
      name = core_comp_name (w, TOPO_GPU, i);
      faults_emit_component_failed (w, name, fm);
      happened = faults_fail_node (w, i / w->hw.gpn, mi, (int) (i % w->hw.gpn), NO_FAULT, name,
                             false);
      break;
    case FL_CLASS_NODE:
      if (w->hw.nodes[i].fault_mode != NO_FAULT)
        return false;
      name = core_comp_name (w, TOPO_NODE, i);
      faults_emit_component_failed (w, name, fm);
      happened = faults_fail_node (w, i, mi, HEALTH_NO_GPU, NO_FAULT, name, false);
      break;
    case FL_CLASS_NIC:
    case FL_CLASS_CABLE:
      if (topo_node_link (w->hw.topo, i / w->hw.rails, i % w->hw.rails) == TOPO_NONE
          || w->faults.link_down[i])
        return false;
      name = core_comp_name (w, fm->cls == FL_CLASS_NIC ? TOPO_NIC : TOPO_CABLE, i);
      faults_emit_component_failed (w, name, fm);
      happened = fail_link (w, TOPO_CABLE, i, mi, false);
      break;
    case FL_CLASS_UPLINK:
      {
        TopoKind k = i < w->hw.n_uplinks ? TOPO_UPLINK : TOPO_CORELINK;
        uint32_t idx = i < w->hw.n_uplinks ? i : i - w->hw.n_uplinks;
        if (w->faults.link_down[core_health_link_of (w, k, idx)])
          return false;
        faults_emit_component_failed (w, core_comp_name (w, k, idx), fm);
        happened = fail_link (w, k, idx, mi, false);
        if (happened)
          jobs_update_all_bandwidth (w);
        break;
      }
    case FL_CLASS_LEAF:
    case FL_CLASS_SPINE:
    case FL_CLASS_CORE:
      {
        TopoKind k = fm->cls == FL_CLASS_LEAF ? TOPO_LEAF
                     : fm->cls == FL_CLASS_SPINE ? TOPO_SPINE : TOPO_CORE;
        if (fabric_switch_failed (w->hw.fabric, k, i))
          return false;
        faults_emit_component_failed (w, core_comp_name (w, k, i), fm);
        happened = fail_switch (w, k, i, mi);
        if (happened)
          jobs_update_all_bandwidth (w);
        break;
      }
    case FL_CLASS_RACK:
    case FL_CLASS_ROW:
    case FL_CLASS_COOLING:
      name = faults_domain_name (w, fm->cls, i);
      faults_emit_component_failed (w, name, fm);
      happened = fail_domain (w, mi, i, name);
      break;
    case FL_CLASS_JOB:
      {
        uint32_t job = jobs_on_node (w, i);
        if (job == NO_JOB)
          return false;
        Job *j = g_ptr_array_index (w->jobs.all, job);
        if (j->state != JOB_RUNNING || j->phase == PHASE_RESTART)
          return false;
        name = core_comp_name (w, TOPO_NODE, i);
        faults_emit_component_failed (w, name, fm);
        jobs_interrupt (w, j, name, fm, NULL);
        if (fm->obs == FL_OBS_JOB_HANG || fm->obs == FL_OBS_JOB_CRASH)
          {
            HealthObs o;
            health_obs_init (&o, fm->obs == FL_OBS_JOB_HANG ? HEALTH_OBS_JOB_HANG
                                                            : HEALTH_OBS_JOB_FAILED, 0);
            o.node = i;
            care_observe_at (w, &o, sim_now (w->core.sim), NO_FAULT);
          }
        happened = true;
        break;
      }
    default:
      return false;
    }
  return happened;
}

/* A failure the failure model drew: counted in the summary's failures and
 * failures_by_cause. Returns false when dropped. */
bool
faults_fail_instance (World *w, uint32_t mi, uint32_t i)
{
  if (!fail_instance (w, mi, i))
    return false;
  w->meter.m->failures++;
  metrics_cause_add (w->meter.m->failures_by_cause, w->faults.modes[mi].fm->cause, 1);
  return true;
}

/* A failure a script ordered (fail()): it acts as a drawn one but is
 * counted apart, in failures_scripted (a scenario that re-fails a part to
 * model a bad batch must not inflate the hardware's failure count).
 * Returns false when dropped. */
bool
faults_fail_scripted (World *w, uint32_t mi, uint32_t i)
{
  if (!fail_instance (w, mi, i))
    return false;
  w->meter.m->failures_scripted++;
  return true;
}

static uint32_t
mode_instances (World *w, const FlFailureMode *fm, TopoKind *kind)
{
  switch (fm->cls)
    {
    case FL_CLASS_GPU: *kind = TOPO_GPU; return w->hw.n_nodes * w->hw.gpn;
    case FL_CLASS_NODE: *kind = TOPO_NODE; return w->hw.n_nodes;
    case FL_CLASS_JOB: *kind = TOPO_NODE; return w->hw.n_nodes;
    case FL_CLASS_NIC: *kind = TOPO_NIC; return w->hw.n_cables;
    case FL_CLASS_CABLE: *kind = TOPO_CABLE; return w->hw.n_cables;
    case FL_CLASS_LEAF: *kind = TOPO_LEAF; return topo_count (w->hw.topo, TOPO_LEAF);
    case FL_CLASS_SPINE: *kind = TOPO_SPINE; return topo_count (w->hw.topo, TOPO_SPINE);
    case FL_CLASS_CORE: *kind = TOPO_CORE; return topo_count (w->hw.topo, TOPO_CORE);
    case FL_CLASS_UPLINK: *kind = TOPO_UPLINK; return w->hw.n_uplinks + w->hw.n_corelinks;
    case FL_CLASS_RACK: *kind = TOPO_RACK; return topo_count (w->hw.topo, TOPO_RACK);
    case FL_CLASS_ROW: *kind = TOPO_ROW; return topo_count (w->hw.topo, TOPO_ROW);
    case FL_CLASS_COOLING:
      *kind = TOPO_ROW;
      return (topo_count (w->hw.topo, TOPO_ROW) + rows_per_loop (w) - 1) / rows_per_loop (w);
    default: *kind = TOPO_NODE; return 0;
    }
}

/* Whether instance i of a mode belongs to a lemon node. */
static bool
instance_is_lemon (World *w, const ModeRt *mr, uint32_t i)
{
  switch (mr->fm->cls)
    {
    case FL_CLASS_GPU: return w->hw.nodes[i / w->hw.gpn].lemon;
    case FL_CLASS_NODE: return w->hw.nodes[i].lemon;
    default: return false;
    }
}

/* Lemon nodes concentrate failures, they do not add them: the rates of a
 * mode that lemons affect are scaled so that the cluster-wide rate stays
 * the catalogue's (docs/models.md). */
double
faults_lemon_norm (World *w, const ModeRt *mr)
{
  if (mr->fm->cls != FL_CLASS_GPU && mr->fm->cls != FL_CLASS_NODE)
    return 1.0;
  double f = w->faults.n_lemons / (double) w->hw.n_nodes;
  return 1.0 / (1.0 + f * (w->core.cfg->failures_lemon_multiplier - 1.0));
}

static void
schedule_agg (World *w, uint32_t mi, bool lemon)
{
  ModeRt *mr = &w->faults.modes[mi];
  uint32_t n_lemon_nodes = w->faults.n_lemons;
  double per_node_inst = mr->fm->cls == FL_CLASS_GPU ? w->hw.gpn : 1;
  bool lemonable = mr->fm->cls == FL_CLASS_GPU || mr->fm->cls == FL_CLASS_NODE;
  double lemon_inst = lemonable ? n_lemon_nodes * per_node_inst : 0;
  double normal_inst = mr->instances - lemon_inst;
  double norm = faults_lemon_norm (w, mr);
  double rate = lemon ? lemon_inst * mr->rate_per_h * w->core.cfg->failures_lemon_multiplier * norm
                      : normal_inst * mr->rate_per_h * norm;
  if (!(rate > 0))
    return;
  RngStream *s = lemon ? &mr->lemon_rng : &mr->rng;
  double dt_h = -log (rng_uniform_pos (s)) / rate;
  SimTime at = sim_now (w->core.sim) + h_to_sim (dt_h);
  if (at <= world_length (w))
    sim_at (w->core.sim, at, w->core.kinds[EV_FAIL_AGG], mi, lemon ? 1 : 0);
}

static void
on_fail_agg (Sim *sim, const SimEvent *e, void *ud)
{
  World *w = ud;
  ModeRt *mr = &w->faults.modes[e->target];
  bool lemon = e->data == 1;
  uint32_t i;
  if (lemon)
    {
      uint32_t per = mr->fm->cls == FL_CLASS_GPU ? w->hw.gpn : 1;
      uint64_t k = rng_below (&mr->lemon_pick, (uint64_t) w->faults.n_lemons * per);
      i = w->faults.lemons[k / per] * per + (uint32_t) (k % per);
    }
  else
    {
      /* Uniform over the non-lemon instances (rejection; lemons are few). */
      do
        i = (uint32_t) rng_below (&mr->pick, mr->instances);
      while (instance_is_lemon (w, mr, i));
    }
  faults_degrade_or_fail (w, e->target, i);
  schedule_agg (w, e->target, lemon);
}

/* Per-instance draws: the k-th time to failure of instance i comes from its
 * own stream, so no state is kept per instance. */
static void
schedule_instance (World *w, uint32_t mi, uint32_t i, uint32_t k)
{
  ModeRt *mr = &w->faults.modes[mi];
  RngStream s;
  rng_stream_init_key (&s, rng_key_index (w->core.seed, RNG_CLASS_MODE_BASE + mi,
                                          ((uint64_t) i << 20) | k,
                                          mr->fm->name));
  double h = dist_sample (&mr->fm->ttf, &s) / faults_lemon_norm (w, mr);
  if (instance_is_lemon (w, mr, i))
    h /= w->core.cfg->failures_lemon_multiplier;
  SimTime at = sim_now (w->core.sim) + h_to_sim (h);
  if (at <= world_length (w))
    sim_at (w->core.sim, at, w->core.kinds[EV_FAIL_INST], mi, ((uint64_t) i << 20) | (k & 0xfffff));
}

static void
on_fail_inst (Sim *sim, const SimEvent *e, void *ud)
{
  World *w = ud;
  uint32_t i = (uint32_t) (e->data >> 20), k = (uint32_t) (e->data & 0xfffff);
  faults_degrade_or_fail (w, e->target, i);
  /* Renewal: the next failure is drawn from now (repair time is short
   * against lifetimes; docs/models.md). */
  schedule_instance (w, e->target, i, k + 1);
}

/* How strong a remedy is; a fault is fixed by a remedy at least as strong
 * as its repair path. */
int
faults_repair_strength (FlRepair r)
{
  switch (r)
    {
    case FL_REPAIR_NONE: return 0;
    case FL_REPAIR_RESET_GPU: return 1;
    case FL_REPAIR_REBOOT: return 2;
    case FL_REPAIR_REIMAGE: return 3;
    case FL_REPAIR_REPLACE: return 4;
    case FL_REPAIR_RMA: return 5;
    default: return 5;
    }
}

/* ---- precursors: parts that degrade before they fail ----
 *
 * Some failures announce themselves (docs/models.md, "Precursors"): HBM and
 * SRAM faults with corrected ECC errors and row-remap events (Xid 63),
 * thermal faults with a rising temperature, cables and NICs with a climbing
 * SymbolErrorCounter (the signals and their levels: world-sensor.c). A fraction failures.precursor_fraction of such
 * failures start as a degradation: the precursor signals go out now and
 * the hard failure follows after a lead time ~ Exp(failures.precursor_lead).
 * Each failure is only delayed, so long-run rates are unchanged. A repair
 * strong enough for the mode during the lead time averts the failure. The
 * fraction and lead are assumptions: the field data gives no figure. */

typedef enum { PRECURSOR_NONE, PRECURSOR_ECC, PRECURSOR_THERMAL, PRECURSOR_SYMBOL } Precursor;

static Precursor
mode_precursor (const FlFailureMode *fm)
{
  if (fm->cls == FL_CLASS_GPU
      && (strcmp (fm->name, "hbm3") == 0 || strcmp (fm->name, "sram") == 0))
    return PRECURSOR_ECC;
  if (fm->cls == FL_CLASS_GPU && strcmp (fm->name, "thermal") == 0)
    return PRECURSOR_THERMAL;
  if (fm->cls == FL_CLASS_CABLE || fm->cls == FL_CLASS_NIC)
    return PRECURSOR_SYMBOL;
  return PRECURSOR_NONE;
}

static void
on_hard_fail (Sim *sim, const SimEvent *e, void *ud)
{
  World *w = ud;
  uint32_t i = (uint32_t) e->data;
  FlFailureMode *fm = w->faults.modes[e->target].fm;
  if (fm->cls == FL_CLASS_GPU)
    {
      NodeRt *n = &w->hw.nodes[i / w->hw.gpn];
      n->pending_fail = EVQ_NONE;
      n->pending_mode = NO_FAULT;
    }
  else if (i < w->hw.n_cables)
    w->faults.link_pending[i] = EVQ_NONE;
  faults_fail_instance (w, e->target, i);
}

/* Whether instance i of a gpu, node or job mode is on a node whose job
 * computes now (not idle, restarting, checkpointing or stalled): a mode
 * with when = "computing" strikes only then, so its failures are a
 * Poisson process over the nodes' compute time (exponential modes). */
static bool
node_computing (World *w, const FlFailureMode *fm, uint32_t i)
{
  uint32_t node = fm->cls == FL_CLASS_GPU ? i / w->hw.gpn : i;
  if (node >= w->hw.n_nodes || jobs_on_node (w, node) == NO_JOB)
    return false;
  const Job *j = g_ptr_array_index (w->jobs.all, jobs_on_node (w, node));
  return j->state == JOB_RUNNING && j->phase == PHASE_COMPUTE
         && isfinite (j->slowdown);
}

/* Either starts a degradation with precursor signals or fails at once. */
void
faults_degrade_or_fail (World *w, uint32_t mi, uint32_t i)
{
  FlFailureMode *fm = w->faults.modes[mi].fm;
  if (faults_rate_thinned (w, mi, i) || (fm->compute_only && !node_computing (w, fm, i)))
    return;
  Precursor p = mode_precursor (fm);
  if (p == PRECURSOR_NONE || w->core.cfg->failures_precursor_fraction <= 0
      || !(rng_uniform (&w->faults.rng_precursor) < w->core.cfg->failures_precursor_fraction))
    {
      faults_fail_instance (w, mi, i);
      return;
    }
  SimTime t = sim_now (w->core.sim);
  double lead_s = -log (rng_uniform_pos (&w->faults.rng_precursor)) * w->core.cfg->failures_precursor_lead;
  SimTime at = t + simtime_from_s (lead_s);
  if (p == PRECURSOR_SYMBOL)
    {
      if (i >= w->hw.n_cables || w->faults.link_down[i] || w->faults.link_pending[i] != EVQ_NONE)
        return;
      if (at <= world_length (w))
        w->faults.link_pending[i] = sim_at (w->core.sim, at, w->core.kinds[EV_HARD_FAIL], mi, i);
      sensor_symbol_precursor (w, i);
      return;
    }
  uint32_t node = i / w->hw.gpn;
  NodeRt *n = &w->hw.nodes[node];
  if (n->fault_mode != NO_FAULT || n->pending_fail != EVQ_NONE)
    return;
  if (at <= world_length (w))
    {
      n->pending_fail = sim_at (w->core.sim, at, w->core.kinds[EV_HARD_FAIL], mi, i);
      n->pending_mode = mi;
    }
  if (p == PRECURSOR_ECC)
    sensor_ecc_precursor (w, node, (int32_t) (i % w->hw.gpn), at);
  else
    sensor_thermal_precursor (w, node, (int32_t) (i % w->hw.gpn));
}

/* A repair of strength `strength` on a node (or its cable h) averts a
 * pending degradation failure it is strong enough for. */
void
faults_avert_pending (World *w, uint32_t node, int strength)
{
  NodeRt *n = &w->hw.nodes[node];
  if (n->pending_fail == EVQ_NONE)
    return;
  if (strength < faults_repair_strength (w->faults.modes[n->pending_mode].fm->repair))
    return;
  sim_cancel (w->core.sim, n->pending_fail);
  n->pending_fail = EVQ_NONE;
  n->pending_mode = NO_FAULT;
  w->meter.m->failures_averted++;
}

void
faults_avert_pending_link (World *w, uint32_t h)
{
  if (h >= w->hw.n_cables || w->faults.link_pending[h] == EVQ_NONE)
    return;
  sim_cancel (w->core.sim, w->faults.link_pending[h]);
  w->faults.link_pending[h] = EVQ_NONE;
  w->meter.m->failures_averted++;
}

/* One node's fault is cleared: its state, its job's attention, its rate
 * on repair and the component_repaired event. */
static void
clear_one (World *w, uint32_t node)
{
  NodeRt *n = &w->hw.nodes[node];
  uint32_t mode = n->fault_mode;
  n->fault_mode = NO_FAULT;
  n->fault_group = NO_FAULT;
  jobs_node_attn (w, node);
  faults_rate_on_repair (w, node);
  WorldEvent ev;
  bus_event_init (&ev, WEV_COMPONENT_REPAIRED);
  ev.component = core_node_name (w, node);
  ev.node = (int32_t) node;
  ev.repair.mode = w->faults.modes[mode].fm->name;
  bus_emit (w, &ev);
}

void
faults_clear_node (World *w, uint32_t node)
{
  NodeRt *n = &w->hw.nodes[node];
  if (n->fault_mode == NO_FAULT)
    return;
  uint32_t group = n->fault_group;
  uint32_t mode = n->fault_mode;
  clear_one (w, node);
  if (group != NO_FAULT)
    {
      /* The rest of the domain (fault_group is the domain: fail_domain),
       * one pass over its range. Repaired in ascending order, then made
       * available in the reverse order, as before. */
      GArray *rest = g_array_new (FALSE, FALSE, sizeof (uint32_t));
      uint32_t lo, hi;
      faults_domain_range (w, w->faults.modes[mode].fm->cls, group, &lo, &hi);
      for (uint32_t i = lo; i < hi; i++)
        if (w->hw.nodes[i].fault_group == group && w->hw.nodes[i].fault_mode == mode)
          {
            clear_one (w, i);
            g_array_append_val (rest, i);
          }
      for (guint k = rest->len; k-- > 0;)
        nodes_update_avail (w, g_array_index (rest, uint32_t, k));
      g_array_unref (rest);
    }
  nodes_update_avail (w, node);
}

/* Repairs whatever is wrong with a health link (its own fault or its
 * switch's). */
/* Whether a switch at either end of a fabric link is still down: the
 * port does not come back when the switch at its other end is repaired
 * (a link between a repaired spine and a dead leaf stays down). */
bool
faults_link_end_failed (World *w, TopoKind kind, uint32_t idx)
{
  const TopoLink *tl = topo_link (w->hw.topo, kind, idx);
  if (tl == NULL)
    return false;
  TopoKind a = kind == TOPO_CABLE ? TOPO_N_KINDS : kind == TOPO_UPLINK ? TOPO_LEAF : TOPO_SPINE;
  TopoKind b = kind == TOPO_CABLE ? TOPO_LEAF : kind == TOPO_UPLINK ? TOPO_SPINE : TOPO_CORE;
  return (a != TOPO_N_KINDS && fabric_switch_failed (w->hw.fabric, a, tl->a))
         || fabric_switch_failed (w->hw.fabric, b, tl->b);
}

void
faults_repair_link (World *w, uint32_t h)
{
  if (h >= w->hw.n_cables + w->hw.n_uplinks + w->hw.n_corelinks || !w->faults.link_down[h])
    return;
  uint32_t idx;
  TopoKind kind = core_topo_link_of (w, h, &idx);
  const TopoLink *tl = topo_link (w->hw.topo, kind, idx);
  TopoKind sk[2];
  uint32_t si[2] = { tl ? tl->a : 0, tl ? tl->b : 0 };
  if (kind == TOPO_CABLE) { sk[0] = TOPO_N_KINDS; sk[1] = TOPO_LEAF; }
  else if (kind == TOPO_UPLINK) { sk[0] = TOPO_LEAF; sk[1] = TOPO_SPINE; }
  else { sk[0] = TOPO_SPINE; sk[1] = TOPO_CORE; }
  bool switch_fixed = false;
  for (int e = 0; e < 2; e++)
    if (sk[e] != TOPO_N_KINDS && tl && fabric_switch_failed (w->hw.fabric, sk[e], si[e]))
      {
        fabric_restore_switch (w->hw.fabric, sk[e], si[e]);
        WorldEvent ev;
        bus_event_init (&ev, WEV_COMPONENT_REPAIRED);
        ev.component = core_comp_name (w, sk[e], si[e]);
        if (w->faults.link_fault_mode[h] != NO_FAULT)
          ev.repair.mode = w->faults.modes[w->faults.link_fault_mode[h]].fm->name;
        bus_emit (w, &ev);
        /* The tickets parked on this switch are done too. */
        care_switch_tickets_release (w, (((guint) sk[e] << 28) | si[e]) + 1, G_MAXUINT);
        const TopoRef *refs;
        uint32_t n;
        topo_switch_links (w->hw.topo, sk[e], si[e], &refs, &n);
        for (uint32_t i = 0; i < n; i++)
          if (!faults_link_end_failed (w, refs[i].kind, refs[i].index))
            faults_restore_link (w, core_health_link_of (w, refs[i].kind, refs[i].index));
        switch_fixed = true;
      }
  if (!switch_fixed && w->faults.link_down[h] && w->faults.link_fault_mode[h] != NO_FAULT)
    {
      WorldEvent ev;
      bus_event_init (&ev, WEV_COMPONENT_REPAIRED);
      ev.component = core_comp_name (w, kind, idx);
      ev.repair.mode = w->faults.modes[w->faults.link_fault_mode[h]].fm->name;
      bus_emit (w, &ev);
    }
  faults_restore_link (w, h);
  if (switch_fixed || kind != TOPO_CABLE)
    jobs_update_all_bandwidth (w);
}

/* The policy acted on health link h: true (with the fault's time) the
 * first time it does so for the link's current fault. */
bool
faults_link_detected (World *w, uint32_t h, SimTime *fault_time)
{
  if (!w->faults.link_down[h] || w->faults.link_fault_mode[h] == NO_FAULT
      || w->faults.link_detected[h])
    return false;
  w->faults.link_detected[h] = 1;
  *fault_time = w->faults.link_fault_time[h];
  return true;
}

/* The failed switch that takes health link h down, as a hash key
 * (kind << 28 | index) + 1, or 0 when the link's own part is at fault. */
guint
faults_link_failed_switch (World *w, uint32_t h)
{
  uint32_t idx;
  TopoKind kind = core_topo_link_of (w, h, &idx);
  const TopoLink *tl = topo_link (w->hw.topo, kind, idx);
  if (tl == NULL)
    return 0;
  TopoKind ka = kind == TOPO_UPLINK ? TOPO_LEAF : kind == TOPO_CORELINK ? TOPO_SPINE : TOPO_N_KINDS;
  TopoKind kb = kind == TOPO_CABLE ? TOPO_LEAF : kind == TOPO_UPLINK ? TOPO_SPINE : TOPO_CORE;
  if (ka != TOPO_N_KINDS && fabric_switch_failed (w->hw.fabric, ka, tl->a))
    return (((guint) ka << 28) | tl->a) + 1;
  if (fabric_switch_failed (w->hw.fabric, kb, tl->b))
    return (((guint) kb << 28) | tl->b) + 1;
  return 0;
}

static void
build_failures (World *w)
{
  const WorldConfig *cfg = w->core.cfg;
  /* Lemon nodes: a fixed draw per node from its own stream. */
  RngStream ls;
  rng_stream_init (&ls, w->core.seed, "cluster", "lemons");
  for (uint32_t i = 0; i < w->hw.n_nodes; i++)
    {
      w->hw.nodes[i].lemon = rng_uniform (&ls) < cfg->failures_lemon_fraction;
      w->faults.n_lemons += w->hw.nodes[i].lemon;
    }
  w->faults.lemons = g_new (uint32_t, MAX (w->faults.n_lemons, 1));
  for (uint32_t i = 0, k = 0; i < w->hw.n_nodes; i++)
    if (w->hw.nodes[i].lemon)
      w->faults.lemons[k++] = i;
  size_t n = fl_failure_catalog_count (w->faults.cat);
  g_free (w->faults.modes); /* a trace's modes (trace_load): same order */
  w->faults.modes = g_new0 (ModeRt, MAX (n, 1));
  w->faults.n_modes = 0;
  for (size_t i = 0; i < n; i++)
    {
      FlFailureMode *fm = fl_failure_catalog_get (w->faults.cat, i);
      ModeRt *mr = &w->faults.modes[w->faults.n_modes];
      mr->fm = fm;
      mr->idx = w->faults.n_modes;
      mr->instances = mode_instances (w, fm, &mr->kind);
      double mean = dist_mean (&fm->ttf);
      if (!fm->enabled || mr->instances == 0 || !(mean > 0) || !isfinite (mean))
        {
          w->faults.n_modes++;
          continue;
        }
      mr->rate_per_h = 1.0 / mean;
      mr->aggregated = fm->ttf.kind == DIST_EXPONENTIAL;
      rng_stream_init (&mr->rng, w->core.seed, fm->name, "ttf");
      rng_stream_init (&mr->pick, w->core.seed, fm->name, "pick");
      rng_stream_init (&mr->lemon_rng, w->core.seed, fm->name, "ttf-lemon");
      rng_stream_init (&mr->lemon_pick, w->core.seed, fm->name, "pick-lemon");
      w->faults.n_modes++;
    }
  for (uint32_t mi = 0; mi < w->faults.n_modes; mi++)
    {
      ModeRt *mr = &w->faults.modes[mi];
      if (mr->rate_per_h <= 0)
        continue;
      if (mr->aggregated)
        {
          schedule_agg (w, mi, false);
          schedule_agg (w, mi, true);
        }
      else
        for (uint32_t i = 0; i < mr->instances; i++)
          schedule_instance (w, mi, i, 0);
    }
}

/* ---- the module ---- */

static bool
faults_init (World *w, GError **error)
{
  uint32_t n_links = w->hw.n_cables + w->hw.n_uplinks + w->hw.n_corelinks;
  w->faults.link_down = g_new0 (uint8_t, MAX (n_links, 1));
  w->faults.link_pending = g_new0 (EvqHandle, MAX (w->hw.n_cables, 1));
  w->faults.link_fault_mode = g_new (uint32_t, MAX (n_links, 1));
  w->faults.link_fault_time = g_new0 (SimTime, MAX (n_links, 1));
  w->faults.link_seen_at = g_new0 (SimTime, MAX (n_links, 1));
  w->faults.link_detected = g_new0 (uint8_t, MAX (n_links, 1));
  for (uint32_t i = 0; i < n_links; i++)
    w->faults.link_fault_mode[i] = NO_FAULT;
  w->faults.cat = catalog_from_config (w->core.cfg, error);
  if (w->faults.cat == NULL)
    return false;
  catalog_add_scripted_modes (w);
  rng_stream_init (&w->faults.rng_misc, w->core.seed, "world", "misc");
  rng_stream_init (&w->faults.rng_precursor, w->core.seed, "world", "precursor");
  w->core.kinds[EV_FAIL_AGG] = sim_register (w->core.sim, "fail", on_fail_agg, w);
  w->core.kinds[EV_FAIL_INST] = sim_register (w->core.sim, "fail-instance", on_fail_inst, w);
  w->core.kinds[EV_HARD_FAIL] = sim_register (w->core.sim, "hard-fail", on_hard_fail, w);
  faults_rates_init (w);
  if (w->core.cfg->failure_trace_file[0] != '\0')
    {
      /* the modes first: a trace's classes name them */
      size_t n = fl_failure_catalog_count (w->faults.cat);
      w->faults.modes = g_new0 (ModeRt, MAX (n, 1));
      for (size_t i = 0; i < n; i++)
        w->faults.modes[i].fm = fl_failure_catalog_get (w->faults.cat, i);
      w->faults.n_modes = (uint32_t) n;
      if (!faults_trace_init (w, error))
        return false;
    }
  return true;
}

static bool
faults_start (World *w, GError **error)
{
  build_failures (w);
  if (w->faults.trace != NULL)
    faults_trace_schedule (w);
  return true;
}

static void
faults_fini (World *w)
{
  fl_failure_catalog_free (w->faults.cat);
  g_free (w->faults.modes);
  g_free (w->faults.lemons);
  g_free (w->faults.link_down);
  g_free (w->faults.link_pending);
  g_free (w->faults.link_fault_mode);
  g_free (w->faults.link_fault_time);
  g_free (w->faults.link_seen_at);
  g_free (w->faults.link_detected);
  fault_trace_free (w->faults.trace);
  g_free (w->faults.trace_node);
  g_free (w->faults.trace_mode);
  g_free (w->faults.trace_down);
  g_free (w->faults.rate_mult);
  g_free (w->faults.rate_reset_p);
  g_free (w->faults.rate_ev);
}

const WorldModule world_faults_module = {
  .name = "faults", .init = faults_init, .start = faults_start,
  .fini = faults_fini,
};
