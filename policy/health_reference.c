/* policy/health_reference.c - reference models of three public
 * remediation tools as health policy classes: "nvsentinel" (NVIDIA
 * NVSentinel: quarantine -> drain -> remediation, a circuit breaker and
 * the health-events-analyzer's CONTACT_SUPPORT escalations),
 * "eks-auto-repair" (Amazon EKS node auto repair: repair after a node
 * condition held for a while, Reboot or Replace by reason, paused when
 * too much of a node group is unhealthy) and "slurm-nhc" (Slurm with
 * LBNL NHC: drain with a reason on a failed check, an administrator
 * repairs, resume when the check passes). docs/policies.md gives each
 * rule, its default and its source, and says what was assumed where the
 * public documents are silent. GLib only.
 *
 * All three share the Xid classification of health_reference.h (NVIDIA's
 * Xid catalogue; the device plugin's application Xids 13, 31, 43, 45, 68
 * never make a node unhealthy) and the dead-link rule of "standard"
 * (a port down longer than link_down_grace_ms is disabled and ticketed).
 * Time-driven decisions sit in a binary min-heap with lazy deletion: an
 * entry is live while its owner's `timer` still equals its time. */
#include "health.h"
#include "health_kit.h"
#include "health_reference.h"

#include <math.h>
#include <string.h>

typedef enum
{
  REF_NVSENTINEL,
  REF_EKS,
  REF_NHC,
} RefFlavor;

/* What a node's single timer waits for. */
typedef enum
{
  TK_NONE,
  TK_DRAIN_DEADLINE, /* DRAINING: evict, then remediate */
  TK_REPAIR_AFTER,   /* eks: the condition held long enough (or paused) */
  TK_NHC_CHECK,      /* slurm-nhc: the next HealthCheckInterval run */
} TimerKind;

typedef struct
{
  HealthNodeState state;
  int32_t gpu;
  HealthActionKind remedy; /* what runs after the drain / the wait */
  HealthTimeMs timer;      /* HEALTH_TIME_NEVER when none */
  TimerKind timer_kind;
  const char *reason;
  bool unhealthy;          /* eks: counts toward its group's unhealthy */
  HealthKitRing remediations;       /* nvsentinel: finished remediations */
} RefNode;

typedef struct
{
  bool down;
  bool in_repair;
  HealthTimeMs down_since;
  HealthTimeMs timer;
} RefLink;

typedef struct
{
  HealthKitRing times;             /* fatal Xid bursts on this GPU */
  HealthTimeMs last;      /* last Xid seen, for burst merging */
} GpuXids;

typedef struct
{
  RefFlavor flavor;
  const HealthParams *p;
  uint32_t n_nodes;
  uint32_t n_links;
  RefNode *nodes;
  RefLink *links;
  GArray *heap;            /* HealthKitTimer */
  /* nvsentinel */
  GHashTable *gpu_xids;    /* (node << 10 | gpu) -> GpuXids */
  GQueue cordons;          /* HealthTimeMs of cordons within the window */
  uint32_t breaker_limit;  /* cordons within the window that trip it */
  bool breaker_tripped;
  /* eks */
  uint32_t group_size;
  uint32_t *group_unhealthy;
  bool *group_paused;
} Ref;

/* ---- the shared Xid classification ---- */

bool
health_ref_xid_is_application (int32_t xid)
{
  /* NVIDIA k8s-device-plugin: these Xids are application errors and do
   * not mark a GPU unhealthy. */
  return xid == 13 || xid == 31 || xid == 43 || xid == 45 || xid == 68;
}

