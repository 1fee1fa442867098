/* models/world-script.c - the scenario API while the run goes: fail,
 * repair, degrade, maintenance, at/every timers and read-only queries
 * (world.h, "actions a script may take"). Names are resolved here, at the
 * edge; the modules below see kind + index only. */
#include "world-int.h"

#include <math.h>
#include <string.h>

/* The timer fires its callback first and is scheduled again afterwards,
 * only when the callback asks to continue: an every() whose function returns
 * false costs no further events. */
static void
on_timer (Sim *sim, const SimEvent *e, void *ud)
{
  World *w = ud;
  TimerRt t = g_array_index (w->script.timers, TimerRt, e->target);
  WorldTimerResult r = WORLD_TIMER_CONTINUE;
  if (w->bus.script_error != NULL)
    return;
  if (w->bus.hooks.timer != NULL)
    r = w->bus.hooks.timer (w->bus.hooks.user_data, w, t.cb, &w->bus.script_error);
  if (r == WORLD_TIMER_FAILED || w->bus.script_error != NULL)
    {
      if (w->bus.script_error == NULL)
        g_set_error (&w->bus.script_error, WORLD_ERROR, WORLD_ERROR_SCRIPT,
                     "a script callback failed");
      sim_stop (sim);
      return;
    }
  if (r == WORLD_TIMER_CONTINUE && t.period > 0)
    {
      SimTime next = sim_now (sim) + t.period;
      if (next <= world_length (w))
        sim_at (sim, next, w->core.kinds[EV_TIMER], e->target, 0);
    }
}

static guint
glob_or_error (World *w, const char *pattern, GArray *refs, GError **error)
{
  guint n = topo_glob (w->hw.topo, pattern, refs);
  if (n == 0)
    g_set_error (error, WORLD_ERROR, WORLD_ERROR_INVALID,
                 "no component matches '%s' (names look like node0412, node0412/gpu5, "
                 "leaf-su03-r5, spine-07, rack-051; 'faultline topo --inventory' lists them)",
                 pattern);
  return n;
}

/* The mode to use for a component of this class: the named one, or the
 * first enabled mode of the class. */
static bool
find_mode_for (World *w, FlClass cls, const char *mode, uint32_t *out, GError **error)
{
  for (uint32_t mi = 0; mi < w->faults.n_modes; mi++)
    {
      FlFailureMode *fm = w->faults.modes[mi].fm;
      if (mode != NULL ? strcmp (fm->name, mode) == 0 : fm->cls == cls)
        {
          if (mode != NULL && fm->cls != cls)
            {
              g_set_error (error, WORLD_ERROR, WORLD_ERROR_INVALID,
                           "failure mode '%s' is a %s mode, not a %s one", mode,
                           fl_class_name (fm->cls), fl_class_name (cls));
              return false;
            }
          *out = mi;
          return true;
        }
    }
  g_set_error (error, WORLD_ERROR, WORLD_ERROR_INVALID,
               mode ? "unknown failure mode '%s'" : "no failure mode for class %s",
               mode ? mode : fl_class_name (cls));
  return false;
}

static bool
class_of_kind (TopoKind k, FlClass *cls)
{
  switch (k)
    {
    case TOPO_NODE: *cls = FL_CLASS_NODE; return true;
    case TOPO_GPU: *cls = FL_CLASS_GPU; return true;
    case TOPO_NIC: *cls = FL_CLASS_NIC; return true;
    case TOPO_CABLE: *cls = FL_CLASS_CABLE; return true;
    case TOPO_LEAF: *cls = FL_CLASS_LEAF; return true;
    case TOPO_SPINE: *cls = FL_CLASS_SPINE; return true;
    case TOPO_CORE: *cls = FL_CLASS_CORE; return true;
    case TOPO_UPLINK: case TOPO_CORELINK: *cls = FL_CLASS_UPLINK; return true;
    case TOPO_RACK: *cls = FL_CLASS_RACK; return true;
    case TOPO_ROW: *cls = FL_CLASS_ROW; return true;
    default: return false;
    }
}

