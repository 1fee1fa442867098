/* policy/health_policies.c - the built-in health policies "reactive",
 * "standard" and "proactive": one node/link state-machine engine whose
 * behaviour is set by HealthParams and a flavour (which Xids count, whether
 * job failures trigger a diag or a reboot). docs/policies.md describes each
 * transition and the Xid table with its sources. Not here: the wrapper and
 * params parsing (health.c), plugin loading (plugin.c). GLib only.
 *
 * Memory: O(nodes + links) small records, all zero in a component that
 * never saw an event (calloc'd and never written: the pages of a quiet
 * fleet's 10^6 links stay untouched); event-window rings (lemon, Xid
 * 63/92, flaps) are allocated on a component's first event. Time-driven
 * decisions (drain deadline, link down grace, flap quiet) sit in a binary
 * heap with lazy deletion, so next_wakeup is O(log n) amortised. */
#include "health.h"
#include "health_kit.h"
#include "health_reference.h"

#include <string.h>

typedef enum
{
  FLAVOR_REACTIVE,
  FLAVOR_STANDARD,
  FLAVOR_PROACTIVE,
} Flavor;

/* The remediation ladder; escalation moves one step down on failure. */
typedef enum
{
  STEP_RESET,
  STEP_REBOOT,
  STEP_REIMAGE,
  STEP_TICKET,
} Step;

typedef struct
{
  HealthNodeState state;
  int32_t gpu;            /* GPU the remediation targets, or -1; set on
                             every way out of HEALTHY before it is read */
  Step step;              /* REMEDIATING: current; DRAINING: next */
  bool burnin_failed;
  bool has_deadline;      /* deadline holds a time (else NEVER): a zeroed
                             record is a node in service, no timer */
  bool ce_seen;           /* (the flags together: 80 bytes a node) */
  HealthTimeMs deadline;  /* DRAINING: evict at (node_deadline) */
  const char *reason;
  HealthKitRing failures;          /* lemon */
  HealthKitRing ecc_xids;          /* Xid 63/92 precursors */
  uint64_t ce_last;
  HealthTimeMs ce_time;
} Node;

typedef struct
{
  HealthLinkState state;
  bool down;
  bool has_timer;         /* timer holds a time (else NEVER) */
  bool sym_seen;          /* (the flags together: 64 bytes a link) */
  HealthTimeMs down_since;
  HealthTimeMs last_change;
  HealthTimeMs timer;     /* link_timer */
  HealthKitRing changes;           /* flaps */
  uint64_t sym_last;
  HealthTimeMs sym_time;
} Link;

G_STATIC_ASSERT (sizeof (Link) <= 64 && sizeof (Node) <= 80);

typedef struct
{
  Flavor flavor;
  const HealthParams *p;
  uint32_t n_nodes;
  uint32_t n_links;
  Node *nodes;
  Link *links;
  GArray *heap; /* HealthKitTimer, min-heap on time */
  GPtrArray *rings; /* the rings' storage, freed with the engine (so
                       destroy does not walk every record) */
  uint32_t state_count[HEALTH_NODE_N_STATES]; /* nodes per state */
} Engine;

/* ---- small helpers ---- */

/* Every change of a node's state goes through here (the counts). */
static void
node_set_state (Engine *e, Node *n, HealthNodeState state)
{
  e->state_count[n->state]--;
  e->state_count[state]++;
  n->state = state;
}

static HealthTimeMs
node_deadline (const Node *n)
{
  return n->has_deadline ? n->deadline : HEALTH_TIME_NEVER;
}

static void
node_set_deadline (Node *n, HealthTimeMs t)
{
  n->has_deadline = t != HEALTH_TIME_NEVER;
  n->deadline = t;
}

static HealthTimeMs
link_timer (const Link *l)
{
  return l->has_timer ? l->timer : HEALTH_TIME_NEVER;
}

