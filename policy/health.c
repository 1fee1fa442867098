/* policy/health.c - the HealthPolicy wrapper around a HealthPolicyClass,
 * HealthParams (defaults, text overrides, key table) and the name tables.
 * The state machines themselves live in health_policies.c; plugins in
 * plugin.c. GLib only. */
#include "health.h"
#include "health_kit.h"
#include "params.h"
#include "suggest.h"

#include <errno.h>
#include <math.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

G_DEFINE_QUARK (faultline-health-error-quark, health_error)

struct HealthPolicy
{
  const HealthPolicyClass *cls;
  HealthParams params; /* owned copy; the class sees &params */
  void *self;
  uint32_t n_nodes;
  uint32_t n_links;
  HealthTimeMs last_time;
  HealthTimeMs last_wakeup;  /* time of the last wakeup() */
  uint32_t same_wakeups;     /* wakeup() calls in a row at last_wakeup */
};

/* A class whose next_wakeup() does not move past its last wake-up would be
 * woken again at once, for ever (a plugin whose next wake-up is always
 * "now"): after HEALTH_STUCK_WAKEUPS wake-ups at one millisecond, its next
 * wake-up is moved HEALTH_STUCK_STEP_MS later. A correct policy never
 * comes near (shipped runs never wake twice at one millisecond). A time
 * beyond HEALTH_WAKEUP_MAX_MS (31,700 years, past any run) is "never", so
 * the caller's conversion to microseconds cannot overflow. */
#define HEALTH_STUCK_WAKEUPS 1000
#define HEALTH_STUCK_STEP_MS ((HealthTimeMs) 1000)
#define HEALTH_WAKEUP_MAX_MS ((HealthTimeMs) 1000000000000000)

/* ---- names ---- */

static const char *const node_state_names[HEALTH_NODE_N_STATES] = {
  "healthy", "suspect", "cordoned", "draining", "remediating", "in_repair",
  "burn_in", "quarantined",
};
static const char *const link_state_names[HEALTH_LINK_N_STATES] = {
  "active", "flapping", "disabled", "in_repair",
};
static const char *const action_names[HEALTH_ACTION_N_KINDS] = {
  "none", "cordon", "drain", "evict", "run_diag", "reset_gpu", "reboot",
  "reimage", "disable_port", "enable_port", "open_ticket", "rma", "burnin",
  "return_to_service", "quarantine",
};
static const char *const obs_kind_names[HEALTH_OBS_N_KINDS] = {
  "xid", "dcgm_active", "dcgm_passive", "ib_port_state", "ib_counters",
  "ib_trap", "heartbeat_missed", "job_hang", "job_failed", "thermal",
  "burnin_result", "action_done", "repair_done",
};

const char *
health_node_state_name (HealthNodeState state)
{
  return (unsigned) state < HEALTH_NODE_N_STATES ? node_state_names[state] : "?";
}

const char *
health_link_state_name (HealthLinkState state)
{
  return (unsigned) state < HEALTH_LINK_N_STATES ? link_state_names[state] : "?";
}

const char *
health_action_name (HealthActionKind kind)
{
  return (unsigned) kind < HEALTH_ACTION_N_KINDS ? action_names[kind] : "?";
}

const char *
health_obs_kind_name (HealthObsKind kind)
{
  return (unsigned) kind < HEALTH_OBS_N_KINDS ? obs_kind_names[kind] : "?";
}

void
health_obs_init (HealthObs *obs, HealthObsKind kind, HealthTimeMs time)
{
  g_return_if_fail (obs != NULL);
  memset (obs, 0, sizeof *obs);
  obs->kind = kind;
  obs->time = time;
  obs->node = HEALTH_NO_NODE;
  obs->gpu = HEALTH_NO_GPU;
  obs->port = HEALTH_NO_PORT;
  obs->link = HEALTH_NO_LINK;
  obs->action = HEALTH_ACTION_NONE;
}

/* ---- parameters ---- */

typedef enum { PT_MS, PT_U32, PT_PROB, PT_DOUBLE, PT_BOOL } ParamType;