int
world_fail (World *w, const char *pattern, const char *mode, GError **error)
{
  g_autoptr (GArray) refs = g_array_new (FALSE, FALSE, sizeof (TopoRef));
  if (glob_or_error (w, pattern, refs, error) == 0)
    return 0;
  int count = 0;
  for (guint i = 0; i < refs->len; i++)
    {
      TopoRef r = g_array_index (refs, TopoRef, i);
      FlClass cls;
      uint32_t mi;
      if (!class_of_kind (r.kind, &cls) || !find_mode_for (w, cls, mode, &mi, error))
        return count;
      uint32_t inst = r.index;
      if (r.kind == TOPO_CORELINK)
        inst += w->hw.n_uplinks;
      count += faults_fail_scripted (w, mi, inst);
    }
  return count;
}

int
world_repair (World *w, const char *pattern, GError **error)
{
  g_autoptr (GArray) refs = g_array_new (FALSE, FALSE, sizeof (TopoRef));
  if (glob_or_error (w, pattern, refs, error) == 0)
    return 0;
  int count = 0;
  for (guint i = 0; i < refs->len; i++)
    {
      TopoRef r = g_array_index (refs, TopoRef, i);
      switch (r.kind)
        {
        case TOPO_NODE:
        case TOPO_GPU:
          {
            uint32_t node = r.kind == TOPO_GPU ? r.index / w->hw.gpn : r.index;
            if (w->hw.nodes[node].fault_mode != NO_FAULT)
              {
                faults_clear_node (w, node);
                count++;
              }
            break;
          }
        case TOPO_NIC:
        case TOPO_CABLE:
        case TOPO_UPLINK:
        case TOPO_CORELINK:
          {
            uint32_t h = core_health_link_of (w, r.kind == TOPO_NIC ? TOPO_CABLE : r.kind, r.index);
            if (h != HEALTH_NO_LINK && w->faults.link_down[h])
              {
                faults_repair_link (w, h);
                count++;
              }
            break;
          }
        case TOPO_LEAF:
        case TOPO_SPINE:
        case TOPO_CORE:
          if (fabric_switch_failed (w->hw.fabric, r.kind, r.index))
            {
              fabric_restore_switch (w->hw.fabric, r.kind, r.index);
              const TopoRef *lr;
              uint32_t n;
              topo_switch_links (w->hw.topo, r.kind, r.index, &lr, &n);
              for (uint32_t k = 0; k < n; k++)
                if (!faults_link_end_failed (w, lr[k].kind, lr[k].index))
                  faults_restore_link (w, core_health_link_of (w, lr[k].kind, lr[k].index));
              jobs_update_all_bandwidth (w);
              count++;
            }
          break;
        case TOPO_RACK:
        case TOPO_ROW:
          {
            /* A power domain: the fault it put on its nodes is cleared
             * (faults_clear_node clears the whole group: a row's cooling
             * loop too, which may span more rows); a node's own fault
             * stays. */
            bool any = false;
            for (uint32_t k = 0; k < w->hw.n_nodes; k++)
              {
                NodeRt *n = &w->hw.nodes[k];
                uint32_t d = r.kind == TOPO_RACK ? topo_node_rack (w->hw.topo, k)
                                                 : topo_node_row (w->hw.topo, k);
                FlClass cls = n->fault_mode != NO_FAULT
                                ? w->faults.modes[n->fault_mode].fm->cls : FL_CLASS_GPU;
                bool domain_fault = r.kind == TOPO_RACK
                                      ? cls == FL_CLASS_RACK
                                      : cls == FL_CLASS_ROW || cls == FL_CLASS_COOLING;
                if (d == r.index && n->fault_mode != NO_FAULT && domain_fault
                    && n->fault_group == faults_node_domain (w, cls, k))
                  {
                    faults_clear_node (w, k);
                    any = true;
                  }
              }
            count += any;
            break;
          }
        default:
          break;
        }
    }
  return count;
}

