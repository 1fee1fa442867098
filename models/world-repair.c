/* models/world-repair.c - a repair pipeline given as data
 * (repair_pipeline{} in a scenario, docs/scenario-api.md).
 *
 * When a scenario gives one, it replaces the built-in hardware repair
 * path (the health policy's actions, tickets, technicians, RMA) for the
 * node faults that need a repair: a GPU or host fault, not a transient
 * one (repair = "none"), not a domain's, not a fault trace's outage. The
 * node leaves service when it fails; after the mode's detection delay it
 * is diagnosed. With probability `misdiagnosis` the wrong node is sent
 * to repair: a healthy node, uniformly among the nodes in service, is
 * taken out (its job interrupted) and goes through the stages, while the
 * faulty one stays broken and is diagnosed again when that repair ends.
 * The node sent to repair goes through the stages in order: each takes a
 * duration drawn from its distribution and fixes the fault with its
 * success probability, else hands the node over to the next stage (the
 * last always succeeds). Stages are not limited by technicians or parts.
 * A node that fails while it is in a repair already is diagnosed when
 * that repair is over (checked every 5 minutes).
 *
 * So a fault keeps its node out for the detection delay plus, per
 * diagnosis, the pipeline's time T with E[T] = sum over stages i of
 * P(reach i) mean_i, P(reach i) = prod over k < i of (1 - success_k); a
 * fault takes a geometric number of diagnoses (mean 1 / (1 - p)), and
 * each wrong one costs a healthy node T (p / (1 - p) per fault on
 * average). tests/models/test_repair.c checks both. */
#include "world-int.h"

#include <math.h>
#include <string.h>

#include "dist.h"

/* Event data: the stage, whether the node in repair is a wrong one, and
 * then the faulty node it was mistaken for. */
#define STAGE_MASK 0xffffu
#define WRONG_BIT (1u << 16)
/* A faulty node found in a repair already is diagnosed again this much
 * later (s). */
#define RECHECK_S 300.0

static const char *const repair_dists[] = { "exponential", "constant", "lognormal",
                                            "weibull", NULL };

static void
stage_clear (gpointer p)
{
  WorldRepairStage *s = p;
  g_free ((char *) s->name);
  g_free ((char *) s->dist);
}

static bool
range_ok (const char *key, double v, guint stage, GError **error)
{
  GError *e = NULL;
  if (world_range_check (key, v, &e))
    return true;
  if (stage == G_MAXUINT)
    g_set_error (error, WORLD_ERROR, WORLD_ERROR_INVALID, "repair pipeline: %s", e->message);
  else
    g_set_error (error, WORLD_ERROR, WORLD_ERROR_INVALID, "repair pipeline stage %u: %s",
                 stage + 1, e->message);
  g_error_free (e);
  return false;
}

bool
world_config_set_repair_pipeline (WorldConfig *cfg, const WorldRepairStage *stages,
                                  guint n, double misdiagnosis, GError **error)
{
  g_return_val_if_fail (cfg != NULL && (stages != NULL || n == 0), false);
  if (n == 0 || n > WORLD_REPAIR_MAX_STAGES)
    {
      g_set_error (error, WORLD_ERROR, WORLD_ERROR_INVALID,
                   "repair pipeline: %u stages (give 1 to %u)", n, WORLD_REPAIR_MAX_STAGES);
      return false;
    }
  if (!range_ok ("repair_pipeline.misdiagnosis", misdiagnosis, G_MAXUINT, error))
    return false;
  for (guint i = 0; i < n; i++)
    {
      const WorldRepairStage *s = &stages[i];
      if (s->name == NULL || *s->name == '\0')
        {
          g_set_error (error, WORLD_ERROR, WORLD_ERROR_INVALID,
                       "repair pipeline stage %u: a name is required", i + 1);
          return false;
        }
      for (guint k = 0; k < i; k++)
        if (strcmp (stages[k].name, s->name) == 0)
          {
            g_set_error (error, WORLD_ERROR, WORLD_ERROR_INVALID,
                         "repair pipeline: stage '%s' is given twice", s->name);
            return false;
          }
      const char *dist = s->dist != NULL ? s->dist : "exponential";
      if (config_name_index (repair_dists, dist) == G_MAXUINT)
        {
          const char *near = world_suggest (dist, repair_dists);
          g_set_error (error, WORLD_ERROR, WORLD_ERROR_INVALID,
                       "repair pipeline stage '%s': unknown dist '%s'%s%s%s (valid: exponential, "
                       "constant, lognormal, weibull)", s->name, dist,
                       near ? ", did you mean '" : "", near ? near : "", near ? "'?" : "");
          return false;
        }
      if (!range_ok ("repair_pipeline.mean", s->mean_s, i, error)
          || !range_ok ("repair_pipeline.success", s->success, i, error)
          || (s->sd_s != 0 && !range_ok ("repair_pipeline.sd", s->sd_s, i, error))
          || (s->shape != 0 && !range_ok ("repair_pipeline.shape", s->shape, i, error)))
        return false;
      if (i + 1 == n && s->success != 1)
        {
          g_set_error (error, WORLD_ERROR, WORLD_ERROR_INVALID,
                       "repair pipeline: the last stage '%s' has success = %g; it must "
                       "be 1 (it has no stage to hand over to)", s->name, s->success);
          return false;
        }
    }
  g_array_set_size (cfg->repair_stages, 0);
  for (guint i = 0; i < n; i++)
    {
      WorldRepairStage s = stages[i];
      s.name = g_strdup (s.name);
      s.dist = g_strdup (s.dist != NULL ? s.dist : "exponential");
      g_array_append_val (cfg->repair_stages, s);
    }
  cfg->repair_misdiagnosis = misdiagnosis;
  return true;
}

