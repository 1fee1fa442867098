/* models/world-care.c - the only user of the health policy.
 *
 * Observations are delivered with their delays (a slab of pending
 * observations, dropped when the fault they report was repaired first);
 * the policy's actions are carried out and take their time: reset, reboot,
 * reimage, diagnostics, burn-in, technician tickets from a pool with a
 * parts stock, RMA with a lead time. Also the policy's wakeups. */
#include "world-int.h"

#include <math.h>
#include <string.h>

#include "dist.h"
#include "health.h"

static void enact (World *w, const HealthAction *a);

/* Delivers obs at time `at`; if check_node != NO_FAULT the observation is
 * dropped when that node's fault (from fault_time) has been repaired. */
void
care_observe_at (World *w, const HealthObs *obs, SimTime at,
                 uint32_t check_node)
{
  PendingObs p = { *obs, check_node, check_node != NO_FAULT ? w->hw.nodes[check_node].fault_time : 0 };
  guint slot = core_slab_take (w->care.pobs, w->care.pobs_free, &p);
  if (at < sim_now (w->core.sim))
    at = sim_now (w->core.sim);
  sim_at (w->core.sim, at, w->core.kinds[EV_OBSERVE], slot, 0);
}

void
care_reschedule_wakeup (World *w)
{
  HealthTimeMs next = health_policy_next_wakeup (w->care.health);
  SimTime at = next == HEALTH_TIME_NEVER ? SIM_NEVER : (SimTime) next * 1000;
  if (at == w->care.wakeup_at)
    return;
  if (w->care.wakeup_ev != EVQ_NONE)
    sim_cancel (w->core.sim, w->care.wakeup_ev);
  w->care.wakeup_ev = EVQ_NONE;
  w->care.wakeup_at = at;
  if (at != SIM_NEVER && at <= world_length (w))
    w->care.wakeup_ev = sim_at (w->core.sim, MAX (at, sim_now (w->core.sim)),
                           w->core.kinds[EV_WAKEUP], 0, 0);
}

static void
run_actions (World *w)
{
  /* enact() may feed the policy again (immediate ACTION_DONE), which
   * appends to w->care.actions and runs those at once: this call's actions
   * move onto the running stack first (no allocation once it has grown),
   * and each is copied out before it runs (a nested call may move the
   * stack). */
  guint n = w->care.actions->len;
  if (n == 0)
    return;
  GArray *st = w->care.running;
  guint base = st->len;
  g_array_append_vals (st, w->care.actions->data, n);
  g_array_set_size (w->care.actions, 0);
  /* The policy put these nodes in DRAINING when it asked: flag them
   * before any action runs, as an earlier one may end their job
   * (job_release_node then tells the policy they are idle). */
  for (guint i = 0; i < n; i++)
    {
      const HealthAction *a = &g_array_index (st, HealthAction, base + i);
      if (a->kind == HEALTH_ACTION_DRAIN && a->node < w->hw.n_nodes)
        {
          w->hw.nodes[a->node].may_drain = true;
          jobs_node_attn (w, a->node);
        }
    }
  for (guint i = 0; i < n; i++)
    {
      HealthAction a = g_array_index (st, HealthAction, base + i);
      enact (w, &a);
    }
  g_assert (st->len == base + n); /* nested calls gave back their part */
  g_array_set_size (st, base);
}

void
care_feed (World *w, const HealthObs *obs)
{
  health_policy_observe (w->care.health, obs, w->care.actions);
  run_actions (w);
  if (obs->node != HEALTH_NO_NODE && obs->node < w->hw.n_nodes)
    nodes_update_avail (w, obs->node);
  care_reschedule_wakeup (w);
}