typedef struct
{
  HealthParamInfo info;
  ParamType type;
  size_t offset;
  HealthTimeMs scale; /* PT_MS: ms per unit of the key */
} ParamDef;

#define P_MS(k, u, sc, f, h) \
  { { k, u, h }, PT_MS, offsetof (HealthParams, f), sc }
#define P(k, u, t, f, h) \
  { { k, u, h }, t, offsetof (HealthParams, f), 0 }

static const ParamDef param_defs[] = {
  P_MS ("heartbeat_period_s", "s", HEALTH_MS_PER_S, heartbeat_period_ms,
        "scheduler heartbeat period"),
  P ("heartbeat_misses", "count", PT_U32, heartbeat_misses,
     "missed heartbeats before the node is declared unreachable"),
  P_MS ("dcgm_watch_period_s", "s", HEALTH_MS_PER_S, dcgm_watch_period_ms,
        "DCGM passive health-watch poll period: thermal and PCIe signals "
        "reach the policy at the next poll; 0 = at once"),
  P_MS ("check_period_s", "s", HEALTH_MS_PER_S, check_period_ms,
        "periodic node health check; 0 = none"),
  P_MS ("diag_duration_s", "s", HEALTH_MS_PER_S, diag_duration_ms,
        "duration of an active diag (dcgmi diag -r 3)"),
  P ("false_positive_prob", "prob", PT_PROB, false_positive_prob,
     "probability that a check fails on a healthy node"),
  P ("false_negative_prob", "prob", PT_PROB, false_negative_prob,
     "probability that a check passes on a faulty node"),
  P ("diag_after_job_failure", "bool", PT_BOOL, diag_after_job_failure,
     "run an active diag on the node a failed/hung job blamed"),
  P ("escalation", "bool", PT_BOOL, escalation,
     "reset -> reboot -> reimage -> ticket; false: first failure -> ticket"),
  P_MS ("drain_timeout_h", "h", HEALTH_MS_PER_H, drain_timeout_ms,
        "draining node is evicted after this; 0 = wait forever"),
  P ("flap_count", "count", PT_U32, flap_count,
     "port state changes within flap_window_s that disable a link; 0 = off"),
  P_MS ("flap_window_s", "s", HEALTH_MS_PER_S, flap_window_ms,
        "flap-damping window"),
  P_MS ("link_down_grace_s", "s", HEALTH_MS_PER_S, link_down_grace_ms,
        "a link down this long gets a ticket"),
  P ("lemon_failures", "count", PT_U32, lemon_failures,
     "node failures within lemon_window_h that quarantine it; 0 = off"),
  P_MS ("lemon_window_h", "h", HEALTH_MS_PER_H, lemon_window_ms,
        "lemon-detection window"),
  P ("precursors", "bool", PT_BOOL, precursors,
     "act on precursors (ECC, symbol errors, temperature)"),
  P_MS ("precursor_window_h", "h", HEALTH_MS_PER_H, precursor_window_ms,
        "window for counting Xid 63/92"),
  P ("ecc_xid_count", "count", PT_U32, ecc_xid_count,
     "Xid 63/92 on a node within precursor_window_h that drain it; 0 = off"),
  P ("ecc_ce_per_h", "1/h", PT_DOUBLE, ecc_ce_per_h,
     "corrected-ECC rate that drains a node; 0 = off"),
  P ("symbol_errors_per_h", "1/h", PT_DOUBLE, symbol_errors_per_h,
     "SymbolErrorCounter rate that disables a link; 0 = off"),
  P ("thermal_limit_c", "C", PT_U32, thermal_limit_c,
     "GPU temperature that drains a node; 0 = off"),
  P ("breaker_pct", "%", PT_DOUBLE, breaker_pct,
     "nvsentinel: % of nodes cordoned within breaker_window_s that trips "
     "the circuit breaker; 0 = off"),
  P_MS ("breaker_window_s", "s", HEALTH_MS_PER_S, breaker_window_ms,
        "nvsentinel: circuit-breaker window"),
  P ("support_remediations", "count", PT_U32, support_remediations,
     "nvsentinel: remediations on a node within support_remediation_window_h "
     "that make the next fault CONTACT_SUPPORT; 0 = off"),
  P_MS ("support_remediation_window_h", "h", HEALTH_MS_PER_H,
        support_remediation_window_ms,
        "nvsentinel: window for support_remediations"),
  P ("support_xid_repeats", "count", PT_U32, support_xid_repeats,
     "nvsentinel: one fatal Xid on one GPU this often within "
     "support_xid_window_h -> CONTACT_SUPPORT; 0 = off"),
  P_MS ("support_xid_window_h", "h", HEALTH_MS_PER_H, support_xid_window_ms,
        "nvsentinel: window for support_xid_repeats"),
  P_MS ("xid_burst_s", "s", HEALTH_MS_PER_S, xid_burst_ms,
        "nvsentinel: Xids on one GPU closer than this count once"),
  P_MS ("repair_after_s", "s", HEALTH_MS_PER_S, repair_after_ms,
        "eks-auto-repair: AcceleratedHardwareReady=False held this long "
        "before repair"),
  P_MS ("node_repair_after_s", "s", HEALTH_MS_PER_S, node_repair_after_ms,
        "eks-auto-repair: Ready/KernelReady=False held this long before "
        "replace"),
  P ("repair_pause_pct", "%", PT_DOUBLE, repair_pause_pct,
     "eks-auto-repair: more than this % of a node group unhealthy pauses "
     "repair; 0 = never pause"),
  P ("node_group_size", "count", PT_U32, node_group_size,
     "eks-auto-repair: nodes per node group (consecutive indices); 0 = the "
     "whole cluster is one group"),
};
#define N_PARAMS G_N_ELEMENTS (param_defs)