HealthRefRecommended
health_ref_xid_recommended (int32_t xid, uint64_t recovery, bool *fatal,
                            const char **message)
{
  const char *m = NULL;
  HealthRefRecommended r;
  bool f = true;

  switch (xid)
    {
    case 13: case 31: case 43: case 45: case 68:
      m = "application error (device plugin: GPU stays healthy)";
      r = HEALTH_REF_RESTART_APP;
      f = false;
      break;
    case 63:
      m = "row remapping pending";
      r = HEALTH_REF_NONE;
      f = false;
      break;
    case 92:
      m = "high single-bit ECC error rate";
      r = HEALTH_REF_NONE;
      f = false;
      break;
    case 94:
      m = "contained memory error";
      r = HEALTH_REF_RESTART_APP;
      f = false;
      break;
    case 79:
      m = "GPU has fallen off the bus";
      r = HEALTH_REF_RESTART_BM;
      break;
    case 48:
      m = "double-bit ECC error";
      r = HEALTH_REF_COMPONENT_RESET;
      break;
    case 64:
      m = "row-remapping failure";
      r = HEALTH_REF_COMPONENT_RESET;
      break;
    case 74:
      m = "NVLink error";
      r = HEALTH_REF_COMPONENT_RESET;
      break;
    case 95:
      m = "uncontained memory error";
      r = HEALTH_REF_COMPONENT_RESET;
      break;
    case 46:
      m = "GPU stopped processing";
      r = HEALTH_REF_COMPONENT_RESET;
      break;
    case 119:
      m = "GSP RPC timeout";
      r = HEALTH_REF_COMPONENT_RESET;
      break;
    case 120:
      m = "GSP error";
      r = HEALTH_REF_COMPONENT_RESET;
      break;
    case 154:
      m = "GPU recovery action changed";
      switch (recovery)
        {
        case 0:
        case 5:
          r = HEALTH_REF_NONE;
          f = false;
          break;
        case 1:
        case 3:
        case 4:
        case 6:
          r = HEALTH_REF_COMPONENT_RESET;
          break;
        default:
          r = HEALTH_REF_RESTART_BM;
          break;
        }
      break;
    default:
      m = "Xid not in the reference table";
      r = HEALTH_REF_RESTART_BM;
      break;
    }
  if (fatal != NULL)
    *fatal = f;
  if (message != NULL)
    *message = m;
  return r;
}

static const char *const recommended_names[HEALTH_REF_N_RECOMMENDED] = {
  "NONE", "COMPONENT_RESET", "CONTACT_SUPPORT", "RUN_FIELDDIAG", "RESTART_VM",
  "RESTART_BM", "REPLACE_VM", "RUN_DCGMEUD", "RESTART_APP", "UNKNOWN",
};

const char *
health_ref_recommended_name (HealthRefRecommended r)
{
  return (unsigned) r < HEALTH_REF_N_RECOMMENDED ? recommended_names[r]
                                                 : "UNKNOWN";
}

/* ---- small helpers ---- */

static bool
timer_live (void *owner, const HealthKitTimer *t)
{
  Ref *e = owner;
  if (t->id & HEALTH_KIT_TIMER_LINK)
    return e->links[t->id & ~HEALTH_KIT_TIMER_LINK].timer == t->time;
  return e->nodes[t->id].timer == t->time;
}

static void
node_set_timer (Ref *e, uint32_t id, TimerKind kind, HealthTimeMs at)
{
  RefNode *n = &e->nodes[id];
  n->timer_kind = kind;
  n->timer = at;
  if (at != HEALTH_TIME_NEVER)
    health_kit_timers_push (e->heap, at, id);
}

static void
node_clear_timer (Ref *e, uint32_t id)
{
  e->nodes[id].timer = HEALTH_TIME_NEVER;
  e->nodes[id].timer_kind = TK_NONE;
}

static bool
in_service (HealthNodeState s)
{
  return s == HEALTH_NODE_HEALTHY || s == HEALTH_NODE_SUSPECT;
}

/* Starts the remediation `remedy` now: a GPU reset or reboot (state
 * REMEDIATING, answered by ACTION_DONE) or a ticket (IN_REPAIR, answered
 * by REPAIR_DONE). */
static void
node_remediate (Ref *e, uint32_t id, HealthTimeMs now, HealthActionSink *sink)
{
  RefNode *n = &e->nodes[id];
  HealthActionKind k = n->remedy;

  if (k == HEALTH_ACTION_RESET_GPU && n->gpu < 0)
    k = HEALTH_ACTION_REBOOT;
  node_clear_timer (e, id);
  n->state = k == HEALTH_ACTION_OPEN_TICKET ? HEALTH_NODE_IN_REPAIR
                                            : HEALTH_NODE_REMEDIATING;
  n->remedy = k;
  health_kit_emit_node (sink, k, now, id, n->gpu, n->reason);
}

