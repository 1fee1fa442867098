/* lib/ibpcap.c - InfiniBand SM traps in ERF records in a pcap file.
 *
 * Layout of one record (all multi-byte IB fields big-endian):
 *   ERF header   16 bytes: ts (LE 32.32 fixed point), type 21, flags, rlen,
 *                lctr, wlen
 *   LRH           8 bytes: VL 15, LNH 2 (IBA local, BTH follows)
 *   BTH          12 bytes: opcode 0x64 (UD SEND only), P_Key 0xffff, QP 0
 *   DETH          8 bytes: Q_Key 0, source QP 0
 *   MAD         256 bytes: LID-routed SMP (class 0x01), Trap(Notice) or
 *                GetResp(PortInfo)
 *   ICRC, VCRC    6 bytes: IBA CRC-32 and CRC-16 (ibpcap.h says which bytes)
 * Not a general pcap library: only what ibpcap.h promises. */
#include "ibpcap.h"
#include "atomicfile.h"
#include "fl-config.h"
#include "ibnet.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <math.h>
#include <stdio.h>
#include <stdarg.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#if FL_HAVE_PCAP
#include <pcap/pcap.h>
#endif

G_DEFINE_QUARK (faultline-ibpcap-error-quark, ibpcap_error)

#define ERF_TYPE_INFINIBAND 21
#define ERF_FLAG_VLEN 0x04
#define LRH_LEN 8
#define BTH_LEN 12
#define DETH_LEN 8
#define MAD_LEN 256
#define MAD_OFF (LRH_LEN + BTH_LEN + DETH_LEN)
#define SMP_DATA_OFF 64 /* within the MAD */
#define MAD_METHOD_GETRESP 0x81
#define MAD_METHOD_TRAP 0x05
#define SMP_CLASS_LID_ROUTED 0x01
#define SMP_ATTR_NOTICE 0x0002
#define SMP_ATTR_PORTINFO 0x0015
#define NOTICE_TYPE_URGENT 1
#define NOTICE_PRODUCER_SWITCH 2
#define SMP_CLASS_DIRECTED 0x81
#define LINKTYPE_INFINIBAND 247
#define PERMISSIVE_LID 0xffff
#define CRC_LEN 6 /* ICRC 4 + VCRC 2 */

static void
put16 (uint8_t *p, uint16_t v)
{
  p[0] = (uint8_t) (v >> 8);
  p[1] = (uint8_t) v;
}

static void
put32 (uint8_t *p, uint32_t v)
{
  put16 (p, (uint16_t) (v >> 16));
  put16 (p + 2, (uint16_t) v);
}

static uint16_t
get16 (const uint8_t *p)
{
  return (uint16_t) ((p[0] << 8) | p[1]);
}

uint32_t
ibpcap_icrc (const uint8_t *pkt, size_t len)
{
  g_return_val_if_fail (pkt != NULL && len >= LRH_LEN + BTH_LEN, 0);
  /* The variant fields become ones: LRH.VL (the high nibble of byte 0)
   * and BTH.Resv8a (BTH byte 4). */
  uint8_t head[LRH_LEN + BTH_LEN];
  memcpy (head, pkt, sizeof head);
  head[0] |= 0xf0;
  head[LRH_LEN + 4] = 0xff;
  uLong crc = crc32 (0L, Z_NULL, 0);
  crc = crc32 (crc, head, sizeof head);
  crc = crc32 (crc, pkt + sizeof head, (uInt) (len - sizeof head));
  return (uint32_t) crc;
}

/* The VCRC: x^16 + x^12 + x^3 + x + 1 (0x100B), bit-reflected (0xD008),
 * register preset to ones and inverted at the end. Every packet of a
 * fabric.pcap gets one (245,000 on a year of fleet-100k), so it is
 * computed slicing-by-8: vcrc_table[0] is the classic byte table (the
 * register after shifting one byte through it), vcrc_table[k] the same
 * byte followed by k zero bytes, so one step folds 8 bytes with 8
 * independent lookups. tests/output/test_ibpcap.c checks it against the
 * bitwise definition. */
static uint16_t vcrc_table[8][256];

