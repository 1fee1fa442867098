/* lib/sla.c - remediation SLAs from the event stream (lib/sla.h). An
 * incident opens at node_failed and closes when the node is back in
 * service (return_to_service, or node_state "healthy"); the policy's
 * actions on the node in between mark when it was detected, cordoned,
 * drained and remediated. docs/results.md ("remediation") defines each
 * figure. */
#include "sla.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "health.h"
#include "health_reference.h"
#include "results.h"

enum { M_DETECT, M_CORDON, M_DRAIN, M_REMEDIATE, M_MTTR, M_N };
static const char *const metric_names[M_N] = {
  "detect_minutes", "cordon_minutes", "drain_minutes", "remediate_minutes",
  "mttr_hours",
};
static const double metric_scale_s[M_N] = { 60, 60, 60, 60, 3600 };

/* The recommended-action groups, in the order written. */
enum { C_RESET, C_REBOOT, C_SUPPORT, C_NONE, C_N };
static const HealthRefRecommended cat_action[C_N] = {
  HEALTH_REF_COMPONENT_RESET, HEALTH_REF_RESTART_BM,
  HEALTH_REF_CONTACT_SUPPORT, HEALTH_REF_NONE,
};

typedef struct
{
  bool open;
  SimTime fault, detect, cordon, drain, rem_start, reboot_start;
  int cat; /* -1 until the first remediation */
  bool out; /* the policy holds it out of service (node_state) */
} Inc;

typedef struct
{
  GArray *v[M_N]; /* double, seconds */
  uint64_t incidents;
  uint64_t resolved;
} Group;

struct Sla
{
  uint32_t n_nodes;
  Inc *nodes;
  Group groups[C_N + 1]; /* C_N = all */
  GArray *reboot_wait;   /* double, seconds */
  GArray *q_t;           /* SimTime of each change */
  GArray *q_n;           /* uint32_t count after it */
  uint32_t quarantined;
  uint32_t q_max;
  SimTime q_max_at;
  double q_area;         /* node-seconds */
  SimTime q_last;
  SimTime end;
  uint64_t trips;
  uint64_t pauses;
  bool finished;
};

Sla *
sla_new (uint32_t n_nodes)
{
  Sla *s = g_new0 (Sla, 1);
  s->n_nodes = n_nodes;
  s->nodes = g_new0 (Inc, MAX (n_nodes, 1));
  for (uint32_t i = 0; i < n_nodes; i++)
    s->nodes[i].reboot_start = -1;
  for (int g = 0; g <= C_N; g++)
    for (int m = 0; m < M_N; m++)
      s->groups[g].v[m] = g_array_new (FALSE, FALSE, sizeof (double));
  s->reboot_wait = g_array_new (FALSE, FALSE, sizeof (double));
  s->q_t = g_array_new (FALSE, FALSE, sizeof (SimTime));
  s->q_n = g_array_new (FALSE, FALSE, sizeof (uint32_t));
  return s;
}

void
sla_free (Sla *s)
{
  if (s == NULL)
    return;
  for (int g = 0; g <= C_N; g++)
    for (int m = 0; m < M_N; m++)
      g_array_free (s->groups[g].v[m], TRUE);
  g_array_free (s->reboot_wait, TRUE);
  g_array_free (s->q_t, TRUE);
  g_array_free (s->q_n, TRUE);
  g_free (s->nodes);
  g_free (s);
}

static HealthActionKind
action_kind (const char *name)
{
  for (int k = 0; k < HEALTH_ACTION_N_KINDS; k++)
    if (name != NULL && strcmp (health_action_name (k), name) == 0)
      return k;
  return HEALTH_ACTION_NONE;
}

static int
remediation_cat (HealthActionKind k)
{
  switch (k)
    {
    case HEALTH_ACTION_RESET_GPU:
      return C_RESET;
    case HEALTH_ACTION_REBOOT:
    case HEALTH_ACTION_REIMAGE:
      return C_REBOOT;
    case HEALTH_ACTION_OPEN_TICKET:
    case HEALTH_ACTION_RMA:
    case HEALTH_ACTION_QUARANTINE:
      return C_SUPPORT;
    default:
      return -1;
    }
}

static void
add (Group *g, int m, SimTime from, SimTime to)
{
  if (from < 0 || to < from)
    return;
  double v = (double) (to - from) / 1e6;
  g_array_append_val (g->v[m], v);
}

