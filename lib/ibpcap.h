/* lib/ibpcap.h - fabric events as real InfiniBand management packets,
 * and captures of them read back.
 *
 * Writes a pcap file of link type ERF (DLT_ERF = 197) whose records are ERF
 * type 21 (InfiniBand), the way `ibdump` captures look, so Wireshark/tshark
 * decode them with no plugin. Each record is LRH + BTH + DETH + a 256-byte
 * LID-routed SMP + ICRC + VCRC: a SubnTrap(Notice) from a switch to the SM,
 * optionally followed by the SubnGetResp(PortInfo) an SM sweep would read
 * back. (Debian 12's tshark 4.0 refuses LINKTYPE_INFINIBAND = 247; ERF type
 * 21 decodes fully: /work/shared/data/field-data.md §9.4.)
 *
 * The ICRC is the IBA CRC-32 (the Ethernet one) over the packet from the
 * LRH to the end of the payload with the variant fields (LRH.VL and
 * BTH.Resv8a) set to ones; the VCRC the IBA CRC-16 (polynomial 0x100B,
 * initial value and final XOR 0xFFFF, bit-reflected like the CRC-32) over
 * the packet from the LRH through the ICRC. Both are stored least
 * significant byte first, as a reflected CRC is sent (the Ethernet FCS
 * convention, also Linux soft-RoCE's for the ICRC).
 *
 * ibpcap_link_state() is what a run uses: one trap 128 per state change of
 * each switch port of a link (a leaf-spine or spine-core link has two, a
 * node cable one: an HCA does not send trap 128), none from a switch that
 * has failed, LIDs as `faultline topo --format ibnetdiscover` gives them
 * (ibnet_lid()). ibpcap_read() reads captures (ours, ibdump's, or raw
 * LINKTYPE_INFINIBAND ones) for `faultline replay` (lib/replay.c).
 * Not a model of the subnet manager: the caller decides which traps happen
 * and when. Without libpcap (FL_HAVE_PCAP 0) ibpcap_open() and ibpcap_read()
 * fail with IBPCAP_ERROR_UNSUPPORTED and nothing is written. */
#pragma once

#include <glib.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "topo.h"

#define IBPCAP_ERROR (ibpcap_error_quark ())
GQuark ibpcap_error_quark (void);

typedef enum
{
  IBPCAP_ERROR_UNSUPPORTED, /* built without libpcap */
  IBPCAP_ERROR_IO,          /* cannot create, write or rename the file */
  IBPCAP_ERROR_CORRUPT,     /* ibpcap_read: not a capture we can read */
} IbPcapError;

/* Trap numbers (Notice.TrapNumber, field-data.md §9.3). */
enum
{
  IBPCAP_TRAP_LINK_STATE = 128,     /* link state of a switch port changed */
  IBPCAP_TRAP_LINK_INTEGRITY = 129, /* local link integrity threshold */
  IBPCAP_TRAP_BUFFER_OVERRUN = 130, /* excessive buffer overrun threshold */
  IBPCAP_TRAP_FLOW_WATCHDOG = 131,  /* flow control update watchdog */
};

/* PortInfo.PortState values (field-data.md §9.1). 0 = "no PortInfo". */
enum
{
  IBPCAP_PORT_NOP = 0,
  IBPCAP_PORT_DOWN = 1,
  IBPCAP_PORT_INIT = 2,
  IBPCAP_PORT_ARMED = 3,
  IBPCAP_PORT_ACTIVE = 4,
};

/* The LID the traps are sent to (the master SM): the first leaf switch
 * (LID 1 in `faultline topo --format ibnetdiscover`), as when the SM runs
 * embedded in a managed switch. */
#define IBPCAP_SM_LID 1
/* Unicast LIDs are 1 .. 0xBFFF (0xC000 and up are multicast). */
#define IBPCAP_MAX_UNICAST_LID 0xBFFF

/* Bytes of one InfiniBand packet as written (LRH 8 + BTH 12 + DETH 8 +
 * MAD 256 + ICRC 4 + VCRC 2), and of one ERF record (16-byte header). */
#define IBPCAP_IB_PACKET_LEN 290
#define IBPCAP_ERF_RECORD_LEN (16 + IBPCAP_IB_PACKET_LEN)

typedef struct _IbPcap IbPcap;

/* True when built with libpcap. */
bool ibpcap_available (void);

/* Opens PATH for writing. The data goes to a temporary file next to PATH,
 * renamed into place by ibpcap_close(). Returns: (transfer full) a writer,
 * or NULL with error set (IBPCAP_ERROR_UNSUPPORTED without libpcap). */
IbPcap *ibpcap_open (const char *path, GError **error);

/* Appends one trap at simulated time TIME_S (seconds since the run start;
 * the capture's epoch is 0). ISSUER_LID is the LID of the switch (or CA)
 * issuing the trap, TRAP_NUMBER one of IBPCAP_TRAP_*. PORT is the port
 * concerned (carried in the data details of traps 129-131; for trap 128,
 * which only names the switch, it is the port of the PortInfo record).
 * PORT_STATE != IBPCAP_PORT_NOP adds a SubnGetResp(PortInfo) record for
 * PORT with that state, with the same timestamp, after the trap. Records
 * must be written in non-decreasing time. Returns false on a write error
 * (kept and reported again by ibpcap_close()). */
bool ibpcap_write_trap (IbPcap *pc, double time_s, uint16_t issuer_lid,
                        uint16_t trap_number, uint8_t port,
                        uint8_t port_state);

