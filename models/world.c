/* models/world.c - one simulated cluster over time.
 *
 * Ties the pieces together on the sim/ kernel: the topology and fabric
 * (topo.h, fabric.h), failure modes (failure.h), the health policy and the
 * scheduler (policy/health.h, policy/sched.h), the jobs and their
 * checkpoints, technicians and spare parts, and the metrics (metrics.h).
 *
 * What it assumes (docs/models.md, "The world"):
 *  - Failures of one mode with an exponential time to failure are drawn as
 *    one superposed Poisson stream per (mode, lemon or not) that picks the
 *    instance uniformly; other distributions draw per instance (renewal).
 *    A failure that hits a component already down is dropped (a broken part
 *    does not break again).
 *  - GPU and host faults take the node down; a NIC, node cable or leaf
 *    fault takes rails down and interrupts the jobs on those nodes; uplink,
 *    spine and core faults only slow jobs down (fabric_job_bandwidth);
 *    software faults interrupt the job running on the picked node.
 *  - The health policy sees only observations, with the delays of the
 *    mode (Xid at once, heartbeat loss after the missed heartbeats,
 *    periodic checks at the next check that catches the fault), and its
 *    actions take time: reset, reboot, reimage, technician tickets from a
 *    pool with a parts stock, RMA with a lead time, burn-in.
 *  - A job computes in intervals of its checkpoint period; a checkpoint
 *    blocks for its cost, then (asynchronous saves) is written in the
 *    background for its write time while the job computes on, one write
 *    in flight at a time; an interruption loses the work since the last
 *    durable checkpoint; a restart pays the restart overhead.
 * Periodic checks are never polled: the time a check will see a fault is
 * computed when the fault happens. */
#include "world-int.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "ckpt.h"
#include "dist.h"
#include "fabric.h"
#include "failure.h"
#include "health.h"
#include "ibnet.h"
#include "plugin.h"
#include "rng.h"
#include "sched.h"
#include "sim.h"
#include "stats.h"
#include "swf.h"
#include "topo.h"
#include "workload.h"

const char *
core_comp_name (const World *w, TopoKind kind, uint32_t index, char *buf,
                size_t len)
{
  if (topo_name (w->hw.topo, kind, index, buf, len) == 0)
    snprintf (buf, len, "%s#%u", topo_kind_name (kind), index);
  return buf;
}

const char *
core_node_name (const World *w, uint32_t node, char *buf, size_t len)
{
  return core_comp_name (w, TOPO_NODE, node, buf, len);
}

/* The health policy's link index of a topology link, and back. */
uint32_t
core_health_link_of (const World *w, TopoKind kind, uint32_t index)
{
  switch (kind)
    {
    case TOPO_CABLE: return index;
    case TOPO_UPLINK: return w->hw.n_cables + index;
    case TOPO_CORELINK: return w->hw.n_cables + w->hw.n_uplinks + index;
    default: return HEALTH_NO_LINK;
    }
}

TopoKind
core_topo_link_of (const World *w, uint32_t hlink, uint32_t *index)
{
  if (hlink < w->hw.n_cables)
    {
      *index = hlink;
      return TOPO_CABLE;
    }
  hlink -= w->hw.n_cables;
  if (hlink < w->hw.n_uplinks)
    {
      *index = hlink;
      return TOPO_UPLINK;
    }
  *index = hlink - w->hw.n_uplinks;
  return TOPO_CORELINK;
}

guint
core_slab_take (GArray *slab, GArray *free_list, const void *item)
{
  guint i;
  if (free_list->len > 0)
    {
      i = g_array_index (free_list, guint, free_list->len - 1);
      g_array_set_size (free_list, free_list->len - 1);
      memcpy (slab->data + (gsize) i * g_array_get_element_size (slab), item,
              g_array_get_element_size (slab));
    }
  else
    {
      i = slab->len;
      g_array_append_vals (slab, item, 1);
    }
  return i;
}