static void
vcrc_init (void)
{
  static gsize done = 0;
  if (!g_once_init_enter (&done))
    return;
  for (unsigned b = 0; b < 256; b++)
    {
      uint16_t c = (uint16_t) b;
      for (int k = 0; k < 8; k++)
        c = (c & 1) ? (uint16_t) ((c >> 1) ^ 0xd008) : (uint16_t) (c >> 1);
      vcrc_table[0][b] = c;
    }
  for (int k = 1; k < 8; k++)
    for (unsigned b = 0; b < 256; b++)
      {
        uint16_t c = vcrc_table[k - 1][b];
        vcrc_table[k][b] = (uint16_t) ((c >> 8) ^ vcrc_table[0][c & 0xff]);
      }
  g_once_init_leave (&done, 1);
}

uint16_t
ibpcap_vcrc (const uint8_t *pkt, size_t len)
{
  g_return_val_if_fail (pkt != NULL, 0);
  vcrc_init ();
  const uint16_t (*t)[256] = vcrc_table;
  uint16_t c = 0xffff;
  const uint8_t *p = pkt, *end = pkt + len;
  for (; end - p >= 8; p += 8)
    {
      c ^= (uint16_t) (p[0] | p[1] << 8);
      c = (uint16_t) (t[7][c & 0xff] ^ t[6][c >> 8] ^ t[5][p[2]]
                      ^ t[4][p[3]] ^ t[3][p[4]] ^ t[2][p[5]] ^ t[1][p[6]]
                      ^ t[0][p[7]]);
    }
  for (; p < end; p++)
    c = (uint16_t) ((c >> 8) ^ t[0][(c ^ *p) & 0xff]);
  return (uint16_t) (c ^ 0xffff);
}

/* Writes ICRC and VCRC into the last 6 bytes of a packet of LEN bytes. */
static void
put_crcs (uint8_t *buf, size_t len)
{
  uint32_t icrc = ibpcap_icrc (buf, len - CRC_LEN);
  for (int i = 0; i < 4; i++)
    buf[len - CRC_LEN + i] = (uint8_t) (icrc >> (8 * i));
  uint16_t vcrc = ibpcap_vcrc (buf, len - 2);
  buf[len - 2] = (uint8_t) vcrc;
  buf[len - 1] = (uint8_t) (vcrc >> 8);
}

/* LRH + BTH + DETH + MAD common header of a LID-routed SMP from SLID to
 * DLID; the caller fills the SMP data. */
static void
encode_smp (uint8_t *buf, uint16_t dlid, uint16_t slid, uint8_t method,
            uint16_t attr, uint32_t attr_mod, uint64_t tid)
{
  memset (buf, 0, IBPCAP_IB_PACKET_LEN);
  /* LRH: VL 15 (management), LVer 0, SL 0, LNH 2 = IBA local. PktLen counts
   * 4-byte words from the LRH through the ICRC (not the VCRC). */
  buf[0] = 0xf0;
  buf[1] = 0x02;
  put16 (buf + 2, dlid);
  put16 (buf + 4, (IBPCAP_IB_PACKET_LEN - 2) / 4);
  put16 (buf + 6, slid);
  /* BTH: UD SEND only to QP0, default P_Key, PSN = low bits of the TID. */
  uint8_t *bth = buf + LRH_LEN;
  bth[0] = 0x64;
  put16 (bth + 2, 0xffff);
  put32 (bth + 8, (uint32_t) (tid & 0xffffff));
  /* DETH: Q_Key 0 and source QP 0 (QP0 ignores the Q_Key). */
  uint8_t *mad = buf + MAD_OFF;
  mad[0] = 1; /* BaseVersion */
  mad[1] = SMP_CLASS_LID_ROUTED;
  mad[2] = 1; /* ClassVersion */
  mad[3] = method;
  put32 (mad + 8, (uint32_t) (tid >> 32));
  put32 (mad + 12, (uint32_t) tid);
  put16 (mad + 16, attr);
  put32 (mad + 20, attr_mod);
}