/* DRAIN now; remediation follows ACTION_DONE(DRAIN) or the deadline. */
static void
node_drain (Ref *e, uint32_t id, HealthTimeMs now, HealthActionSink *sink)
{
  RefNode *n = &e->nodes[id];

  n->state = HEALTH_NODE_DRAINING;
  health_kit_emit_node (sink, HEALTH_ACTION_DRAIN, now, id, n->gpu, n->reason);
  if (e->p->drain_timeout_ms > 0)
    node_set_timer (e, id, TK_DRAIN_DEADLINE, now + e->p->drain_timeout_ms);
  else
    node_clear_timer (e, id);
}

static void
node_back_in_service (Ref *e, uint32_t id, HealthTimeMs now,
                      const char *reason, HealthActionSink *sink)
{
  RefNode *n = &e->nodes[id];

  node_clear_timer (e, id);
  n->state = HEALTH_NODE_HEALTHY;
  n->gpu = HEALTH_NO_GPU;
  n->remedy = HEALTH_ACTION_NONE;
  if (n->unhealthy)
    {
      n->unhealthy = false;
      e->group_unhealthy[id / e->group_size]--;
    }
  health_kit_emit_node (sink, HEALTH_ACTION_RETURN_TO_SERVICE, now, id, HEALTH_NO_GPU,
                        reason);
}

/* What a fault observation means to all three: fatal or not, the
 * remediation NVIDIA recommends, and a static reason. FALSE when the
 * observation is not a node fault (application Xid, informational,
 * readings, job reports). */
static bool
classify (const HealthObs *o, HealthRefRecommended *rec, bool *gpu_fault,
          const char **reason)
{
  bool fatal = false;

  *gpu_fault = false;
  switch (o->kind)
    {
    case HEALTH_OBS_XID:
      *rec = health_ref_xid_recommended (o->xid, o->counter_value, &fatal,
                                         NULL);
      *gpu_fault = true;
      switch (*rec)
        {
        case HEALTH_REF_COMPONENT_RESET:
          *reason = "SysLogsXIDError: fatal Xid, GPU reset";
          break;
        case HEALTH_REF_RESTART_BM:
          *reason = "SysLogsXIDError: fatal Xid, node reboot";
          break;
        default:
          *reason = "SysLogsXIDError: non-fatal Xid";
          break;
        }
      return fatal;
    case HEALTH_OBS_HEARTBEAT_MISSED:
      *rec = HEALTH_REF_RESTART_BM;
      *reason = "NodeReady=False: node unreachable";
      return true;
    case HEALTH_OBS_DCGM_PASSIVE:
      if (o->check == HEALTH_CHECK_ECC_CORRECTABLE || o->passed)
        return false;
      if (o->check == HEALTH_CHECK_GPU_MEMORY
          || o->check == HEALTH_CHECK_NVLINK || o->check == HEALTH_CHECK_PCIE)
        {
          *gpu_fault = true;
          *rec = HEALTH_REF_COMPONENT_RESET;
          *reason = "GpuMemWatch: DCGM health watch failed (GPU)";
        }
      else
        {
          *rec = HEALTH_REF_RESTART_BM;
          *reason = "DCGM health watch failed (node)";
        }
      return true;
    default:
      return false;
    }
}

/* ---- links: the dead-link rule of "standard" ---- */

static void
link_obs (Ref *e, const HealthObs *o, HealthActionSink *sink)
{
  RefLink *l = &e->links[o->link];

  if (o->kind == HEALTH_OBS_IB_PORT_STATE)
    {
      bool down = o->counter_value != HEALTH_IB_PORT_ACTIVE;
      if (l->in_repair || down == l->down)
        return;
      l->down = down;
      if (down && e->p->link_down_grace_ms > 0)
        {
          l->down_since = o->time;
          l->timer = o->time + e->p->link_down_grace_ms;
          health_kit_timers_push (e->heap, l->timer, o->link | HEALTH_KIT_TIMER_LINK);
        }
      else
        l->timer = HEALTH_TIME_NEVER;
    }
  else if (o->kind == HEALTH_OBS_REPAIR_DONE && l->in_repair)
    {
      l->in_repair = false;
      l->down = false;
      l->timer = HEALTH_TIME_NEVER;
      health_kit_emit_link (sink, HEALTH_ACTION_ENABLE_PORT, o->time, o->link,
                            "link repaired");
    }
}

