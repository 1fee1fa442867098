/* models/world.c - the world's core: one simulated cluster over time.
 *
 * Builds the hardware (topology, fabric, per-node state), then runs the
 * module table (world-int.h): every module's init in dependency order,
 * every start in the order that fixes the first events' sequence numbers,
 * finish after the run, fini when freed. Owns the run's clock
 * (world_run drives sim/) and component identity: inside the world a
 * component is (TopoKind, index); names are made here, at the edges
 * (core_comp_name), for events and outputs.
 *
 * The modules and what they assume: world-faults.c (failure streams and
 * their effects), world-sensor.c (what the policy sees), world-care.c (the
 * health policy's actions and their time), world-jobs.c (jobs,
 * checkpoints, the scheduler), world-workload.c (arrivals), world-nodes.c (availability),
 * world-meter.c, world-script.c, world-bus.c; docs/models.md, "The world",
 * and docs/architecture.md. */
#include "world-int.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "fabric.h"
#include "ibnet.h"
#include "inventory.h"
#include "sim.h"
#include "topo.h"

/* Made once per run and kept (models/names.h): a component named again
 * costs one probe of an integer-keyed table. The cache changes behind a
 * const World; a component's name never does. */
const char *
core_comp_name (const World *w, TopoKind kind, uint32_t index)
{
  return names_get (w->hw.names, kind, index);
}

const char *
core_node_name (const World *w, uint32_t node)
{
  return names_get (w->hw.names, TOPO_NODE, node);
}

/* Text that is not a topology component's name (a cooling loop's), kept
 * for the run like core_comp_name's names. */
const char *
core_intern (const World *w, const char *text)
{
  return names_intern (w->hw.names, text);
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

static Topo *
build_topology (const WorldConfig *cfg, GError **error)
{
  GError *both = NULL;
  bool file = config_nodes_from_file (cfg, &both);
  if (both != NULL)
    {
      g_propagate_error (error, both);
      return NULL;
    }
  bool inventory = file && cfg->cluster_inventory != NULL && *cfg->cluster_inventory;
  if (file && !inventory)
    return ibnet_read_file (cfg->cluster_ibnet, (uint32_t) cfg->cluster_gpus_per_node, error);
  /* cluster.preset (checked by world_config_set): every preset is the
   * DGX H100 fat tree the cluster.* keys shape */
  TopoParams p;
  topo_params_init (&p);
  p.gpus_per_node = (uint32_t) cfg->cluster_gpus_per_node;
  p.nodes = config_fattree_nodes (cfg);
  p.rails = (uint32_t) cfg->cluster_rails;
  p.su_size = (uint32_t) cfg->cluster_su_size;
  p.radix = (uint32_t) cfg->cluster_radix;
  p.oversubscription = cfg->cluster_oversubscription;
  p.tiers = (uint32_t) cfg->cluster_tiers;
  p.nodes_per_rack = (uint32_t) cfg->cluster_nodes_per_rack;
  p.racks_per_row = (uint32_t) cfg->cluster_racks_per_row;
  if (inventory)
    {
      InventoryLabels l = { cfg->cluster_inventory_su_label,
                            cfg->cluster_inventory_rack_label,
                            cfg->cluster_inventory_zone_label };
      return inventory_topology (cfg->cluster_inventory, &l, &p, error);
    }
  return topo_new_fattree (&p, error);
}

Topo *
world_config_build_topology (const WorldConfig *cfg, GError **error)
{
  g_return_val_if_fail (cfg != NULL, NULL);
  return build_topology (cfg, error);
}

/* The modules, in the order their init runs: faults before care (a bad
 * failure mode is reported before a bad policy), care before nodes and
 * jobs (the policy, then policy.degraded_nodes, then the scheduler). */
static const WorldModule *const modules[] = {
  &world_faults_module, &world_care_module, &world_repair_module,
  &world_sensor_module, &world_nodes_module, &world_jobs_module, &world_workload_module,
  &world_meter_module, &world_script_module, &world_bus_module,
};

/* The order of their start: the jobs' arrivals, then the failure streams,
 * false positives, scripted timers, on() registrations, the meter. */
static const WorldModule *const start_order[] = {
  &world_workload_module, &world_faults_module, &world_sensor_module,
  &world_script_module, &world_bus_module, &world_meter_module,
};

/* The hardware: topology, fabric and the per-node state. */
static bool
hw_init (World *w, GError **error)
{
  w->hw.topo = build_topology (w->core.cfg, error);
  if (w->hw.topo == NULL)
    return false;
  w->hw.fabric = fabric_new (w->hw.topo);
  w->hw.names = names_new (w->hw.topo);
  w->hw.n_nodes = topo_count (w->hw.topo, TOPO_NODE);
  w->hw.gpn = topo_gpus_per_node (w->hw.topo);
  w->hw.rails = topo_rails (w->hw.topo);
  w->hw.n_cables = topo_index_limit (w->hw.topo, TOPO_CABLE);
  w->hw.n_uplinks = topo_index_limit (w->hw.topo, TOPO_UPLINK);
  w->hw.n_corelinks = topo_index_limit (w->hw.topo, TOPO_CORELINK);
  w->hw.link_admin = g_new0 (uint8_t, MAX (w->hw.n_cables, 1));
  w->hw.nodes = g_new0 (NodeRt, w->hw.n_nodes);
  for (uint32_t i = 0; i < w->hw.n_nodes; i++)
    {
      w->hw.nodes[i].fault_mode = NO_FAULT;
      w->hw.nodes[i].fault_group = NO_FAULT;
      w->hw.nodes[i].avail = true;
      w->hw.nodes[i].in_service_ok = true;
      w->hw.nodes[i].down_since = -1;
      w->hw.nodes[i].pending_mode = NO_FAULT;
    }
  return true;
}

World *
world_new (const WorldConfig *cfg, uint64_t seed, GError **error)
{
  return world_new_with (cfg, seed, NULL, error);
}

const char *
world_config_health_plugin (const WorldConfig *cfg)
{
  g_return_val_if_fail (cfg != NULL, NULL);
  return cfg->policy_health_plugin != NULL && *cfg->policy_health_plugin
           ? cfg->policy_health_plugin : NULL;
}

World *
world_new_with (const WorldConfig *cfg_in, uint64_t seed,
                const WorldPolicies *policies, GError **error)
{
  g_return_val_if_fail (cfg_in != NULL, NULL);
  World *w = g_new0 (World, 1);
  w->core.cfg = world_config_copy (cfg_in);
  w->core.seed = seed;
  w->care.plugin_class = policies != NULL ? policies->health_plugin : NULL;
  w->core.sim = sim_new (seed);
  if (!hw_init (w, error))
    goto fail;
  for (size_t i = 0; i < G_N_ELEMENTS (modules); i++)
    if (modules[i]->init != NULL && !modules[i]->init (w, error))
      goto fail;
  for (size_t i = 0; i < G_N_ELEMENTS (start_order); i++)
    if (start_order[i]->start != NULL && !start_order[i]->start (w, error))
      goto fail;
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
  for (size_t i = 0; i < G_N_ELEMENTS (modules); i++)
    if (modules[i]->fini != NULL)
      modules[i]->fini (w);
  fabric_free (w->hw.fabric);
  names_free (w->hw.names);
  topo_free (w->hw.topo);
  g_free (w->hw.nodes);
  g_free (w->hw.link_admin);
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
  for (size_t i = 0; i < G_N_ELEMENTS (modules); i++)
    if (modules[i]->finish != NULL)
      modules[i]->finish (w);
  return true;
}
