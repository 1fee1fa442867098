/* models/ibnet.h - the ibnetdiscover topology text format, read into a Topo
 * and written from one.
 *
 * Reading: "Switch N \"S-guid\" # \"desc\" ..." and "Ca N \"H-guid\" #
 * \"desc\"" records with their "[port] \"peer\"[port] ..." lines (and the
 * vendid=/devid=/...guid= lines, which are skipped). Tiers are inferred:
 * a leaf is a switch with HCA links, a spine a switch linked to leaves, a
 * core any other. Nodes are the HCAs grouped by the first word of their
 * description ("node0412 HCA-5" -> node "node0412", rail 4; "mlx5_N" -> rail
 * N; else the node's lowest free rail). Every cabled HCA port is a NIC with
 * its own rail (a dual-port HCA cabled twice is two NICs; docs/models.md).
 * Every index taken from the file is checked; a line that does not parse is
 * not quoted in the error. Writing uses deterministic GUIDs derived
 * from indices, so a written fabric reads back with the same counts and
 * links. Not here: the fat-tree generator (topo.c), OpenSM or routing. */
#pragma once

#include "topo.h"

#include <stdio.h>

/* ---- the dump as written: records and their links ---- */

/* One Switch or Ca record. */
typedef struct
{
  gboolean is_switch;
  char *id;       /* "S-..." / "H-..." */
  char *desc;     /* the quoted description after '#', or NULL */
  uint32_t nports;
  uint32_t lid;   /* switches: "lid N" after the description (1..0xFFFF),
                     0 when absent; HCAs: 0 */
  int line;
  int tier;       /* -1 HCA; switches: 0 leaf (linked to an HCA), 1 spine
                     (linked to a leaf), 2 core (any other) */
} IbnetRec;

/* One port line: port PORT of record REC is cabled to PEER_PORT of PEER. A
 * link listed from both ends is two port lines, the later one AGAIN. */
typedef struct
{
  uint32_t rec, port, peer, peer_port;
  int line;
  gboolean again; /* the same link as an earlier port line */
} IbnetConn;

typedef struct
{
  GPtrArray *recs; /* IbnetRec*, in file order */
  GArray *conns;   /* IbnetConn, in file order */
} IbnetDump;

/* Parses ibnetdiscover text into its records and links, checked: every
 * record line and port line parses, ids are unique, every peer has a
 * record, ports are within their record's port count, a port is linked
 * once, nothing is linked to itself, no HCA to an HCA. Says nothing about
 * the shape of the fabric (ibnet_read_data() does). NAME is used in
 * messages ("file:LINE: expected ..."). Returns: (transfer full), or NULL
 * with error (TOPO_ERROR_PARSE). */
IbnetDump *ibnet_dump_parse (const char *data, size_t len, const char *name,
                             GError **error);
void ibnet_dump_free (IbnetDump *d);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (IbnetDump, ibnet_dump_free)

/* The rail an HCA's description names in its second word: "HCA-N" ->
 * N - 1, "mlx5_N" -> N (N < 65536); TOPO_NONE if neither. */
uint32_t ibnet_desc_rail (const char *word);

/* ---- the dump as a Topo ---- */

/* Parses ibnetdiscover text. name is used in messages ("file:LINE:
 * expected ..."). gpus_per_node is not in the format (0 means 8).
 * Returns: (transfer full) a Topo, or NULL with error (TOPO_ERROR_PARSE). */
Topo *ibnet_read_data (const char *data, size_t len, const char *name,
                       uint32_t gpus_per_node, GError **error);
/* Same for a file (TOPO_ERROR_IO when it cannot be read). */
Topo *ibnet_read_file (const char *path, uint32_t gpus_per_node,
                       GError **error);
/* Writes topo in ibnetdiscover format: switches (leaves, spines, cores in
 * index order) then CAs (one per NIC with a cable, node order).
 * Returns FALSE with error (TOPO_ERROR_IO) on a write error. */
gboolean ibnet_write (const Topo *topo, FILE *out, GError **error);
/* The GUID faultline gives a switch (kind LEAF, SPINE, CORE) or an HCA
 * (kind NIC). */
uint64_t ibnet_guid (TopoKind kind, uint32_t index);
/* The LID ibnet_write() gives a switch (kind LEAF, SPINE or CORE: 1 + its
 * position in leaves, spines, cores) or an HCA (kind NIC: after every
 * switch), as `faultline topo --format ibnetdiscover` prints it and
 * fabric.pcap's traps carry it. May exceed the 0xBFFF unicast LIDs of a
 * real subnet on the largest fabrics. */
uint32_t ibnet_lid (const Topo *topo, TopoKind kind, uint32_t index);
