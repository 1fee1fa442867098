/* lib/healthevents.c - health_events.jsonl from the world's event stream:
 * a health event per node fault (node_failed, with the GPU named by the
 * component_failed just before it) and per health-policy action on a
 * node, each action with its Kubernetes effect. Tables and field
 * contract: docs/policies.md "Health events", docs/results.md. */
#include "healthevents.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include <json-glib/json-glib.h>

#include "atomicfile.h"
#include "health.h"
#include "health_reference.h"
#include "results.h"

typedef struct
{
  bool open;              /* a fault not yet back in service */
  int32_t xid;            /* 0: none */
  int32_t gpu;            /* -1: node-wide */
  char *gpu_name;         /* "node0412/gpu5" or NULL */
  const char *check;      /* checkName (static) */
  const char *cclass;     /* componentClass (static) */
  const char *taint;      /* the taint a cordon sets (static) */
  HealthRefRecommended rec;
  bool fatal;
} HeNode;

struct HealthEvents
{
  AtomicFile *file;
  char *policy;
  uint32_t n_nodes;
  HeNode *nodes;
  char *last_component;   /* the last component_failed's name */
  SimTime last_component_t;
};

const char *
healthevents_gpu_uuid (const char *gpu_name, char *out, size_t len)
{
  g_autofree char *h = g_compute_checksum_for_string (G_CHECKSUM_SHA256,
                                                      gpu_name, -1);
  g_snprintf (out, len, "GPU-%.8s-%.4s-%.4s-%.4s-%.12s", h, h + 8, h + 12,
              h + 16, h + 20);
  return out;
}

const char *
healthevents_timestamp (SimTime t, char *out, size_t len)
{
  int64_t us = (int64_t) t;
  int64_t s = us / 1000000;
  int ms = (int) ((us % 1000000) / 1000);
  g_autoptr (GDateTime) dt
    = g_date_time_new_from_unix_utc (HEALTHEVENTS_EPOCH_UNIX + s);
  g_autofree char *base = dt != NULL ? g_date_time_format (dt, "%Y-%m-%dT%H:%M:%S")
                                     : g_strdup ("9999-12-31T23:59:59");
  g_snprintf (out, len, "%s.%03dZ", base, ms);
  return out;
}

HealthEvents *
healthevents_open (const char *dir, const char *policy, uint32_t n_nodes,
                   GError **error)
{
  g_return_val_if_fail (dir != NULL, NULL);
  g_autofree char *path = g_build_filename (dir, "health_events.jsonl", NULL);
  AtomicFile *af = atomicfile_open (path, error);
  if (af == NULL)
    return NULL;
  HealthEvents *h = g_new0 (HealthEvents, 1);
  h->file = af;
  h->policy = g_strdup (policy != NULL ? policy : "standard");
  h->n_nodes = n_nodes;
  h->nodes = g_new0 (HeNode, MAX (n_nodes, 1));
  return h;
}

/* The GPU index in "…/gpuN", or -1. */
static int32_t
gpu_index (const char *name)
{
  const char *p = name != NULL ? g_strrstr (name, "/gpu") : NULL;
  char *end = NULL;
  long v;
  if (p == NULL)
    return -1;
  v = strtol (p + 4, &end, 10);
  return end != p + 4 && *end == '\0' && v >= 0 && v < 1 << 20 ? (int32_t) v : -1;
}

/* ---- agents: who raises the event, by policy ---- */

static const char *
action_agent (const char *policy, HealthActionKind k)
{
  if (strcmp (policy, "eks-auto-repair") == 0)
    return "eks-node-auto-repair";
  if (strcmp (policy, "slurm-nhc") == 0)
    return k == HEALTH_ACTION_EVICT || k == HEALTH_ACTION_OPEN_TICKET
               || k == HEALTH_ACTION_RMA
             ? "slurmctld" : "nhc";
  switch (k)
    {
    case HEALTH_ACTION_DRAIN:
    case HEALTH_ACTION_EVICT:
      return "node-drainer";
    case HEALTH_ACTION_RESET_GPU:
    case HEALTH_ACTION_REBOOT:
    case HEALTH_ACTION_REIMAGE:
    case HEALTH_ACTION_OPEN_TICKET:
    case HEALTH_ACTION_RMA:
    case HEALTH_ACTION_QUARANTINE:
    case HEALTH_ACTION_BURNIN:
      return "fault-remediation";
    case HEALTH_ACTION_RUN_DIAG:
      return "health-check";
    default:
      return "fault-quarantine";
    }
}