static void
link_wakeup (Ref *e, uint32_t id, HealthTimeMs now, HealthActionSink *sink)
{
  RefLink *l = &e->links[id];

  l->timer = HEALTH_TIME_NEVER;
  if (!l->down || l->in_repair)
    return;
  l->in_repair = true;
  health_kit_emit_link (sink, HEALTH_ACTION_DISABLE_PORT, now, id,
                        "link down longer than the grace period");
  health_kit_emit_link (sink, HEALTH_ACTION_OPEN_TICKET, now, id,
                        "link down longer than the grace period");
}

/* ---- nvsentinel ---- */

static HealthActionKind
remedy_of (HealthRefRecommended rec)
{
  switch (rec)
    {
    case HEALTH_REF_COMPONENT_RESET:
      return HEALTH_ACTION_RESET_GPU;
    case HEALTH_REF_RESTART_BM:
    case HEALTH_REF_RESTART_VM:
      return HEALTH_ACTION_REBOOT;
    default:
      return HEALTH_ACTION_OPEN_TICKET;
    }
}

/* RepeatedXIDErrorOnSameGPU: TRUE when this fatal Xid is the
 * support_xid_repeats-th burst on its GPU within the window. */
static bool
nvs_xid_repeated (Ref *e, const HealthObs *o)
{
  const HealthParams *p = e->p;
  guint key;
  GpuXids *g;

  if (p->support_xid_repeats == 0 || o->gpu < 0 || o->gpu >= 1024)
    return false;
  key = (guint) o->node << 10 | (guint) o->gpu;
  g = g_hash_table_lookup (e->gpu_xids, GUINT_TO_POINTER (key));
  if (g == NULL)
    {
      g = g_new0 (GpuXids, 1);
      g->last = INT64_MIN / 2;
      g_hash_table_insert (e->gpu_xids, GUINT_TO_POINTER (key), g);
    }
  if (o->time - g->last < p->xid_burst_ms)
    {
      g->last = o->time;
      return health_kit_ring_hits (&g->times, p->support_xid_repeats, o->time,
                                   p->support_xid_window_ms);
    }
  g->last = o->time;
  return health_kit_ring_push_hits (&g->times, p->support_xid_repeats, o->time,
                                    p->support_xid_window_ms);
}

/* The circuit breaker: FALSE when it is open. Counts this cordon and trips
 * once breaker_limit cordons fell within the window. */
static bool
nvs_breaker_allows (Ref *e, HealthTimeMs now, uint32_t id,
                    HealthActionSink *sink)
{
  if (e->breaker_tripped)
    {
      health_kit_emit_node (sink, HEALTH_ACTION_NONE, now, id, HEALTH_NO_GPU,
                            "circuit breaker open: quarantine skipped");
      return false;
    }
  if (e->breaker_limit == 0)
    return true;
  while (!g_queue_is_empty (&e->cordons))
    {
      HealthTimeMs t = *(HealthTimeMs *) g_queue_peek_head (&e->cordons);
      if (now - t <= e->p->breaker_window_ms)
        break;
      g_free (g_queue_pop_head (&e->cordons));
    }
  g_queue_push_tail (&e->cordons, g_memdup2 (&now, sizeof now));
  return true;
}

static void
nvs_after_cordon (Ref *e, HealthTimeMs now, uint32_t id,
                  HealthActionSink *sink)
{
  if (e->breaker_limit == 0 || e->breaker_tripped
      || g_queue_get_length (&e->cordons) < e->breaker_limit)
    return;
  e->breaker_tripped = true;
  health_kit_emit_node (sink, HEALTH_ACTION_NONE, now, id, HEALTH_NO_GPU,
                        "circuit breaker tripped: too many nodes cordoned within "
                        "the window");
}