/* ---- precursors: parts that degrade before they fail ----
 *
 * Some failures announce themselves (docs/models.md, "Precursors"): HBM and
 * SRAM faults with correctable-ECC / row-remap events (Xid 63), thermal
 * faults with a rising temperature, cables and NICs with a climbing
 * SymbolErrorCounter. A fraction failures.precursor_fraction of such
 * failures start as a degradation: the precursor signals go out now and
 * the hard failure follows after a lead time ~ Exp(failures.precursor_lead).
 * Each failure is only delayed, so long-run rates are unchanged. A repair
 * strong enough for the mode during the lead time averts the failure. The
 * fraction and lead are assumptions: the field data gives no figure. */

static Topo *
build_topology (const WorldConfig *cfg, GError **error)
{
  if (cfg->cluster_ibnet != NULL && *cfg->cluster_ibnet)
    return ibnet_read_file (cfg->cluster_ibnet, (uint32_t) cfg->cluster_gpus_per_node, error);
  if (strcmp (cfg->cluster_preset, "h100-superpod") != 0
      && strcmp (cfg->cluster_preset, "custom") != 0)
    {
      g_set_error (error, WORLD_ERROR, WORLD_ERROR_INVALID,
                   "cluster.preset: unknown preset '%s' (h100-superpod or custom)",
                   cfg->cluster_preset);
      return NULL;
    }
  TopoParams p;
  topo_params_init (&p);
  p.gpus_per_node = (uint32_t) cfg->cluster_gpus_per_node;
  p.nodes = cfg->cluster_gpus > 0
              ? (uint32_t) ceil (cfg->cluster_gpus / p.gpus_per_node)
              : (uint32_t) cfg->cluster_nodes;
  p.rails = (uint32_t) cfg->cluster_rails;
  p.su_size = (uint32_t) cfg->cluster_su_size;
  p.radix = (uint32_t) cfg->cluster_radix;
  p.oversubscription = cfg->cluster_oversubscription;
  p.tiers = (uint32_t) cfg->cluster_tiers;
  p.nodes_per_rack = (uint32_t) cfg->cluster_nodes_per_rack;
  p.racks_per_row = (uint32_t) cfg->cluster_racks_per_row;
  return topo_new_fattree (&p, error);
}

Topo *
world_config_build_topology (const WorldConfig *cfg, GError **error)
{
  g_return_val_if_fail (cfg != NULL, NULL);
  return build_topology (cfg, error);
}

static bool
build_policies (World *w, GError **error)
{
  const WorldConfig *cfg = w->core.cfg;
  HealthParams hp;
  const HealthPolicyClass *cls = NULL;
  bool has_plugin = cfg->policy_health_plugin != NULL
                    && *cfg->policy_health_plugin;
  if (cfg->health_factory != NULL && has_plugin)
    {
      g_set_error (error, WORLD_ERROR, WORLD_ERROR_INVALID,
                   "policy.health_plugin = %s and a health policy written "
                   "in Lua are both set; keep one of them",
                   cfg->policy_health_plugin);
      return false;
    }
  if (cfg->health_factory != NULL)
    health_params_default (&hp, "standard");
  else if (has_plugin)
    {
      cls = health_plugin_load (cfg->policy_health_plugin, error);
      if (cls == NULL)
        return false;
      health_params_default (&hp, "standard");
    }
  else
    {
      cls = health_policy_class_lookup (cfg->policy_health);
      if (cls == NULL)
        {
          g_set_error (error, WORLD_ERROR, WORLD_ERROR_INVALID,
                       "policy.health: unknown policy '%s' (%s)", cfg->policy_health,
                       health_policy_class_names ());
          return false;
        }
      health_params_default (&hp, cfg->policy_health);
    }
  for (guint i = 0; i < cfg->health_kv->len; i++)
    {
      WorldKV *kv = &g_array_index (cfg->health_kv, WorldKV, i);
      if (!health_params_set (&hp, kv->key, kv->value, error))
        return false;
    }
  uint32_t n_links = w->hw.n_cables + w->hw.n_uplinks + w->hw.n_corelinks;
  if (cfg->health_factory != NULL)
    w->care.health = cfg->health_factory (w, &hp, w->hw.n_nodes, n_links,
                                     cfg->health_factory_data, error);
  else
    w->care.health = health_policy_new (cls, &hp, w->hw.n_nodes, n_links, error);
  if (w->care.health == NULL)
    return false;
  w->care.hp = health_policy_params (w->care.health);

  const char *dn = cfg->policy_degraded_nodes;
  if (strcmp (dn, "drain") == 0)
    w->pool.degraded = DEGRADED_DRAIN;
  else if (strcmp (dn, "use") == 0)
    w->pool.degraded = DEGRADED_USE;
  else if (strcmp (dn, "when-short") == 0)
    w->pool.degraded = DEGRADED_WHEN_SHORT;
  else
    {
      g_set_error (error, WORLD_ERROR, WORLD_ERROR_INVALID,
                   "policy.degraded_nodes: unknown value '%s' (use drain, use "
                   "or when-short)", dn);
      return false;
    }

  SchedConfig sc;
  sched_config_init (&sc);
  if (!sched_config_named (&sc, cfg->policy_sched, error))
    return false;
  sc.spares = (uint32_t) cfg->cluster_spares;
  for (guint i = 0; i < cfg->sched_kv->len; i++)
    {
      WorldKV *kv = &g_array_index (cfg->sched_kv, WorldKV, i);
      if (!sched_config_set (&sc, kv->key, kv->value, error))
        return false;
    }
  if (sc.spares >= w->hw.n_nodes)
    {
      g_set_error (error, WORLD_ERROR, WORLD_ERROR_INVALID,
                   "cluster.spares = %u leaves no node for jobs (the cluster has %u nodes)",
                   sc.spares, w->hw.n_nodes);
      return false;
    }
  uint32_t *groups = g_new (uint32_t, w->hw.n_nodes);
  for (uint32_t i = 0; i < w->hw.n_nodes; i++)
    groups[i] = topo_node_su (w->hw.topo, i);
  w->jobs.sched = sched_new (&sc, w->hw.n_nodes, groups, error);
  g_free (groups);
  return w->jobs.sched != NULL;
}