/* The recommendedAction an action stands for; NONE keeps the fault's. */
static HealthRefRecommended
action_recommended (HealthActionKind k, HealthRefRecommended fault)
{
  switch (k)
    {
    case HEALTH_ACTION_RESET_GPU:
      return HEALTH_REF_COMPONENT_RESET;
    case HEALTH_ACTION_REBOOT:
    case HEALTH_ACTION_REIMAGE:
      return HEALTH_REF_RESTART_BM;
    case HEALTH_ACTION_OPEN_TICKET:
    case HEALTH_ACTION_RMA:
    case HEALTH_ACTION_QUARANTINE:
      return HEALTH_REF_CONTACT_SUPPORT;
    case HEALTH_ACTION_RUN_DIAG:
      return HEALTH_REF_RUN_DCGMEUD;
    case HEALTH_ACTION_BURNIN:
      return HEALTH_REF_RUN_FIELDDIAG;
    case HEALTH_ACTION_RETURN_TO_SERVICE:
      return HEALTH_REF_NONE;
    default:
      return fault;
    }
}

/* The Kubernetes object a remediation CR / operator action stands for. */
static const char *
remediation_name (HealthActionKind k)
{
  switch (k)
    {
    case HEALTH_ACTION_RESET_GPU:
      return "GPUReset";
    case HEALTH_ACTION_REBOOT:
      return "RebootNode";
    case HEALTH_ACTION_REIMAGE:
      return "ReimageNode";
    case HEALTH_ACTION_OPEN_TICKET:
    case HEALTH_ACTION_RMA:
    case HEALTH_ACTION_QUARANTINE:
      return "SupportTicket";
    default:
      return NULL;
    }
}

/* ---- the fault's vocabulary ---- */

static void
classify_fault (HeNode *n, const WorldEvent *ev, bool gpu)
{
  const char *mode = ev->fault.mode != NULL ? ev->fault.mode : "";
  const char *cause = ev->fault.cause != NULL ? ev->fault.cause : "";

  n->xid = ev->fault.xid;
  n->cclass = gpu ? "GPU" : "NODE";
  n->fatal = true;
  if (ev->fault.xid > 0)
    {
      n->rec = health_ref_xid_recommended (ev->fault.xid, 0, &n->fatal, NULL);
      n->check = "SysLogsXIDError";
      n->taint = "nvidia.com/gpu-xid-error:NoSchedule";
      return;
    }
  if (gpu && (strcmp (mode, "thermal") == 0 || strstr (cause, "Thermal") != NULL))
    {
      n->check = "GpuThermalWatch";
      n->rec = HEALTH_REF_CONTACT_SUPPORT;
    }
  else if (gpu && (strcmp (mode, "sdc") == 0 || strstr (cause, "Silent") != NULL))
    {
      n->check = "GpuSilentDataCorruption";
      n->rec = HEALTH_REF_RUN_FIELDDIAG;
    }
  else if (gpu && strstr (cause, "NVLink") != NULL)
    {
      n->check = "NVSwitchFatalError";
      n->rec = HEALTH_REF_CONTACT_SUPPORT;
    }
  else if (gpu)
    {
      n->check = "GpuMemWatch";
      n->rec = HEALTH_REF_COMPONENT_RESET;
    }
  else
    {
      n->check = "NodeReady";
      n->rec = HEALTH_REF_RESTART_BM;
    }
  n->taint = gpu ? "nvidia.com/gpu-health-error:NoSchedule"
                 : "node.kubernetes.io/unreachable:NoSchedule";
}

/* ---- writing ---- */

static void
add_str (JsonBuilder *b, const char *k, const char *v)
{
  json_builder_set_member_name (b, k);
  json_builder_add_string_value (b, v);
}

static void
add_bool (JsonBuilder *b, const char *k, bool v)
{
  json_builder_set_member_name (b, k);
  json_builder_add_boolean_value (b, v);
}