/* health_kit_ring_push_hits, keeping the storage it allocates on a ring's
 * first event for engine_destroy. */
static bool
ring_push_hits (Engine *e, HealthKitRing *r, uint32_t k, HealthTimeMs now,
                HealthTimeMs window)
{
  bool fresh = r->t == NULL;
  bool hits = health_kit_ring_push_hits (r, k, now, window);
  if (fresh && r->t != NULL)
    g_ptr_array_add (e->rings, r->t);
  return hits;
}

/* A heap entry is live while its owner still waits for exactly that time. */
static bool
timer_live (void *owner, const HealthKitTimer *t)
{
  Engine *e = owner;
  if (t->id & HEALTH_KIT_TIMER_LINK)
    return link_timer (&e->links[t->id & ~HEALTH_KIT_TIMER_LINK]) == t->time;
  return node_deadline (&e->nodes[t->id]) == t->time;
}

static bool
in_service (HealthNodeState s)
{
  return s == HEALTH_NODE_HEALTHY || s == HEALTH_NODE_SUSPECT
         || s == HEALTH_NODE_CORDONED || s == HEALTH_NODE_DRAINING;
}

/* ---- node transitions ---- */

static void
node_start_step (Engine *e, uint32_t id, HealthTimeMs now, Step step,
                 HealthActionSink *sink)
{
  Node *n = &e->nodes[id];

  if (step == STEP_RESET && n->gpu < 0)
    step = STEP_REBOOT;
  n->step = step;
  node_set_deadline (n, HEALTH_TIME_NEVER);
  switch (step)
    {
    case STEP_RESET:
      node_set_state (e, n, HEALTH_NODE_REMEDIATING);
      health_kit_emit_node (sink, HEALTH_ACTION_RESET_GPU, now, id, n->gpu, n->reason);
      break;
    case STEP_REBOOT:
      node_set_state (e, n, HEALTH_NODE_REMEDIATING);
      health_kit_emit_node (sink, HEALTH_ACTION_REBOOT, now, id, n->gpu, n->reason);
      break;
    case STEP_REIMAGE:
      node_set_state (e, n, HEALTH_NODE_REMEDIATING);
      health_kit_emit_node (sink, HEALTH_ACTION_REIMAGE, now, id, n->gpu, n->reason);
      break;
    case STEP_TICKET:
    default:
      node_set_state (e, n, HEALTH_NODE_IN_REPAIR);
      health_kit_emit_node (sink, HEALTH_ACTION_OPEN_TICKET, now, id, n->gpu, n->reason);
      break;
    }
}

/* A fault that takes the node out of service now: counts toward lemon
 * detection, evicts, starts the ladder at step. */
static void
node_fault (Engine *e, uint32_t id, HealthTimeMs now, int32_t gpu, Step step,
            const char *reason, HealthActionSink *sink)
{
  Node *n = &e->nodes[id];

  if (!in_service (n->state))
    return; /* already being dealt with */
  n->gpu = gpu;
  n->reason = reason;
  health_kit_emit_node (sink, HEALTH_ACTION_EVICT, now, id, gpu, reason);
  if (ring_push_hits (e, &n->failures, e->p->lemon_failures, now,
                                 e->p->lemon_window_ms))
    {
      node_set_state (e, n, HEALTH_NODE_QUARANTINED);
      node_set_deadline (n, HEALTH_TIME_NEVER);
      n->reason = "lemon: repeated failures within the lemon window";
      health_kit_emit_node (sink, HEALTH_ACTION_QUARANTINE, now, id, HEALTH_NO_GPU,
                            n->reason);
      health_kit_emit_node (sink, HEALTH_ACTION_OPEN_TICKET, now, id, HEALTH_NO_GPU,
                            n->reason);
      return;
    }
  node_start_step (e, id, now, step, sink);
}

