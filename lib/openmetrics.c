/* lib/openmetrics.c - the OpenMetrics exposition of a run (see
 * openmetrics.h for the sampling rules, docs/monitoring.md for the
 * families). */
#include "openmetrics.h"

#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "atomicfile.h"
#include "health.h"
#include "healthevents.h"
#include "results.h"

typedef enum
{
  F_XID,
  F_TEMP,
  F_DBE,
  F_REMAPPED,
  F_REMAP_FAILURE,
  F_NVLINK_RECOVERY,
  F_UNSCHEDULABLE,
  F_NODES,
  F_LINK_UP,
  F_LINK_DOWNED,
  F_ACTIONS,
  F_BREAKER,
  F_PAUSES,
  F_JOBS_RUNNING,
  F_INTERRUPTIONS,
  F_N
} Fam;

typedef struct
{
  const char *name;
  const char *type; /* OpenMetrics type */
  const char *help;
  bool total;       /* counter: samples are name_total */
} FamDef;

/* dcgm-exporter's counters keep their names (no _total suffix), which
 * OpenMetrics allows only for type "unknown"; PromQL does not care. */
static const FamDef fams[F_N] = {
  { "DCGM_FI_DEV_XID_ERRORS", "gauge", "Value of the last XID error encountered.", false },
  { "DCGM_FI_DEV_GPU_TEMP", "gauge", "GPU temperature (in C).", false },
  { "DCGM_FI_DEV_ECC_DBE_VOL_TOTAL", "unknown", "Total number of double-bit volatile ECC errors (a counter).", false },
  { "DCGM_FI_DEV_UNCORRECTABLE_REMAPPED_ROWS", "unknown", "Number of remapped rows for uncorrectable errors (a counter).", false },
  { "DCGM_FI_DEV_ROW_REMAP_FAILURE", "gauge", "Whether remapping of rows has failed.", false },
  { "DCGM_FI_DEV_NVLINK_RECOVERY_ERROR_COUNT_TOTAL", "unknown", "Total number of NVLink recovery errors (a counter).", false },
  { "kube_node_spec_unschedulable", "gauge", "Whether a node can schedule new pods (1: cordoned by the health policy).", false },
  { "faultline_nodes", "gauge", "Nodes per health-policy state.", false },
  { "faultline_ib_link_up", "gauge", "InfiniBand link state (1 Active, 0 Down).", false },
  { "faultline_ib_link_downed", "counter", "Times the link went down (PortCounters LinkDowned).", true },
  { "faultline_remediation_actions", "counter", "Health-policy actions by kind.", true },
  { "faultline_circuit_breaker_trips", "counter", "NVSentinel circuit-breaker trips.", true },
  { "faultline_repair_pauses", "counter", "EKS auto-repair pauses.", true },
  { "faultline_jobs_running", "gauge", "Jobs running.", false },
  { "faultline_job_interruptions", "counter", "Job interruptions.", true },
};

#define COUNTER_HOT_S 900 /* a counter is sampled this long after it moved */

typedef struct
{
  Fam fam;
  char *labels;       /* rendered: a="1",b="x" (may be "") */
  double value;
  double rest;        /* resting value: not sampled while at rest */
  bool always;        /* sampled at every tick */
  bool held;          /* sampled while held (a reading with no rest) */
  SimTime hot_until;
  bool hot;           /* in the hot list */
  GString *out;
} Series;

typedef struct
{
  char *gpu_labels;   /* the node's faulty GPU, or NULL */
} OmNode;

struct OpenMetrics
{
  SimTime interval;
  SimTime next_tick;
  SimTime last_tick;  /* -1 before the first */
  GHashTable *series; /* "fam\x1flabels" -> Series (owned) */
  GPtrArray *by_fam[F_N];
  GPtrArray *hot;     /* Series being sampled */
  GHashTable *nodes;  /* node name -> OmNode */
  GHashTable *jobs;   /* running job names */
  char *last_component;
  SimTime last_component_t;
  int64_t node_counts[WORLD_NODE_N_STATES];
  bool counts_known;
};

static void
series_free (gpointer p)
{
  Series *s = p;
  g_free (s->labels);
  g_string_free (s->out, TRUE);
  g_free (s);
}

static void
omnode_free (gpointer p)
{
  OmNode *n = p;
  g_free (n->gpu_labels);
  g_free (n);
}

OpenMetrics *
openmetrics_new (SimTime interval)
{
  g_return_val_if_fail (interval > 0, NULL);
  OpenMetrics *om = g_new0 (OpenMetrics, 1);
  om->interval = interval;
  om->next_tick = 0;
  om->last_tick = -1;
  om->series = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, series_free);
  for (int f = 0; f < F_N; f++)
    om->by_fam[f] = g_ptr_array_new ();
  om->hot = g_ptr_array_new ();
  om->nodes = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, omnode_free);
  om->jobs = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  return om;
}

