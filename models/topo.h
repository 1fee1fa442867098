/* models/topo.h - the cluster topology: nodes, GPUs, NICs, switches, links
 * of a rail-optimised InfiniBand fat tree, and the operator names of all of
 * them.
 *
 * One representation serves a generated fat tree (topo_new_fattree) and a
 * fabric read from ibnetdiscover (models/ibnet.h): switches and links are
 * explicit arrays of small structs; nodes, GPUs and NICs are implicit by
 * index (GPU = node * gpus_per_node + g, NIC = node * rails + r).
 * Names are computed from indices ("node0412", "node0412/gpu5",
 * "leaf-su03-r5", "spine-07", "core-002", "rack-051", "row-03",
 * "node0412/nic5<->leaf-su03-r5:p17", "leaf-su03-r5:p33<->spine-07:p12",
 * "spine-07:p40<->core-002:p5"); with per-rail planes spines and cores
 * carry their plane and their index within it ("spine-r5-007",
 * "core-r5-002"). A fabric read from a file keeps its node names, and a
 * fat tree can be given names (topo_set_node_names, a Kubernetes
 * inventory). This file knows nothing of failures (models/fabric.h) or of
 * time. See docs/models.md. */
#pragma once

#include <glib.h>
#include <stddef.h>
#include <stdint.h>

#define TOPO_ERROR (topo_error_quark ())
GQuark topo_error_quark (void);

typedef enum
{
  TOPO_ERROR_PARAM, /* impossible fat-tree parameters */
  TOPO_ERROR_PARSE, /* malformed topology file (models/ibnet.c) */
  TOPO_ERROR_IO,    /* a file could not be read or written */
  TOPO_ERROR_MEMORY, /* the cluster would not fit in memory */
} TopoError;

/* The component classes; each has its own index space. */
typedef enum
{
  TOPO_NODE,
  TOPO_GPU,
  TOPO_NIC,
  TOPO_CABLE,    /* node-leaf link; its index is the NIC index */
  TOPO_LEAF,
  TOPO_SPINE,
  TOPO_CORE,
  TOPO_UPLINK,   /* leaf-spine link */
  TOPO_CORELINK, /* spine-core link */
  TOPO_RACK,
  TOPO_ROW,
  TOPO_N_KINDS
} TopoKind;

#define TOPO_NONE UINT32_MAX

typedef struct
{
  TopoKind kind;
  uint32_t index;
} TopoRef;

/* Parameters of topo_new_fattree(); fill with topo_params_init(). */
typedef struct
{
  uint32_t nodes;           /* > 0 */
  uint32_t gpus_per_node;   /* default 8 */
  uint32_t rails;           /* NICs per node = leaves per SU; default 8 */
  uint32_t su_size;         /* nodes per scalable unit; default 32 */
  uint32_t radix;           /* switch ports, even, >= 4; default 64 */
  double oversubscription;  /* leaf down/up ratio, >= 1; default 1.0 */
  uint32_t tiers;           /* 0 = automatic, or 2 or 3 (per plane) */
  uint32_t planes;          /* 0 = automatic (per-rail planes only when
                               one 3-tier fabric cannot hold the nodes),
                               1 = one fabric, rails = one per rail */
  uint32_t nodes_per_rack;  /* default 4 */
  uint32_t racks_per_row;   /* default 16 */
} TopoParams;

/* A link between two ports. a is the lower tier: for a CABLE a is the NIC
 * index and b the leaf; for an UPLINK a leaf and a spine; for a CORELINK a
 * spine and a core. Ports are 1-based switch (or HCA) port numbers. */
typedef struct
{
  uint32_t a, b;
  uint16_t a_port, b_port;
} TopoLink;

typedef struct Topo Topo;

void topo_params_init (TopoParams *p);

/* Builds a rail-optimised fat tree. Leaf l of SU s serves rail r
 * (l = s * rails + r) with su_size down ports (p1..) and
 * ceil(su_size / oversubscription) up ports (following); 2 tiers when one
 * spine layer can serve all leaves, else 3 tiers (pods of spines, cores per
 * spine plane), unless p->tiers forces it. Spines (and cores per plane)
 * round up to a power of two so uplinks spread evenly.
 * With per-rail planes (p->planes, or automatically above one fabric's
 * capacity) the leaves of rail r, their spines and cores form fat tree r
 * on their own (2 or 3 tiers by the same rules, pods of whole SUs shared
 * by all planes); spines are numbered plane by plane, then pod, and cores
 * plane by plane.
 * Returns: (transfer full) a Topo, or NULL with error (TOPO_ERROR_PARAM)
 * naming the impossible value. O(links). */