int
world_degrade (World *w, const char *pattern, double fraction, GError **error)
{
  if (!(fraction >= 0 && fraction <= 1))
    {
      g_set_error (error, WORLD_ERROR, WORLD_ERROR_INVALID,
                   "degrade: fraction %g must be between 0 and 1", fraction);
      return 0;
    }
  g_autoptr (GArray) refs = g_array_new (FALSE, FALSE, sizeof (TopoRef));
  if (glob_or_error (w, pattern, refs, error) == 0)
    return 0;
  /* Flow-level: a degraded group of links keeps `fraction` of them alive
   * (the first ceil(n * fraction) stay up). */
  GArray *links = g_array_new (FALSE, FALSE, sizeof (TopoRef));
  for (guint i = 0; i < refs->len; i++)
    {
      TopoRef r = g_array_index (refs, TopoRef, i);
      if (r.kind == TOPO_UPLINK || r.kind == TOPO_CORELINK || r.kind == TOPO_CABLE)
        g_array_append_val (links, r);
      else if (r.kind == TOPO_LEAF || r.kind == TOPO_SPINE || r.kind == TOPO_CORE)
        {
          const TopoRef *lr;
          uint32_t n;
          topo_switch_links (w->hw.topo, r.kind, r.index, &lr, &n);
          for (uint32_t k = 0; k < n; k++)
            if (lr[k].kind != TOPO_CABLE)
              g_array_append_val (links, lr[k]);
        }
    }
  guint keep = (guint) ceil (links->len * fraction);
  int count = 0;
  for (guint i = keep; i < links->len; i++)
    {
      TopoRef r = g_array_index (links, TopoRef, i);
      uint32_t h = core_health_link_of (w, r.kind, r.index);
      if (h == HEALTH_NO_LINK || w->faults.link_down[h])
        continue;
      w->faults.link_down[h] = 1;
      fabric_fail_link (w->hw.fabric, r.kind, r.index);
      if (r.kind == TOPO_CABLE)
        faults_rail_down (w, r.index / w->hw.rails, r.index % w->hw.rails, h, true, false);
      count++;
    }
  g_array_unref (links);
  if (count == 0 && error != NULL && *error == NULL && keep == refs->len)
    return 0;
  jobs_update_all_bandwidth (w);
  return count;
}

int
world_maintenance (World *w, const char *pattern, SimTime duration, GError **error)
{
  g_autoptr (GArray) refs = g_array_new (FALSE, FALSE, sizeof (TopoRef));
  if (glob_or_error (w, pattern, refs, error) == 0)
    return 0;
  int count = 0;
  for (guint i = 0; i < refs->len; i++)
    {
      TopoRef r = g_array_index (refs, TopoRef, i);
      if (r.kind != TOPO_NODE)
        continue;
      NodeRt *n = &w->hw.nodes[r.index];
      if (n->busy_action || n->in_maintenance)
        continue;
      SimTime starts = sim_now (w->core.sim); /* when the node is free */
      uint32_t job = jobs_on_node (w, r.index);
      if (job != NO_JOB)
        starts = jobs_drain (w, g_ptr_array_index (w->jobs.all, job));
      n->in_maintenance = true;
      nodes_update_avail (w, r.index);
      HealthAction a = { .kind = HEALTH_ACTION_RETURN_TO_SERVICE, .node = r.index,
                         .gpu = HEALTH_NO_GPU, .link = HEALTH_NO_LINK,
                         .reason = "planned maintenance" };
      PendingAction pa = { .act = a };
      guint slot = core_slab_take (w->care.pact, w->care.pact_free, &pa);
      sim_at (w->core.sim, starts + duration, w->core.kinds[EV_ACTION_DONE], slot, 1);
      count++;
    }
  if (count == 0)
    g_set_error (error, WORLD_ERROR, WORLD_ERROR_INVALID,
                 "maintenance: '%s' matches no idle node", pattern);
  return count;
}