/* A non-urgent problem: let jobs finish, then remediate at step. */
static void
node_drain (Engine *e, uint32_t id, HealthTimeMs now, int32_t gpu, Step step,
            const char *reason, HealthActionSink *sink)
{
  Node *n = &e->nodes[id];

  if (n->state != HEALTH_NODE_HEALTHY && n->state != HEALTH_NODE_SUSPECT
      && n->state != HEALTH_NODE_CORDONED)
    return;
  node_set_state (e, n, HEALTH_NODE_DRAINING);
  n->gpu = gpu;
  n->step = step;
  n->reason = reason;
  health_kit_emit_node (sink, HEALTH_ACTION_DRAIN, now, id, gpu, reason);
  if (e->p->drain_timeout_ms > 0)
    {
      node_set_deadline (n, now + e->p->drain_timeout_ms);
      health_kit_timers_push (e->heap, n->deadline, id);
    }
  else
    node_set_deadline (n, HEALTH_TIME_NEVER);
}

/* A soft signal: ask for an active diag. cordon = take it out of
 * scheduling now (CORDONED) rather than at the next idle moment. */
static void
node_suspect (Engine *e, uint32_t id, HealthTimeMs now, int32_t gpu,
              bool cordon, const char *reason, HealthActionSink *sink)
{
  Node *n = &e->nodes[id];

  if (n->state == HEALTH_NODE_HEALTHY)
    {
      n->gpu = gpu;
      n->reason = reason;
      if (cordon)
        {
          node_set_state (e, n, HEALTH_NODE_CORDONED);
          health_kit_emit_node (sink, HEALTH_ACTION_CORDON, now, id, gpu, reason);
        }
      else
        node_set_state (e, n, HEALTH_NODE_SUSPECT);
      health_kit_emit_node (sink, HEALTH_ACTION_RUN_DIAG, now, id, gpu, reason);
    }
  else if (n->state == HEALTH_NODE_SUSPECT)
    {
      /* a second signal before the diag answered: stop scheduling on it */
      node_set_state (e, n, HEALTH_NODE_CORDONED);
      health_kit_emit_node (sink, HEALTH_ACTION_CORDON, now, id, gpu, reason);
    }
}

/* ---- the Xid table (docs/policies.md, field-data §8.2/§8.3) ---- */

typedef enum
{
  XID_IGNORE,   /* application-level or informational */
  XID_MONITOR,  /* precursor (row remap pending, SBE rate) */
  XID_RESET,    /* evict + reset GPU */
  XID_REBOOT,   /* evict + reboot node */
  XID_DRAIN_RESET, /* drain, then reset GPU */
  XID_SUSPECT,  /* unknown: diag */
} XidClass;

static XidClass
xid_class (Flavor flavor, int32_t xid, uint64_t recovery, const char **reason)
{
  switch (xid)
    {
    case 79:
      *reason = "xid 79: GPU has fallen off the bus";
      return XID_REBOOT;
    case 48:
      *reason = "xid 48: double-bit ECC error";
      return XID_RESET;
    case 64:
      *reason = "xid 64: row-remapping failure";
      return XID_RESET;
    case 74:
      *reason = "xid 74: NVLink error";
      return XID_RESET;
    case 95:
      *reason = "xid 95: uncontained memory error";
      return XID_RESET;
    case 119:
      *reason = "xid 119: GSP RPC timeout";
      return XID_RESET;
    case 120:
      *reason = "xid 120: GSP error";
      return XID_RESET;
    default:
      break;
    }
  if (flavor == FLAVOR_REACTIVE)
    {
      *reason = "xid not acted on by the reactive policy";
      return XID_IGNORE;
    }
  switch (xid)
    {
    case 13: case 31: case 32: case 43: case 45: case 94:
      *reason = "xid: application-level, restart the job";
      return XID_IGNORE;
    case 46:
      *reason = "xid 46: GPU stopped processing";
      return XID_DRAIN_RESET;
    case 63:
      *reason = "xid 63: row remapping pending";
      return XID_MONITOR;
    case 92:
      *reason = "xid 92: high single-bit ECC rate";
      return XID_MONITOR;
    case 154:
      switch (recovery)
        {
        case 0:
        case 5:
          *reason = "xid 154: no node action required";
          return XID_IGNORE;
        case 1:
        case 6:
          *reason = "xid 154: GPU reset required";
          return XID_RESET;
        case 3:
        case 4:
          *reason = "xid 154: drain and reset";
          return XID_DRAIN_RESET;
        case 2:
        case 7:
        default:
          *reason = "xid 154: node reboot required";
          return XID_REBOOT;
        }
    default:
      *reason = "xid: unknown code, running a diag";
      return XID_SUSPECT;
    }
}