size_t
ibpcap_encode_trap (uint8_t *buf, uint16_t issuer_lid, uint16_t trap_number,
                    uint8_t port, uint64_t tid)
{
  g_return_val_if_fail (buf != NULL, 0);
  encode_smp (buf, IBPCAP_SM_LID, issuer_lid, MAD_METHOD_TRAP,
              SMP_ATTR_NOTICE, 0, tid);
  uint8_t *n = buf + MAD_OFF + SMP_DATA_OFF;
  /* Notice: IsGeneric 1, Type, ProducerType (24 bits), TrapNumber,
   * IssuerLID, NoticeToggle/Count, then 54 bytes of DataDetails. */
  n[0] = 0x80 | NOTICE_TYPE_URGENT;
  n[3] = NOTICE_PRODUCER_SWITCH;
  put16 (n + 4, trap_number);
  put16 (n + 6, issuer_lid);
  uint8_t *details = n + 10;
  /* DataDetails as OpenSM's ib_mad_notice_attr_t and Wireshark read
   * them: trap 128 = the switch LID; 129-131 = 2 pad bytes, LIDADDR,
   * PORTNO. */
  if (trap_number >= 129 && trap_number <= 131)
    {
      put16 (details + 2, issuer_lid);
      details[4] = port;
    }
  else
    put16 (details, issuer_lid);
  put_crcs (buf, IBPCAP_IB_PACKET_LEN);
  return IBPCAP_IB_PACKET_LEN;
}

size_t
ibpcap_encode_portinfo (uint8_t *buf, uint16_t lid, uint8_t port,
                        uint8_t port_state, uint64_t tid)
{
  g_return_val_if_fail (buf != NULL, 0);
  g_return_val_if_fail (port_state <= 15, 0);
  encode_smp (buf, IBPCAP_SM_LID, lid, MAD_METHOD_GETRESP, SMP_ATTR_PORTINFO,
              port, tid);
  uint8_t *pi = buf + MAD_OFF + SMP_DATA_OFF;
  put16 (pi + 16, lid);            /* LID (of the switch, port 0) */
  put16 (pi + 18, IBPCAP_SM_LID);  /* MasterSMLID */
  pi[28] = port;                   /* LocalPortNum */
  pi[29] = 2;                      /* LinkWidthEnabled: 4x */
  pi[30] = 2;                      /* LinkWidthSupported: 4x */
  pi[31] = 2;                      /* LinkWidthActive: 4x */
  /* LinkSpeedSupported 1 (2.5 Gb/s base; NDR is in the extended fields),
   * PortState; then PortPhysicalState: LinkUp (5) unless the port is
   * down, when the PHY is back to Polling (2) (field-data.md §9.1). */
  pi[32] = (uint8_t) (0x10 | port_state);
  pi[33] = (uint8_t) ((port_state == IBPCAP_PORT_DOWN ? 2 : 5) << 4 | 2);
  put_crcs (buf, IBPCAP_IB_PACKET_LEN);
  return IBPCAP_IB_PACKET_LEN;
}

bool
ibpcap_available (void)
{
  return FL_HAVE_PCAP;
}

/* The switch kind and index at end E (0 lower, 1 upper) of a link, or
 * false when that end is not a switch (the HCA end of a cable). */
static bool
link_end (const TopoLink *tl, TopoKind kind, int e, TopoKind *sk,
          uint32_t *sw, uint8_t *port)
{
  switch (kind)
    {
    case TOPO_CABLE:
      if (e == 0)
        return false;
      *sk = TOPO_LEAF;
      break;
    case TOPO_UPLINK:
      *sk = e == 0 ? TOPO_LEAF : TOPO_SPINE;
      break;
    case TOPO_CORELINK:
      *sk = e == 0 ? TOPO_SPINE : TOPO_CORE;
      break;
    default:
      return false;
    }
  *sw = e == 0 ? tl->a : tl->b;
  uint16_t p = e == 0 ? tl->a_port : tl->b_port;
  if (p == 0 || p > 255)
    return false;
  *port = (uint8_t) p;
  return true;
}

#if FL_HAVE_PCAP

struct _IbPcap
{
  char *path;
  char *tmp_path;
  pcap_t *dead;
  pcap_dumper_t *dumper;
  size_t records;
  size_t unaddressable;
  uint64_t tid;
  int64_t last_us;
  int saved_errno; /* first write error, 0 if none */
  bool staged;     /* in a run's staging folder: its commit syncs the file */
  /* ibpcap_link_state: (lid << 8 | port) -> state, for ports not Active */
  GHashTable *port_state;
  /* LIDs of failed switches */
  GHashTable *failed;
};

