/* models/fabric.h - fabric degradation over a Topo: which links and
 * switches are down, which node rails still work, and what fraction of its
 * network bandwidth a job keeps (a flow-level estimate, docs/models.md).
 *
 * Every update is O(1) for a link and O(ports of the switch) for a switch:
 * per-link "dead reasons" counters feed per-node alive-rail counts, per-leaf
 * and per-SU alive-uplink counts and per-pod alive-core-link counts.
 * Not here: when failures happen (models/failure.h), time, policy. */
#pragma once

#include "topo.h"

#include <stddef.h>
#include <stdint.h>

typedef struct FabricState FabricState;

/* Returns: (transfer full) a fabric with everything up. topo must outlive
 * it. */
FabricState *fabric_new (const Topo *topo);
void fabric_free (FabricState *f);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (FabricState, fabric_free)

/* Fails / restores a link (kind CABLE, UPLINK or CORELINK). Failing a
 * failed link (or restoring a live one) is a no-op that returns FALSE. */
gboolean fabric_fail_link (FabricState *f, TopoKind kind, uint32_t index);
gboolean fabric_restore_link (FabricState *f, TopoKind kind, uint32_t index);
/* Same for a switch (kind LEAF, SPINE or CORE): all its links go dead. */
gboolean fabric_fail_switch (FabricState *f, TopoKind kind, uint32_t index);
gboolean fabric_restore_switch (FabricState *f, TopoKind kind,
                                uint32_t index);
/* TRUE if the link itself is marked failed / the switch is failed. */
gboolean fabric_link_failed (const FabricState *f, TopoKind kind,
                             uint32_t index);
gboolean fabric_switch_failed (const FabricState *f, TopoKind kind,
                               uint32_t index);
/* TRUE if the link carries traffic: neither it nor either end failed. */
gboolean fabric_link_alive (const FabricState *f, TopoKind kind,
                            uint32_t index);

/* TRUE if (node, rail) reaches its leaf: cable up and leaf up. */
gboolean fabric_node_rail_ok (const FabricState *f, uint32_t node,
                              uint32_t rail);
/* Number of working rails of a node (0..rails). */
uint32_t fabric_node_rails_alive (const FabricState *f, uint32_t node);

/* Fraction in [0, 1] of the network bandwidth a job on these nodes needs
 * that survives: the minimum of (a) each node's working rails / rails
 * (traffic of a dead rail moves to the others), (b) if the job spans
 * several SUs, each SU's alive uplinks / uplinks, (c) if it spans several
 * pods, each pod's alive spine-core links / spine-core links. 0 means a
 * node is cut off. O(n). */
double fabric_job_bandwidth (const FabricState *f, const uint32_t *nodes,
                             size_t n);
/* ---- tenants: a job's bandwidth kept as the fabric changes ----
 *
 * A tenant is a set of nodes (a job's). The fabric keeps, per tenant, how
 * many of its nodes have each number of alive rails and the SUs and pods
 * it spans (with counts), so fabric_tenant_bandwidth costs O(SUs + pods
 * it spans) instead of O(nodes) and is the same double as
 * fabric_job_bandwidth over its nodes; and every failure or repair
 * notes the tenants whose bandwidth it may have changed: the tenant of a
 * node whose rails changed, the tenants spanning several SUs over an SU
 * whose uplinks changed, the tenants spanning several pods over a pod
 * whose core links changed (fabric_tenants_touched). A tenant's own
 * membership changes are not noted (the caller made them). A node belongs
 * to at most one tenant: adding it to another moves it. */
typedef struct FabricTenant FabricTenant;

/* A tenant with no nodes; id is the caller's (fabric_tenants_touched
 * reports it). Returns: (transfer full), freed by fabric_tenant_free
 * (which releases its nodes) before fabric_free. A freed tenant's memory
 * is kept by the fabric for the next new one (no allocation per job). */
FabricTenant *fabric_tenant_new (FabricState *f, uint32_t id);
void fabric_tenant_free (FabricState *f, FabricTenant *t);
void fabric_tenant_add (FabricState *f, FabricTenant *t, uint32_t node);
/* The id of node's tenant, or FABRIC_NO_TENANT. O(1). */
#define FABRIC_NO_TENANT UINT32_MAX
uint32_t fabric_node_tenant (const FabricState *f, uint32_t node);
/* A node not in t (any more) is left alone. */
void fabric_tenant_remove (FabricState *f, FabricTenant *t, uint32_t node);
/* Makes t's nodes nodes[0..n), where old[0..n_old) holds every node t
 * has (the list it was last given: the nodes other tenants took since
 * are fine). When old came from fabric_tenant_set and both lists are
 * ascending only their differences cost per-node work (their common runs
 * are compared by blocks); otherwise (an add or remove since, a list out
 * of order) every node of both. n = 0 empties t in O(old + SUs + pods). */
void fabric_tenant_set (FabricState *f, FabricTenant *t, const uint32_t *old,
                        size_t n_old, const uint32_t *nodes, size_t n);
uint32_t fabric_tenant_size (const FabricTenant *t);
/* TRUE if t's nodes are in more than one SU. */
gboolean fabric_tenant_multi_su (const FabricTenant *t);
/* fabric_job_bandwidth of t's nodes (the same value), O(SUs + pods). */
double fabric_tenant_bandwidth (const FabricState *f, const FabricTenant *t);
/* Appends to out (a GArray of uint32_t) the ids of the tenants a failure
 * or repair since the last call may have slowed or sped up, each once,
 * in no particular order; a tenant freed meanwhile may still be listed. */
void fabric_tenants_touched (FabricState *f, GArray *out);

/* Step-time multiplier of a job whose step spends comm_share (0..1) of its
 * time communicating, when bandwidth_fraction survives:
 * (1 - c) + c / b; +infinity when b = 0 and c > 0. */
double fabric_slowdown (double bandwidth_fraction, double comm_share);
/* Fraction of all link capacity (node, leaf-spine, spine-core links) that
 * is dead: for time series. O(1). */
double fabric_bandwidth_lost_fraction (const FabricState *f);
/* Bytes held (own accounting). */
size_t fabric_bytes (const FabricState *f);
