/* models/inventory.h - a Kubernetes node inventory as the cluster:
 * `cluster { inventory = "nodes.json" }` reads what `kubectl get nodes -o
 * json` prints, so a scenario runs on the names the team knows.
 *
 * What is read (docs/scenario-api.md, "cluster"):
 *  - the nodes: items[] of a List or NodeList (or one Node); a node
 *    without `nvidia.com/gpu` in status.capacity (a control-plane or CPU
 *    node) is left out and counted;
 *  - names: metadata.name, a host name's characters (topo_valid_node_name),
 *    each once;
 *  - GPUs per node: status.capacity["nvidia.com/gpu"], a whole number, the
 *    same on every GPU node (faultline's nodes are alike);
 *  - groups from metadata.labels: the scalable unit (nodes sharing leaf
 *    switches; default label network.topology.nvidia.com/leaf, which
 *    NVIDIA's Topograph writes), the rack (default
 *    topology.kubernetes.io/rack) and the row or zone (default
 *    topology.kubernetes.io/zone). A label on no node is not used; on some
 *    nodes but not others it is an error.
 * Nodes are ordered by (zone, SU, rack, name), names in natural order
 * (node2 before node10), so that each group is a run of consecutive
 * nodes, as the generated topology numbers them. Each group must then be
 * one run, nested in the group above it, and all groups of a kind the
 * same size but the last (which may be smaller).
 *
 * Errors name the file and line: INVENTORY_ERROR, "FILE:LINE: ...". */
#pragma once

#include <glib.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "topo.h"

G_BEGIN_DECLS

#define INVENTORY_ERROR (inventory_error_quark ())
GQuark inventory_error_quark (void);
typedef enum
{
  INVENTORY_ERROR_PARSE, /* not JSON, not a node list, a bad field */
  INVENTORY_ERROR_SHAPE, /* nodes or groups faultline cannot model */
} InventoryError;

/* The label keys of the groups; NULL: the default, "": not used. */
typedef struct
{
  const char *su_label;
  const char *rack_label;
  const char *zone_label;
} InventoryLabels;

#define INVENTORY_SU_LABEL "network.topology.nvidia.com/leaf"
#define INVENTORY_RACK_LABEL "topology.kubernetes.io/rack"
#define INVENTORY_ZONE_LABEL "topology.kubernetes.io/zone"
#define INVENTORY_MAX_NODES 10000000u

typedef struct
{
  uint32_t n_nodes;         /* GPU nodes */
  char **names;             /* n_nodes names in faultline's order,
                               NULL-terminated */
  uint32_t gpus_per_node;
  uint32_t su_size;         /* nodes per SU; 0: no SU label */
  uint32_t nodes_per_rack;  /* 0: no rack label */
  uint32_t nodes_per_zone;  /* 0: no zone label */
  uint32_t skipped;         /* nodes without GPUs, left out */
} Inventory;

/* Parses TEXT (LEN bytes), named NAME in messages. LABELS may be NULL
 * (the defaults). Returns: (transfer full), or NULL with error. */
Inventory *inventory_parse (const char *text, size_t len, const char *name,
                            const InventoryLabels *labels, GError **error);
/* Reads PATH (a regular file of at most INFILE_MAX_JSON bytes) and parses
 * it. Errors begin with PATH. */
Inventory *inventory_load (const char *path, const InventoryLabels *labels,
                           GError **error);
void inventory_free (Inventory *inv); /* NULL is a no-op */
G_DEFINE_AUTOPTR_CLEANUP_FUNC (Inventory, inventory_free)
/* The cluster of the inventory at PATH: a fat tree with BASE's fabric
 * (rails, radix, oversubscription, tiers, and the group sizes the labels
 * do not give), the inventory's nodes, GPUs per node, SU size, nodes per
 * rack and racks per row (nodes per zone / nodes per rack, which must
 * divide), its nodes named as in the file. Returns: (transfer full). */
Topo *inventory_topology (const char *path, const InventoryLabels *labels,
                          const TopoParams *base, GError **error);

/* Takes the names out of INV (the caller frees them with g_strfreev). */
char **inventory_steal_names (Inventory *inv);

G_END_DECLS
