/* models/ibpcap.h - fabric events as real InfiniBand management packets.
 *
 * Writes a pcap file of link type ERF (DLT_ERF = 197) whose records are ERF
 * type 21 (InfiniBand), the way `ibdump` captures look, so Wireshark/tshark
 * decode them with no plugin. Each record is LRH + BTH + DETH + a 256-byte
 * LID-routed SMP: a SubnTrap(Notice) from a switch to the SM, optionally
 * followed by the SubnGetResp(PortInfo) an SM sweep would read back.
 * (Debian 12's tshark 4.0 refuses LINKTYPE_INFINIBAND = 247; ERF type 21
 * decodes fully: /work/shared/data/field-data.md §9.4.)
 *
 * This is not a reader of arbitrary captures (ibpcap_read_traps() reads
 * back what we write) and not a model of the subnet manager: the caller
 * decides which traps happen and when. Without libpcap (FL_HAVE_PCAP 0)
 * ibpcap_open() fails with IBPCAP_ERROR_UNSUPPORTED and nothing is written.
 *
 * The ICRC and VCRC trailers are written as zeros: Wireshark does not check
 * them for ERF InfiniBand records (docs/plots-and-report.md). */
#pragma once

#include <glib.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define IBPCAP_ERROR (ibpcap_error_quark ())
GQuark ibpcap_error_quark (void);

typedef enum
{
  IBPCAP_ERROR_UNSUPPORTED, /* built without libpcap */
  IBPCAP_ERROR_IO,          /* cannot create, write or rename the file */
  IBPCAP_ERROR_CORRUPT,     /* ibpcap_read_traps: not a capture we can read */
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

/* The LID the traps are sent to (the master SM). */
#define IBPCAP_SM_LID 1

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
 * PORT with that state, 1 microsecond after the trap. Records must be
 * written in non-decreasing time. Returns false on a write error (kept and
 * reported again by ibpcap_close()). */
bool ibpcap_write_trap (IbPcap *pc, double time_s, uint16_t issuer_lid,
                        uint16_t trap_number, uint8_t port,
                        uint8_t port_state);

/* Number of records written so far (traps + PortInfo records). */
size_t ibpcap_records (const IbPcap *pc);

/* Flushes, closes and renames the file into place; frees PC. Returns false
 * with error set if anything failed (the temporary file is then removed).
 * ibpcap_close (NULL, ...) returns true. */
bool ibpcap_close (IbPcap *pc, GError **error);

/* Closes and removes the temporary file; nothing appears at the path.
 * ibpcap_abort (NULL) is a no-op. */
void ibpcap_abort (IbPcap *pc);

/* Encodes one trap as an InfiniBand packet (LRH .. VCRC) into BUF, which
 * must hold IBPCAP_IB_PACKET_LEN bytes. TID is the MAD transaction id.
 * Returns the number of bytes written. */
size_t ibpcap_encode_trap (uint8_t *buf, uint16_t issuer_lid,
                           uint16_t trap_number, uint8_t port,
                           uint64_t tid);

/* Encodes a SubnGetResp(PortInfo) for PORT of LID with PORT_STATE. */
size_t ibpcap_encode_portinfo (uint8_t *buf, uint16_t lid, uint8_t port,
                               uint8_t port_state, uint64_t tid);

/* One trap read back by ibpcap_read_traps(). */
typedef struct
{
  double time_s;
  uint16_t issuer_lid;
  uint16_t trap_number;
} IbPcapTrap;

/* Reads the traps of a capture written by ibpcap_*. Returns: (transfer
 * full) an array of IbPcapTrap, or NULL with error set
 * (IBPCAP_ERROR_CORRUPT naming the file and the record) for a file that is
 * not a pcap of ERF InfiniBand records. */
GArray *ibpcap_read_traps (const char *path, GError **error);