IbPcap *
ibpcap_open (const char *path, GError **error)
{
  g_return_val_if_fail (path != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  g_autofree char *tmp = g_strdup_printf ("%s.tmp-XXXXXX", path);
  /* 0644 less the umask, like the run's other outputs */
  int fd = g_mkstemp_full (tmp, O_RDWR | O_CLOEXEC, 0644);
  if (fd < 0)
    {
      int e = errno;
      g_set_error (error, IBPCAP_ERROR, IBPCAP_ERROR_IO,
                   "%s: cannot create the capture: %s (check that the "
                   "folder exists and is writable)", path, g_strerror (e));
      return NULL;
    }
  FILE *f = fdopen (fd, "wb");
  g_assert (f != NULL);
  pcap_t *dead = pcap_open_dead (DLT_ERF, 65535);
  g_assert (dead != NULL);
  pcap_dumper_t *d = pcap_dump_fopen (dead, f);
  if (d == NULL)
    {
      g_set_error (error, IBPCAP_ERROR, IBPCAP_ERROR_IO, "%s: %s", path,
                   pcap_geterr (dead));
      fclose (f);
      g_unlink (tmp);
      pcap_close (dead);
      return NULL;
    }
  IbPcap *pc = g_new0 (IbPcap, 1);
  pc->path = g_strdup (path);
  pc->tmp_path = g_steal_pointer (&tmp);
  pc->dead = dead;
  pc->dumper = d;
  pc->last_us = INT64_MIN;
  pc->staged = atomicfile_is_staged (path);
  pc->port_state = g_hash_table_new (g_direct_hash, g_direct_equal);
  pc->failed = g_hash_table_new (g_direct_hash, g_direct_equal);
  return pc;
}

static void
dump_record (IbPcap *pc, int64_t us, const uint8_t *ib)
{
  uint8_t rec[IBPCAP_ERF_RECORD_LEN];
  int64_t sec = us / 1000000, usec = us % 1000000;
  /* ERF timestamp: little-endian 64-bit, seconds in the high 32 bits and a
   * binary fraction of a second in the low 32. */
  uint64_t frac = ((uint64_t) usec << 32) / 1000000;
  uint64_t ts = ((uint64_t) sec << 32) | frac;
  for (int i = 0; i < 8; i++)
    rec[i] = (uint8_t) (ts >> (8 * i));
  rec[8] = ERF_TYPE_INFINIBAND;
  rec[9] = ERF_FLAG_VLEN; /* interface 0, varying-length record */
  put16 (rec + 10, IBPCAP_ERF_RECORD_LEN); /* rlen */
  put16 (rec + 12, 0);                     /* loss counter */
  put16 (rec + 14, IBPCAP_IB_PACKET_LEN);  /* wlen */
  memcpy (rec + 16, ib, IBPCAP_IB_PACKET_LEN);

  struct pcap_pkthdr h;
  h.ts.tv_sec = (time_t) sec;
  h.ts.tv_usec = (suseconds_t) usec;
  h.caplen = h.len = IBPCAP_ERF_RECORD_LEN;
  pcap_dump ((u_char *) pc->dumper, &h, rec);
  if (pc->saved_errno == 0 && ferror (pcap_dump_file (pc->dumper)))
    pc->saved_errno = errno ? errno : EIO;
  pc->records++;
}

bool
ibpcap_write_trap (IbPcap *pc, double time_s, uint16_t issuer_lid,
                   uint16_t trap_number, uint8_t port, uint8_t port_state)
{
  g_return_val_if_fail (pc != NULL, false);
  g_return_val_if_fail (isfinite (time_s) && time_s >= 0.0
                        && time_s < 4.0e9, false);
  g_return_val_if_fail (port_state <= 15, false);

  int64_t us = llround (time_s * 1e6);
  g_return_val_if_fail (us >= pc->last_us, false);
  uint8_t ib[IBPCAP_IB_PACKET_LEN];
  ibpcap_encode_trap (ib, issuer_lid, trap_number, port, ++pc->tid);
  dump_record (pc, us, ib);
  pc->last_us = us;
  if (port_state != IBPCAP_PORT_NOP)
    {
      ibpcap_encode_portinfo (ib, issuer_lid, port, port_state, ++pc->tid);
      dump_record (pc, us, ib);
    }
  return pc->saved_errno == 0;
}

int
ibpcap_link_state (IbPcap *pc, const Topo *topo, double time_s,
                   TopoKind kind, uint32_t index, uint8_t port_state)
{
  g_return_val_if_fail (pc != NULL && topo != NULL, -1);
  g_return_val_if_fail (port_state == IBPCAP_PORT_DOWN
                        || port_state == IBPCAP_PORT_ACTIVE, -1);
  const TopoLink *tl = topo_link (topo, kind, index);
  if (tl == NULL)
    return 0;
  int traps = 0;
  for (int e = 0; e < 2; e++)
    {
      TopoKind sk;
      uint32_t sw;
      uint8_t port;
      if (!link_end (tl, kind, e, &sk, &sw, &port))
        continue;
      uint32_t lid = ibnet_lid (topo, sk, sw);
      if (lid == 0 || lid > IBPCAP_MAX_UNICAST_LID)
        {
          pc->unaddressable++;
          continue;
        }
      gpointer key = GUINT_TO_POINTER (lid << 8 | port);
      gpointer v = g_hash_table_lookup (pc->port_state, key);
      uint8_t last = v ? (uint8_t) GPOINTER_TO_UINT (v) : IBPCAP_PORT_ACTIVE;
      if (port_state == IBPCAP_PORT_ACTIVE)
        g_hash_table_remove (pc->failed, GUINT_TO_POINTER (lid));
      if (last == port_state)
        continue;
      if (port_state == IBPCAP_PORT_ACTIVE)
        g_hash_table_remove (pc->port_state, key);
      else
        g_hash_table_insert (pc->port_state, key,
                             GUINT_TO_POINTER ((guint) port_state));
      if (g_hash_table_contains (pc->failed, GUINT_TO_POINTER (lid)))
        continue; /* a dead switch sends nothing */
      if (!ibpcap_write_trap (pc, time_s, (uint16_t) lid,
                              IBPCAP_TRAP_LINK_STATE, port, port_state))
        return -1;
      traps++;
    }
  return traps;
}

void
ibpcap_switch_failed (IbPcap *pc, const Topo *topo, TopoKind kind,
                      uint32_t sw, bool failed)
{
  g_return_if_fail (pc != NULL && topo != NULL);
  uint32_t lid = ibnet_lid (topo, kind, sw);
  if (lid == 0)
    return;
  if (failed)
    g_hash_table_add (pc->failed, GUINT_TO_POINTER (lid));
  else
    g_hash_table_remove (pc->failed, GUINT_TO_POINTER (lid));
}

size_t
ibpcap_records (const IbPcap *pc)
{
  g_return_val_if_fail (pc != NULL, 0);
  return pc->records;
}

size_t
ibpcap_unaddressable (const IbPcap *pc)
{
  g_return_val_if_fail (pc != NULL, 0);
  return pc->unaddressable;
}

static void
ibpcap_free (IbPcap *pc)
{
  pcap_close (pc->dead);
  g_hash_table_unref (pc->port_state);
  g_hash_table_unref (pc->failed);
  g_free (pc->path);
  g_free (pc->tmp_path);
  g_free (pc);
}

bool
ibpcap_close (IbPcap *pc, GError **error)
{
  if (pc == NULL)
    return true;
  FILE *f = pcap_dump_file (pc->dumper);
  int e = pc->saved_errno;
  /* fsync unless the run folder's commit (one syncfs) will */
  if (e == 0 && (fflush (f) != 0 || (!pc->staged && fsync (fileno (f)) != 0)))
    e = errno;
  pcap_dump_close (pc->dumper); /* closes f */
  if (e == 0 && g_rename (pc->tmp_path, pc->path) != 0)
    e = errno;
  bool ok = e == 0;
  if (!ok)
    {
      g_set_error (error, IBPCAP_ERROR, IBPCAP_ERROR_IO,
                   "%s: cannot write the capture: %s", pc->path,
                   g_strerror (e));
      g_unlink (pc->tmp_path);
    }
  ibpcap_free (pc);
  return ok;
}

void
ibpcap_abort (IbPcap *pc)
{
  if (pc == NULL)
    return;
  pcap_dump_close (pc->dumper);
  g_unlink (pc->tmp_path);
  ibpcap_free (pc);
}

/* ---- reading ---- */

static uint32_t
get32 (const uint8_t *p)
{
  return (uint32_t) get16 (p) << 16 | get16 (p + 2);
}

/* One InfiniBand packet IB of LEN bytes (from the LRH) at TIME_S: appends
 * what it carries to RECS or counts why not. */
static void
read_packet (const uint8_t *ib, size_t len, double time_s, uint64_t recno,
             GArray *recs, IbPcapReadStats *st)
{
  if (len < LRH_LEN)
    {
      st->corrupt++;
      return;
    }
  uint8_t lnh = ib[1] & 3;
  size_t pktlen = (size_t) (get16 (ib + 4) & 0x7ff) * 4;
  /* LRH.PktLen counts LRH .. ICRC; the VCRC follows. A capture may stop
   * before the CRCs (ibdump keeps them; some tools strip them). */
  if (pktlen < LRH_LEN || pktlen > len + CRC_LEN)
    {
      st->corrupt++;
      return;
    }
  if (lnh != 2)
    {
      st->other++; /* raw, IPv6 or global (GRH): not a local SMP */
      return;
    }
  if (len >= pktlen + 2)
    {
      /* the CRCs are there: check them */
      uint32_t icrc = (uint32_t) ib[pktlen - 4] | (uint32_t) ib[pktlen - 3] << 8
                      | (uint32_t) ib[pktlen - 2] << 16
                      | (uint32_t) ib[pktlen - 1] << 24;
      uint16_t vcrc = (uint16_t) (ib[pktlen] | ib[pktlen + 1] << 8);
      if (pktlen < LRH_LEN + BTH_LEN + 4
          || ibpcap_icrc (ib, pktlen - 4) != icrc
          || ibpcap_vcrc (ib, pktlen) != vcrc)
        {
          st->corrupt++;
          return;
        }
    }
  size_t avail = MIN (len, pktlen);
  if (avail < MAD_OFF + SMP_DATA_OFF + 10)
    {
      st->other++;
      return;
    }
  const uint8_t *bth = ib + LRH_LEN;
  const uint8_t *mad = ib + MAD_OFF;
  /* UD SEND only to QP0 carrying a subnet-management MAD */
  if (bth[0] != 0x64 || (get32 (bth + 4) & 0xffffff) != 0
      || (mad[1] != SMP_CLASS_LID_ROUTED && mad[1] != SMP_CLASS_DIRECTED))
    {
      st->other++;
      return;
    }
  uint16_t attr = get16 (mad + 16);
  uint16_t slid = get16 (ib + 6);
  IbPcapRec r = { 0 };
  r.time_s = time_s;
  r.record = recno;
  const uint8_t *d = mad + SMP_DATA_OFF;
  if (mad[3] == MAD_METHOD_TRAP && attr == SMP_ATTR_NOTICE)
    {
      r.kind = IBPCAP_REC_TRAP;
      if (!(d[0] & 0x80))
        {
          st->other++; /* a vendor-specific notice */
          return;
        }
      r.trap_number = get16 (d + 4);
      r.lid = get16 (d + 6);
      if (r.trap_number >= 129 && r.trap_number <= 131)
        {
          if (avail < MAD_OFF + SMP_DATA_OFF + 10 + 5)
            {
              st->corrupt++;
              return;
            }
          r.port = d[10 + 4];
        }
    }
  else if (mad[3] == MAD_METHOD_GETRESP && attr == SMP_ATTR_PORTINFO)
    {
      if (avail < MAD_OFF + SMP_DATA_OFF + 34)
        {
          st->corrupt++;
          return;
        }
      if (slid == PERMISSIVE_LID || slid == 0)
        {
          st->directed++;
          return;
        }
      uint32_t amod = get32 (mad + 20);
      r.kind = IBPCAP_REC_PORTINFO;
      r.lid = slid;
      r.port = (uint8_t) (amod & 0xff);
      r.state = d[32] & 0x0f;
      if (amod > 255 || r.state == 0 || r.state > 5)
        {
          st->corrupt++;
          return;
        }
    }
  else
    {
      st->other++;
      return;
    }
  g_array_append_val (recs, r);
}

static GArray *
read_pcap (pcap_t *p, const char *name, IbPcapReadStats *st, GError **error)
{
  int dlt = pcap_datalink (p);
  if (dlt != DLT_ERF && dlt != LINKTYPE_INFINIBAND)
    {
      g_set_error (error, IBPCAP_ERROR, IBPCAP_ERROR_CORRUPT,
                   "%s: link type %d (%s): expected ERF (%d, as ibdump "
                   "writes) or InfiniBand (%d)", name, dlt,
                   pcap_datalink_val_to_name (dlt) ? pcap_datalink_val_to_name (dlt) : "unknown",
                   DLT_ERF, LINKTYPE_INFINIBAND);
      return NULL;
    }
  GArray *recs = g_array_new (FALSE, FALSE, sizeof (IbPcapRec));
  struct pcap_pkthdr *h;
  const u_char *data;
  int rc;
  while ((rc = pcap_next_ex (p, &h, &data)) == 1)
    {
      uint64_t n = ++st->records;
      double t = (double) h->ts.tv_sec + (double) h->ts.tv_usec * 1e-6;
      if (dlt == LINKTYPE_INFINIBAND)
        {
          read_packet (data, h->caplen, t, n, recs, st);
          continue;
        }
      /* ERF: 16-byte header, optional extension headers, then the packet */
      if (h->caplen < 16)
        {
          st->corrupt++;
          continue;
        }
      if ((data[8] & 0x7f) != ERF_TYPE_INFINIBAND)
        {
          st->wrong_type++;
          continue;
        }
      size_t off = 16;
      uint8_t type = data[8];
      while ((type & 0x80) && off + 8 <= h->caplen)
        {
          type = data[off];
          off += 8;
        }
      uint16_t rlen = get16 (data + 10);
      if ((type & 0x80) || rlen < off || off > h->caplen)
        {
          st->corrupt++;
          continue;
        }
      uint64_t ts = 0;
      for (int i = 7; i >= 0; i--)
        ts = (ts << 8) | data[i];
      t = (double) (ts >> 32) + (double) (ts & 0xffffffffu) / 4294967296.0;
      size_t plen = MIN ((size_t) rlen, (size_t) h->caplen) - off;
      plen = MIN (plen, (size_t) get16 (data + 14));
      read_packet (data + off, plen, t, n, recs, st);
    }
  if (rc == PCAP_ERROR)
    {
      st->truncated = true;
      g_snprintf (st->truncated_msg, sizeof st->truncated_msg,
                  "after record %" G_GUINT64_FORMAT ": %s", st->records,
                  pcap_geterr (p));
    }
  return recs;
}

static GArray *
read_stream (FILE *f, const char *name, IbPcapReadStats *stats,
             GError **error)
{
  char errbuf[PCAP_ERRBUF_SIZE] = "";
  pcap_t *p = pcap_fopen_offline (f, errbuf); /* takes f */
  if (p == NULL)
    {
      fclose (f);
      g_set_error (error, IBPCAP_ERROR, IBPCAP_ERROR_CORRUPT,
                   "%s: not a pcap file (%s)", name, errbuf);
      return NULL;
    }
  GArray *r = read_pcap (p, name, stats, error);
  pcap_close (p);
  return r;
}

GArray *
ibpcap_read (const uint8_t *data, size_t len, const char *name,
             IbPcapReadStats *stats, GError **error)
{
  g_return_val_if_fail (data != NULL || len == 0, NULL);
  g_return_val_if_fail (name != NULL && stats != NULL, NULL);
  memset (stats, 0, sizeof *stats);
  if (len == 0)
    {
      g_set_error (error, IBPCAP_ERROR, IBPCAP_ERROR_CORRUPT,
                   "%s: empty, not a pcap file", name);
      return NULL;
    }
  FILE *f = fmemopen ((void *) data, len, "rb");
  if (f == NULL)
    {
      g_set_error (error, IBPCAP_ERROR, IBPCAP_ERROR_IO, "%s: %s", name,
                   g_strerror (errno));
      return NULL;
    }
  return read_stream (f, name, stats, error);
}

GArray *
ibpcap_read_file (const char *path, IbPcapReadStats *stats, GError **error)
{
  g_return_val_if_fail (path != NULL && stats != NULL, NULL);
  memset (stats, 0, sizeof *stats);
  int fd = g_open (path, O_RDONLY | O_CLOEXEC | O_NONBLOCK, 0);
  struct stat sb;
  if (fd < 0 || fstat (fd, &sb) != 0)
    {
      int e = errno;
      if (fd >= 0)
        close (fd);
      g_set_error (error, IBPCAP_ERROR, IBPCAP_ERROR_IO,
                   "%s: cannot read: %s", path, g_strerror (e));
      return NULL;
    }
  if (!S_ISREG (sb.st_mode))
    {
      close (fd);
      g_set_error (error, IBPCAP_ERROR, IBPCAP_ERROR_IO,
                   "%s: not a regular file (a capture is a pcap file)", path);
      return NULL;
    }
  if ((uint64_t) sb.st_size > IBPCAP_READ_MAX_BYTES)
    {
      close (fd);
      g_set_error (error, IBPCAP_ERROR, IBPCAP_ERROR_IO,
                   "%s: %" G_GUINT64_FORMAT " bytes, more than the %"
                   G_GUINT64_FORMAT " a capture may have", path,
                   (guint64) sb.st_size, (guint64) IBPCAP_READ_MAX_BYTES);
      return NULL;
    }
  FILE *f = fdopen (fd, "rb");
  if (f == NULL)
    {
      close (fd);
      g_set_error (error, IBPCAP_ERROR, IBPCAP_ERROR_IO, "%s: %s", path,
                   g_strerror (errno));
      return NULL;
    }
  return read_stream (f, path, stats, error);
}

#else /* !FL_HAVE_PCAP */

struct _IbPcap
{
  int unused;
};

IbPcap *
ibpcap_open (const char *path, GError **error)
{
  g_return_val_if_fail (path != NULL, NULL);
  g_set_error (error, IBPCAP_ERROR, IBPCAP_ERROR_UNSUPPORTED,
               "%s: not written: faultline was built without libpcap "
               "(install libpcap-dev and reconfigure with -Dpcap=enabled)",
               path);
  return NULL;
}

bool
ibpcap_write_trap (IbPcap *pc, double time_s, uint16_t issuer_lid,
                   uint16_t trap_number, uint8_t port, uint8_t port_state)
{
  g_return_val_if_fail (pc != NULL, false);
  return false;
}

int
ibpcap_link_state (IbPcap *pc, const Topo *topo, double time_s,
                   TopoKind kind, uint32_t index, uint8_t port_state)
{
  g_return_val_if_fail (pc != NULL, -1);
  return -1;
}

void
ibpcap_switch_failed (IbPcap *pc, const Topo *topo, TopoKind kind,
                      uint32_t sw, bool failed)
{
}

size_t
ibpcap_records (const IbPcap *pc)
{
  return 0;
}

size_t
ibpcap_unaddressable (const IbPcap *pc)
{
  return 0;
}

bool
ibpcap_close (IbPcap *pc, GError **error)
{
  return true;
}

void
ibpcap_abort (IbPcap *pc)
{
}

static GArray *
unsupported (const char *name, GError **error)
{
  g_set_error (error, IBPCAP_ERROR, IBPCAP_ERROR_UNSUPPORTED,
               "%s: cannot read: faultline was built without libpcap", name);
  return NULL;
}

GArray *
ibpcap_read (const uint8_t *data, size_t len, const char *name,
             IbPcapReadStats *stats, GError **error)
{
  memset (stats, 0, sizeof *stats);
  return unsupported (name, error);
}

GArray *
ibpcap_read_file (const char *path, IbPcapReadStats *stats, GError **error)
{
  memset (stats, 0, sizeof *stats);
  return unsupported (path, error);
}

#endif