static void
nvs_fault (Ref *e, const HealthObs *o, HealthRefRecommended rec,
           bool gpu_fault, const char *reason, HealthActionSink *sink)
{
  RefNode *n = &e->nodes[o->node];
  const HealthParams *p = e->p;
  bool repeated = o->kind == HEALTH_OBS_XID && nvs_xid_repeated (e, o);

  if (!in_service (n->state))
    return;
  n->gpu = gpu_fault ? o->gpu : HEALTH_NO_GPU;
  n->remedy = remedy_of (rec);
  n->reason = reason;
  if (repeated)
    {
      n->remedy = HEALTH_ACTION_OPEN_TICKET;
      n->reason = "CONTACT_SUPPORT: RepeatedXIDErrorOnSameGPU";
    }
  else if (health_kit_ring_hits (&n->remediations, p->support_remediations, o->time,
                                 p->support_remediation_window_ms))
    {
      n->remedy = HEALTH_ACTION_OPEN_TICKET;
      n->reason = "CONTACT_SUPPORT: MultipleRemediations";
    }
  if (!nvs_breaker_allows (e, o->time, o->node, sink))
    {
      /* Not quarantined: the device plugin still withdraws the unhealthy
       * GPUs, so nothing new is placed on the node, but nothing repairs
       * it either. */
      n->state = HEALTH_NODE_CORDONED;
      n->remedy = HEALTH_ACTION_NONE;
      return;
    }
  n->state = HEALTH_NODE_CORDONED;
  health_kit_emit_node (sink, HEALTH_ACTION_CORDON, o->time, o->node, n->gpu, n->reason);
  nvs_after_cordon (e, o->time, o->node, sink);
  node_drain (e, o->node, o->time, sink);
}

/* ---- eks-auto-repair ---- */

static void
eks_condition (Ref *e, const HealthObs *o, HealthRefRecommended rec,
               bool gpu_fault, HealthActionSink *sink)
{
  RefNode *n = &e->nodes[o->node];
  bool accel = gpu_fault;
  HealthTimeMs wait;

  (void) sink;
  if (!in_service (n->state))
    return;
  n->gpu = gpu_fault ? o->gpu : HEALTH_NO_GPU;
  if (accel)
    {
      /* AcceleratedHardwareReady: Reboot or Replace by reason (assumed:
       * a GPU gone from the bus or out of spare rows is replaced,
       * everything else rebooted). */
      bool replace = o->kind == HEALTH_OBS_XID && (o->xid == 79 || o->xid == 64);
      n->remedy = replace ? HEALTH_ACTION_OPEN_TICKET : HEALTH_ACTION_REBOOT;
      n->reason = replace ? "AcceleratedHardwareReady=False: Replace"
                          : "AcceleratedHardwareReady=False: Reboot";
      wait = e->p->repair_after_ms;
    }
  else
    {
      n->remedy = HEALTH_ACTION_OPEN_TICKET;
      n->reason = o->kind == HEALTH_OBS_HEARTBEAT_MISSED
                    ? "Ready=False: Replace" : "KernelReady=False: Replace";
      wait = e->p->node_repair_after_ms;
    }
  (void) rec;
  /* The condition withdraws the node from GPU scheduling (device plugin /
   * NotReady) while auto repair waits. */
  n->state = HEALTH_NODE_CORDONED;
  if (!n->unhealthy)
    {
      n->unhealthy = true;
      e->group_unhealthy[o->node / e->group_size]++;
    }
  node_set_timer (e, o->node, TK_REPAIR_AFTER, o->time + wait);
}

/* TRUE when auto repair is paused for the node's group: more than
 * repair_pause_pct % of a group of more than five nodes is unhealthy. */
static bool
eks_paused (Ref *e, uint32_t id)
{
  uint32_t g = id / e->group_size;
  uint32_t size = MIN (e->group_size, e->n_nodes - g * e->group_size);

  if (e->p->repair_pause_pct <= 0 || size <= 5)
    return false;
  return (double) e->group_unhealthy[g] * 100.0
         > e->p->repair_pause_pct * (double) size;
}