World *
world_new (const WorldConfig *cfg_in, uint64_t seed, GError **error)
{
  g_return_val_if_fail (cfg_in != NULL, NULL);
  World *w = g_new0 (World, 1);
  w->core.cfg = world_config_copy (cfg_in);
  w->core.seed = seed;
  w->jobs.main_job = NO_JOB;
  w->jobs.all = g_ptr_array_new_with_free_func (jobs_free);
  w->jobs.running = g_ptr_array_new ();
  w->bus.listeners = g_array_new (FALSE, FALSE, sizeof (Listener));
  w->care.actions = g_array_new (FALSE, FALSE, sizeof (HealthAction));
  w->jobs.decisions = g_array_new (FALSE, FALSE, sizeof (SchedDecision));
  w->care.pobs = g_array_new (FALSE, FALSE, sizeof (PendingObs));
  w->care.pobs_free = g_array_new (FALSE, FALSE, sizeof (guint));
  w->care.pact = g_array_new (FALSE, FALSE, sizeof (PendingAction));
  w->care.pact_free = g_array_new (FALSE, FALSE, sizeof (guint));
  w->script.timers = g_array_new (FALSE, FALSE, sizeof (TimerRt));
  g_queue_init (&w->care.tickets);
  g_queue_init (&w->care.parts_wait);
  w->care.switch_tickets = g_hash_table_new_full (g_direct_hash, g_direct_equal, NULL,
                                             (GDestroyNotify) g_array_unref);
  w->care.wakeup_at = SIM_NEVER;
  w->meter.m = metrics_new ();
  w->meter.queue_wait = stats_quantile_new (0.01);
  w->meter.detect_lat = stats_quantile_new (0.01);
  stats_online_init (&w->meter.mttr);
  stats_timeavg_init (&w->meter.avail);
  stats_timeavg_init (&w->meter.spares_empty);
  w->bus.notes = g_string_new (NULL);

  w->hw.topo = build_topology (w->core.cfg, error);
  if (w->hw.topo == NULL)
    goto fail;
  w->hw.fabric = fabric_new (w->hw.topo);
  w->hw.n_nodes = topo_count (w->hw.topo, TOPO_NODE);
  w->hw.gpn = topo_gpus_per_node (w->hw.topo);
  w->hw.rails = topo_rails (w->hw.topo);
  w->hw.n_cables = topo_index_limit (w->hw.topo, TOPO_CABLE);
  w->hw.n_uplinks = topo_index_limit (w->hw.topo, TOPO_UPLINK);
  w->hw.n_corelinks = topo_index_limit (w->hw.topo, TOPO_CORELINK);
  uint32_t n_links = w->hw.n_cables + w->hw.n_uplinks + w->hw.n_corelinks;
  w->faults.link_down = g_new0 (uint8_t, MAX (n_links, 1));
  w->hw.link_admin = g_new0 (uint8_t, MAX (w->hw.n_cables, 1));
  w->faults.link_pending = g_new0 (EvqHandle, MAX (w->hw.n_cables, 1));
  w->faults.link_fault_mode = g_new (uint32_t, MAX (n_links, 1));
  for (uint32_t i = 0; i < n_links; i++)
    w->faults.link_fault_mode[i] = NO_FAULT;
  w->hw.nodes = g_new0 (NodeRt, w->hw.n_nodes);
  for (uint32_t i = 0; i < w->hw.n_nodes; i++)
    {
      w->hw.nodes[i].fault_mode = NO_FAULT;
      w->hw.nodes[i].fault_group = NO_FAULT;
      w->hw.nodes[i].job = NO_JOB;
      w->hw.nodes[i].avail = true;
      w->hw.nodes[i].in_service_ok = true;
      w->hw.nodes[i].down_since = -1;
      w->hw.nodes[i].pending_mode = NO_FAULT;
    }
  w->meter.healthy_gpus = w->hw.n_nodes * w->hw.gpn;
  w->meter.m->nodes = w->hw.n_nodes;
  w->meter.m->gpus = w->hw.n_nodes * w->hw.gpn;
  w->meter.m->switches = topo_n_switches (w->hw.topo);
  w->meter.m->links = (uint32_t) topo_n_links (w->hw.topo);

  w->faults.cat = catalog_from_config (w->core.cfg, error);
  if (w->faults.cat == NULL)
    goto fail;
  catalog_add_scripted_modes (w);
  if (!build_policies (w, error))
    goto fail;

  w->core.sim = sim_new (seed);
  static const char *const kind_names[EV_N] = {
    "fail", "fail-instance", "observe", "action-done", "policy-wakeup",
    "schedule", "job-phase", "job-written", "arrival", "timer", "restock",
    "false-positive", "hard-fail",
  };
  static const SimHandlerFn fns[EV_N] = {
    faults_on_fail_agg, faults_on_fail_inst, care_on_observe, care_on_action_done, care_on_wakeup,
    jobs_on_sched, jobs_on_job_phase, jobs_on_job_written, jobs_on_arrival, script_on_timer, care_on_restock,
    sensor_on_false_positive, faults_on_hard_fail,
  };
  for (int k = 0; k < EV_N; k++)
    w->core.kinds[k] = sim_register (w->core.sim, kind_names[k], fns[k], w);
  sim_set_tick (w->core.sim, simtime_from_s (w->core.cfg->run_sample_every), meter_on_tick, w);

  rng_stream_init (&w->care.rng_diag, seed, "health", "diag");
  rng_stream_init (&w->care.rng_fp, seed, "health", "false-positive");
  rng_stream_init (&w->faults.rng_misc, seed, "world", "misc");
  rng_stream_init (&w->faults.rng_precursor, seed, "world", "precursor");
  w->care.parts_stock = w->core.cfg->cluster_spare_parts > 0 ? w->core.cfg->cluster_spare_parts : INFINITY;

  if (!jobs_build (w, error))
    goto fail;
  faults_build (w);
  if (w->care.hp->check_period_ms > 0 && w->care.hp->false_positive_prob > 0)
    {
      w->care.fp_rate_per_h = w->hw.n_nodes * w->care.hp->false_positive_prob
                         / ((double) w->care.hp->check_period_ms / 3.6e6);
      double dt_h = -log (rng_uniform_pos (&w->care.rng_fp)) / w->care.fp_rate_per_h;
      if (h_to_sim (dt_h) <= world_length (w))
        sim_at (w->core.sim, h_to_sim (dt_h), w->core.kinds[EV_FALSE_POS], 0, 0);
    }
  for (guint i = 0; i < w->core.cfg->timers->len; i++)
    {
      WorldTimerReg *r = &g_array_index (w->core.cfg->timers, WorldTimerReg, i);
      world_every (w, r->first, r->period, r->cb);
    }
  for (guint i = 0; i < w->core.cfg->ons->len; i++)
    {
      WorldOnReg *r = &g_array_index (w->core.cfg->ons, WorldOnReg, i);
      if (w->bus.ons[r->kind] == NULL)
        w->bus.ons[r->kind] = g_array_new (FALSE, FALSE, sizeof (uint64_t));
      g_array_append_val (w->bus.ons[r->kind], r->cb);
    }
  stats_timeavg_set (&w->meter.avail, 0, 1.0);
  stats_timeavg_set (&w->meter.spares_empty, 0, 0.0);
  return w;

fail:
  world_free (w);
  return NULL;
}