Topo *topo_new_fattree (const TopoParams *p, GError **error);

/* A whole run holds about this many times the topology's own bytes (fabric
 * state, per-node and per-link world, health and scheduler tables, event
 * queue). Measured as the peak RSS of `faultline run` (/usr/bin/time -f %M)
 * over topo_bytes(): 1,000,000 GPUs (radix 128), 2 days with the default
 * failures and a 100,000-node job: 324 MiB / 74 MiB = 4.4; 5 leaves room
 * for the address space beyond the resident pages (RLIMIT_AS). */
#define TOPO_RUN_BYTES_FACTOR 5

/* The bytes topo_bytes() will report for topo_new_fattree (p), computed from
 * the counts without allocating; 0 with error (TOPO_ERROR_PARAM) when p is
 * impossible. */
uint64_t topo_fattree_estimate_bytes (const TopoParams *p, GError **error);

/* The memory this process may use: physical memory (sysconf), or
 * RLIMIT_AS when set and lower; 0 when neither is known. *what (if not
 * NULL) gets a static description of the limit that applies. */
uint64_t topo_memory_limit (const char **what);

/* topo_new_fattree() against an explicit limit (bytes, 0 = none):
 * refuses (TOPO_ERROR_MEMORY) before allocating when
 * TOPO_RUN_BYTES_FACTOR * the estimate exceeds limit, with a message giving
 * the estimate, the limit (described by limit_what) and a node count that
 * fits. topo_new_fattree() is this with topo_memory_limit(). */
Topo *topo_new_fattree_limited (const TopoParams *p, uint64_t limit,
                                const char *limit_what, GError **error);
void topo_free (Topo *topo);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (Topo, topo_free)

/* ---- counts ---- */
/* Number of components of a kind (CABLE counts present node links). */
uint32_t topo_count (const Topo *topo, TopoKind kind);
/* The index space of a kind: for CABLE it is the NIC count (a NIC may have
 * no cable in a fabric read from a file); else equals topo_count(). */
uint32_t topo_index_limit (const Topo *topo, TopoKind kind);
uint32_t topo_tiers (const Topo *topo);          /* 2 or 3 */
uint32_t topo_gpus_per_node (const Topo *topo);
uint32_t topo_rails (const Topo *topo);
uint32_t topo_su_size (const Topo *topo);
uint32_t topo_n_sus (const Topo *topo);
uint32_t topo_radix (const Topo *topo);
const TopoParams *topo_params (const Topo *topo);
/* Total switches and links (all tiers). */
uint32_t topo_n_switches (const Topo *topo);
uint64_t topo_n_links (const Topo *topo);
/* Bytes the Topo holds (its own accounting). */
size_t topo_bytes (const Topo *topo);

/* ---- structure ---- */
uint32_t topo_node_su (const Topo *topo, uint32_t node);
uint32_t topo_node_rack (const Topo *topo, uint32_t node);
uint32_t topo_node_row (const Topo *topo, uint32_t node);
/* The leaf serving (node, rail), or TOPO_NONE if that NIC has no cable. */
uint32_t topo_node_leaf (const Topo *topo, uint32_t node, uint32_t rail);
/* The CABLE index of (node, rail) (= node * rails + rail), or TOPO_NONE. */
uint32_t topo_node_link (const Topo *topo, uint32_t node, uint32_t rail);
/* SU and rail a leaf serves. */
uint32_t topo_leaf_su (const Topo *topo, uint32_t leaf);
uint32_t topo_leaf_rail (const Topo *topo, uint32_t leaf);
/* Pod of a spine (2 tiers: 0) and of a leaf. */
uint32_t topo_spine_pod (const Topo *topo, uint32_t spine);
uint32_t topo_leaf_pod (const Topo *topo, uint32_t leaf);
uint32_t topo_n_pods (const Topo *topo);
/* 1 for one fabric, rails for per-rail planes. */
uint32_t topo_n_planes (const Topo *topo);
/* The rail plane of a switch (kind LEAF, SPINE or CORE): 0 with one
 * fabric, else the rail whose leaves it serves. */