static void
eks_repair_due (Ref *e, uint32_t id, HealthTimeMs now, HealthActionSink *sink)
{
  RefNode *n = &e->nodes[id];
  uint32_t g = id / e->group_size;

  if (eks_paused (e, id))
    {
      if (!e->group_paused[g])
        {
          e->group_paused[g] = true;
          health_kit_emit_node (sink, HEALTH_ACTION_NONE, now, id, HEALTH_NO_GPU,
                                "auto repair paused: too much of the node group is "
                                "unhealthy");
        }
      /* look again after another wait */
      node_set_timer (e, id, TK_REPAIR_AFTER, now + MAX (e->p->repair_after_ms,
                                                         HEALTH_MS_PER_MIN));
      return;
    }
  if (e->group_paused[g])
    {
      e->group_paused[g] = false;
      health_kit_emit_node (sink, HEALTH_ACTION_NONE, now, id, HEALTH_NO_GPU,
                            "auto repair resumed");
    }
  if (n->remedy == HEALTH_ACTION_OPEN_TICKET)
    {
      /* Replace: drain, then the instance is replaced */
      health_kit_emit_node (sink, HEALTH_ACTION_CORDON, now, id, n->gpu, n->reason);
      node_drain (e, id, now, sink);
    }
  else
    node_remediate (e, id, now, sink);
}

/* ---- slurm-nhc ---- */

static HealthTimeMs
nhc_next_check (Ref *e, HealthTimeMs now)
{
  HealthTimeMs period = e->p->check_period_ms;
  if (period <= 0)
    return now;
  /* slurmd runs HealthCheckProgram on every node at the same time */
  return (now / period + 1) * period;
}

static void
nhc_fail (Ref *e, const HealthObs *o, bool gpu_fault, HealthActionSink *sink)
{
  RefNode *n = &e->nodes[o->node];

  if (!in_service (n->state))
    return;
  n->gpu = gpu_fault ? o->gpu : HEALTH_NO_GPU;
  n->remedy = HEALTH_ACTION_OPEN_TICKET; /* an administrator repairs */
  if (o->kind == HEALTH_OBS_HEARTBEAT_MISSED)
    {
      /* slurmctld, not NHC: the node is DOWN, its jobs are killed */
      n->reason = "slurmctld: node not responding (DOWN)";
      health_kit_emit_node (sink, HEALTH_ACTION_EVICT, o->time, o->node, n->gpu,
                            n->reason);
      node_remediate (e, o->node, o->time, sink);
      return;
    }
  n->reason = o->kind == HEALTH_OBS_XID ? "NHC: GPU check failed (Xid)"
                                        : "NHC: health check failed";
  if (o->kind == HEALTH_OBS_XID)
    {
      /* the GPU check sees the Xid at the next HealthCheckInterval run;
       * until then Slurm still schedules on the node */
      n->state = HEALTH_NODE_SUSPECT;
      node_set_timer (e, o->node, TK_NHC_CHECK, nhc_next_check (e, o->time));
      return;
    }
  node_drain (e, o->node, o->time, sink);
}

/* ---- class methods ---- */