static void
on_observe (Sim *sim, const SimEvent *e, void *ud)
{
  World *w = ud;
  PendingObs p = g_array_index (w->care.pobs, PendingObs, e->target);
  g_array_append_val (w->care.pobs_free, e->target);
  if (p.fault_check_node != NO_FAULT)
    {
      NodeRt *n = &w->hw.nodes[p.fault_check_node];
      if (n->fault_mode == NO_FAULT || n->fault_time != p.fault_time)
        return; /* repaired in the meantime */
      uint32_t job = jobs_on_node (w, p.fault_check_node);
      if (p.obs.kind == HEALTH_OBS_JOB_FAILED && job != NO_JOB)
        {
          /* silent data corruption noticed by the job: it stops now, and
           * the node it points at is excluded from the restart. */
          n->blamed = true;
          jobs_interrupt (w, g_ptr_array_index (w->jobs.all, job),
                         core_node_name (w, p.fault_check_node),
                         w->faults.modes[n->fault_mode].fm, NULL);
        }
    }
  p.obs.time = to_ms (sim_now (sim));
  care_feed (w, &p.obs);
}

static void
on_wakeup (Sim *sim, const SimEvent *e, void *ud)
{
  World *w = ud;
  w->care.wakeup_ev = EVQ_NONE;
  w->care.wakeup_at = SIM_NEVER;
  health_policy_wakeup (w->care.health, to_ms (sim_now (sim)), w->care.actions);
  run_actions (w);
  care_reschedule_wakeup (w);
}

static int
action_strength (HealthActionKind k)
{
  switch (k)
    {
    case HEALTH_ACTION_RESET_GPU: return 1;
    case HEALTH_ACTION_REBOOT: return 2;
    case HEALTH_ACTION_REIMAGE: return 3;
    case HEALTH_ACTION_OPEN_TICKET: return 5; /* a technician swaps the part */
    case HEALTH_ACTION_RMA: return 5;
    default: return -1;
    }
}

/* A ticket on a node with nothing wrong: the technician finds nothing
 * (assumption, docs/failure-modes.md). */
#define NO_FAULT_FOUND_H 1.0
/* A ticket on a link that is already back up: the technician checks it and
 * closes the ticket (assumption, docs/failure-modes.md). */
#define LINK_CHECK_H 0.25

/* How long a RESET_GPU, REBOOT or REIMAGE takes: on a node whose fault is
 * on that very path, the mode's repair time (by default the path's
 * cluster.*_time key; a scenario's failure_mode repair_time wins);
 * otherwise the path's time (catalog_repair_dist). Hours. */
static double
remedy_hours (World *w, HealthActionKind kind, const NodeRt *n)
{
  FlRepair path = kind == HEALTH_ACTION_RESET_GPU ? FL_REPAIR_RESET_GPU
                  : kind == HEALTH_ACTION_REBOOT ? FL_REPAIR_REBOOT : FL_REPAIR_REIMAGE;
  if (n->fault_mode != NO_FAULT && w->faults.modes[n->fault_mode].fm->repair == path)
    return dist_sample (&w->faults.modes[n->fault_mode].fm->repair_time, &w->faults.rng_misc);
  Dist d = catalog_repair_dist (w->core.cfg, path);
  return dist_sample (&d, &w->faults.rng_misc);
}

/* Tickets for the other links of a switch that is already being repaired
 * wait for that repair instead of taking a technician each. When the
 * switch is fixed (by its first ticket, or by another ticket that replaced
 * it: EXCEPT is the ticket just done, G_MAXUINT none), they are all done. */
void
care_switch_tickets_release (World *w, guint key, guint except)
{
  GArray *waiting = g_hash_table_lookup (w->care.switch_tickets, GUINT_TO_POINTER (key));
  if (waiting == NULL)
    return;
  g_hash_table_steal (w->care.switch_tickets, GUINT_TO_POINTER (key));
  /* Element 0: the ticket a technician works on (or will) for the switch.
   * When another repair fixed the switch first, the policy hears that its
   * repair is done now; the technician's work ends without a second word. */
  guint first = g_array_index (waiting, guint, 0);
  PendingAction *fp = &g_array_index (w->care.pact, PendingAction, first);
  if (first != except && !fp->done_early && fp->act.node == HEALTH_NO_NODE)
    {
      fp->done_early = true;
      HealthObs o;
      health_obs_init (&o, HEALTH_OBS_REPAIR_DONE, to_ms (sim_now (w->core.sim)));
      o.node = HEALTH_NO_NODE;
      o.link = fp->act.link;
      o.gpu = fp->act.gpu;
      o.action = fp->act.kind;
      o.ok = true;
      care_feed (w, &o);
    }
  for (guint i = 1; i < waiting->len; i++)
    sim_after (w->core.sim, 0, w->core.kinds[EV_ACTION_DONE], g_array_index (waiting, guint, i), 2);
  g_array_unref (waiting);
}