/* The link (KIND = TOPO_CABLE, TOPO_UPLINK or TOPO_CORELINK, INDEX) of TOPO
 * is now in PORT_STATE (IBPCAP_PORT_DOWN or IBPCAP_PORT_ACTIVE). For each
 * switch end of the link whose last reported state differs (every port
 * starts Active) and whose switch has not failed (ibpcap_switch_failed),
 * writes a trap 128 issued by that switch (LID = ibnet_lid()) and the
 * PortInfo of its port. A state equal to the last reported one writes
 * nothing: the same change reported twice (a fault, then the policy
 * disabling the port that is already down) is one change. A switch whose
 * LID is not a unicast LID (fabrics of more than 49,151 switches) is
 * counted (ibpcap_unaddressable) instead. TOPO must be the same for every
 * call. Returns the number of traps written, or -1 on a write error. */
int ibpcap_link_state (IbPcap *pc, const Topo *topo, double time_s,
                       TopoKind kind, uint32_t index, uint8_t port_state);

/* Switch SW (kind TOPO_LEAF, TOPO_SPINE or TOPO_CORE) failed (FAILED true)
 * or is back: a failed switch sends no traps. A link of it that comes back
 * Active also marks it back. */
void ibpcap_switch_failed (IbPcap *pc, const Topo *topo, TopoKind kind,
                           uint32_t sw, bool failed);

/* Number of records written so far (traps + PortInfo records). */
size_t ibpcap_records (const IbPcap *pc);
/* Port state changes not written because the switch's LID is beyond
 * IBPCAP_MAX_UNICAST_LID. */
size_t ibpcap_unaddressable (const IbPcap *pc);

/* Flushes, closes and renames the file into place; frees PC. Returns false
 * with error set if anything failed (the temporary file is then removed).
 * ibpcap_close (NULL, ...) returns true. */
bool ibpcap_close (IbPcap *pc, GError **error);

/* Closes and removes the temporary file; nothing appears at the path.
 * ibpcap_abort (NULL) is a no-op. */
void ibpcap_abort (IbPcap *pc);

/* Encodes one trap as an InfiniBand packet (LRH .. VCRC) into BUF, which
 * must hold IBPCAP_IB_PACKET_LEN bytes, CRCs included. TID is the MAD
 * transaction id. Returns the number of bytes written. */
size_t ibpcap_encode_trap (uint8_t *buf, uint16_t issuer_lid,
                           uint16_t trap_number, uint8_t port,
                           uint64_t tid);

/* Encodes a SubnGetResp(PortInfo) for PORT of LID with PORT_STATE. */
size_t ibpcap_encode_portinfo (uint8_t *buf, uint16_t lid, uint8_t port,
                               uint8_t port_state, uint64_t tid);

/* The ICRC of a local packet (LRH, no GRH) of LEN bytes from the LRH to the
 * end of the payload (the ICRC itself excluded), and the VCRC of LEN bytes
 * from the LRH through the ICRC (see the top of this file). */
uint32_t ibpcap_icrc (const uint8_t *pkt, size_t len);
uint16_t ibpcap_vcrc (const uint8_t *pkt, size_t len);

/* ---- reading captures ---- */

/* What ibpcap_read() found in one management packet. */
typedef enum
{
  IBPCAP_REC_TRAP,     /* SubnTrap(Notice): trap_number, lid = IssuerLID,
                          port = PORTNO (traps 129-131) or 0 */
  IBPCAP_REC_PORTINFO, /* SubnGetResp(PortInfo): lid = the responder
                          (LRH SLID), port = AttributeModifier, state */
} IbPcapRecKind;

typedef struct
{
  IbPcapRecKind kind;
  double time_s;    /* the record's timestamp, seconds since the epoch */
  uint16_t lid;
  uint8_t port;
  uint8_t state;    /* PortInfo.PortState (1..4), 0 for a trap */
  uint16_t trap_number;
  uint64_t record;  /* 1-based record number in the file */
} IbPcapRec;

/* Counts of what ibpcap_read() skipped. */
typedef struct
{
  uint64_t records;       /* records read */
  uint64_t wrong_type;    /* ERF records that are not InfiniBand */
  uint64_t corrupt;       /* InfiniBand records too short or inconsistent
                             (bad LRH, PktLen, or ICRC/VCRC when present) */
  uint64_t other;         /* InfiniBand packets that are neither a trap nor
                             a PortInfo response (data, other MADs) */
  uint64_t directed;      /* directed-route SMPs whose responder has no LID
                             in the LRH (permissive SLID): not mapped */
  bool truncated;         /* the file ends inside a record */
  char truncated_msg[160];
} IbPcapReadStats;

/* The largest capture ibpcap_read_file() reads (bytes). */
#define IBPCAP_READ_MAX_BYTES ((uint64_t) 1 << 30)

/* Reads the traps and PortInfo responses of a capture in memory (DATA, LEN:
 * a pcap file) named NAME in messages: link type ERF (records of ERF type
 * 21 InfiniBand, as ibdump and `faultline run` write) or
 * LINKTYPE_INFINIBAND (247, raw packets from the LRH). Records it cannot
 * use are counted in *stats (all fields set), never fatal; a truncated last
 * record ends the reading (stats->truncated). Returns: (transfer full) an
 * array of IbPcapRec in file order, or NULL with error
 * (IBPCAP_ERROR_CORRUPT) when DATA is not a pcap file or its link type is
 * neither ERF nor InfiniBand. */
GArray *ibpcap_read (const uint8_t *data, size_t len, const char *name,
                     IbPcapReadStats *stats, GError **error);

/* ibpcap_read() on a file: refuses what is not a regular file, or is
 * larger than IBPCAP_READ_MAX_BYTES, with IBPCAP_ERROR_IO naming it. */
GArray *ibpcap_read_file (const char *path, IbPcapReadStats *stats,
                          GError **error);