void
openmetrics_free (OpenMetrics *om)
{
  if (om == NULL)
    return;
  for (int f = 0; f < F_N; f++)
    g_ptr_array_free (om->by_fam[f], TRUE);
  g_ptr_array_free (om->hot, TRUE);
  g_hash_table_destroy (om->series);
  g_hash_table_destroy (om->nodes);
  g_hash_table_destroy (om->jobs);
  g_free (om->last_component);
  g_free (om);
}

/* ---- samples ---- */

static void
emit_sample (Series *s, SimTime t)
{
  char v[64];
  double ts = (double) HEALTHEVENTS_EPOCH_UNIX + (double) t / 1e6;
  const FamDef *d = &fams[s->fam];
  results_format_double (s->value, v, sizeof v);
  g_string_append (s->out, d->name);
  if (d->total)
    g_string_append (s->out, "_total");
  if (*s->labels != '\0')
    g_string_append_printf (s->out, "{%s}", s->labels);
  g_string_append_printf (s->out, " %s %.3f\n", v, ts);
}

static bool
series_wants (const Series *s, SimTime t)
{
  return s->always || s->held || s->value != s->rest || t <= s->hot_until;
}

static void
tick (OpenMetrics *om, SimTime t)
{
  guint keep = 0;
  for (guint i = 0; i < om->hot->len; i++)
    {
      Series *s = g_ptr_array_index (om->hot, i);
      if (!series_wants (s, t))
        {
          s->hot = false;
          continue;
        }
      emit_sample (s, t);
      g_ptr_array_index (om->hot, keep++) = s;
    }
  g_ptr_array_set_size (om->hot, keep);
  om->last_tick = t;
}

/* Samples every tick strictly before t. */
static void
catch_up (OpenMetrics *om, SimTime t)
{
  while (om->next_tick < t)
    {
      tick (om, om->next_tick);
      om->next_tick += om->interval;
    }
}

static Series *
series_get (OpenMetrics *om, Fam f, const char *labels, double rest,
            bool always)
{
  g_autofree char *key = g_strdup_printf ("%d\x1f%s", (int) f, labels);
  Series *s = g_hash_table_lookup (om->series, key);
  if (s != NULL)
    return s;
  s = g_new0 (Series, 1);
  s->fam = f;
  s->labels = g_strdup (labels);
  s->value = rest;
  s->rest = rest;
  s->always = always;
  s->hot_until = -1;
  s->out = g_string_new (NULL);
  g_hash_table_insert (om->series, g_steal_pointer (&key), s);
  g_ptr_array_add (om->by_fam[f], s);
  /* a counter starts from 0 at the last scrape, so increase() sees its
   * first step */
  if ((fams[f].total || strcmp (fams[f].type, "unknown") == 0)
      && om->last_tick >= 0)
    {
      double v = s->value;
      s->value = 0;
      emit_sample (s, om->last_tick);
      s->value = v;
    }
  return s;
}

static void
series_hot (OpenMetrics *om, Series *s, SimTime until)
{
  if (until > s->hot_until)
    s->hot_until = until;
  if (!s->hot)
    {
      s->hot = true;
      g_ptr_array_add (om->hot, s);
    }
}

static void
gauge_set (OpenMetrics *om, Series *s, double v, SimTime now)
{
  s->value = v;
  series_hot (om, s, now + om->interval);
}

static void
counter_add (OpenMetrics *om, Series *s, double v, SimTime now)
{
  s->value += v;
  series_hot (om, s, now + (SimTime) COUNTER_HOT_S * 1000000);
}

/* ---- labels ---- */

static void
label (GString *out, const char *name, const char *value)
{
  if (out->len > 0)
    g_string_append_c (out, ',');
  g_string_append_printf (out, "%s=\"", name);
  for (const char *p = value; *p; p++)
    {
      if (*p == '\\' || *p == '"')
        g_string_append_c (out, '\\');
      if (*p == '\n')
        g_string_append (out, "\\n");
      else
        g_string_append_c (out, *p);
    }
  g_string_append_c (out, '"');
}

static char *
gpu_labels (const char *gpu_name, const char *node)
{
  char uuid[48];
  const char *p = g_strrstr (gpu_name, "/gpu");
  GString *l = g_string_new (NULL);
  label (l, "gpu", p != NULL ? p + 4 : "0");
  label (l, "UUID", healthevents_gpu_uuid (gpu_name, uuid, sizeof uuid));
  label (l, "Hostname", node);
  return g_string_free (l, FALSE);
}