/* The first action on a node's fault detects it: its detection latency
 * (fault to now) goes into the run's quantile and the fault's
 * interruption rows (the node's, and a domain's by the domain's name).
 * Later actions on the same fault change nothing. NAME is the node's. */
void
care_mark_detected (World *w, uint32_t node, const char *name)
{
  NodeRt *n = &w->hw.nodes[node];
  if (n->fault_mode == NO_FAULT || n->detected)
    return;
  n->detected = true;
  double lat = simtime_to_min (sim_now (w->core.sim) - n->fault_time);
  stats_quantile_add (w->meter.detect_lat, lat);
  meter_set_detect (w, name, simtime_to_h (n->fault_time), lat);
  if (n->fault_group != NO_FAULT)
    {
      /* A domain's interruption row is named by the domain. */
      const char *db = faults_domain_name (w, w->faults.modes[n->fault_mode].fm->cls,
                                           n->fault_group);
      meter_set_detect (w, db, simtime_to_h (n->fault_time), lat);
    }
}

static void
start_ticket (World *w, guint slot)
{
  PendingAction *pa = &g_array_index (w->care.pact, PendingAction, slot);
  double hours = NO_FAULT_FOUND_H;
  if (pa->act.node != HEALTH_NO_NODE && pa->act.node < w->hw.n_nodes)
    {
      NodeRt *n = &w->hw.nodes[pa->act.node];
      if (n->fault_mode != NO_FAULT)
        hours = dist_sample (&w->faults.modes[n->fault_mode].fm->repair_time, &w->faults.rng_misc);
    }
  else if (pa->act.link != HEALTH_NO_LINK
           && pa->act.link < w->hw.n_cables + w->hw.n_uplinks + w->hw.n_corelinks
           && w->faults.link_down[pa->act.link]
           && w->faults.link_fault_mode[pa->act.link] != NO_FAULT)
    hours = dist_sample (&w->faults.modes[w->faults.link_fault_mode[pa->act.link]].fm->repair_time,
                         &w->faults.rng_misc);
  else if (pa->act.link != HEALTH_NO_LINK
           && pa->act.link < w->hw.n_cables + w->hw.n_uplinks + w->hw.n_corelinks
           && !w->faults.link_down[pa->act.link])
    hours = LINK_CHECK_H;
  w->care.techs_busy++;
  sim_after (w->core.sim, h_to_sim (hours), w->core.kinds[EV_ACTION_DONE], slot, 0);
}

static bool
ticket_needs_part (World *w, const HealthAction *a)
{
  if (a->node != HEALTH_NO_NODE && a->node < w->hw.n_nodes)
    {
      NodeRt *n = &w->hw.nodes[a->node];
      return n->fault_mode != NO_FAULT
             && faults_repair_strength (w->faults.modes[n->fault_mode].fm->repair) >= 4;
    }
  return a->link != HEALTH_NO_LINK && a->link < w->hw.n_cables + w->hw.n_uplinks + w->hw.n_corelinks
         && w->faults.link_down[a->link];
}