static void
ref_observe (void *self, const HealthObs *o, HealthActionSink *sink)
{
  Ref *e = self;
  RefNode *n;
  HealthRefRecommended rec = HEALTH_REF_NONE;
  bool gpu_fault = false;
  const char *reason = NULL;

  if (o->link != HEALTH_NO_LINK
      && (o->kind == HEALTH_OBS_IB_PORT_STATE
          || o->kind == HEALTH_OBS_IB_COUNTERS || o->kind == HEALTH_OBS_IB_TRAP
          || (o->kind == HEALTH_OBS_REPAIR_DONE && o->node == HEALTH_NO_NODE)))
    {
      g_return_if_fail (o->link < e->n_links);
      link_obs (e, o, sink);
      return;
    }
  if (o->node == HEALTH_NO_NODE)
    return;
  g_return_if_fail (o->node < e->n_nodes);
  n = &e->nodes[o->node];

  if (classify (o, &rec, &gpu_fault, &reason))
    {
      switch (e->flavor)
        {
        case REF_NVSENTINEL:
          nvs_fault (e, o, rec, gpu_fault, reason, sink);
          break;
        case REF_EKS:
          eks_condition (e, o, rec, gpu_fault, sink);
          break;
        case REF_NHC:
        default:
          nhc_fail (e, o, gpu_fault, sink);
          break;
        }
      return;
    }

  switch (o->kind)
    {
    case HEALTH_OBS_ACTION_DONE:
      if (o->action == HEALTH_ACTION_DRAIN && n->state == HEALTH_NODE_DRAINING)
        {
          node_remediate (e, o->node, o->time, sink);
          break;
        }
      if (n->state != HEALTH_NODE_REMEDIATING || o->action != n->remedy)
        break;
      if (e->flavor == REF_NVSENTINEL)
        health_kit_ring_push_hits (&n->remediations, e->p->support_remediations, o->time,
                                   e->p->support_remediation_window_ms);
      if (o->ok)
        {
          node_back_in_service (e, o->node, o->time,
                                "remediation cleared the fault", sink);
          break;
        }
      if (e->flavor == REF_EKS)
        {
          /* the condition still holds: replace after another wait */
          n->state = HEALTH_NODE_CORDONED;
          n->remedy = HEALTH_ACTION_OPEN_TICKET;
          n->reason = "condition still False after reboot: Replace";
          node_set_timer (e, o->node, TK_REPAIR_AFTER,
                          o->time + e->p->repair_after_ms);
        }
      else
        {
          n->remedy = HEALTH_ACTION_OPEN_TICKET;
          n->reason = "CONTACT_SUPPORT: remediation did not clear the fault";
          node_remediate (e, o->node, o->time, sink);
        }
      break;
    case HEALTH_OBS_REPAIR_DONE:
      if (n->state != HEALTH_NODE_IN_REPAIR)
        break;
      if (e->flavor == REF_NVSENTINEL)
        health_kit_ring_push_hits (&n->remediations, e->p->support_remediations, o->time,
                                   e->p->support_remediation_window_ms);
      if (e->flavor == REF_NHC && e->p->check_period_ms > 0)
        {
          /* resumed by the next NHC run that passes */
          node_set_timer (e, o->node, TK_NHC_CHECK,
                          nhc_next_check (e, o->time));
          break;
        }
      node_back_in_service (e, o->node, o->time, "hardware repaired", sink);
      break;
    default:
      break;
    }
}

static void
node_wakeup (Ref *e, uint32_t id, HealthTimeMs now, HealthActionSink *sink)
{
  RefNode *n = &e->nodes[id];
  TimerKind k = n->timer_kind;

  node_clear_timer (e, id);
  switch (k)
    {
    case TK_DRAIN_DEADLINE:
      if (n->state != HEALTH_NODE_DRAINING)
        break;
      health_kit_emit_node (sink, HEALTH_ACTION_EVICT, now, id, n->gpu,
                            "drain timeout: evicting remaining jobs");
      node_remediate (e, id, now, sink);
      break;
    case TK_REPAIR_AFTER:
      if (n->state == HEALTH_NODE_CORDONED)
        eks_repair_due (e, id, now, sink);
      break;
    case TK_NHC_CHECK:
      if (n->state == HEALTH_NODE_SUSPECT)
        node_drain (e, id, now, sink);
      else if (n->state == HEALTH_NODE_IN_REPAIR)
        node_back_in_service (e, id, now, "NHC: checks passed, node resumed",
                              sink);
      break;
    case TK_NONE:
    default:
      break;
    }
}

static HealthTimeMs
ref_next_wakeup (void *self)
{
  Ref *e = self;

  return health_kit_timers_next (e->heap, timer_live, e);
}

static void
ref_wakeup (void *self, HealthTimeMs now, HealthActionSink *sink)
{
  Ref *e = self;

  while (ref_next_wakeup (e) <= now)
    {
      HealthKitTimer t = health_kit_timers_pop (e->heap);
      if (t.id & HEALTH_KIT_TIMER_LINK)
        link_wakeup (e, t.id & ~HEALTH_KIT_TIMER_LINK, now, sink);
      else
        node_wakeup (e, t.id, now, sink);
    }
}

static HealthNodeState
ref_node_state (void *self, uint32_t node)
{
  Ref *e = self;
  g_return_val_if_fail (node < e->n_nodes, HEALTH_NODE_HEALTHY);
  return e->nodes[node].state;
}

