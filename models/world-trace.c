/* models/world-trace.c - a published fault trace replayed as the
 * failures (failure_trace{}, docs/scenario-api.md): part of the faults
 * module (world-faults.c calls faults_trace_init and
 * faults_trace_schedule; the trace's faults go through faults_fail_node
 * and faults_fail_instance like any other). */
#include "world-int.h"

#include <stdarg.h>
#include <string.h>

/* ---- a published fault trace (failure_trace{}, docs/scenario-api.md) ----
 *
 * Trace node k (in order of first appearance) is cluster node k, or the
 * node failure_trace.map names. A fault's Class picks a failure mode:
 * failure_trace.class.<Class> names one, else the first mode of the class
 * fault_trace_default_class() gives (GPU, node, NIC or cable). repair =
 * "trace": each outage (a node's overlapping faults merged) takes the
 * whole node down from its start to its end, whatever the mode's class;
 * the policy is shown nothing (the trace already holds detection and
 * repair). repair = "policy": each fault_start is a failure of that mode
 * (a GPU or rail of the node drawn from the "world"/"trace" stream), seen,
 * handled and repaired like any other; the ends are not used. A node
 * already down when a trace fault starts is left to the fault it has. */

static bool
trace_fail (GError **error, const char *fmt, ...) G_GNUC_PRINTF (2, 3);

static bool
trace_fail (GError **error, const char *fmt, ...)
{
  va_list ap;
  va_start (ap, fmt);
  g_autofree char *msg = g_strdup_vprintf (fmt, ap);
  va_end (ap);
  g_set_error (error, WORLD_ERROR, WORLD_ERROR_INVALID, "failure_trace{}: %s",
               msg);
  return false;
}

/* The mode of a fault of Class CLS: failure_trace.class.<CLS>, else the
 * first mode of class WANT (fault_trace_default_class of its Class and
 * Desc). */
static bool
trace_mode_of (World *w, const char *cls, FlClass want, uint32_t *out,
               GError **error)
{
  const GArray *ov = w->core.cfg->failure_trace_classes;
  const char *name = NULL;
  for (guint i = 0; i < ov->len && name == NULL; i++)
    {
      const WorldKV *kv = &g_array_index (ov, WorldKV, i);
      if (g_ascii_strcasecmp (kv->key, cls) == 0)
        name = kv->value;
    }
  for (uint32_t mi = 0; mi < w->faults.n_modes; mi++)
    {
      const FlFailureMode *fm = w->faults.modes[mi].fm;
      if (name != NULL ? strcmp (fm->name, name) != 0 : fm->cls != want)
        continue;
      if (fm->cls != FL_CLASS_GPU && fm->cls != FL_CLASS_NODE
          && fm->cls != FL_CLASS_NIC && fm->cls != FL_CLASS_CABLE)
        return trace_fail (error, "classes: '%s' = '%s' is a %s mode; a "
                           "node's fault maps to a gpu, node, nic or cable "
                           "mode", cls, name, fl_class_name (fm->cls));
      *out = mi;
      return true;
    }
  if (name == NULL)
    return trace_fail (error, "Class '%s': no failure mode of class %s",
                       cls, fl_class_name (want));
  return trace_fail (error, "classes: '%s' = '%s': no such failure mode",
                     cls, name);
}

enum { TRACE_REPAIR_TRACE, TRACE_REPAIR_POLICY };
const char *const *
faults_trace_repair_names (void)
{
  static const char *const names[] = {
    [TRACE_REPAIR_TRACE] = "trace", [TRACE_REPAIR_POLICY] = "policy", NULL
  };
  return names;
}