static void
dispatch_tickets (World *w)
{
  uint32_t cap = w->core.cfg->cluster_technicians > 0 ? (uint32_t) w->core.cfg->cluster_technicians
                                                 : UINT32_MAX;
  while (w->care.techs_busy < cap && !g_queue_is_empty (&w->care.tickets))
    {
      guint slot = GPOINTER_TO_UINT (g_queue_pop_head (&w->care.tickets));
      PendingAction *pa = &g_array_index (w->care.pact, PendingAction, slot);
      if (ticket_needs_part (w, &pa->act))
        {
          if (w->care.parts_stock < 1)
            {
              g_queue_push_tail (&w->care.parts_wait, GUINT_TO_POINTER (slot));
              continue;
            }
          if (isfinite (w->care.parts_stock))
            {
              w->care.parts_stock -= 1;
              sim_after (w->core.sim, simtime_from_s (w->core.cfg->cluster_restock_time),
                         w->core.kinds[EV_RESTOCK], 0, 0);
            }
        }
      start_ticket (w, slot);
    }
}

static void
on_restock (Sim *sim, const SimEvent *e, void *ud)
{
  World *w = ud;
  w->care.parts_stock += 1;
  /* Waiting tickets go back to the front of the technicians' queue. */
  while (!g_queue_is_empty (&w->care.parts_wait))
    g_queue_push_head (&w->care.tickets, g_queue_pop_tail (&w->care.parts_wait));
  dispatch_tickets (w);
}

void
care_kill_job (World *w, uint32_t node, const char *cause)
{
  NodeRt *n = &w->hw.nodes[node];
  uint32_t job = jobs_on_node (w, node);
  if (job == NO_JOB)
    return;
  const char *nb = core_node_name (w, node);
  Job *j = g_ptr_array_index (w->jobs.all, job);
  if (n->fault_mode != NO_FAULT)
    jobs_interrupt_node (w, j, node, nb, w->faults.modes[n->fault_mode].fm, NULL);
  else
    jobs_interrupt_node (w, j, node, nb, NULL, cause);
}

static void
action_later (World *w, const HealthAction *a, double hours)
{
  PendingAction pa = { .act = *a };
  guint slot = core_slab_take (w->care.pact, w->care.pact_free, &pa);
  sim_after (w->core.sim, h_to_sim (hours), w->core.kinds[EV_ACTION_DONE], slot, 0);
}