/* The config's copy and free (models/config.c calls these). */
GArray *
repair_stages_new (void)
{
  GArray *a = g_array_new (FALSE, TRUE, sizeof (WorldRepairStage));
  g_array_set_clear_func (a, stage_clear);
  return a;
}

GArray *
repair_stages_copy (const GArray *from)
{
  GArray *a = repair_stages_new ();
  for (guint i = 0; i < from->len; i++)
    {
      WorldRepairStage s = g_array_index (from, WorldRepairStage, i);
      s.name = g_strdup (s.name);
      s.dist = g_strdup (s.dist);
      g_array_append_val (a, s);
    }
  return a;
}

/* A stage's duration distribution, in hours (the mean kept). */
static Dist
stage_dist (const WorldRepairStage *s)
{
  double mean = s->mean_s / 3600.0;
  if (strcmp (s->dist, "constant") == 0)
    return dist_constant (mean);
  if (strcmp (s->dist, "lognormal") == 0)
    return dist_lognormal_mean_sd (mean, s->sd_s > 0 ? s->sd_s / 3600.0 : mean);
  if (strcmp (s->dist, "weibull") == 0)
    {
      double k = s->shape > 0 ? s->shape : 1.0;
      return dist_weibull (k, mean / tgamma (1.0 + 1.0 / k));
    }
  return dist_exponential (mean);
}

bool
repair_pipeline_takes (const World *w, const FlFailureMode *fm, uint32_t group,
                       bool by_trace)
{
  return w->repair.n_stages > 0 && !by_trace && group == NO_FAULT
         && fm->repair != FL_REPAIR_NONE
         && (fm->cls == FL_CLASS_GPU || fm->cls == FL_CLASS_NODE);
}

/* Node `node` leaves service for the pipeline: its job stops. */
static void
take_out (World *w, uint32_t node, const char *cause)
{
  NodeRt *n = &w->hw.nodes[node];
  n->busy_action = true;
  care_kill_job (w, node, cause);
  nodes_update_avail (w, node);
}

/* A stage starts on `node` (the one in repair), as an event. */
static void
stage_start (World *w, uint32_t node, uint32_t stage, bool wrong, uint32_t faulty)
{
  WorldEvent ev;
  bus_event_init (&ev, WEV_POLICY_ACTION);
  ev.component = core_node_name (w, node);
  ev.node = (int32_t) node;
  ev.action.action = w->repair.names[stage];
  ev.action.reason = wrong ? "repair pipeline: misdiagnosed" : "repair pipeline";
  bus_emit (w, &ev);
  double h = dist_sample (&w->repair.dist[stage], &w->repair.rng);
  uint64_t data = (uint64_t) stage | (wrong ? WRONG_BIT : 0) | ((uint64_t) faulty << 32);
  sim_after (w->core.sim, h_to_sim (h), w->core.kinds[EV_REPAIR_STAGE], node, data);
}

/* The faulty node is diagnosed: it, or with probability misdiagnosis a
 * healthy node in service, goes to the first stage. */