/* Opens the object and writes the schema's fields in their order. */
static void
begin_event (JsonBuilder *b, const char *agent, const HeNode *n,
             bool fatal, bool healthy, const char *message,
             HealthRefRecommended rec)
{
  json_builder_begin_object (b);
  add_str (b, "version", "1");
  add_str (b, "agent", agent);
  add_str (b, "componentClass", n->cclass != NULL ? n->cclass : "NODE");
  add_str (b, "checkName", n->check != NULL ? n->check : "NodeReady");
  add_bool (b, "isFatal", fatal);
  add_bool (b, "isHealthy", healthy);
  add_str (b, "message", message);
  add_str (b, "recommendedAction", health_ref_recommended_name (rec));
  json_builder_set_member_name (b, "errorCode");
  json_builder_begin_array (b);
  if (n->xid > 0)
    {
      char code[16];
      g_snprintf (code, sizeof code, "%" PRId32, n->xid);
      json_builder_add_string_value (b, code);
    }
  json_builder_end_array (b);
  json_builder_set_member_name (b, "entitiesImpacted");
  json_builder_begin_array (b);
  if (n->gpu >= 0 && n->gpu_name != NULL)
    {
      char idx[16], uuid[48];
      g_snprintf (idx, sizeof idx, "%" PRId32, n->gpu);
      json_builder_begin_object (b);
      add_str (b, "entityType", "GPU");
      add_str (b, "entityValue", idx);
      json_builder_end_object (b);
      json_builder_begin_object (b);
      add_str (b, "entityType", "GPU_UUID");
      add_str (b, "entityValue",
               healthevents_gpu_uuid (n->gpu_name, uuid, sizeof uuid));
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
}

static void
end_event (HealthEvents *h, JsonBuilder *b, const WorldEvent *ev)
{
  char ts[64];
  add_str (b, "nodeName", ev->component);
  add_str (b, "generatedTimestamp",
           healthevents_timestamp (ev->time, ts, sizeof ts));
  json_builder_end_object (b);
  g_autoptr (JsonNode) root = json_builder_get_root (b);
  g_autofree char *line = results_json_to_string (root, false);
  FILE *f = atomicfile_stream (h->file);
  /* A write error sets the stream's error flag; commit reports it. */
  fputs (line, f);
  fputc ('\n', f);
}

static void
write_fault (HealthEvents *h, HeNode *n, const WorldEvent *ev)
{
  g_autoptr (JsonBuilder) b = json_builder_new ();
  const char *agent = n->xid > 0 ? "syslog-health-monitor"
                      : strcmp (n->cclass, "GPU") == 0 ? "gpu-health-monitor"
                                                       : "node-problem-detector";
  const char *meaning = NULL;
  g_autofree char *msg = NULL;
  if (n->xid > 0)
    health_ref_xid_recommended (n->xid, 0, NULL, &meaning);
  const char *cause = ev->fault.cause, *mode = ev->fault.mode;
  msg = n->xid > 0
          ? g_strdup_printf ("Xid %" PRId32 ": %s (%s)", n->xid, meaning,
                             cause != NULL ? cause : mode)
          : g_strdup_printf ("%s (%s)", cause != NULL ? cause : "fault",
                             mode != NULL ? mode : "?");
  begin_event (b, agent, n, n->fatal, false, msg, n->rec);
  end_event (h, b, ev);
}

static void
write_action (HealthEvents *h, HeNode *n, HealthActionKind k,
              const WorldEvent *ev)
{
  g_autoptr (JsonBuilder) b = json_builder_new ();
  bool healthy = k == HEALTH_ACTION_RETURN_TO_SERVICE;
  const char *action = ev->action.action;
  const char *reason = ev->action.reason != NULL ? ev->action.reason : action;
  g_autofree char *msg = g_strdup_printf ("%s: %s", action, reason);
  const char *rem = remediation_name (k);

  begin_event (b, action_agent (h->policy, k), n, healthy ? false : n->fatal,
               healthy, msg, action_recommended (k, n->rec));
  /* the Kubernetes effect (docs/policies.md "Health events") */
  json_builder_set_member_name (b, "kubernetes");
  json_builder_begin_object (b);
  add_str (b, "action", action);
  if (k == HEALTH_ACTION_CORDON || k == HEALTH_ACTION_DRAIN
      || k == HEALTH_ACTION_RETURN_TO_SERVICE)
    {
      add_bool (b, "unschedulable", !healthy);
      json_builder_set_member_name (b, healthy ? "taintsRemoved" : "taints");
      json_builder_begin_array (b);
      json_builder_add_string_value (b, n->taint != NULL ? n->taint
                                     : "nvidia.com/gpu-health-error:NoSchedule");
      json_builder_end_array (b);
    }
  json_builder_set_member_name (b, "conditions");
  json_builder_begin_array (b);
  json_builder_begin_object (b);
  add_str (b, "type", n->check != NULL ? n->check : "NodeReady");
  add_str (b, "status", healthy ? "False" : "True");
  add_str (b, "reason", reason);
  json_builder_end_object (b);
  json_builder_end_array (b);
  if (k == HEALTH_ACTION_DRAIN || k == HEALTH_ACTION_EVICT)
    add_bool (b, "drain", true);
  if (rem != NULL)
    add_str (b, "remediation", rem);
  json_builder_end_object (b);
  end_event (h, b, ev);
}

static HealthActionKind
action_kind (const char *name)
{
  for (int k = 0; k < HEALTH_ACTION_N_KINDS; k++)
    if (name != NULL && strcmp (health_action_name (k), name) == 0)
      return k;
  return HEALTH_ACTION_NONE;
}

void
healthevents_listener (const WorldEvent *ev, void *user_data)
{
  HealthEvents *h = user_data;
  g_return_if_fail (ev != NULL && h != NULL);

  if (ev->kind == WEV_COMPONENT_FAILED)
    {
      g_free (h->last_component);
      h->last_component = g_strdup (ev->component);
      h->last_component_t = ev->time;
      return;
    }
  if (ev->node < 0 || (uint32_t) ev->node >= h->n_nodes
      || ev->component == NULL)
    return;
  HeNode *n = &h->nodes[ev->node];
  if (ev->kind == WEV_NODE_FAILED)
    {
      /* the GPU: the component_failed just before, inside this node */
      size_t len = strlen (ev->component);
      bool gpu = h->last_component != NULL && h->last_component_t == ev->time
                 && strncmp (h->last_component, ev->component, len) == 0
                 && h->last_component[len] == '/'
                 && gpu_index (h->last_component) >= 0;
      g_free (n->gpu_name);
      n->gpu_name = gpu ? g_strdup (h->last_component) : NULL;
      n->gpu = gpu ? gpu_index (h->last_component) : -1;
      n->open = true;
      classify_fault (n, ev, gpu);
      write_fault (h, n, ev);
      return;
    }
  if (ev->kind != WEV_POLICY_ACTION)
    return;
  HealthActionKind k = action_kind (ev->action.action);
  if (!n->open && n->check == NULL)
    {
      /* an action without a fault this stream saw (a false positive, a
       * precursor): a node-wide health check */
      n->cclass = "NODE";
      n->check = "NodeHealthCheck";
      n->taint = "nvidia.com/gpu-health-error:NoSchedule";
      n->rec = HEALTH_REF_UNKNOWN;
      n->fatal = false;
      n->gpu = -1;
    }
  write_action (h, n, k, ev);
  if (k == HEALTH_ACTION_RETURN_TO_SERVICE)
    {
      n->open = false;
      n->check = NULL;
      n->xid = 0;
      n->gpu = -1;
    }
}

static void
healthevents_free (HealthEvents *h)
{
  for (uint32_t i = 0; i < h->n_nodes; i++)
    g_free (h->nodes[i].gpu_name);
  g_free (h->nodes);
  g_free (h->policy);
  g_free (h->last_component);
  g_free (h);
}

bool
healthevents_close (HealthEvents *h, GError **error)
{
  g_return_val_if_fail (h != NULL, false);
  bool ok = atomicfile_commit (g_steal_pointer (&h->file), error);
  healthevents_free (h);
  return ok;
}

void
healthevents_abort (HealthEvents *h)
{
  if (h == NULL)
    return;
  atomicfile_abort (g_steal_pointer (&h->file));
  healthevents_free (h);
}