static void
enact (World *w, const HealthAction *a)
{
  uint32_t node = a->node;
  bool has_node = node != HEALTH_NO_NODE && node < w->hw.n_nodes;
  bool has_link = a->link != HEALTH_NO_LINK
                  && a->link < w->hw.n_cables + w->hw.n_uplinks + w->hw.n_corelinks;
  NodeRt *n = has_node ? &w->hw.nodes[node] : NULL;
  w->meter.m->policy_actions++;
  const char *name = "";
  if (has_node)
    name = core_node_name (w, node);
  else if (has_link)
    {
      uint32_t idx;
      TopoKind k = core_topo_link_of (w, a->link, &idx);
      name = core_comp_name (w, k, idx);
    }
  WorldEvent ev;
  bus_event_init (&ev, WEV_POLICY_ACTION);
  ev.component = name;
  ev.node = has_node ? (int32_t) node : -1;
  ev.action.action = health_action_name (a->kind);
  ev.action.reason = a->reason;
  bus_emit (w, &ev);
  if (n != NULL)
    care_mark_detected (w, node, name);
  else if (has_link)
    {
      /* A link fault's detection latency: from the fault to the policy's
       * first action on the link, as for a node. */
      SimTime ft;
      if (faults_link_detected (w, a->link, &ft))
        {
          double lat = simtime_to_min (sim_now (w->core.sim) - ft);
          stats_quantile_add (w->meter.detect_lat, lat);
          meter_set_detect (w, name, simtime_to_h (ft), lat);
        }
    }
  HealthObs o;
  switch (a->kind)
    {
    case HEALTH_ACTION_NONE:
      break;
    case HEALTH_ACTION_CORDON:
    case HEALTH_ACTION_RETURN_TO_SERVICE:
    case HEALTH_ACTION_QUARANTINE:
      break;
    case HEALTH_ACTION_DRAIN:
      /* A busy node is answered when its job leaves it (may_drain). */
      if (n != NULL && jobs_on_node (w, node) == NO_JOB)
        {
          health_obs_init (&o, HEALTH_OBS_ACTION_DONE, 0);
          o.node = node;
          o.action = HEALTH_ACTION_DRAIN;
          o.ok = true;
          care_observe_at (w, &o, sim_now (w->core.sim), NO_FAULT);
        }
      break;
    case HEALTH_ACTION_EVICT:
      if (n != NULL)
        care_kill_job (w, node, "Policy eviction");
      break;
    case HEALTH_ACTION_RUN_DIAG:
      if (n != NULL)
        {
          n->busy_action = true;
          action_later (w, a, (double) w->care.hp->diag_duration_ms / 3.6e6);
        }
      break;
    case HEALTH_ACTION_RESET_GPU:
    case HEALTH_ACTION_REBOOT:
    case HEALTH_ACTION_REIMAGE:
      if (n != NULL)
        {
          care_kill_job (w, node, "Remediation");
          n->busy_action = true;
          action_later (w, a, remedy_hours (w, a->kind, n));
        }
      break;
    case HEALTH_ACTION_DISABLE_PORT:
    case HEALTH_ACTION_ENABLE_PORT:
      if (has_link && a->link < w->hw.n_cables)
        {
          /* An administratively disabled node port keeps the node out of
           * the scheduler's pool. */
          uint32_t nd = a->link / w->hw.rails, rail = a->link % w->hw.rails;
          bool disable = a->kind == HEALTH_ACTION_DISABLE_PORT;
          if (w->hw.link_admin[a->link] != disable)
            {
              w->hw.link_admin[a->link] = disable;
              faults_rail_down (w, nd, rail, a->link, disable, true);
            }
        }
      break;
    case HEALTH_ACTION_OPEN_TICKET:
      if (n != NULL)
        {
          care_kill_job (w, node, "Remediation");
          n->busy_action = true;
        }
      w->meter.m->tickets++;
      {
        PendingAction pa = { .act = *a };
        guint slot = core_slab_take (w->care.pact, w->care.pact_free, &pa);
        guint key = n == NULL && has_link && w->faults.link_down[a->link]
                      ? faults_link_failed_switch (w, a->link) : 0;
        if (key != 0)
          {
            GArray *waiting = g_hash_table_lookup (w->care.switch_tickets, GUINT_TO_POINTER (key));
            if (waiting != NULL)
              {
                g_array_append_val (waiting, slot);
                break;
              }
            GArray *first = g_array_new (FALSE, FALSE, sizeof (guint));
            g_array_append_val (first, slot);
            g_hash_table_insert (w->care.switch_tickets, GUINT_TO_POINTER (key), first);
          }
        g_queue_push_tail (&w->care.tickets, GUINT_TO_POINTER (slot));
        dispatch_tickets (w);
      }
      break;
    case HEALTH_ACTION_RMA:
      if (n != NULL)
        {
          care_kill_job (w, node, "Remediation");
          n->busy_action = true;
        }
      w->meter.m->tickets++;
      {
        /* The rma path's time (uniform 3-5 days), its mean
         * cluster.rma_lead_time (docs/failure-modes.md). */
        Dist lead = catalog_repair_dist (w->core.cfg, FL_REPAIR_RMA);
        action_later (w, a, dist_sample (&lead, &w->faults.rng_misc));
      }
      break;
    case HEALTH_ACTION_BURNIN:
      if (n != NULL)
        {
          n->busy_action = true;
          action_later (w, a, w->core.cfg->cluster_burnin_time / 3600.0);
        }
      break;
    default:
      break;
    }
  if (has_node)
    nodes_update_avail (w, node);
}