static void
on_xid (Engine *e, const HealthObs *o, HealthActionSink *sink)
{
  const char *reason = NULL;
  XidClass c = xid_class (e->flavor, o->xid, o->counter_value, &reason);
  Node *n = &e->nodes[o->node];

  switch (c)
    {
    case XID_RESET:
      node_fault (e, o->node, o->time, o->gpu, STEP_RESET, reason, sink);
      break;
    case XID_REBOOT:
      node_fault (e, o->node, o->time, o->gpu, STEP_REBOOT, reason, sink);
      break;
    case XID_DRAIN_RESET:
      node_drain (e, o->node, o->time, o->gpu, STEP_RESET, reason, sink);
      break;
    case XID_SUSPECT:
      node_suspect (e, o->node, o->time, o->gpu, false, reason, sink);
      break;
    case XID_MONITOR:
      if (e->p->precursors
          && ring_push_hits (e, &n->ecc_xids, e->p->ecc_xid_count, o->time,
                                        e->p->precursor_window_ms))
        node_drain (e, o->node, o->time, o->gpu, STEP_RESET,
                    "precursor: repeated xid 63/92 (ECC) within the window",
                    sink);
      break;
    case XID_IGNORE:
    default:
      break;
    }
}

static void
on_action_done (Engine *e, const HealthObs *o, HealthActionSink *sink)
{
  Node *n = &e->nodes[o->node];
  static const HealthActionKind step_action[] = {
    HEALTH_ACTION_RESET_GPU, HEALTH_ACTION_REBOOT, HEALTH_ACTION_REIMAGE,
    HEALTH_ACTION_OPEN_TICKET,
  };

  if (n->state == HEALTH_NODE_DRAINING && o->action == HEALTH_ACTION_DRAIN)
    {
      node_start_step (e, o->node, o->time, n->step, sink);
      return;
    }
  if (n->state != HEALTH_NODE_REMEDIATING || o->action != step_action[n->step])
    return;
  if (o->ok)
    {
      node_set_state (e, n, HEALTH_NODE_HEALTHY);
      n->gpu = HEALTH_NO_GPU;
      health_kit_ring_clear (&n->ecc_xids);
      n->ce_seen = false;
      health_kit_emit_node (sink, HEALTH_ACTION_RETURN_TO_SERVICE, o->time, o->node,
                            HEALTH_NO_GPU, "remediation fixed the node");
      return;
    }
  n->reason = "remediation step did not fix the node";
  if (e->p->escalation && n->step < STEP_TICKET)
    node_start_step (e, o->node, o->time, n->step + 1, sink);
  else
    node_start_step (e, o->node, o->time, STEP_TICKET, sink);
}