void
world_free (World *w)
{
  if (w == NULL)
    return;
  sim_free (w->core.sim);
  health_policy_free (w->care.health);
  sched_free (w->jobs.sched);
  workload_free (w->jobs.research);
  fl_failure_catalog_free (w->faults.cat);
  fabric_free (w->hw.fabric);
  topo_free (w->hw.topo);
  g_free (w->faults.modes);
  g_free (w->hw.nodes);
  g_free (w->faults.lemons);
  g_free (w->faults.link_down);
  g_free (w->hw.link_admin);
  g_free (w->faults.link_pending);
  g_free (w->faults.link_fault_mode);
  g_ptr_array_unref (w->jobs.running);
  g_ptr_array_unref (w->jobs.all);
  g_array_unref (w->bus.listeners);
  g_array_unref (w->care.actions);
  g_array_unref (w->jobs.decisions);
  g_array_unref (w->care.pobs);
  g_array_unref (w->care.pobs_free);
  g_array_unref (w->care.pact);
  g_array_unref (w->care.pact_free);
  g_array_unref (w->script.timers);
  g_queue_clear (&w->care.tickets);
  g_queue_clear (&w->care.parts_wait);
  g_hash_table_unref (w->care.switch_tickets);
  for (int k = 0; k < WEV_COUNT; k++)
    if (w->bus.ons[k])
      g_array_unref (w->bus.ons[k]);
  metrics_free (w->meter.m);
  stats_quantile_free (w->meter.queue_wait);
  stats_quantile_free (w->meter.detect_lat);
  g_clear_error (&w->bus.script_error);
  g_string_free (w->bus.notes, TRUE);
  world_config_free (w->core.cfg);
  g_free (w);
}