static void
on_action_done (Sim *sim, const SimEvent *e, void *ud)
{
  World *w = ud;
  PendingAction pa = g_array_index (w->care.pact, PendingAction, e->target);
  g_array_append_val (w->care.pact_free, e->target);
  const HealthAction *a = &pa.act;
  uint32_t node = a->node;
  bool has_node = node != HEALTH_NO_NODE && node < w->hw.n_nodes;
  NodeRt *n = has_node ? &w->hw.nodes[node] : NULL;
  HealthObs o;
  health_obs_init (&o, HEALTH_OBS_ACTION_DONE, to_ms (sim_now (sim)));
  o.node = has_node ? node : HEALTH_NO_NODE;
  o.link = a->link;
  o.gpu = a->gpu;
  o.action = a->kind;
  switch (a->kind)
    {
    case HEALTH_ACTION_NONE: /* a transient fault clears by itself */
      if (n != NULL)
        faults_clear_node (w, node);
      else if (a->link != HEALTH_NO_LINK
               && a->link < w->hw.n_cables + w->hw.n_uplinks + w->hw.n_corelinks
               && w->faults.link_down[a->link]
               && to_ms (w->faults.link_fault_time[a->link]) == a->time)
        faults_restore_link (w, a->link);
      return;
    case HEALTH_ACTION_RUN_DIAG:
      n->busy_action = false;
      o.kind = HEALTH_OBS_DCGM_ACTIVE;
      o.check = HEALTH_CHECK_DIAG;
      if (n->fault_mode != NO_FAULT)
        o.passed = rng_uniform (&w->care.rng_diag) < w->care.hp->false_negative_prob;
      else
        o.passed = !(rng_uniform (&w->care.rng_diag) < w->care.hp->false_positive_prob);
      break;
    case HEALTH_ACTION_RESET_GPU:
    case HEALTH_ACTION_REBOOT:
    case HEALTH_ACTION_REIMAGE:
      n->busy_action = false;
      if (n->fault_mode != NO_FAULT
          && action_strength (a->kind) >= faults_repair_strength (w->faults.modes[n->fault_mode].fm->repair))
        faults_clear_node (w, node);
      faults_avert_pending (w, node, action_strength (a->kind));
      o.ok = n->fault_mode == NO_FAULT && n->rails_disabled == 0;
      break;
    case HEALTH_ACTION_OPEN_TICKET:
    case HEALTH_ACTION_RMA:
      {
      guint sw_key = a->link != HEALTH_NO_LINK && a->link < w->hw.n_cables + w->hw.n_uplinks + w->hw.n_corelinks
                       && w->faults.link_down[a->link] ? faults_link_failed_switch (w, a->link) : 0;
      if (a->kind == HEALTH_ACTION_OPEN_TICKET && e->data != 2)
        {
          w->care.techs_busy--;
          dispatch_tickets (w);
        }
      if (pa.done_early)
        return; /* the policy heard of this repair when the switch was fixed */
      o.kind = HEALTH_OBS_REPAIR_DONE;
      if (n != NULL)
        {
          n->busy_action = false;
          faults_clear_node (w, node);
          faults_avert_pending (w, node, action_strength (a->kind));
          /* The technician also reseats the node's own cables (a failed
           * leaf is the leaf's ticket, not this one). */
          for (uint32_t r = 0; r < w->hw.rails; r++)
            {
              uint32_t h = node * w->hw.rails + r;
              if (w->faults.link_down[h] && faults_link_failed_switch (w, h) == 0)
                faults_repair_link (w, h);
              faults_avert_pending_link (w, h);
            }
        }
      if (a->link != HEALTH_NO_LINK)
        {
          faults_repair_link (w, a->link);
          faults_avert_pending_link (w, a->link);
        }
      if (sw_key != 0)
        care_switch_tickets_release (w, sw_key, e->target);
      o.ok = true;
      break;
      }
    case HEALTH_ACTION_BURNIN:
      n->busy_action = false;
      o.kind = HEALTH_OBS_BURNIN_RESULT;
      o.passed = n->fault_mode == NO_FAULT;
      break;
    case HEALTH_ACTION_RETURN_TO_SERVICE:
      /* The end of a planned maintenance (world_maintenance): the node is
       * back; the policy was never told it left. */
      if (n != NULL)
        {
          n->in_maintenance = false;
          nodes_update_avail (w, node);
        }
      return;
    default:
      return;
    }
  care_feed (w, &o);
  if (has_node)
    nodes_update_avail (w, node);
}

