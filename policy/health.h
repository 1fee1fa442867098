/* policy/health.h - health checking and remediation: observations in,
 * actions out, per-node and per-link state machines an operator recognises.
 *
 * Production-shaped: includes GLib only, nothing of sim/, models/ or lua/,
 * and has its own time unit (HealthTimeMs). It does not run checks, sleep or
 * draw random numbers: the caller (the simulator, or a real controller)
 * delivers observations in time order and carries the actions out, reporting
 * back with HEALTH_OBS_ACTION_DONE / HEALTH_OBS_REPAIR_DONE. A policy is a
 * versioned vtable (HealthPolicyClass); built-in ones are "reactive",
 * "standard" and "proactive", and the reference models of public tools
 * "nvsentinel", "eks-auto-repair" and "slurm-nhc" (docs/policies.md);
 * others load from a .so (plugin.h). */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include <glib.h>

G_BEGIN_DECLS

#define HEALTH_API_VERSION 1

/* Milliseconds since an arbitrary epoch; observations must not go back. */
typedef int64_t HealthTimeMs;
#define HEALTH_TIME_NEVER INT64_MAX
#define HEALTH_MS_PER_S ((HealthTimeMs) 1000)
#define HEALTH_MS_PER_MIN ((HealthTimeMs) 60 * 1000)
#define HEALTH_MS_PER_H ((HealthTimeMs) 3600 * 1000)

#define HEALTH_NO_NODE UINT32_MAX /* an observation/action about a link only */
#define HEALTH_NO_LINK UINT32_MAX /* ... about a node only */
#define HEALTH_NO_GPU (-1)
#define HEALTH_NO_PORT (-1)

#define HEALTH_ERROR (health_error_quark ())
GQuark health_error_quark (void);
typedef enum
{
  HEALTH_ERROR_VERSION,   /* class implements another HEALTH_API_VERSION */
  HEALTH_ERROR_INVALID,   /* class/params unusable (NULL method, bad value) */
  HEALTH_ERROR_UNKNOWN,   /* unknown policy name or parameter key */
  HEALTH_ERROR_PLUGIN,    /* .so missing, not loadable, symbol missing */
} HealthError;

/* ---- observations ---- */

typedef enum
{
  HEALTH_OBS_XID,              /* xid, gpu; counter_value = NVML recovery
                                  action (0..7, field-data §8.3) for Xid 154 */
  HEALTH_OBS_DCGM_ACTIVE,      /* result of a RUN_DIAG: passed, check */
  HEALTH_OBS_DCGM_PASSIVE,     /* a background health watch: check, passed;
                                  for HEALTH_CHECK_ECC_CORRECTABLE,
                                  counter_value = cumulative corrected count */
  HEALTH_OBS_IB_PORT_STATE,    /* link (+node/port if node-side);
                                  counter_value = new PortState:
                                  HEALTH_IB_PORT_DOWN or HEALTH_IB_PORT_ACTIVE */
  HEALTH_OBS_IB_COUNTERS,      /* link; check = HealthIbCounter,
                                  counter_value = the (cumulative) reading */
  HEALTH_OBS_IB_TRAP,          /* link; counter_value = trap number (§9.3) */
  HEALTH_OBS_HEARTBEAT_MISSED, /* node declared unreachable: the caller sends
                                  it after params.heartbeat_misses misses */
  HEALTH_OBS_JOB_HANG,         /* NCCL timeout blamed on this node */
  HEALTH_OBS_JOB_FAILED,       /* a job died on this node, cause unknown
                                  (sent for the blamed node, not all nodes
                                  of the job) */
  HEALTH_OBS_THERMAL,          /* counter_value = GPU temperature, deg C */
  HEALTH_OBS_BURNIN_RESULT,    /* passed */
  HEALTH_OBS_ACTION_DONE,      /* action = what finished; ok = the node/link
                                  now passes its checks (for DRAIN: the
                                  node is idle) */
  HEALTH_OBS_REPAIR_DONE,      /* OPEN_TICKET/RMA/QUARANTINE finished: the
                                  part was replaced; node or link */
  HEALTH_OBS_N_KINDS
} HealthObsKind;

/* What a DCGM check looked at (field-data §8.5 health-watch systems). */
typedef enum
{
  HEALTH_CHECK_NONE,
  HEALTH_CHECK_GPU_MEMORY,      /* uncorrectable ECC, failed row remap */
  HEALTH_CHECK_PCIE,
  HEALTH_CHECK_NVLINK,
  HEALTH_CHECK_THERMAL,         /* thermal + power */
  HEALTH_CHECK_INFOROM,
  HEALTH_CHECK_DRIVER,
  HEALTH_CHECK_IB,              /* ConnectX / IB link as seen from host */
  HEALTH_CHECK_ECC_CORRECTABLE, /* reading, not pass/fail (precursor) */
  HEALTH_CHECK_DIAG,            /* whole active diag (dcgmi diag -r 3) */
  HEALTH_CHECK_N_KINDS
} HealthCheckKind;