static void
on_node_obs (Engine *e, const HealthObs *o, HealthActionSink *sink)
{
  Node *n = &e->nodes[o->node];
  const HealthParams *p = e->p;

  switch (o->kind)
    {
    case HEALTH_OBS_XID:
      on_xid (e, o, sink);
      break;

    case HEALTH_OBS_HEARTBEAT_MISSED:
      node_fault (e, o->node, o->time, HEALTH_NO_GPU, STEP_REBOOT,
                  "heartbeat lost: node unreachable", sink);
      break;

    case HEALTH_OBS_JOB_HANG:
    case HEALTH_OBS_JOB_FAILED:
      if (e->flavor == FLAVOR_REACTIVE)
        node_fault (e, o->node, o->time, HEALTH_NO_GPU, STEP_REBOOT,
                    "job failure blamed this node: reboot", sink);
      else if (p->diag_after_job_failure)
        node_suspect (e, o->node, o->time, o->gpu, true,
                      "job failure blamed this node: diag", sink);
      break;

    case HEALTH_OBS_DCGM_PASSIVE:
      if (p->check_period_ms == 0 && p->dcgm_watch_period_ms == 0)
        break; /* this policy runs no background checks */
      if (o->check == HEALTH_CHECK_ECC_CORRECTABLE)
        {
          if (n->ce_seen && o->counter_value >= n->ce_last
              && o->time > n->ce_time && p->precursors && p->ecc_ce_per_h > 0)
            {
              double rate = (double) (o->counter_value - n->ce_last)
                            * (double) HEALTH_MS_PER_H
                            / (double) (o->time - n->ce_time);
              if (rate >= p->ecc_ce_per_h)
                node_drain (e, o->node, o->time, o->gpu, STEP_RESET,
                            "precursor: corrected-ECC rate above threshold",
                            sink);
            }
          n->ce_seen = true;
          n->ce_last = o->counter_value;
          n->ce_time = o->time;
        }
      else if (!o->passed)
        {
          bool severe = o->check == HEALTH_CHECK_GPU_MEMORY
                        || o->check == HEALTH_CHECK_PCIE
                        || o->check == HEALTH_CHECK_NVLINK;
          node_suspect (e, o->node, o->time, o->gpu, severe,
                        severe ? "health check failed (high severity)"
                               : "health check failed", sink);
        }
      break;

    case HEALTH_OBS_DCGM_ACTIVE:
      if (n->state != HEALTH_NODE_SUSPECT && n->state != HEALTH_NODE_CORDONED)
        break;
      if (o->passed)
        {
          if (n->state == HEALTH_NODE_CORDONED)
            health_kit_emit_node (sink, HEALTH_ACTION_RETURN_TO_SERVICE, o->time,
                                  o->node, HEALTH_NO_GPU, "active diag passed");
          node_set_state (e, n, HEALTH_NODE_HEALTHY);
          n->gpu = HEALTH_NO_GPU;
        }
      else
        {
          int32_t gpu = o->gpu >= 0 ? o->gpu : n->gpu;
          node_fault (e, o->node, o->time, gpu,
                      gpu >= 0 ? STEP_RESET : STEP_REBOOT,
                      "active diag failed", sink);
        }
      break;

    case HEALTH_OBS_THERMAL:
      if (p->precursors && p->thermal_limit_c > 0
          && o->counter_value >= p->thermal_limit_c)
        node_drain (e, o->node, o->time, o->gpu, STEP_TICKET,
                    "precursor: GPU temperature at the limit (cooling)", sink);
      break;

    case HEALTH_OBS_BURNIN_RESULT:
      if (n->state != HEALTH_NODE_BURN_IN)
        break;
      if (o->passed)
        {
          node_set_state (e, n, HEALTH_NODE_HEALTHY);
          n->burnin_failed = false;
          n->gpu = HEALTH_NO_GPU;
          health_kit_emit_node (sink, HEALTH_ACTION_RETURN_TO_SERVICE, o->time, o->node,
                                HEALTH_NO_GPU, "burn-in passed");
        }
      else
        {
          node_set_state (e, n, HEALTH_NODE_IN_REPAIR);
          n->burnin_failed = true;
          n->reason = "burn-in failed after repair: vendor return";
          health_kit_emit_node (sink, HEALTH_ACTION_RMA, o->time, o->node, n->gpu,
                                n->reason);
        }
      break;

    case HEALTH_OBS_REPAIR_DONE:
      if (n->state != HEALTH_NODE_IN_REPAIR
          && n->state != HEALTH_NODE_QUARANTINED)
        break;
      node_set_state (e, n, HEALTH_NODE_BURN_IN);
      health_kit_ring_clear (&n->failures);
      health_kit_ring_clear (&n->ecc_xids);
      n->ce_seen = false;
      health_kit_emit_node (sink, HEALTH_ACTION_BURNIN, o->time, o->node, n->gpu,
                            "hardware repaired: burn-in before service");
      break;

    case HEALTH_OBS_ACTION_DONE:
      on_action_done (e, o, sink);
      break;

    default:
      break;
    }
}