/* The policy's state of a node (what the other modules may know of the
 * policy). */
/* The two enums list the same states in the same order (events.jsonl's
 * node_state numbers and metrics' columns depend on it); a state a plugin
 * makes up passes through, and world_node_state_name() calls it "?", as
 * health_node_state_name() does. */
G_STATIC_ASSERT ((int) WORLD_NODE_HEALTHY == (int) HEALTH_NODE_HEALTHY);
G_STATIC_ASSERT ((int) WORLD_NODE_SUSPECT == (int) HEALTH_NODE_SUSPECT);
G_STATIC_ASSERT ((int) WORLD_NODE_CORDONED == (int) HEALTH_NODE_CORDONED);
G_STATIC_ASSERT ((int) WORLD_NODE_DRAINING == (int) HEALTH_NODE_DRAINING);
G_STATIC_ASSERT ((int) WORLD_NODE_REMEDIATING == (int) HEALTH_NODE_REMEDIATING);
G_STATIC_ASSERT ((int) WORLD_NODE_IN_REPAIR == (int) HEALTH_NODE_IN_REPAIR);
G_STATIC_ASSERT ((int) WORLD_NODE_BURN_IN == (int) HEALTH_NODE_BURN_IN);
G_STATIC_ASSERT ((int) WORLD_NODE_QUARANTINED == (int) HEALTH_NODE_QUARANTINED);
G_STATIC_ASSERT ((int) WORLD_NODE_N_STATES == (int) HEALTH_NODE_N_STATES);

WorldNodeState
care_node_state (const World *w, uint32_t node)
{
  return (WorldNodeState) health_policy_node_state (w->care.health, node);
}

bool
care_node_state_counts (const World *w, uint32_t counts[WORLD_NODE_N_STATES])
{
  return health_policy_node_state_counts (w->care.health, counts);
}

/* policy.health's class with its defaults and the health.* keys, without
 * a world (faultline replay); world.h states the contract. Lives here
 * because this module is the only user of the health policy. */
const HealthPolicyClass *
world_config_health_policy (const WorldConfig *cfg, const char *name,
                            HealthParams *params, GError **error)
{
  g_return_val_if_fail (cfg != NULL && params != NULL, NULL);
  if (name == NULL && cfg->health_factory != NULL)
    {
      g_set_error (error, WORLD_ERROR, WORLD_ERROR_INVALID,
                   "the scenario's health policy is written in Lua and needs "
                   "a running world; name a built-in policy (%s)",
                   health_policy_class_names ());
      return NULL;
    }
  if (name == NULL && cfg->policy_health_plugin != NULL
      && *cfg->policy_health_plugin)
    {
      g_set_error (error, WORLD_ERROR, WORLD_ERROR_INVALID,
                   "the scenario's health policy is the plugin %s; name a "
                   "built-in policy (%s)", cfg->policy_health_plugin,
                   health_policy_class_names ());
      return NULL;
    }
  const char *policy = name != NULL ? name : cfg->policy_health;
  const HealthPolicyClass *cls = health_policy_class_lookup (policy);
  if (cls == NULL)
    {
      g_set_error (error, WORLD_ERROR, WORLD_ERROR_INVALID,
                   "unknown health policy '%s' (%s)", policy,
                   health_policy_class_names ());
      return NULL;
    }
  health_params_default (params, policy);
  for (guint i = 0; i < cfg->health_kv->len; i++)
    {
      WorldKV *kv = &g_array_index (cfg->health_kv, WorldKV, i);
      if (!health_params_set (params, kv->key, kv->value, error))
        return NULL;
    }
  return cls;
}