uint32_t topo_switch_plane (const Topo *topo, TopoKind kind, uint32_t sw);
/* The pod of an SU, and the leaf of (SU, rail) or TOPO_NONE. */
uint32_t topo_su_pod (const Topo *topo, uint32_t su);
uint32_t topo_su_leaf (const Topo *topo, uint32_t su, uint32_t rail);
/* The UPLINKs of a leaf are [*first, *first + *n) (contiguous by
 * construction and after reading). */
void topo_leaf_uplinks (const Topo *topo, uint32_t leaf, uint32_t *first,
                        uint32_t *n);
/* The CORELINKs of a spine: [*first, *first + *n) (n = 0 with 2 tiers). */
void topo_spine_corelinks (const Topo *topo, uint32_t spine, uint32_t *first,
                           uint32_t *n);
/* The links of a switch (kind LEAF, SPINE or CORE), sorted by port: fills
 * *refs with an internal array of *n TopoRefs (kind CABLE, UPLINK or
 * CORELINK); valid until topo_free(). */
void topo_switch_links (const Topo *topo, TopoKind kind, uint32_t sw,
                        const TopoRef **refs, uint32_t *n);
/* The link record of a CABLE, UPLINK or CORELINK, or NULL when index is out
 * of range or the NIC has no cable. */
const TopoLink *topo_link (const Topo *topo, TopoKind kind, uint32_t index);

/* ---- names ---- */
/* Writes the name of (kind, index) into buf (always NUL-terminated;
 * 96 bytes hold any name). Returns the length the full name needs, like
 * snprintf, or 0 when index is out of range. */
size_t topo_name (const Topo *topo, TopoKind kind, uint32_t index, char *buf,
                  size_t len);
/* Finds a component by exact name. Returns FALSE if there is none. */
gboolean topo_lookup (const Topo *topo, const char *name, TopoKind *kind,
                      uint32_t *index);
/* Appends to out (a GArray of TopoRef) every component whose name matches
 * the glob pattern ('*' and '?', g_pattern_match_simple), in kind then index
 * order. A pattern without wildcards is an exact lookup. Returns the number
 * appended. O(components of the kinds the pattern's prefix can match). */
guint topo_glob (const Topo *topo, const char *pattern, GArray *out);
/* "node", "gpu", "nic", "cable", "leaf", "spine", "core", "uplink",
 * "corelink", "rack", "row". */
const char *topo_kind_name (TopoKind kind);

/* A node name read from a file (ibnetdiscover, a Kubernetes inventory)
 * names files, components ("NAME/nic3"), globs and plot labels: a host
 * name's characters only (letters, digits, '-', '_', '.'), 1 to
 * TOPO_MAX_NODE_NAME bytes (HOST_NAME_MAX). */
#define TOPO_MAX_NODE_NAME 64
gboolean topo_valid_node_name (const char *name);

/* Names the nodes of TOPO (a generated fat tree) with NAMES (n_nodes
 * entries, NULL-terminated; transfer full on success): GPUs, NICs and
 * cables follow ("NAME/gpu3"). Each name must be topo_valid_node_name,
 * distinct, and must not start as a switch, rack or row name does
 * ("leaf-su", "spine-", "core-", "rack-", "row-"), which would hide it
 * from topo_lookup. FALSE with TOPO_ERROR_PARAM naming the first bad name
 * (NAMES then stays the caller's). */
gboolean topo_set_node_names (Topo *topo, char **names, GError **error);

/* ---- used by models/ibnet.c to build a Topo read from a file ---- */
/* A Topo with explicit switches and links: node_names (transfer full,
 * NULL-terminated, may be NULL for "nodeNNNN"); node_su (n_nodes entries);
 * cables (n_nodes * rails entries, b = TOPO_NONE where a NIC has no cable);
 * leaf_su, leaf_rail (n_leaves entries); uplinks sorted by a (leaf),
 * corelinks sorted by a (spine). Every array is (transfer full). */
typedef struct
{
  uint32_t n_nodes, gpus_per_node, rails, radix;
  char **node_names;
  uint32_t *node_su;
  TopoLink *cables;
  uint32_t n_leaves, n_spines, n_cores;
  uint32_t *leaf_su, *leaf_rail;
  TopoLink *uplinks;
  uint32_t n_uplinks;
  TopoLink *corelinks;
  uint32_t n_corelinks;
} TopoExplicit;

/* Takes ownership of the arrays of *x (and clears them). Returns NULL (a
 * caller bug, with a critical warning, arrays left in *x) when an index is
 * out of its array, a leaf has no SU or the links are unsorted. */
Topo *topo_new_explicit (TopoExplicit *x);