/* ---- links ---- */

static void
link_set_timer (Engine *e, uint32_t id, HealthTimeMs t)
{
  Link *l = &e->links[id];
  l->timer = t;
  l->has_timer = t != HEALTH_TIME_NEVER;
  if (t != HEALTH_TIME_NEVER)
    health_kit_timers_push (e->heap, t, id | HEALTH_KIT_TIMER_LINK);
}

static void
link_disable (Engine *e, uint32_t id, HealthTimeMs now, const char *reason,
              HealthActionSink *sink)
{
  Link *l = &e->links[id];

  l->state = HEALTH_LINK_DISABLED;
  l->has_timer = false;
  health_kit_emit_link (sink, HEALTH_ACTION_DISABLE_PORT, now, id, reason);
  health_kit_emit_link (sink, HEALTH_ACTION_OPEN_TICKET, now, id, reason);
}

/* Re-arms the link's single timer: the earlier of "down too long" and
 * "quiet for a flap window". */
static void
link_rearm (Engine *e, uint32_t id)
{
  Link *l = &e->links[id];
  HealthTimeMs t = HEALTH_TIME_NEVER;

  if (l->down && e->p->link_down_grace_ms > 0)
    t = l->down_since + e->p->link_down_grace_ms;
  else if (!l->down && l->state == HEALTH_LINK_FLAPPING)
    t = l->last_change + e->p->flap_window_ms;
  if (t != link_timer (l))
    link_set_timer (e, id, t);
}

static void
on_link_obs (Engine *e, const HealthObs *o, HealthActionSink *sink)
{
  Link *l = &e->links[o->link];
  const HealthParams *p = e->p;

  switch (o->kind)
    {
    case HEALTH_OBS_IB_PORT_STATE:
      {
        bool down = o->counter_value != HEALTH_IB_PORT_ACTIVE;
        if (l->state == HEALTH_LINK_DISABLED
            || l->state == HEALTH_LINK_IN_REPAIR || down == l->down)
          break;
        l->down = down;
        l->last_change = o->time;
        if (down)
          l->down_since = o->time;
        if (ring_push_hits (e, &l->changes, p->flap_count, o->time,
                                       p->flap_window_ms))
          {
            link_disable (e, o->link, o->time,
                          "flap damping: too many port state changes", sink);
            break;
          }
        if (p->flap_count > 0)
          l->state = HEALTH_LINK_FLAPPING;
        link_rearm (e, o->link);
        break;
      }
    case HEALTH_OBS_IB_COUNTERS:
      if (o->check != HEALTH_IB_SYMBOL_ERROR)
        break;
      if (l->sym_seen && o->counter_value >= l->sym_last
          && o->time > l->sym_time && p->precursors
          && p->symbol_errors_per_h > 0
          && (l->state == HEALTH_LINK_ACTIVE
              || l->state == HEALTH_LINK_FLAPPING))
        {
          double rate = (double) (o->counter_value - l->sym_last)
                        * (double) HEALTH_MS_PER_H
                        / (double) (o->time - l->sym_time);
          if (rate >= p->symbol_errors_per_h)
            link_disable (e, o->link, o->time,
                          "precursor: SymbolErrorCounter rate above threshold",
                          sink);
        }
      l->sym_seen = true;
      l->sym_last = o->counter_value;
      l->sym_time = o->time;
      break;
    case HEALTH_OBS_IB_TRAP:
      /* 129 local link integrity, 130 excessive buffer overrun (§9.3) */
      if (p->precursors && (o->counter_value == 129 || o->counter_value == 130)
          && (l->state == HEALTH_LINK_ACTIVE
              || l->state == HEALTH_LINK_FLAPPING))
        link_disable (e, o->link, o->time,
                      "precursor: link integrity / buffer overrun trap", sink);
      break;
    case HEALTH_OBS_REPAIR_DONE:
      if (l->state == HEALTH_LINK_DISABLED || l->state == HEALTH_LINK_IN_REPAIR)
        health_kit_emit_link (sink, HEALTH_ACTION_ENABLE_PORT, o->time, o->link,
                              "link repaired");
      if (l->state == HEALTH_LINK_DISABLED || l->state == HEALTH_LINK_IN_REPAIR)
        {
          l->state = HEALTH_LINK_ACTIVE;
          l->down = false;
          l->has_timer = false;
          l->sym_seen = false;
          health_kit_ring_clear (&l->changes);
        }
      break;
    default:
      break;
    }
}