/* ---- the configuration's view of the policy ---- */

/* policy.health's names: the built-in classes (health_policy_class_names),
 * split once. */
const char *const *
care_health_names (void)
{
  static char **names;
  static gsize done = 0;
  if (g_once_init_enter (&done))
    {
      names = g_strsplit (health_policy_class_names (), ", ", -1);
      g_once_init_leave (&done, 1);
    }
  return (const char *const *) names;
}

bool
care_param_check (const char *key, const char *value, GError **error)
{
  HealthParams hp;
  health_params_default (&hp, "standard");
  return health_params_set (&hp, key, value, error);
}

/* ---- the module ---- */

/* Builds the health policy: one named by policy.health, the class of the
 * plugin the caller loaded (world_new_with), or one made by the
 * configuration's factory (Lua). */
static bool
care_init (World *w, GError **error)
{
  w->care.actions = g_array_new (FALSE, FALSE, sizeof (HealthAction));
  w->care.running = g_array_new (FALSE, FALSE, sizeof (HealthAction));
  w->care.pobs = g_array_new (FALSE, FALSE, sizeof (PendingObs));
  w->care.pobs_free = g_array_new (FALSE, FALSE, sizeof (guint));
  w->care.pact = g_array_new (FALSE, FALSE, sizeof (PendingAction));
  w->care.pact_free = g_array_new (FALSE, FALSE, sizeof (guint));
  g_queue_init (&w->care.tickets);
  g_queue_init (&w->care.parts_wait);
  w->care.switch_tickets = g_hash_table_new_full (g_direct_hash, g_direct_equal, NULL,
                                                  (GDestroyNotify) g_array_unref);
  w->care.wakeup_at = SIM_NEVER;
  rng_stream_init (&w->care.rng_diag, w->core.seed, "health", "diag");
  w->care.parts_stock = w->core.cfg->cluster_spare_parts > 0
                          ? w->core.cfg->cluster_spare_parts : INFINITY;
  w->core.kinds[EV_OBSERVE] = sim_register (w->core.sim, "observe", on_observe, w);
  w->core.kinds[EV_ACTION_DONE] = sim_register (w->core.sim, "action-done", on_action_done, w);
  w->core.kinds[EV_WAKEUP] = sim_register (w->core.sim, "policy-wakeup", on_wakeup, w);
  w->core.kinds[EV_RESTOCK] = sim_register (w->core.sim, "restock", on_restock, w);

  const WorldConfig *cfg = w->core.cfg;
  HealthParams hp;
  const HealthPolicyClass *cls = NULL;
  bool has_plugin = w->care.plugin_class != NULL
                    || (cfg->policy_health_plugin != NULL
                        && *cfg->policy_health_plugin);
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
      /* Plugins are loaded by the composition root (lib/), never here. */
      cls = w->care.plugin_class;
      if (cls == NULL)
        {
          g_set_error (error, WORLD_ERROR, WORLD_ERROR_INVALID,
                       "policy.health_plugin = %s was not loaded: the caller "
                       "loads plugins and passes the class to world_new_with()",
                       cfg->policy_health_plugin);
          return false;
        }
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

  return true;
}

static void
care_fini (World *w)
{
  health_policy_free (w->care.health);
  g_clear_pointer (&w->care.actions, g_array_unref);
  g_clear_pointer (&w->care.running, g_array_unref);
  g_clear_pointer (&w->care.pobs, g_array_unref);
  g_clear_pointer (&w->care.pobs_free, g_array_unref);
  g_clear_pointer (&w->care.pact, g_array_unref);
  g_clear_pointer (&w->care.pact_free, g_array_unref);
  g_queue_clear (&w->care.tickets);
  g_queue_clear (&w->care.parts_wait);
  g_clear_pointer (&w->care.switch_tickets, g_hash_table_unref);
}

const WorldModule world_care_module = {
  .name = "care", .init = care_init, .fini = care_fini,
};
