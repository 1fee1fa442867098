/* docs/examples/health-plugin/my_policy.c - an example health-policy
 * plugin: "reboot-then-ticket". Any fatal signal (a GPU Xid, a lost
 * heartbeat, a job blaming the node) evicts and reboots the node; if the
 * reboot does not fix it a ticket is opened; a repaired node goes back to
 * service without burn-in. Not a good policy, a short one: it shows the
 * whole interface (create/destroy, observe, node_state, wakeup) in one
 * file. Build: see README.md. */
#include <stdlib.h>

#include "health.h"

typedef struct
{
  uint32_t n_nodes;
  HealthNodeState *state;
} MyPolicy;

static void *
my_create (const HealthParams *params, uint32_t n_nodes, uint32_t n_links)
{
  MyPolicy *self = calloc (1, sizeof *self);
  if (self == NULL)
    return NULL;
  self->n_nodes = n_nodes;
  self->state = calloc (n_nodes > 0 ? n_nodes : 1, sizeof *self->state);
  if (self->state == NULL)
    {
      free (self);
      return NULL;
    }
  return self; /* calloc: every node HEALTH_NODE_HEALTHY (0) */
}

static void
my_destroy (void *p)
{
  MyPolicy *self = p;
  if (self == NULL)
    return;
  free (self->state);
  free (self);
}

static void
act (HealthActionSink *sink, HealthActionKind kind, const HealthObs *obs,
     const char *reason)
{
  HealthAction a = { kind, obs->time, obs->node, obs->gpu, HEALTH_NO_LINK,
                     reason };
  health_emit (sink, &a);
}

static void
my_observe (void *p, const HealthObs *obs, HealthActionSink *sink)
{
  MyPolicy *self = p;
  HealthNodeState *s;

  if (obs->node >= self->n_nodes)
    return; /* link observations: this policy ignores the fabric */
  s = &self->state[obs->node];
  switch (obs->kind)
    {
    case HEALTH_OBS_XID:
    case HEALTH_OBS_HEARTBEAT_MISSED:
    case HEALTH_OBS_JOB_HANG:
      if (*s != HEALTH_NODE_HEALTHY)
        break;
      *s = HEALTH_NODE_REMEDIATING;
      act (sink, HEALTH_ACTION_EVICT, obs, "my_policy: fatal signal");
      act (sink, HEALTH_ACTION_REBOOT, obs, "my_policy: fatal signal");
      break;
    case HEALTH_OBS_ACTION_DONE:
      if (*s != HEALTH_NODE_REMEDIATING || obs->action != HEALTH_ACTION_REBOOT)
        break;
      if (obs->ok)
        {
          *s = HEALTH_NODE_HEALTHY;
          act (sink, HEALTH_ACTION_RETURN_TO_SERVICE, obs, "my_policy: fixed");
        }
      else
        {
          *s = HEALTH_NODE_IN_REPAIR;
          act (sink, HEALTH_ACTION_OPEN_TICKET, obs, "my_policy: reboot failed");
        }
      break;
    case HEALTH_OBS_REPAIR_DONE:
      if (*s != HEALTH_NODE_IN_REPAIR)
        break;
      *s = HEALTH_NODE_HEALTHY;
      act (sink, HEALTH_ACTION_RETURN_TO_SERVICE, obs, "my_policy: repaired");
      break;
    default:
      break;
    }
}

static HealthNodeState
my_node_state (void *p, uint32_t node)
{
  MyPolicy *self = p;
  return node < self->n_nodes ? self->state[node] : HEALTH_NODE_HEALTHY;
}

static HealthTimeMs
my_next_wakeup (void *p)
{
  return HEALTH_TIME_NEVER; /* no time-driven decisions */
}

static void
my_wakeup (void *p, HealthTimeMs now, HealthActionSink *sink)
{
}

static const HealthPolicyClass my_class = {
  .api_version = HEALTH_API_VERSION,
  .name = "reboot-then-ticket",
  .create = my_create,
  .destroy = my_destroy,
  .observe = my_observe,
  .node_state = my_node_state,
  .link_state = NULL, /* links: always reported active */
  .next_wakeup = my_next_wakeup,
  .wakeup = my_wakeup,
};

/* The one symbol faultline looks up. */
const HealthPolicyClass *faultline_health_policy (void);

const HealthPolicyClass *
faultline_health_policy (void)
{
  return &my_class;
}