/* ---- the class methods ---- */

static void *
engine_create (Flavor flavor, const HealthParams *params, uint32_t n_nodes,
               uint32_t n_links)
{
  Engine *e;

  if (params == NULL || n_nodes >= HEALTH_KIT_TIMER_LINK || n_links >= HEALTH_KIT_TIMER_LINK)
    return NULL;
  e = g_new0 (Engine, 1);
  e->flavor = flavor;
  e->p = params;
  e->n_nodes = n_nodes;
  e->n_links = n_links;
  /* Zeroed records are components in service with nothing pending (no
   * per-record initialisation: at 125,000 nodes and 10^6 links a loop
   * writing each one cost ~0.3 CPU-s and touched every page). */
  e->nodes = g_new0 (Node, MAX (n_nodes, 1));
  e->links = g_new0 (Link, MAX (n_links, 1));
  e->heap = health_kit_timers_new ();
  e->rings = g_ptr_array_new_with_free_func (g_free);
  e->state_count[HEALTH_NODE_HEALTHY] = n_nodes;
  return e;
}

static void *
reactive_create (const HealthParams *p, uint32_t n, uint32_t l)
{
  return engine_create (FLAVOR_REACTIVE, p, n, l);
}

static void *
standard_create (const HealthParams *p, uint32_t n, uint32_t l)
{
  return engine_create (FLAVOR_STANDARD, p, n, l);
}

static void *
proactive_create (const HealthParams *p, uint32_t n, uint32_t l)
{
  return engine_create (FLAVOR_PROACTIVE, p, n, l);
}

static void
engine_destroy (void *self)
{
  Engine *e = self;

  if (e == NULL)
    return;
  g_ptr_array_unref (e->rings);
  g_free (e->nodes);
  g_free (e->links);
  g_array_free (e->heap, TRUE);
  g_free (e);
}

static void
engine_observe (void *self, const HealthObs *o, HealthActionSink *sink)
{
  Engine *e = self;

  /* Link observations and link repairs go to the link machine; a repair
   * with a node goes to the node. */
  if (o->link != HEALTH_NO_LINK
      && (o->kind == HEALTH_OBS_IB_PORT_STATE
          || o->kind == HEALTH_OBS_IB_COUNTERS
          || o->kind == HEALTH_OBS_IB_TRAP
          || (o->kind == HEALTH_OBS_REPAIR_DONE && o->node == HEALTH_NO_NODE)))
    {
      g_return_if_fail (o->link < e->n_links);
      on_link_obs (e, o, sink);
      return;
    }
  if (o->node == HEALTH_NO_NODE)
    return;
  g_return_if_fail (o->node < e->n_nodes);
  on_node_obs (e, o, sink);
}