void
world_at (World *w, SimTime when, uint64_t cb)
{
  world_every (w, when, 0, cb);
}

void
world_every (World *w, SimTime first, SimTime period, uint64_t cb)
{
  TimerRt t = { cb, period };
  g_array_append_val (w->script.timers, t);
  SimTime at = MAX (first, sim_now (w->core.sim));
  if (at <= world_length (w))
    sim_at (w->core.sim, at, w->core.kinds[EV_TIMER], w->script.timers->len - 1, 0);
}

bool
world_component_state (World *w, const char *name, const char **state, GError **error)
{
  TopoKind k;
  uint32_t idx;
  if (!topo_lookup (w->hw.topo, name, &k, &idx))
    {
      g_set_error (error, WORLD_ERROR, WORLD_ERROR_INVALID, "no component named '%s'", name);
      return false;
    }
  switch (k)
    {
    case TOPO_NODE:
    case TOPO_GPU:
      {
        uint32_t node = k == TOPO_GPU ? idx / w->hw.gpn : idx;
        WorldNodeState s = care_node_state (w, node);
        if (w->hw.nodes[node].fault_mode != NO_FAULT && s == WORLD_NODE_HEALTHY)
          *state = "down";
        else
          *state = world_node_state_name (s);
        return true;
      }
    case TOPO_NIC:
    case TOPO_CABLE:
    case TOPO_UPLINK:
    case TOPO_CORELINK:
      {
        uint32_t h = core_health_link_of (w, k == TOPO_NIC ? TOPO_CABLE : k, idx);
        *state = h != HEALTH_NO_LINK && w->faults.link_down[h] ? "down" : "active";
        return true;
      }
    case TOPO_LEAF:
    case TOPO_SPINE:
    case TOPO_CORE:
      *state = fabric_switch_failed (w->hw.fabric, k, idx) ? "down" : "active";
      return true;
    case TOPO_RACK:
    case TOPO_ROW:
      {
        /* A power domain is down while its nodes carry its fault (a
         * row's too while its cooling loop is out). */
        for (uint32_t i = 0; i < w->hw.n_nodes; i++)
          {
            const NodeRt *n = &w->hw.nodes[i];
            uint32_t d = k == TOPO_RACK ? topo_node_rack (w->hw.topo, i) : topo_node_row (w->hw.topo, i);
            FlClass cls = n->fault_mode != NO_FAULT ? w->faults.modes[n->fault_mode].fm->cls
                                                    : FL_CLASS_GPU;
            bool domain_fault = k == TOPO_RACK ? cls == FL_CLASS_RACK
                                               : cls == FL_CLASS_ROW || cls == FL_CLASS_COOLING;
            if (d == idx && domain_fault && n->fault_group == faults_node_domain (w, cls, i))
              {
                *state = "down";
                return true;
              }
          }
        *state = "active";
        return true;
      }
    default:
      *state = "active";
      return true;
    }
}

/* ---- the nodes' failure history (node_history() in Lua) ----
 *
 * Kept from the events the faults module emits, as a listener: a
 * node_failed opens a record, the node's component_repaired (emitted by
 * faults_clear_node for the node and for each node of a cleared power
 * domain) closes its open one. Reading it changes nothing in the run. */