const HealthParamInfo *
health_params_keys (void)
{
  static HealthParamInfo keys[N_PARAMS + 1];
  static gsize done = 0;

  if (g_once_init_enter (&done))
    {
      for (size_t i = 0; i < N_PARAMS; i++)
        keys[i] = param_defs[i].info;
      keys[N_PARAMS] = (HealthParamInfo) { NULL, NULL, NULL };
      g_once_init_leave (&done, 1);
    }
  return keys;
}

void
health_params_default (HealthParams *p, const char *policy_name)
{
  g_return_if_fail (p != NULL);
  memset (p, 0, sizeof *p);
  /* Shared detection model (docs/policies.md has the sources). */
  p->heartbeat_period_ms = 30 * HEALTH_MS_PER_S;
  p->heartbeat_misses = 3;
  p->dcgm_watch_period_ms = 10 * HEALTH_MS_PER_S;  /* field-data §8.5 */
  p->check_period_ms = 5 * HEALTH_MS_PER_MIN;      /* §2.5, §12.3 */
  p->diag_duration_ms = 10 * HEALTH_MS_PER_MIN;    /* §8.5 -r 3 */
  /* §2.5: "<1% of successful jobs saw a failed health check". A job
   * spanning n nodes for h hours sees n*h*12 checks at a 5-minute period,
   * so the per-check probability must be far below 1%: 1e-6 gives a
   * 2,048-node job ~0.6 false alarms a day (docs/policies.md). */
  p->false_positive_prob = 1e-6;
  p->false_negative_prob = 0.05;                   /* assumption */
  p->diag_after_job_failure = true;
  p->escalation = true;
  p->drain_timeout_ms = 24 * HEALTH_MS_PER_H;
  p->flap_count = 5;
  p->flap_window_ms = 10 * HEALTH_MS_PER_MIN;
  p->link_down_grace_ms = 10 * HEALTH_MS_PER_MIN;  /* §12.3 <= 10 min */
  p->lemon_failures = 0;
  p->lemon_window_ms = 28 * 24 * HEALTH_MS_PER_H;  /* §2.5 28-day snapshot */
  p->precursors = false;
  p->precursor_window_ms = 24 * HEALTH_MS_PER_H;
  p->ecc_xid_count = 3;
  p->ecc_ce_per_h = 100.0;
  p->symbol_errors_per_h = 1000.0;
  p->thermal_limit_c = 87;

  if (policy_name != NULL && strcmp (policy_name, "reactive") == 0)
    {
      p->check_period_ms = 0;
      p->dcgm_watch_period_ms = 0;
      p->diag_after_job_failure = false;
      p->escalation = false;
      p->flap_count = 0;
    }
  else if (policy_name != NULL && strcmp (policy_name, "proactive") == 0)
    {
      p->precursors = true;
      p->lemon_failures = 3;
    }
  else if (policy_name != NULL && strcmp (policy_name, "nvsentinel") == 0)
    {
      /* NVSentinel fault-quarantine circuitBreaker {percentage: 50,
       * duration: 5m}; health-events-analyzer MultipleRemediations (5 in
       * 7 days) and RepeatedXIDErrorOnSameGPU (5 in 24 h, 3-min bursts).
       * docs/policies.md has the sources. */
      p->breaker_pct = 50.0;
      p->breaker_window_ms = 5 * HEALTH_MS_PER_MIN;
      p->support_remediations = 5;
      p->support_remediation_window_ms = 7 * 24 * HEALTH_MS_PER_H;
      p->support_xid_repeats = 5;
      p->support_xid_window_ms = 24 * HEALTH_MS_PER_H;
      p->xid_burst_ms = 3 * HEALTH_MS_PER_MIN;
      p->drain_timeout_ms = 1 * HEALTH_MS_PER_H;   /* assumption */
    }
  else if (policy_name != NULL && strcmp (policy_name, "eks-auto-repair") == 0)
    {
      /* Amazon EKS node auto repair: AcceleratedHardwareReady 10 min,
       * Ready/KernelReady 30 min; paused above 20% of a node group
       * (docs/policies.md). */
      p->repair_after_ms = 10 * HEALTH_MS_PER_MIN;
      p->node_repair_after_ms = 30 * HEALTH_MS_PER_MIN;
      p->repair_pause_pct = 20.0;
      p->drain_timeout_ms = 1 * HEALTH_MS_PER_H;   /* assumption */
    }
  else if (policy_name != NULL && strcmp (policy_name, "slurm-nhc") == 0)
    {
      /* Slurm HealthCheckInterval running LBNL NHC; Slurm's default is 0
       * (no check), 300 s is the assumption (docs/policies.md). A Slurm
       * drain waits for the jobs, no timeout. */
      p->check_period_ms = 300 * HEALTH_MS_PER_S;
      p->drain_timeout_ms = 0;
    }
}