static char *
one_label (const char *name, const char *value)
{
  GString *l = g_string_new (NULL);
  label (l, name, value);
  return g_string_free (l, FALSE);
}

static OmNode *
om_node (OpenMetrics *om, const char *name)
{
  OmNode *n = g_hash_table_lookup (om->nodes, name);
  if (n == NULL)
    {
      n = g_new0 (OmNode, 1);
      g_hash_table_insert (om->nodes, g_strdup (name), n);
    }
  return n;
}

/* ---- events ---- */

static void
on_gpu_fault (OpenMetrics *om, const WorldEvent *ev, const char *gpu_name)
{
  OmNode *n = om_node (om, ev->component);
  g_free (n->gpu_labels);
  n->gpu_labels = gpu_labels (gpu_name, ev->component);
  const char *l = n->gpu_labels;
  SimTime t = ev->time;
  if (ev->fault.xid > 0)
    gauge_set (om, series_get (om, F_XID, l, 0, false), ev->fault.xid, t);
  switch (ev->fault.xid)
    {
    case 48:
      counter_add (om, series_get (om, F_DBE, l, 0, false), 1, t);
      counter_add (om, series_get (om, F_REMAPPED, l, 0, false), 1, t);
      break;
    case 95:
      counter_add (om, series_get (om, F_REMAPPED, l, 0, false), 1, t);
      break;
    case 64:
      gauge_set (om, series_get (om, F_REMAP_FAILURE, l, 0, false), 1, t);
      break;
    case 74:
      counter_add (om, series_get (om, F_NVLINK_RECOVERY, l, 0, false), 1, t);
      break;
    default:
      break;
    }
  if ((ev->fault.mode != NULL && strcmp (ev->fault.mode, "thermal") == 0)
      || (ev->fault.cause != NULL && strstr (ev->fault.cause, "Thermal") != NULL))
    {
      /* the simulator's thermal observation reads 95 C (models/) */
      Series *s = series_get (om, F_TEMP, l, 0, false);
      s->held = true;
      gauge_set (om, s, 95, t);
    }
}

/* The node is back in service: its GPU's fault readings clear. */
static void
on_node_back (OpenMetrics *om, const char *node, SimTime t)
{
  OmNode *n = g_hash_table_lookup (om->nodes, node);
  if (n == NULL || n->gpu_labels == NULL)
    return;
  static const Fam clear[] = { F_XID, F_REMAP_FAILURE };
  for (size_t i = 0; i < G_N_ELEMENTS (clear); i++)
    {
      g_autofree char *key = g_strdup_printf ("%d\x1f%s", (int) clear[i],
                                              n->gpu_labels);
      Series *s = g_hash_table_lookup (om->series, key);
      if (s != NULL && s->value != 0)
        gauge_set (om, s, 0, t);
    }
  g_autofree char *key = g_strdup_printf ("%d\x1f%s", (int) F_TEMP, n->gpu_labels);
  Series *temp = g_hash_table_lookup (om->series, key);
  if (temp != NULL)
    temp->held = false; /* no reading after the repair: the series ends */
  g_clear_pointer (&n->gpu_labels, g_free);
}

static void
node_counts_init (OpenMetrics *om, uint32_t n_nodes)
{
  om->counts_known = true;
  om->node_counts[WORLD_NODE_HEALTHY] = n_nodes;
  for (int st = 0; st < WORLD_NODE_N_STATES; st++)
    {
      g_autofree char *l = one_label ("state", world_node_state_name (st));
      Series *s = series_get (om, F_NODES, l, -1, true);
      s->value = (double) om->node_counts[st];
      series_hot (om, s, 0);
    }
}

void
openmetrics_set_nodes (OpenMetrics *om, uint32_t n_nodes)
{
  g_return_if_fail (om != NULL && !om->counts_known);
  node_counts_init (om, n_nodes);
  /* the run-wide counters start at 0 */
  static const Fam zero[] = { F_BREAKER, F_PAUSES, F_INTERRUPTIONS,
                              F_JOBS_RUNNING };
  for (size_t i = 0; i < G_N_ELEMENTS (zero); i++)
    {
      Series *s = series_get (om, zero[i], "", -1, true);
      s->value = 0;
      series_hot (om, s, 0);
    }
}