/* IB PortCounters (field-data §9.2) carried by HEALTH_OBS_IB_COUNTERS. */
typedef enum
{
  HEALTH_IB_SYMBOL_ERROR,
  HEALTH_IB_LINK_ERROR_RECOVERY,
  HEALTH_IB_LINK_DOWNED,
  HEALTH_IB_PORT_RCV_ERRORS,
  HEALTH_IB_PORT_XMIT_DISCARDS,
  HEALTH_IB_COUNTER_N_KINDS
} HealthIbCounter;

/* PortInfo.PortState values (field-data §9.1). */
#define HEALTH_IB_PORT_DOWN 1
#define HEALTH_IB_PORT_INIT 2
#define HEALTH_IB_PORT_ARMED 3
#define HEALTH_IB_PORT_ACTIVE 4

typedef enum
{
  HEALTH_ACTION_NONE,
  HEALTH_ACTION_CORDON,            /* no new jobs on the node */
  HEALTH_ACTION_DRAIN,             /* cordon; let running jobs finish;
                                      ACTION_DONE(DRAIN) when idle */
  HEALTH_ACTION_EVICT,             /* kill the node's jobs now */
  HEALTH_ACTION_RUN_DIAG,          /* active DCGM diag (-r 3); answer with
                                      DCGM_ACTIVE */
  HEALTH_ACTION_RESET_GPU,         /* gpu; ACTION_DONE ok = fixed */
  HEALTH_ACTION_REBOOT,
  HEALTH_ACTION_REIMAGE,
  HEALTH_ACTION_DISABLE_PORT,      /* link */
  HEALTH_ACTION_ENABLE_PORT,       /* link */
  HEALTH_ACTION_OPEN_TICKET,       /* technician replaces hardware; node or
                                      link; answer REPAIR_DONE */
  HEALTH_ACTION_RMA,               /* vendor return (long lead time);
                                      answer REPAIR_DONE */
  HEALTH_ACTION_BURNIN,            /* answer BURNIN_RESULT */
  HEALTH_ACTION_RETURN_TO_SERVICE, /* uncordon */
  HEALTH_ACTION_QUARANTINE,        /* lemon: out of service until repaired */
  HEALTH_ACTION_N_KINDS
} HealthActionKind;

typedef struct
{
  HealthObsKind kind;
  HealthTimeMs time;
  uint32_t node;           /* HEALTH_NO_NODE for a switch-switch link */
  int32_t gpu;             /* HEALTH_NO_GPU if none */
  int32_t port;            /* rail/port index, HEALTH_NO_PORT if none */
  uint32_t link;           /* HEALTH_NO_LINK if not about a link */
  int32_t xid;
  uint32_t check;          /* HealthCheckKind, or HealthIbCounter */
  bool passed;
  uint64_t counter_value;  /* see HealthObsKind */
  HealthActionKind action; /* for ACTION_DONE */
  bool ok;                 /* for ACTION_DONE */
} HealthObs;

/* Initialises *obs: everything "none" (node/link/gpu/port none, passed/ok
 * false). */
void health_obs_init (HealthObs *obs, HealthObsKind kind, HealthTimeMs time);

/* ---- actions ---- */

typedef struct
{
  HealthActionKind kind;
  HealthTimeMs time;   /* when the policy decided */
  uint32_t node;       /* HEALTH_NO_NODE for a link action */
  int32_t gpu;         /* HEALTH_NO_GPU if node-wide */
  uint32_t link;       /* HEALTH_NO_LINK for a node action */
  const char *reason;  /* static string, e.g. "xid 79: fallen off the bus" */
} HealthAction;

/* Where a policy puts its actions. Inline so that a plugin .so needs no
 * symbol from the host program. */
typedef struct HealthActionSink HealthActionSink;
struct HealthActionSink
{
  void (*emit) (HealthActionSink *sink, const HealthAction *action);
  void *user_data;
};

static inline void
health_emit (HealthActionSink *sink, const HealthAction *action)
{
  sink->emit (sink, action);
}

/* ---- states ---- */

typedef enum
{
  HEALTH_NODE_HEALTHY,     /* in service */
  HEALTH_NODE_SUSPECT,     /* one soft signal; still in service; a diag is
                              requested for the next idle moment */
  HEALTH_NODE_CORDONED,    /* no new jobs; diag requested now */
  HEALTH_NODE_DRAINING,    /* running jobs may finish (until a deadline) */
  HEALTH_NODE_REMEDIATING, /* reset / reboot / reimage in progress */
  HEALTH_NODE_IN_REPAIR,   /* ticket or RMA open */
  HEALTH_NODE_BURN_IN,
  HEALTH_NODE_QUARANTINED, /* lemon: repeated failures; ticket open */
  HEALTH_NODE_N_STATES
} HealthNodeState;

