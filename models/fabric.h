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
/* Step-time multiplier of a job whose step spends comm_share (0..1) of its
 * time communicating, when bandwidth_fraction survives:
 * (1 - c) + c / b; +infinity when b = 0 and c > 0. */
double fabric_slowdown (double bandwidth_fraction, double comm_share);
/* Fraction of all link capacity (node, leaf-spine, spine-core links) that
 * is dead: for time series. O(1). */
double fabric_bandwidth_lost_fraction (const FabricState *f);
/* Bytes held (own accounting). */
size_t fabric_bytes (const FabricState *f);
