/* models/world-nodes.c - node availability: the one seam between the
 * hardware state (faults), the policy's state (care) and the scheduler's
 * pool (jobs). Every change to any of them ends in nodes_update_avail(). */
#include "world-int.h"

/* policy.degraded_nodes = when-short: the idle nodes with disabled ports
 * join the pool while a job interrupted by a failure waits for nodes, and
 * leave it when none waits (the ones a job took stay with it until it
 * stops). Schedules another pass when that changes what is free. */
void
nodes_degraded_update (World *w)
{
  bool want = w->jobs.restarts_waiting > 0;
  if (want == w->pool.degraded_released)
    return;
  w->pool.degraded_released = want;
  for (uint32_t i = 0; i < w->hw.n_nodes; i++)
    if (w->hw.nodes[i].rails_disabled > 0 && jobs_on_node (w, i) == NO_JOB)
      nodes_update_avail (w, i);
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
  WorldNodeState s = care_node_state (w, node);
  return s == WORLD_NODE_HEALTHY || s == WORLD_NODE_SUSPECT;
}

/* metrics' columns begin with the world's node states, in their order */
const char *
world_node_state_name (WorldNodeState s)
{
  G_STATIC_ASSERT (METRICS_NODE_STATES == WORLD_NODE_N_STATES + 1);
  return (unsigned) s < WORLD_NODE_N_STATES ? metrics_node_state_names[s] : "?";
}

/* Emits node_state when the policy's state of the node changed since the
 * world last looked (after every observation and action on the node). */
static void
node_state_track (World *w, uint32_t node)
{
  NodeRt *n = &w->hw.nodes[node];
  WorldNodeState st = care_node_state (w, node);
  if ((uint8_t) st == n->state)
    return;
  WorldEvent ev;
  bus_event_init (&ev, WEV_NODE_STATE);
  ev.component = core_node_name (w, node);
  ev.node = (int32_t) node;
  ev.node_state.from = (WorldNodeState) n->state;
  ev.node_state.to = st;
  n->state = (uint8_t) st;
  bus_emit (w, &ev);
}

void
nodes_update_avail (World *w, uint32_t node)
{
  NodeRt *n = &w->hw.nodes[node];
  node_state_track (w, node);
  /* The meter's "down" column: a fault the policy has not noticed. */
  bool unnoticed = n->fault_mode != NO_FAULT && n->state == WORLD_NODE_HEALTHY;
  if (unnoticed != n->unnoticed)
    {
      n->unnoticed = unnoticed;
      if (unnoticed)
        w->meter.unnoticed++;
      else
        w->meter.unnoticed--;
    }
  bool avail = node_schedulable (w, node);
  if (avail != n->avail)
    {
      n->avail = avail;
      jobs_node_set_available (w, node, avail);
      if (avail)
        jobs_request_sched (w);
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

/* ---- the module ---- */

static bool
nodes_init (World *w, GError **error)
{
  const WorldConfig *cfg = w->core.cfg;
  (void) error;
  guint mode = config_name_index (nodes_degraded_names (),
                                  cfg->policy_degraded_nodes);
  g_assert (mode != G_MAXUINT); /* world_config_set checked it */
  w->pool.degraded = (DegradedMode) mode;
  return true;
}

/* policy.degraded_nodes's names, in DegradedMode's order. */
const char *const *
nodes_degraded_names (void)
{
  static const char *const names[] = {
    [DEGRADED_DRAIN] = "drain", [DEGRADED_USE] = "use",
    [DEGRADED_WHEN_SHORT] = "when-short", NULL
  };
  return names;
}

const WorldModule world_nodes_module = {
  .name = "nodes", .init = nodes_init,
};