/* Records the stages an incident reached into its group and "all". */
static void
record (Sla *s, Inc *n, SimTime closed)
{
  int c = n->cat >= 0 ? n->cat : C_NONE;
  Group *gs[2] = { &s->groups[c], &s->groups[C_N] };
  for (int i = 0; i < 2; i++)
    {
      Group *g = gs[i];
      g->incidents++;
      add (g, M_DETECT, n->fault, n->detect);
      if (n->cordon >= 0)
        add (g, M_CORDON, n->fault, n->cordon);
      if (n->drain >= 0)
        add (g, M_DRAIN, n->fault, n->drain);
      if (closed >= 0)
        {
          g->resolved++;
          if (n->rem_start >= 0)
            add (g, M_REMEDIATE, n->rem_start, closed);
          add (g, M_MTTR, n->fault, closed);
        }
    }
}

static void
close_incident (Sla *s, Inc *n, SimTime t)
{
  if (!n->open)
    return;
  record (s, n, t);
  n->open = false;
}

static void
quarantine_set (Sla *s, Inc *n, bool out, SimTime t)
{
  if (n->out == out)
    return;
  n->out = out;
  s->q_area += (double) s->quarantined * (double) (t - s->q_last) / 1e6;
  s->q_last = t;
  if (out)
    s->quarantined++;
  else
    s->quarantined--;
  if (s->quarantined > s->q_max)
    {
      s->q_max = s->quarantined;
      s->q_max_at = t;
    }
  if (s->q_t->len > 0
      && g_array_index (s->q_t, SimTime, s->q_t->len - 1) == t)
    g_array_index (s->q_n, uint32_t, s->q_n->len - 1) = s->quarantined;
  else
    {
      g_array_append_val (s->q_t, t);
      g_array_append_val (s->q_n, s->quarantined);
    }
}

void
sla_listener (const WorldEvent *ev, void *user_data)
{
  Sla *s = user_data;
  g_return_if_fail (ev != NULL && s != NULL);
  if (ev->node < 0 || (uint32_t) ev->node >= s->n_nodes)
    return;
  Inc *n = &s->nodes[ev->node];
  SimTime t = ev->time;

  switch (ev->kind)
    {
    case WEV_NODE_FAILED:
      if (n->open)
        break; /* already faulty: the incident goes on */
      n->open = true;
      n->fault = t;
      n->detect = n->cordon = n->drain = n->rem_start = n->reboot_start = -1;
      n->cat = -1;
      break;
    case WEV_NODE_STATE:
      {
        WorldNodeState to = ev->node_state.to;
        bool healthy = to == WORLD_NODE_HEALTHY || to == WORLD_NODE_SUSPECT;
        quarantine_set (s, n, !healthy, t);
        if (to == WORLD_NODE_HEALTHY && n->open && n->detect >= 0)
          close_incident (s, n, t);
        break;
      }
    case WEV_POLICY_ACTION:
      {
        HealthActionKind k = action_kind (ev->action.action);
        const char *reason = ev->action.reason;
        if (k == HEALTH_ACTION_NONE && reason != NULL)
          {
            if (g_str_has_prefix (reason, "circuit breaker tripped"))
              s->trips++;
            else if (g_str_has_prefix (reason, "auto repair paused"))
              s->pauses++;
          }
        if (n->reboot_start >= 0)
          {
            double w = (double) (t - n->reboot_start) / 1e6;
            g_array_append_val (s->reboot_wait, w);
            n->reboot_start = -1;
          }
        if (k == HEALTH_ACTION_REBOOT)
          n->reboot_start = t;
        if (!n->open)
          break;
        if (n->detect < 0)
          n->detect = t;
        int c = remediation_cat (k);
        if (n->cordon < 0
            && (c >= 0 || k == HEALTH_ACTION_CORDON || k == HEALTH_ACTION_DRAIN
                || k == HEALTH_ACTION_EVICT))
          n->cordon = t;
        if (n->drain < 0 && (c >= 0 || k == HEALTH_ACTION_EVICT))
          n->drain = t;
        if (c >= 0 && n->cat < 0)
          {
            n->cat = c;
            n->rem_start = t;
          }
        if (k == HEALTH_ACTION_RETURN_TO_SERVICE)
          close_incident (s, n, t);
        break;
      }
    default:
      break;
    }
}

void
sla_finish (Sla *s, SimTime end)
{
  g_return_if_fail (s != NULL && !s->finished);
  s->finished = true;
  s->end = end;
  s->q_area += (double) s->quarantined * (double) (end - s->q_last) / 1e6;
  for (uint32_t i = 0; i < s->n_nodes; i++)
    if (s->nodes[i].open)
      {
        record (s, &s->nodes[i], -1);
        s->nodes[i].open = false;
      }
}