void
openmetrics_listener (const WorldEvent *ev, void *user_data)
{
  OpenMetrics *om = user_data;
  g_return_if_fail (ev != NULL && om != NULL);
  SimTime t = ev->time;
  catch_up (om, t);

  switch (ev->kind)
    {
    case WEV_COMPONENT_FAILED:
      g_free (om->last_component);
      om->last_component = g_strdup (ev->component);
      om->last_component_t = t;
      break;
    case WEV_NODE_FAILED:
      if (ev->component != NULL && om->last_component != NULL
          && om->last_component_t == t
          && g_str_has_prefix (om->last_component, ev->component)
          && om->last_component[strlen (ev->component)] == '/'
          && g_strrstr (om->last_component, "/gpu") != NULL)
        on_gpu_fault (om, ev, om->last_component);
      break;
    case WEV_NODE_STATE:
      {
        if (ev->component == NULL)
          break;
        WorldNodeState from = ev->node_state.from, to = ev->node_state.to;
        bool in = to == WORLD_NODE_HEALTHY || to == WORLD_NODE_SUSPECT;
        g_autofree char *l = one_label ("node", ev->component);
        gauge_set (om, series_get (om, F_UNSCHEDULABLE, l, 0, false),
                   in ? 0 : 1, t);
        if (om->counts_known && (unsigned) from < WORLD_NODE_N_STATES
            && (unsigned) to < WORLD_NODE_N_STATES)
          {
            om->node_counts[from]--;
            om->node_counts[to]++;
            GPtrArray *a = om->by_fam[F_NODES];
            ((Series *) g_ptr_array_index (a, from))->value
              = (double) om->node_counts[from];
            ((Series *) g_ptr_array_index (a, to))->value
              = (double) om->node_counts[to];
          }
        if (to == WORLD_NODE_HEALTHY)
          on_node_back (om, ev->component, t);
        break;
      }
    case WEV_LINK_STATE:
      {
        if (ev->component == NULL)
          break;
        g_autofree char *l = one_label ("link", ev->component);
        bool down = ev->link.to != WORLD_PORT_ACTIVE;
        gauge_set (om, series_get (om, F_LINK_UP, l, 1, false), down ? 0 : 1, t);
        if (down)
          counter_add (om, series_get (om, F_LINK_DOWNED, l, 0, false), 1, t);
        break;
      }
    case WEV_POLICY_ACTION:
      {
        if (ev->action.action == NULL)
          break;
        g_autofree char *l = one_label ("action", ev->action.action);
        Series *s = series_get (om, F_ACTIONS, l, -1, true);
        if (s->value < 0)
          s->value = 0;
        counter_add (om, s, 1, t);
        if (ev->action.reason != NULL
            && g_str_has_prefix (ev->action.reason, "circuit breaker tripped"))
          counter_add (om, series_get (om, F_BREAKER, "", -1, true), 1, t);
        if (ev->action.reason != NULL
            && g_str_has_prefix (ev->action.reason, "auto repair paused"))
          counter_add (om, series_get (om, F_PAUSES, "", -1, true), 1, t);
        break;
      }
    case WEV_JOB_STARTED:
      if (ev->job.name != NULL && !g_hash_table_contains (om->jobs, ev->job.name))
        {
          g_hash_table_add (om->jobs, g_strdup (ev->job.name));
          gauge_set (om, series_get (om, F_JOBS_RUNNING, "", -1, true),
                     g_hash_table_size (om->jobs), t);
        }
      break;
    case WEV_JOB_INTERRUPTED:
    case WEV_JOB_PREEMPTED:
    case WEV_JOB_COMPLETED:
      {
        const char *job = ev->kind == WEV_JOB_INTERRUPTED ? ev->interrupt.job
                                                         : ev->job.name;
        if (ev->kind == WEV_JOB_INTERRUPTED)
          counter_add (om, series_get (om, F_INTERRUPTIONS, "", -1, true), 1, t);
        if (job != NULL && g_hash_table_remove (om->jobs, job))
          gauge_set (om, series_get (om, F_JOBS_RUNNING, "", -1, true),
                     g_hash_table_size (om->jobs), t);
      }
      break;
    default:
      break;
    }
}

bool
openmetrics_write (OpenMetrics *om, SimTime end, const char *path,
                   GError **error)
{
  g_return_val_if_fail (om != NULL && path != NULL, false);
  catch_up (om, end + 1);
  AtomicFile *af = atomicfile_open (path, error);
  if (af == NULL)
    return false;
  FILE *f = atomicfile_stream (af);
  for (int i = 0; i < F_N; i++)
    {
      GPtrArray *a = om->by_fam[i];
      bool any = false;
      for (guint k = 0; k < a->len && !any; k++)
        any = ((Series *) g_ptr_array_index (a, k))->out->len > 0;
      if (!any)
        continue;
      fprintf (f, "# TYPE %s %s\n# HELP %s %s\n", fams[i].name, fams[i].type,
               fams[i].name, fams[i].help);
      for (guint k = 0; k < a->len; k++)
        {
          Series *s = g_ptr_array_index (a, k);
          fwrite (s->out->str, 1, s->out->len, f);
        }
    }
  fputs ("# EOF\n", f);
  return atomicfile_commit (af, error);
}