typedef enum
{
  HEALTH_LINK_ACTIVE,
  HEALTH_LINK_FLAPPING,  /* state changes seen within the flap window */
  HEALTH_LINK_DISABLED,  /* disabled by flap damping / error rate; ticket open */
  HEALTH_LINK_IN_REPAIR, /* down and stayed down; ticket open */
  HEALTH_LINK_N_STATES
} HealthLinkState;

/* ---- parameters ---- */

/* What the caller needs to model checks without polling, and the policy's
 * thresholds. A count or period of 0 disables the feature. Defaults and
 * sources: docs/policies.md. */
typedef struct
{
  /* detection, modelled by the caller */
  HealthTimeMs heartbeat_period_ms;   /* scheduler heartbeat */
  uint32_t heartbeat_misses;          /* misses before HEARTBEAT_MISSED */
  HealthTimeMs dcgm_watch_period_ms;  /* passive health-watch poll */
  HealthTimeMs check_period_ms;       /* periodic node health check; 0 none */
  HealthTimeMs diag_duration_ms;      /* active diag -r 3 */
  double false_positive_prob;         /* per check on a healthy node */
  double false_negative_prob;         /* per check on a faulty node */
  /* policy behaviour */
  bool diag_after_job_failure;        /* JOB_FAILED/JOB_HANG -> diag */
  bool escalation;                    /* reset -> reboot -> reimage -> ticket;
                                         false: first failure -> ticket */
  HealthTimeMs drain_timeout_ms;      /* DRAINING -> EVICT after this */
  uint32_t flap_count;                /* port changes in window to disable */
  HealthTimeMs flap_window_ms;
  HealthTimeMs link_down_grace_ms;    /* down this long -> ticket */
  uint32_t lemon_failures;            /* failures in window to quarantine */
  HealthTimeMs lemon_window_ms;
  bool precursors;                    /* act on the thresholds below */
  HealthTimeMs precursor_window_ms;
  uint32_t ecc_xid_count;             /* Xid 63/92 in window -> drain */
  double ecc_ce_per_h;                /* corrected ECC rate -> drain */
  double symbol_errors_per_h;         /* SymbolErrorCounter rate -> disable */
  uint32_t thermal_limit_c;           /* GPU temperature -> drain */
  /* the reference policies nvsentinel, eks-auto-repair, slurm-nhc
   * (health_reference.c); 0 disables; unused by the other policies */
  double breaker_pct;                 /* % of nodes cordoned within
                                         breaker_window_ms that trips the
                                         circuit breaker (nvsentinel) */
  HealthTimeMs breaker_window_ms;
  uint32_t support_remediations;      /* remediations on a node within the
                                         window -> CONTACT_SUPPORT */
  HealthTimeMs support_remediation_window_ms;
  uint32_t support_xid_repeats;       /* one fatal Xid on one GPU this often
                                         within the window -> CONTACT_SUPPORT */
  HealthTimeMs support_xid_window_ms;
  HealthTimeMs xid_burst_ms;          /* Xids closer than this: one burst */
  HealthTimeMs repair_after_ms;       /* eks: AcceleratedHardwareReady=False
                                         held this long -> repair */
  HealthTimeMs node_repair_after_ms;  /* eks: Ready/KernelReady=False held
                                         this long -> replace */
  double repair_pause_pct;            /* eks: more than this % of a node
                                         group unhealthy pauses repair */
  uint32_t node_group_size;           /* eks: nodes per node group (index
                                         blocks); 0 = one group */
} HealthParams;

/* Fills *params with the defaults of a named policy (NULL or unknown:
 * "standard"). */
void health_params_default (HealthParams *params, const char *policy_name);
/* Sets one parameter from text, e.g. ("check_period_s", "60"); the key may
 * carry a "health." prefix. Unknown key or bad value -> FALSE and an error
 * naming the key/value and the fix (closest key, valid range). */
gboolean health_params_set (HealthParams *params, const char *key,
                            const char *value, GError **error);
/* Formats a parameter's current value as health_params_set reads it.
 * Returns: (transfer full), or NULL for an unknown key. */
char *health_params_get (const HealthParams *params, const char *key);

typedef struct
{
  const char *key;   /* e.g. "check_period_s" */
  const char *unit;  /* "s", "min", "h", "count", "prob", "bool", ... */
  const char *help;
} HealthParamInfo;
/* The keys, NULL-key terminated, in a stable order (for docs, --help). */
const HealthParamInfo *health_params_keys (void);