static int
cmp_double (const void *a, const void *b)
{
  double x = *(const double *) a, y = *(const double *) b;
  return (x > y) - (x < y);
}

double
sla_quantile (const double *sorted, size_t n, double p)
{
  if (n == 0)
    return NAN;
  double h = (double) (n - 1) * p;
  size_t lo = (size_t) floor (h);
  size_t hi = MIN (lo + 1, n - 1);
  return sorted[lo] + (h - (double) lo) * (sorted[hi] - sorted[lo]);
}

/* {"p50": .., "p90": .., "p99": ..} of v (seconds) / scale. */
static void
add_pcts (JsonBuilder *b, const char *name, GArray *v, double scale,
          bool with_count)
{
  g_autofree double *x = g_memdup2 (v->data, v->len * sizeof (double));
  if (v->len > 0)
    qsort (x, v->len, sizeof (double), cmp_double);
  json_builder_set_member_name (b, name);
  json_builder_begin_object (b);
  if (with_count)
    {
      json_builder_set_member_name (b, "count");
      json_builder_add_int_value (b, v->len);
    }
  results_json_add_number (b, "p50", sla_quantile (x, v->len, 0.50) / scale);
  results_json_add_number (b, "p90", sla_quantile (x, v->len, 0.90) / scale);
  results_json_add_number (b, "p99", sla_quantile (x, v->len, 0.99) / scale);
  json_builder_end_object (b);
}

static void
add_group (JsonBuilder *b, const char *name, const Group *g)
{
  json_builder_set_member_name (b, name);
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "incidents");
  json_builder_add_int_value (b, (gint64) g->incidents);
  json_builder_set_member_name (b, "resolved");
  json_builder_add_int_value (b, (gint64) g->resolved);
  for (int m = 0; m < M_N; m++)
    add_pcts (b, metric_names[m], g->v[m], metric_scale_s[m], false);
  json_builder_end_object (b);
}

JsonNode *
sla_summary (const Sla *s)
{
  g_return_val_if_fail (s != NULL, NULL);
  const Group *all = &s->groups[C_N];
  if (all->incidents == 0 && s->trips == 0 && s->pauses == 0)
    return NULL;
  g_autoptr (JsonBuilder) b = json_builder_new ();
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "incidents");
  json_builder_add_int_value (b, (gint64) all->incidents);
  json_builder_set_member_name (b, "unresolved");
  json_builder_add_int_value (b, (gint64) (all->incidents - all->resolved));
  json_builder_set_member_name (b, "by_action");
  json_builder_begin_object (b);
  add_group (b, "all", all);
  for (int c = 0; c < C_N; c++)
    if (s->groups[c].incidents > 0)
      add_group (b, health_ref_recommended_name (cat_action[c]), &s->groups[c]);
  json_builder_end_object (b);
  add_pcts (b, "reboot_wait_minutes", s->reboot_wait, 60, true);
  json_builder_set_member_name (b, "quarantined_nodes");
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "max");
  json_builder_add_int_value (b, s->q_max);
  results_json_add_number (b, "max_at_hours", (double) s->q_max_at / 3.6e9);
  results_json_add_number (b, "mean", s->end > 0 ? s->q_area / ((double) s->end / 1e6)
                                                 : NAN);
  json_builder_end_object (b);
  json_builder_set_member_name (b, "circuit_breaker_trips");
  json_builder_add_int_value (b, (gint64) s->trips);
  json_builder_set_member_name (b, "repair_pauses");
  json_builder_add_int_value (b, (gint64) s->pauses);
  json_builder_end_object (b);
  return json_builder_get_root (b);
}

GString *
sla_quarantine_csv (const Sla *s)
{
  GString *out = g_string_new ("t_h,quarantined\n");
  char buf[64];
  g_string_append (out, "0,0\n");
  for (guint i = 0; i < s->q_t->len; i++)
    {
      SimTime t = g_array_index (s->q_t, SimTime, i);
      if (t == 0 && i == 0)
        g_string_truncate (out, strlen ("t_h,quarantined\n"));
      g_string_append_printf (out, "%s,%u\n",
                              results_format_double ((double) t / 3.6e9, buf,
                                                     sizeof buf),
                              g_array_index (s->q_n, uint32_t, i));
    }
  return out;
}