static void
diagnose (World *w, uint32_t faulty)
{
  NodeRt *f = &w->hw.nodes[faulty];
  if (f->fault_mode == NO_FAULT)
    return; /* repaired meanwhile (a scripted repair) */
  /* The first diagnosis detects the fault, as a policy's first action
   * would (detection_latency_minutes_p50, interruptions.csv). */
  care_mark_detected (w, faulty, core_node_name (w, faulty));
  if (f->busy_action)
    {
      /* In a repair already (sent to one by mistake for another node's
       * fault, or a policy action): diagnosed once that is over. */
      sim_after (w->core.sim, simtime_from_s (RECHECK_S),
                 w->core.kinds[EV_REPAIR_DIAGNOSE], faulty, 0);
      return;
    }
  if (w->repair.misdiagnosis > 0 && rng_uniform (&w->repair.rng) < w->repair.misdiagnosis)
    {
      /* The wrong node: uniform among the nodes in service. */
      uint32_t cand = 0;
      for (uint32_t i = 0; i < w->hw.n_nodes; i++)
        cand += i != faulty && w->hw.nodes[i].in_service_ok;
      if (cand > 0)
        {
          uint32_t pick = (uint32_t) floor (rng_uniform (&w->repair.rng) * cand);
          for (uint32_t i = 0; i < w->hw.n_nodes; i++)
            if (i != faulty && w->hw.nodes[i].in_service_ok && pick-- == 0)
              {
                w->repair.misdiagnosed++;
                take_out (w, i, "Misdiagnosed repair");
                stage_start (w, i, 0, true, faulty);
                return;
              }
        }
    }
  take_out (w, faulty, "Remediation");
  stage_start (w, faulty, 0, false, faulty);
}

static void
on_repair_stage (Sim *sim, const SimEvent *e, void *ud)
{
  World *w = ud;
  uint32_t node = e->target, stage = (uint32_t) (e->data & STAGE_MASK);
  bool wrong = (e->data & WRONG_BIT) != 0;
  uint32_t faulty = (uint32_t) (e->data >> 32);
  (void) sim;
  bool last = stage + 1 >= w->repair.n_stages;
  if (!last && !(rng_uniform (&w->repair.rng) < w->repair.success[stage]))
    {
      stage_start (w, node, stage + 1, wrong, faulty);
      return;
    }
  NodeRt *n = &w->hw.nodes[node];
  n->busy_action = false;
  WorldEvent ev;
  bus_event_init (&ev, WEV_POLICY_ACTION);
  ev.component = core_node_name (w, node);
  ev.node = (int32_t) node;
  ev.action.action = health_action_name (HEALTH_ACTION_RETURN_TO_SERVICE);
  ev.action.reason = wrong ? "repair pipeline: misdiagnosed" : "repair pipeline";
  bus_emit (w, &ev);
  if (wrong)
    {
      nodes_update_avail (w, node);
      diagnose (w, faulty); /* the fault is still there */
      return;
    }
  faults_clear_node (w, node); /* back in service */
  faults_avert_pending (w, node, faults_repair_strength (FL_REPAIR_REPLACE));
  nodes_update_avail (w, node);
}

static void
on_repair_diagnose (Sim *sim, const SimEvent *e, void *ud)
{
  (void) sim;
  diagnose (ud, e->target);
}

/* A node fault the pipeline takes (repair_pipeline_takes): the node is
 * out of service now and diagnosed after the mode's detection delay. */
void
repair_pipeline_fault (World *w, uint32_t node, const FlFailureMode *fm)
{
  NodeRt *n = &w->hw.nodes[node];
  n->blamed = true; /* down: never placed until repaired */
  nodes_update_avail (w, node);
  sim_after (w->core.sim, simtime_from_s (fm->detect_delay_s),
             w->core.kinds[EV_REPAIR_DIAGNOSE], node, 0);
}

/* ---- the module ---- */

static bool
repair_init (World *w, GError **error)
{
  (void) error;
  const GArray *st = w->core.cfg->repair_stages;
  if (st == NULL || st->len == 0)
    return true; /* the built-in path: nothing registered, nothing drawn */
  WorldRepair *r = &w->repair;
  r->n_stages = st->len;
  r->dist = g_new (Dist, st->len);
  r->success = g_new (double, st->len);
  r->names = g_new (const char *, st->len);
  for (guint i = 0; i < st->len; i++)
    {
      const WorldRepairStage *s = &g_array_index (st, WorldRepairStage, i);
      r->dist[i] = stage_dist (s);
      r->success[i] = s->success;
      r->names[i] = s->name; /* the config outlives the world */
    }
  r->misdiagnosis = w->core.cfg->repair_misdiagnosis;
  rng_stream_init (&r->rng, w->core.seed, "world", "repair-pipeline");
  w->core.kinds[EV_REPAIR_DIAGNOSE] = sim_register (w->core.sim, "repair-diagnose",
                                                    on_repair_diagnose, w);
  w->core.kinds[EV_REPAIR_STAGE] = sim_register (w->core.sim, "repair-stage",
                                                 on_repair_stage, w);
  return true;
}

static void
repair_fini (World *w)
{
  g_clear_pointer (&w->repair.dist, g_free);
  g_clear_pointer (&w->repair.success, g_free);
  g_clear_pointer (&w->repair.names, g_free);
}

const WorldModule world_repair_module = {
  .name = "repair", .init = repair_init, .fini = repair_fini,
};