static void
history_listen (const WorldEvent *ev, void *ud)
{
  World *w = ud;
  if (ev->node < 0 || (uint32_t) ev->node >= w->hw.n_nodes)
    return;
  GArray **h = &w->script.history[ev->node];
  if (ev->kind == WEV_NODE_FAILED)
    {
      if (*h == NULL)
        *h = g_array_new (FALSE, FALSE, sizeof (WorldNodeFailure));
      WorldNodeFailure f = { .time = ev->time, .mode = ev->fault.mode,
                             .cause = ev->fault.cause, .repaired = -1 };
      g_array_append_val (*h, f);
    }
  else if (ev->kind == WEV_COMPONENT_REPAIRED && *h != NULL && (*h)->len > 0)
    {
      WorldNodeFailure *f = &g_array_index (*h, WorldNodeFailure, (*h)->len - 1);
      if (f->repaired < 0)
        f->repaired = ev->time;
    }
}

static bool
node_or_error (const World *w, const char *name, uint32_t *node,
               GError **error)
{
  TopoKind k;
  if (!topo_lookup (w->hw.topo, name, &k, node) || k != TOPO_NODE)
    {
      g_set_error (error, WORLD_ERROR, WORLD_ERROR_INVALID,
                   "'%s' is not a node (names look like node0412; 'faultline "
                   "topo --inventory' lists them)", name);
      return false;
    }
  return true;
}

bool
world_set_node_rate (World *w, const char *node, double multiplier,
                     double reset_p, GError **error)
{
  g_return_val_if_fail (w != NULL && node != NULL, false);
  uint32_t idx;
  if (!node_or_error (w, node, &idx, error)
      || !world_range_check ("node_rate.multiplier", multiplier, error)
      || !world_range_check ("node_rate.reset_probability", reset_p, error))
    return false;
  faults_set_node_rate (w, idx, multiplier, reset_p);
  return true;
}

double
world_node_rate (const World *w, const char *node, GError **error)
{
  g_return_val_if_fail (w != NULL && node != NULL, NAN);
  uint32_t idx;
  if (!node_or_error (w, node, &idx, error))
    return NAN;
  return faults_node_rate (w, idx);
}

const char *
world_node_name (const World *w, uint32_t node, char *buf, size_t len)
{
  g_return_val_if_fail (w != NULL && buf != NULL && node < w->hw.n_nodes, NULL);
  g_strlcpy (buf, core_node_name (w, node), len);
  return buf;
}

const WorldNodeFailure *
world_node_history (const World *w, const char *node, guint *n,
                    GError **error)
{
  g_return_val_if_fail (w != NULL && node != NULL && n != NULL, NULL);
  uint32_t idx;
  *n = 0;
  if (!node_or_error (w, node, &idx, error))
    return NULL;
  const GArray *h = w->script.history[idx];
  if (h == NULL)
    return NULL;
  *n = h->len;
  return (const WorldNodeFailure *) h->data;
}

/* ---- the module ---- */

static bool
script_init (World *w, GError **error)
{
  w->script.timers = g_array_new (FALSE, FALSE, sizeof (TimerRt));
  w->script.history = g_new0 (GArray *, MAX (w->hw.n_nodes, 1));
  w->core.kinds[EV_TIMER] = sim_register (w->core.sim, "timer", on_timer, w);
  return true;
}

/* The at() and every() registered while the scenario was loaded. */
static bool
script_start (World *w, GError **error)
{
  world_add_listener (w, history_listen, w);
  for (guint i = 0; i < w->core.cfg->timers->len; i++)
    {
      WorldTimerReg *r = &g_array_index (w->core.cfg->timers, WorldTimerReg, i);
      world_every (w, r->first, r->period, r->cb);
    }
  return true;
}

static void
script_fini (World *w)
{
  g_clear_pointer (&w->script.timers, g_array_unref);
  if (w->script.history != NULL)
    for (uint32_t i = 0; i < w->hw.n_nodes; i++)
      if (w->script.history[i] != NULL)
        g_array_unref (w->script.history[i]);
  g_clear_pointer (&w->script.history, g_free);
}

const WorldModule world_script_module = {
  .name = "script", .init = script_init, .start = script_start,
  .fini = script_fini,
};