static bool
trace_load (World *w, GError **error)
{
  const WorldConfig *cfg = w->core.cfg;
  guint repair = config_name_index (faults_trace_repair_names (),
                                    cfg->failure_trace_repair);
  g_assert (repair != G_MAXUINT); /* world_config_set checked it */
  w->faults.trace_repair = repair == TRACE_REPAIR_TRACE;
  GError *e = NULL;
  w->faults.trace = fault_trace_read_file (cfg->failure_trace_file, &e);
  if (w->faults.trace == NULL)
    {
      trace_fail (error, "%s", e->message);
      g_error_free (e);
      return false;
    }
  const FaultTrace *t = w->faults.trace;
  uint32_t nt = t->nodes->len;
  w->faults.trace_node = g_new (uint32_t, MAX (nt, 1));
  g_autofree uint32_t *owner = g_new (uint32_t, w->hw.n_nodes);
  for (uint32_t i = 0; i < w->hw.n_nodes; i++)
    owner[i] = NO_FAULT;
  const GArray *map = cfg->failure_trace_map;
  for (guint i = 0; i < map->len; i++)
    {
      const WorldKV *kv = &g_array_index (map, WorldKV, i);
      bool found = false;
      for (uint32_t k = 0; k < nt && !found; k++)
        found = strcmp (g_ptr_array_index (t->nodes, k), kv->key) == 0;
      if (!found)
        return trace_fail (error, "map: '%s' is not a node of the trace %s",
                           kv->key, cfg->failure_trace_file);
    }
  for (uint32_t k = 0; k < nt; k++)
    {
      const char *id = g_ptr_array_index (t->nodes, k);
      uint32_t node = k;
      if (map->len > 0)
        {
          const char *name = NULL;
          for (guint i = 0; i < map->len && name == NULL; i++)
            if (strcmp (g_array_index (map, WorldKV, i).key, id) == 0)
              name = g_array_index (map, WorldKV, i).value;
          TopoKind kind;
          if (name == NULL)
            return trace_fail (error, "map: the trace's node '%s' is not "
                               "mapped (map every node of the trace, or "
                               "leave map out to take them in order)", id);
          if (!topo_lookup (w->hw.topo, name, &kind, &node)
              || kind != TOPO_NODE)
            return trace_fail (error, "map: '%s' = '%s' is not a node of "
                               "the cluster", id, name);
        }
      else if (k >= w->hw.n_nodes)
        return trace_fail (error, "the trace %s has %u nodes, the cluster "
                           "%u: enlarge cluster{} or map the trace's nodes",
                           cfg->failure_trace_file, nt, w->hw.n_nodes);
      if (owner[node] != NO_FAULT)
        return trace_fail (error, "map: the trace's nodes '%s' and '%s' are "
                           "both mapped to one node",
                           (char *) g_ptr_array_index (t->nodes, owner[node]),
                           id);
      owner[node] = k;
      w->faults.trace_node[k] = node;
    }
  /* each outage's or event's mode, checked before the run starts */
  guint n = w->faults.trace_repair ? t->outages->len : t->events->len;
  w->faults.trace_mode = g_new (uint32_t, MAX (n, 1));
  for (guint i = 0; i < n; i++)
    {
      const char *cls;
      FlClass want;
      if (w->faults.trace_repair)
        {
          const FaultTraceOutage *o = &g_array_index (t->outages, FaultTraceOutage, i);
          cls = o->fault_class;
          want = o->cls;
        }
      else
        {
          const FaultTraceEvent *ev = &g_array_index (t->events, FaultTraceEvent, i);
          cls = ev->cls;
          want = fault_trace_default_class (ev->cls, ev->desc);
        }
      if (!trace_mode_of (w, cls, want, &w->faults.trace_mode[i], error))
        return false;
    }
  w->faults.trace_down = g_new0 (uint8_t, w->hw.n_nodes);
  rng_stream_init (&w->faults.rng_trace, w->core.seed, "world", "trace");
  return true;
}

static void
on_trace (Sim *sim, const SimEvent *e, void *ud)
{
  (void) sim;
  World *w = ud;
  const FaultTrace *t = w->faults.trace;
  uint32_t mi = w->faults.trace_mode[e->target];
  const FlFailureMode *fm = w->faults.modes[mi].fm;
  if (!w->faults.trace_repair)
    {
      const FaultTraceEvent *ev = &g_array_index (t->events, FaultTraceEvent, e->target);
      uint32_t node = w->faults.trace_node[ev->node];
      uint32_t inst = node;
      if (fm->cls == FL_CLASS_GPU)
        inst = node * w->hw.gpn + (uint32_t) rng_below (&w->faults.rng_trace, w->hw.gpn);
      else if (fm->cls == FL_CLASS_NIC || fm->cls == FL_CLASS_CABLE)
        inst = node * w->hw.rails + (uint32_t) rng_below (&w->faults.rng_trace, w->hw.rails);
      faults_fail_instance (w, mi, inst);
      return;
    }
  const FaultTraceOutage *o = &g_array_index (t->outages, FaultTraceOutage, e->target);
  uint32_t node = w->faults.trace_node[o->node];
  if (e->data == 1)
    {
      if (w->faults.trace_down[node])
        {
          w->faults.trace_down[node] = 0;
          faults_clear_node (w, node);
        }
      return;
    }
  if (w->hw.nodes[node].fault_mode != NO_FAULT)
    return;
  const char *name = core_node_name (w, node);
  faults_emit_component_failed (w, name, fm);
  if (faults_fail_node (w, node, mi, HEALTH_NO_GPU, NO_FAULT, name, true))
    {
      w->faults.trace_down[node] = 1;
      w->meter.m->failures++;
      metrics_cause_add (w->meter.m->failures_by_cause, fm->cause, 1);
    }
}

/* Schedules the trace's starts (and with repair = "trace" its ends). */
void
faults_trace_schedule (World *w)
{
  const FaultTrace *t = w->faults.trace;
  uint32_t kind = w->core.kinds[EV_TRACE];
  if (w->faults.trace_repair)
    for (guint i = 0; i < t->outages->len; i++)
      {
        const FaultTraceOutage *o = &g_array_index (t->outages, FaultTraceOutage, i);
        sim_at (w->core.sim, simtime_from_s (o->start_s), kind, i, 0);
        sim_at (w->core.sim, simtime_from_s (o->end_s), kind, i, 1);
      }
  else
    for (guint i = 0; i < t->events->len; i++)
      if (g_array_index (t->events, FaultTraceEvent, i).start)
        sim_at (w->core.sim,
                simtime_from_s (g_array_index (t->events, FaultTraceEvent, i).time_s),
                kind, i, 0);
}

/* Reads the trace (the modes are in place) and registers its event. */
bool
faults_trace_init (World *w, GError **error)
{
  if (!trace_load (w, error))
    return false;
  w->core.kinds[EV_TRACE] = sim_register (w->core.sim, "trace", on_trace, w);
  return true;
}