/* ---- the policy class (plugin vtable) ---- */

typedef struct
{
  uint32_t api_version; /* HEALTH_API_VERSION the class was built against */
  const char *name;
  /* Returns the policy state or NULL; params stay valid while self lives. */
  void *(*create) (const HealthParams *params, uint32_t n_nodes,
                   uint32_t n_links);
  void (*destroy) (void *self);
  void (*observe) (void *self, const HealthObs *obs, HealthActionSink *sink);
  HealthNodeState (*node_state) (void *self, uint32_t node);
  HealthLinkState (*link_state) (void *self, uint32_t link); /* may be NULL */
  /* Earliest time the policy wants wakeup(); HEALTH_TIME_NEVER if none. */
  HealthTimeMs (*next_wakeup) (void *self);
  void (*wakeup) (void *self, HealthTimeMs now, HealthActionSink *sink);
} HealthPolicyClass;

/* A plugin .so exports this symbol (plugin.h loads it). */
typedef const HealthPolicyClass *(*HealthPolicyEntry) (void);
#define HEALTH_PLUGIN_SYMBOL "faultline_health_policy"

/* ---- the wrapper ---- */

typedef struct HealthPolicy HealthPolicy;

/* Refuses a class of another api_version (HEALTH_ERROR_VERSION: "plugin X
 * implements health API version 7, faultline expects 1") or with a NULL
 * method. params NULL = standard defaults. Returns: (transfer full). */
HealthPolicy *health_policy_new (const HealthPolicyClass *cls,
                                 const HealthParams *params,
                                 uint32_t n_nodes, uint32_t n_links,
                                 GError **error);
/* A built-in name (health_policy_class_names()); params NULL = that policy's
 * defaults. Unknown name -> error listing the valid names. */
HealthPolicy *health_policy_new_named (const char *name,
                                       const HealthParams *params,
                                       uint32_t n_nodes, uint32_t n_links,
                                       GError **error);
/* Wraps a policy state the caller already created (for a class whose
 * create() cannot take the caller's data, e.g. a policy written in Lua):
 * the same checks as health_policy_new(), but cls->create is not called
 * (it may be NULL) and self is adopted: cls->destroy (self) runs on
 * health_policy_free() and also here when the class is refused. self must
 * not be NULL. params NULL = standard defaults. Returns: (transfer full). */
HealthPolicy *health_policy_new_with_state (const HealthPolicyClass *cls,
                                            void *self,
                                            const HealthParams *params,
                                            uint32_t n_nodes, uint32_t n_links,
                                            GError **error);
void health_policy_free (HealthPolicy *policy);

const char *health_policy_name (HealthPolicy *policy);
const HealthParams *health_policy_params (HealthPolicy *policy);
/* Appends the resulting HealthAction items to actions_out. */
void health_policy_observe (HealthPolicy *policy, const HealthObs *obs,
                            GArray *actions_out);
HealthNodeState health_policy_node_state (HealthPolicy *policy, uint32_t node);
HealthLinkState health_policy_link_state (HealthPolicy *policy, uint32_t link);
/* The number of nodes in each state, counts[HEALTH_NODE_N_STATES], in
 * O(states): TRUE for the classes that keep them (reactive, standard,
 * proactive); FALSE, counts untouched, for the others (reference
 * policies, plugins, Lua): ask health_policy_node_state per node. */
gboolean health_policy_node_state_counts (HealthPolicy *policy,
                                          uint32_t *counts);
/* The class's next_wakeup(), guarded: after 1000 wakeup() calls at one
 * millisecond, a time at or before it becomes 1 s later (a policy that
 * never moves time forward cannot hold a run for ever); a time beyond
 * 10^15 ms is HEALTH_TIME_NEVER. */
HealthTimeMs health_policy_next_wakeup (HealthPolicy *policy);
void health_policy_wakeup (HealthPolicy *policy, HealthTimeMs now,
                           GArray *actions_out);

/* The built-in classes (health_policies.c); NULL for an unknown name. */
const HealthPolicyClass *health_policy_class_lookup (const char *name);
/* "reactive, standard, proactive, nvsentinel, eks-auto-repair, slurm-nhc" */
const char *health_policy_class_names (void);

/* Names as an operator writes them: "healthy", "in_repair", "reset_gpu",
 * "dcgm_active". Never NULL ("?" when out of range). */
const char *health_node_state_name (HealthNodeState state);
const char *health_link_state_name (HealthLinkState state);
const char *health_action_name (HealthActionKind kind);
const char *health_obs_kind_name (HealthObsKind kind);

G_END_DECLS