static HealthLinkState
ref_link_state (void *self, uint32_t link)
{
  Ref *e = self;
  g_return_val_if_fail (link < e->n_links, HEALTH_LINK_ACTIVE);
  return e->links[link].in_repair ? HEALTH_LINK_IN_REPAIR : HEALTH_LINK_ACTIVE;
}

static void *
ref_create (RefFlavor flavor, const HealthParams *p, uint32_t n_nodes,
            uint32_t n_links)
{
  Ref *e;
  uint32_t n_groups;

  if (p == NULL || n_nodes >= HEALTH_KIT_TIMER_LINK || n_links >= HEALTH_KIT_TIMER_LINK
      || (p->breaker_pct > 0 && p->breaker_window_ms <= 0))
    return NULL;
  e = g_new0 (Ref, 1);
  e->flavor = flavor;
  e->p = p;
  e->n_nodes = n_nodes;
  e->n_links = n_links;
  e->nodes = g_new0 (RefNode, MAX (n_nodes, 1));
  e->links = g_new0 (RefLink, MAX (n_links, 1));
  for (uint32_t i = 0; i < n_nodes; i++)
    {
      e->nodes[i].gpu = HEALTH_NO_GPU;
      e->nodes[i].timer = HEALTH_TIME_NEVER;
    }
  for (uint32_t i = 0; i < n_links; i++)
    e->links[i].timer = HEALTH_TIME_NEVER;
  e->heap = health_kit_timers_new ();
  e->gpu_xids = g_hash_table_new_full (g_direct_hash, g_direct_equal, NULL,
                                       NULL);
  g_queue_init (&e->cordons);
  if (flavor == REF_NVSENTINEL && p->breaker_pct > 0)
    e->breaker_limit = (uint32_t) MAX (1.0, ceil (p->breaker_pct / 100.0
                                                  * (double) n_nodes));
  e->group_size = p->node_group_size > 0 ? p->node_group_size
                                         : MAX (n_nodes, 1);
  n_groups = MAX (n_nodes, 1) / e->group_size + 1;
  e->group_unhealthy = g_new0 (uint32_t, n_groups);
  e->group_paused = g_new0 (bool, n_groups);
  return e;
}

static void
gpu_xids_free (gpointer key, gpointer value, gpointer user_data)
{
  GpuXids *g = value;
  (void) key;
  (void) user_data;
  g_free (g->times.t);
  g_free (g);
}

static void
ref_destroy (void *self)
{
  Ref *e = self;

  if (e == NULL)
    return;
  for (uint32_t i = 0; i < e->n_nodes; i++)
    g_free (e->nodes[i].remediations.t);
  g_hash_table_foreach (e->gpu_xids, gpu_xids_free, NULL);
  g_hash_table_destroy (e->gpu_xids);
  g_queue_clear_full (&e->cordons, g_free);
  g_free (e->group_unhealthy);
  g_free (e->group_paused);
  g_free (e->nodes);
  g_free (e->links);
  g_array_free (e->heap, TRUE);
  g_free (e);
}

static void *
nvsentinel_create (const HealthParams *p, uint32_t n, uint32_t l)
{
  return ref_create (REF_NVSENTINEL, p, n, l);
}

static void *
eks_create (const HealthParams *p, uint32_t n, uint32_t l)
{
  return ref_create (REF_EKS, p, n, l);
}

static void *
nhc_create (const HealthParams *p, uint32_t n, uint32_t l)
{
  return ref_create (REF_NHC, p, n, l);
}

#define REF_CLASS(cname, create_fn)                                      \
  {                                                                      \
    HEALTH_API_VERSION, cname, create_fn, ref_destroy, ref_observe,      \
    ref_node_state, ref_link_state, ref_next_wakeup, ref_wakeup          \
  }

static const HealthPolicyClass reference_classes[] = {
  REF_CLASS ("nvsentinel", nvsentinel_create),
  REF_CLASS ("eks-auto-repair", eks_create),
  REF_CLASS ("slurm-nhc", nhc_create),
};

const HealthPolicyClass *
health_ref_class_lookup (const char *name)
{
  for (size_t i = 0; i < G_N_ELEMENTS (reference_classes); i++)
    if (strcmp (reference_classes[i].name, name) == 0)
      return &reference_classes[i];
  return NULL;
}