static HealthNodeState
engine_node_state (void *self, uint32_t node)
{
  Engine *e = self;
  g_return_val_if_fail (node < e->n_nodes, HEALTH_NODE_HEALTHY);
  return e->nodes[node].state;
}

static HealthLinkState
engine_link_state (void *self, uint32_t link)
{
  Engine *e = self;
  g_return_val_if_fail (link < e->n_links, HEALTH_LINK_ACTIVE);
  return e->links[link].state;
}

static HealthTimeMs
engine_next_wakeup (void *self)
{
  Engine *e = self;

  return health_kit_timers_next (e->heap, timer_live, e);
}

static void
engine_wakeup (void *self, HealthTimeMs now, HealthActionSink *sink)
{
  Engine *e = self;

  while (engine_next_wakeup (e) <= now)
    {
      HealthKitTimer t = health_kit_timers_pop (e->heap);
      if (t.id & HEALTH_KIT_TIMER_LINK)
        {
          uint32_t id = t.id & ~HEALTH_KIT_TIMER_LINK;
          Link *l = &e->links[id];
          l->has_timer = false;
          if (l->down && e->p->link_down_grace_ms > 0
              && t.time >= l->down_since + e->p->link_down_grace_ms)
            {
              /* A port down this long is a hard error: take it out of
               * service, which drains a node-side port's node from the
               * scheduler (IB link errors are high severity, field-data
               * §2.5), and call a technician. */
              l->state = HEALTH_LINK_IN_REPAIR;
              health_kit_emit_link (sink, HEALTH_ACTION_DISABLE_PORT, now, id,
                                    "link down longer than the grace period");
              health_kit_emit_link (sink, HEALTH_ACTION_OPEN_TICKET, now, id,
                                    "link down longer than the grace period");
            }
          else if (!l->down && l->state == HEALTH_LINK_FLAPPING)
            l->state = HEALTH_LINK_ACTIVE;
          else
            link_rearm (e, id);
        }
      else
        {
          Node *n = &e->nodes[t.id];
          g_assert (n->state == HEALTH_NODE_DRAINING);
          node_set_deadline (n, HEALTH_TIME_NEVER);
          health_kit_emit_node (sink, HEALTH_ACTION_EVICT, now, t.id, n->gpu,
                                "drain timeout: evicting remaining jobs");
          node_start_step (e, t.id, now, n->step, sink);
        }
    }
}

#define ENGINE_CLASS(cname, create_fn)                                      \
  {                                                                         \
    HEALTH_API_VERSION, cname, create_fn, engine_destroy, engine_observe,   \
    engine_node_state, engine_link_state, engine_next_wakeup, engine_wakeup \
  }

static const HealthPolicyClass builtin_classes[] = {
  ENGINE_CLASS ("reactive", reactive_create),
  ENGINE_CLASS ("standard", standard_create),
  ENGINE_CLASS ("proactive", proactive_create),
};

bool
health_policy_builtin_state_counts (const HealthPolicyClass *cls, void *self,
                                    uint32_t *counts)
{
  for (size_t i = 0; i < G_N_ELEMENTS (builtin_classes); i++)
    if (cls == &builtin_classes[i])
      {
        const Engine *e = self;
        memcpy (counts, e->state_count, sizeof e->state_count);
        return true;
      }
  return false;
}

const HealthPolicyClass *
health_policy_class_lookup (const char *name)
{
  g_return_val_if_fail (name != NULL, NULL);
  for (size_t i = 0; i < G_N_ELEMENTS (builtin_classes); i++)
    if (strcmp (builtin_classes[i].name, name) == 0)
      return &builtin_classes[i];
  return health_ref_class_lookup (name);
}

const char *
health_policy_class_names (void)
{
  return "reactive, standard, proactive, nvsentinel, eks-auto-repair, "
         "slurm-nhc";
}