static const ParamDef *
param_find (const char *key)
{
  if (g_str_has_prefix (key, "health."))
    key += strlen ("health.");
  for (size_t i = 0; i < N_PARAMS; i++)
    if (strcmp (param_defs[i].info.key, key) == 0)
      return &param_defs[i];
  return NULL;
}


/* "unknown health parameter 'x'; did you mean 'health.y'?" or, when no
 * key is close, where to find them. */
static void
param_unknown (const char *key, GError **error)
{
  const char *names[N_PARAMS];
  const char *k = g_str_has_prefix (key, "health.") ? key + 7 : key;
  for (size_t i = 0; i < N_PARAMS; i++)
    names[i] = param_defs[i].info.key;
  const char *best = policy_suggest (k, names, N_PARAMS);
  if (best != NULL)
    g_set_error (error, HEALTH_ERROR, HEALTH_ERROR_UNKNOWN,
                 "unknown health parameter '%s'; did you mean 'health.%s'?"
                 " (faultline help options lists them)", key, best);
  else
    g_set_error (error, HEALTH_ERROR, HEALTH_ERROR_UNKNOWN,
                 "unknown health parameter '%s' (faultline help options "
                 "lists them)", key);
}

gboolean
health_params_set (HealthParams *p, const char *key, const char *value,
                   GError **error)
{
  const ParamDef *d;
  double v;
  char *field;

  g_return_val_if_fail (p != NULL, FALSE);
  g_return_val_if_fail (key != NULL, FALSE);
  g_return_val_if_fail (value != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  d = param_find (key);
  if (d == NULL)
    {
      param_unknown (key, error);
      return FALSE;
    }
  field = (char *) p + d->offset;

  if (d->type == PT_BOOL)
    {
      bool b;
      if (!params_parse_bool (value, &b))
        {
          g_set_error (error, HEALTH_ERROR, HEALTH_ERROR_INVALID,
                       "health.%s=%s: expected a boolean ("
                       PARAMS_BOOL_WORDS ")", d->info.key, value);
          return FALSE;
        }
      memcpy (field, &b, sizeof b);
      return TRUE;
    }

  /* a duration key takes a unit suffix too: check_period_s=5m is 300 */
  double unit_s = d->type == PT_MS ? (double) d->scale / HEALTH_MS_PER_S : 0;
  GError *e = NULL;
  if (!params_parse_number (value, unit_s, &v, &e) || v < 0)
    {
      g_set_error (error, HEALTH_ERROR, HEALTH_ERROR_INVALID,
                   "health.%s=%s: expected a number >= 0 (unit: %s)%s%s",
                   d->info.key, value, d->info.unit, e ? ": " : "",
                   e ? e->message : "");
      g_clear_error (&e);
      return FALSE;
    }

  switch (d->type)
    {
    case PT_MS:
      {
        double ms = v * (double) d->scale;
        HealthTimeMs t;
        if (ms > 1e15)
          {
            g_set_error (error, HEALTH_ERROR, HEALTH_ERROR_INVALID,
                         "health.%s=%s: too large (unit: %s)",
                         d->info.key, value, d->info.unit);
            return FALSE;
          }
        t = (HealthTimeMs) llround (ms);
        memcpy (field, &t, sizeof t);
        break;
      }
    case PT_U32:
      {
        uint32_t u;
        if (v != floor (v) || v > UINT32_MAX)
          {
            g_set_error (error, HEALTH_ERROR, HEALTH_ERROR_INVALID,
                         "health.%s=%s: expected a whole number",
                         d->info.key, value);
            return FALSE;
          }
        u = (uint32_t) v;
        memcpy (field, &u, sizeof u);
        break;
      }
    case PT_PROB:
      if (v > 1.0)
        {
          g_set_error (error, HEALTH_ERROR, HEALTH_ERROR_INVALID,
                       "health.%s=%s: a probability must be in [0, 1]",
                       d->info.key, value);
          return FALSE;
        }
      memcpy (field, &v, sizeof v);
      break;
    case PT_DOUBLE:
      memcpy (field, &v, sizeof v);
      break;
    case PT_BOOL:
    default:
      g_assert_not_reached ();
    }
  return TRUE;
}

char *
health_params_get (const HealthParams *p, const char *key)
{
  const ParamDef *d;
  const char *field;
  char buf[G_ASCII_DTOSTR_BUF_SIZE];

  g_return_val_if_fail (p != NULL, NULL);
  g_return_val_if_fail (key != NULL, NULL);
  d = param_find (key);
  if (d == NULL)
    return NULL;
  field = (const char *) p + d->offset;
  switch (d->type)
    {
    case PT_MS:
      {
        HealthTimeMs t;
        memcpy (&t, field, sizeof t);
        return g_strdup (g_ascii_dtostr (buf, sizeof buf,
                                         (double) t / (double) d->scale));
      }
    case PT_U32:
      {
        uint32_t u;
        memcpy (&u, field, sizeof u);
        return g_strdup_printf ("%" G_GUINT32_FORMAT, u);
      }
    case PT_PROB:
    case PT_DOUBLE:
      {
        double v;
        memcpy (&v, field, sizeof v);
        return g_strdup (g_ascii_dtostr (buf, sizeof buf, v));
      }
    case PT_BOOL:
      {
        bool b;
        memcpy (&b, field, sizeof b);
        return g_strdup (b ? "true" : "false");
      }
    default:
      g_assert_not_reached ();
    }
}

/* ---- the wrapper ---- */

static void
sink_to_array (HealthActionSink *sink, const HealthAction *action)
{
  g_array_append_val ((GArray *) sink->user_data, *action);
}

HealthPolicy *
health_policy_new (const HealthPolicyClass *cls, const HealthParams *params,
                   uint32_t n_nodes, uint32_t n_links, GError **error)
{
  HealthPolicy *policy;
  const char *name;

  g_return_val_if_fail (cls != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  name = cls->name != NULL ? cls->name : "(unnamed)";
  if (cls->api_version != HEALTH_API_VERSION)
    {
      g_set_error (error, HEALTH_ERROR, HEALTH_ERROR_VERSION,
                   "plugin %s implements health API version %" G_GUINT32_FORMAT
                   ", faultline expects %d; rebuild it against this health.h",
                   name, cls->api_version, HEALTH_API_VERSION);
      return NULL;
    }
  if (cls->name == NULL || cls->create == NULL || cls->destroy == NULL
      || cls->observe == NULL || cls->node_state == NULL
      || cls->next_wakeup == NULL || cls->wakeup == NULL)
    {
      g_set_error (error, HEALTH_ERROR, HEALTH_ERROR_INVALID,
                   "health policy %s: its class leaves a required method "
                   "NULL (name, create, destroy, observe, node_state, "
                   "next_wakeup, wakeup)", name);
      return NULL;
    }

  policy = g_new0 (HealthPolicy, 1);
  policy->cls = cls;
  if (params != NULL)
    policy->params = *params;
  else
    health_params_default (&policy->params, cls->name);
  policy->n_nodes = n_nodes;
  policy->n_links = n_links;
  policy->last_time = INT64_MIN;
  policy->self = cls->create (&policy->params, n_nodes, n_links);
  if (policy->self == NULL)
    {
      g_set_error (error, HEALTH_ERROR, HEALTH_ERROR_INVALID,
                   "health policy %s refused to start with %" G_GUINT32_FORMAT
                   " nodes and %" G_GUINT32_FORMAT " links",
                   name, n_nodes, n_links);
      g_free (policy);
      return NULL;
    }
  return policy;
}

HealthPolicy *
health_policy_new_with_state (const HealthPolicyClass *cls, void *self,
                              const HealthParams *params, uint32_t n_nodes,
                              uint32_t n_links, GError **error)
{
  HealthPolicy *policy;
  const char *name;

  g_return_val_if_fail (cls != NULL, NULL);
  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  name = cls->name != NULL ? cls->name : "(unnamed)";
  if (cls->api_version != HEALTH_API_VERSION)
    {
      g_set_error (error, HEALTH_ERROR, HEALTH_ERROR_VERSION,
                   "policy %s implements health API version %" G_GUINT32_FORMAT
                   ", faultline expects %d", name, cls->api_version,
                   HEALTH_API_VERSION);
      if (cls->destroy != NULL)
        cls->destroy (self);
      return NULL;
    }
  if (cls->name == NULL || cls->destroy == NULL || cls->observe == NULL
      || cls->node_state == NULL || cls->next_wakeup == NULL
      || cls->wakeup == NULL)
    {
      g_set_error (error, HEALTH_ERROR, HEALTH_ERROR_INVALID,
                   "health policy %s: its class leaves a required method "
                   "NULL (name, destroy, observe, node_state, next_wakeup, "
                   "wakeup)", name);
      if (cls->destroy != NULL)
        cls->destroy (self);
      return NULL;
    }

  policy = g_new0 (HealthPolicy, 1);
  policy->cls = cls;
  if (params != NULL)
    policy->params = *params;
  else
    health_params_default (&policy->params, "standard");
  policy->n_nodes = n_nodes;
  policy->n_links = n_links;
  policy->last_time = INT64_MIN;
  policy->self = self;
  return policy;
}

HealthPolicy *
health_policy_new_named (const char *name, const HealthParams *params,
                         uint32_t n_nodes, uint32_t n_links, GError **error)
{
  const HealthPolicyClass *cls;
  HealthParams defaults;

  g_return_val_if_fail (name != NULL, NULL);
  cls = health_policy_class_lookup (name);
  if (cls == NULL)
    {
      g_set_error (error, HEALTH_ERROR, HEALTH_ERROR_UNKNOWN,
                   "unknown health policy '%s'; valid names: %s "
                   "(or a plugin .so path)", name, health_policy_class_names ());
      return NULL;
    }
  if (params == NULL)
    {
      health_params_default (&defaults, name);
      params = &defaults;
    }
  return health_policy_new (cls, params, n_nodes, n_links, error);
}

void
health_policy_free (HealthPolicy *policy)
{
  if (policy == NULL)
    return;
  policy->cls->destroy (policy->self);
  g_free (policy);
}

const char *
health_policy_name (HealthPolicy *policy)
{
  g_return_val_if_fail (policy != NULL, NULL);
  return policy->cls->name;
}

const HealthParams *
health_policy_params (HealthPolicy *policy)
{
  g_return_val_if_fail (policy != NULL, NULL);
  return &policy->params;
}

void
health_policy_observe (HealthPolicy *policy, const HealthObs *obs,
                       GArray *actions_out)
{
  HealthActionSink sink = { sink_to_array, actions_out };

  g_return_if_fail (policy != NULL);
  g_return_if_fail (obs != NULL);
  g_return_if_fail (actions_out != NULL);
  g_return_if_fail ((unsigned) obs->kind < HEALTH_OBS_N_KINDS);
  g_return_if_fail (obs->node == HEALTH_NO_NODE || obs->node < policy->n_nodes);
  g_return_if_fail (obs->link == HEALTH_NO_LINK || obs->link < policy->n_links);
  g_return_if_fail (obs->time >= policy->last_time);

  policy->last_time = obs->time;
  policy->cls->observe (policy->self, obs, &sink);
}

HealthNodeState
health_policy_node_state (HealthPolicy *policy, uint32_t node)
{
  g_return_val_if_fail (policy != NULL, HEALTH_NODE_HEALTHY);
  g_return_val_if_fail (node < policy->n_nodes, HEALTH_NODE_HEALTHY);
  return policy->cls->node_state (policy->self, node);
}

gboolean
health_policy_node_state_counts (HealthPolicy *policy, uint32_t *counts)
{
  g_return_val_if_fail (policy != NULL && counts != NULL, FALSE);
  return health_policy_builtin_state_counts (policy->cls, policy->self, counts);
}

HealthLinkState
health_policy_link_state (HealthPolicy *policy, uint32_t link)
{
  g_return_val_if_fail (policy != NULL, HEALTH_LINK_ACTIVE);
  g_return_val_if_fail (link < policy->n_links, HEALTH_LINK_ACTIVE);
  if (policy->cls->link_state == NULL)
    return HEALTH_LINK_ACTIVE;
  return policy->cls->link_state (policy->self, link);
}

HealthTimeMs
health_policy_next_wakeup (HealthPolicy *policy)
{
  g_return_val_if_fail (policy != NULL, HEALTH_TIME_NEVER);
  HealthTimeMs t = policy->cls->next_wakeup (policy->self);
  if (t > HEALTH_WAKEUP_MAX_MS)
    return HEALTH_TIME_NEVER;
  if (policy->same_wakeups >= HEALTH_STUCK_WAKEUPS && t <= policy->last_wakeup)
    return policy->last_wakeup + HEALTH_STUCK_STEP_MS;
  return t;
}

void
health_policy_wakeup (HealthPolicy *policy, HealthTimeMs now,
                      GArray *actions_out)
{
  HealthActionSink sink = { sink_to_array, actions_out };

  g_return_if_fail (policy != NULL);
  g_return_if_fail (actions_out != NULL);
  g_return_if_fail (now >= policy->last_time);

  if (policy->same_wakeups > 0 && now == policy->last_wakeup)
    policy->same_wakeups++;
  else
    policy->same_wakeups = 1;
  policy->last_wakeup = now;
  policy->last_time = now;
  policy->cls->wakeup (policy->self, now, &sink);
}
