/* models/ibpcap.c - InfiniBand SM traps in ERF records in a pcap file.
 *
 * Layout of one record (all multi-byte IB fields big-endian):
 *   ERF header   16 bytes: ts (LE 32.32 fixed point), type 21, flags, rlen,
 *                lctr, wlen
 *   LRH           8 bytes: VL 15, LNH 2 (IBA local, BTH follows)
 *   BTH          12 bytes: opcode 0x64 (UD SEND only), P_Key 0xffff, QP 0
 *   DETH          8 bytes: Q_Key 0, source QP 0
 *   MAD         256 bytes: LID-routed SMP (class 0x01), Trap(Notice) or
 *                GetResp(PortInfo)
 *   ICRC, VCRC    6 bytes: zeros (not checked by Wireshark; see the header)
 * Not a general pcap library: only what ibpcap.h promises. */
#include "ibpcap.h"
#include "fl-config.h"

#include <errno.h>
#include <glib/gstdio.h>
#include <math.h>
#include <stdio.h>
#include <stdarg.h>
#include <string.h>
#include <unistd.h>

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
  return IBPCAP_IB_PACKET_LEN;
}

bool
ibpcap_available (void)
{
  return FL_HAVE_PCAP;
}

#if FL_HAVE_PCAP

struct _IbPcap
{
  char *path;
  char *tmp_path;
  pcap_t *dead;
  pcap_dumper_t *dumper;
  size_t records;
  uint64_t tid;
  int64_t last_us;
  int saved_errno; /* first write error, 0 if none */
};

IbPcap *
ibpcap_open (const char *path, GError **error)
{
  g_return_val_if_fail (path != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  g_autofree char *tmp = g_strdup_printf ("%s.tmp-XXXXXX", path);
  int fd = g_mkstemp (tmp);
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
      dump_record (pc, us + 1, ib);
      pc->last_us = us + 1;
    }
  return pc->saved_errno == 0;
}

size_t
ibpcap_records (const IbPcap *pc)
{
  g_return_val_if_fail (pc != NULL, 0);
  return pc->records;
}

static void
ibpcap_free (IbPcap *pc)
{
  pcap_close (pc->dead);
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
  if (e == 0 && (fflush (f) != 0 || fsync (fileno (f)) != 0))
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

static bool
corrupt (GError **error, const char *path, const char *fmt, ...)
  G_GNUC_PRINTF (3, 4);

static bool
corrupt (GError **error, const char *path, const char *fmt, ...)
{
  va_list ap;
  va_start (ap, fmt);
  g_autofree char *msg = g_strdup_vprintf (fmt, ap);
  va_end (ap);
  g_set_error (error, IBPCAP_ERROR, IBPCAP_ERROR_CORRUPT, "%s: %s", path,
               msg);
  return false;
}

GArray *
ibpcap_read_traps (const char *path, GError **error)
{
  g_return_val_if_fail (path != NULL, NULL);
  char errbuf[PCAP_ERRBUF_SIZE] = "";
  pcap_t *p = pcap_open_offline (path, errbuf);
  if (p == NULL)
    {
      corrupt (error, path, "not a readable pcap file (%s)", errbuf);
      return NULL;
    }
  if (pcap_datalink (p) != DLT_ERF)
    {
      corrupt (error, path, "link type %d, expected ERF (%d)",
               pcap_datalink (p), DLT_ERF);
      pcap_close (p);
      return NULL;
    }
  GArray *traps = g_array_new (FALSE, FALSE, sizeof (IbPcapTrap));
  struct pcap_pkthdr *h;
  const u_char *data;
  int rc;
  size_t n = 0;
  bool ok = true;
  while (ok && (rc = pcap_next_ex (p, &h, &data)) == 1)
    {
      n++;
      if (h->caplen < 16 + MAD_OFF + SMP_DATA_OFF + 10
          || (data[8] & 0x7f) != ERF_TYPE_INFINIBAND
          || get16 (data + 10) > h->caplen)
        {
          ok = corrupt (error, path, "record %zu: not an ERF InfiniBand "
                        "record of a management packet", n);
          break;
        }
      const uint8_t *ib = data + 16;
      const uint8_t *mad = ib + MAD_OFF;
      if ((ib[1] & 3) != 2 || mad[1] != SMP_CLASS_LID_ROUTED
          || mad[3] != MAD_METHOD_TRAP || get16 (mad + 16) != SMP_ATTR_NOTICE)
        continue; /* PortInfo and anything else: not a trap */
      uint64_t ts = 0;
      for (int i = 7; i >= 0; i--)
        ts = (ts << 8) | data[i];
      IbPcapTrap t;
      t.time_s = (double) (ts >> 32) + (double) (ts & 0xffffffffu) / 4294967296.0;
      t.trap_number = get16 (mad + SMP_DATA_OFF + 4);
      t.issuer_lid = get16 (mad + SMP_DATA_OFF + 6);
      g_array_append_val (traps, t);
    }
  if (ok && rc == PCAP_ERROR)
    ok = corrupt (error, path, "after record %zu: %s", n, pcap_geterr (p));
  pcap_close (p);
  if (!ok)
    {
      g_array_unref (traps);
      return NULL;
    }
  return traps;
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

size_t
ibpcap_records (const IbPcap *pc)
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

GArray *
ibpcap_read_traps (const char *path, GError **error)
{
  g_set_error (error, IBPCAP_ERROR, IBPCAP_ERROR_UNSUPPORTED,
               "%s: cannot read: faultline was built without libpcap", path);
  return NULL;
}

#endif