SimTime
world_now (const World *w)
{
  return sim_now (w->core.sim);
}

SimTime
world_length (const World *w)
{
  return simtime_from_s (w->core.cfg->run_length);
}

uint64_t
world_events (const World *w)
{
  return sim_events_handled (w->core.sim);
}

uint32_t
world_nodes (const World *w)
{
  return w->hw.n_nodes;
}

const struct Topo *
world_topo (const World *w)
{
  return w->hw.topo;
}

uint32_t
world_gpus (const World *w)
{
  return w->hw.n_nodes * w->hw.gpn;
}

bool
world_run (World *w, GError **error)
{
  w->meter.wall_start_us = g_get_monotonic_time ();
  w->meter.last_progress_us = w->meter.wall_start_us;
  meter_sample (w, 0);
  /* a policy may want its first wakeup before any observation (a Lua
   * policy with every =); the built-in ones start with none */
  care_reschedule_wakeup (w);
  sim_run (w->core.sim, world_length (w));
  if (w->bus.script_error != NULL)
    {
      g_propagate_error (error, w->bus.script_error);
      w->bus.script_error = NULL;
      return false;
    }
  meter_finalize (w);
  w->meter.m->wall_seconds = (g_get_monotonic_time () - w->meter.wall_start_us) / 1e6;
  if (w->meter.progress != NULL)
    w->meter.progress (w, world_now (w), world_length (w), w->meter.progress_ud);
  return true;
}
