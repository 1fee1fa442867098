/* tests/output/test_ibpcap.c - fabric.pcap holds real InfiniBand SM traps.
 *
 * Asserts:
 *  - the packet encoding is self-consistent: LRH PktLen covers LRH..ICRC,
 *    SLID = issuer, DLID = SM, VL 15, BTH opcode UD SEND only, MAD class
 *    LID-routed SMP, method Trap, attribute Notice;
 *  - traps written then read back give the same (time, LID, trap, port,
 *    state), and the file appears only at close (atomic), never after an
 *    abort; the file is 0644 less the umask;
 *  - the reader counts, and never fails on, a truncated file, an ERF record
 *    that is not InfiniBand and a packet whose CRCs do not match; a file
 *    that is not a pcap or has another link type is an error;
 *  - ibpcap_link_state(): one trap per state change of each switch end of
 *    a link, with the switch's ibnetdiscover LID and port, none from a
 *    failed switch; the CRCs are also checked against an independent
 *    implementation by tests/cli/test_pcap.sh (Python's zlib);
 *  - the table-driven VCRC (slicing-by-8) equals the bitwise CRC-16
 *    definition on every length 0..600 and every start alignment;
 *  - an independent decoder, tshark (Wireshark 4.0 on Debian 12), decodes
 *    the trap number, issuer LID and the PortInfo state we wrote. A missing
 *    tshark fails the test (it is installed by cli/bootstrap.sh): a check
 *    that did not run must not pass. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <glib.h>
#include <glib/gstdio.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "fl-config.h"
#include "ibnet.h"
#include "ibpcap.h"
#include <sys/stat.h>

typedef struct
{
  double t;
  uint16_t lid;
  uint16_t trap;
  uint8_t port;
  uint8_t state;
} Spec;

/* A leaf's port going down and coming back, a flapping link's integrity
 * trap and a flow-control watchdog on a spine. */
static const Spec specs[] = {
  { 3600.25, 0x0123, IBPCAP_TRAP_LINK_STATE, 17, IBPCAP_PORT_DOWN },
  { 3610.5, 0x0123, IBPCAP_TRAP_LINK_STATE, 17, IBPCAP_PORT_ACTIVE },
  { 7200.0, 0x0456, IBPCAP_TRAP_LINK_INTEGRITY, 33, IBPCAP_PORT_NOP },
  { 86400.000001, 0x0789, IBPCAP_TRAP_FLOW_WATCHDOG, 64, IBPCAP_PORT_NOP },
};

static char *
write_sample (const char *dir)
{
  char *path = g_build_filename (dir, "fabric.pcap", NULL);
  g_autoptr (GError) error = NULL;
  IbPcap *pc = ibpcap_open (path, &error);
  assert_null (error);
  assert_non_null (pc);
  for (size_t i = 0; i < G_N_ELEMENTS (specs); i++)
    assert_true (ibpcap_write_trap (pc, specs[i].t, specs[i].lid,
                                    specs[i].trap, specs[i].port,
                                    specs[i].state));
  /* Each trap with a state adds a PortInfo record. */
  size_t expect = 0;
  for (size_t i = 0; i < G_N_ELEMENTS (specs); i++)
    expect += specs[i].state != IBPCAP_PORT_NOP ? 2 : 1;
  assert_int_equal (ibpcap_records (pc), expect);
  assert_false (g_file_test (path, G_FILE_TEST_EXISTS)); /* not before close */
  assert_true (ibpcap_close (pc, &error));
  assert_null (error);
  assert_true (g_file_test (path, G_FILE_TEST_EXISTS));
  return path;
}

static size_t
count_entries (const char *dir)
{
  GDir *d = g_dir_open (dir, 0, NULL);
  assert_non_null (d);
  size_t n = 0;
  while (g_dir_read_name (d) != NULL)
    n++;
  g_dir_close (d);
  return n;
}

static void
remove_dir (const char *dir)
{
  GDir *d = g_dir_open (dir, 0, NULL);
  const char *name;
  while (d != NULL && (name = g_dir_read_name (d)) != NULL)
    {
      g_autofree char *p = g_build_filename (dir, name, NULL);
      g_unlink (p);
    }
  if (d != NULL)
    g_dir_close (d);
  g_rmdir (dir);
}

static void
test_encoding (void **state)
{
  uint8_t b[IBPCAP_IB_PACKET_LEN];
  assert_int_equal (ibpcap_encode_trap (b, 0x0abc, 128, 5, 42),
                    IBPCAP_IB_PACKET_LEN);
  assert_int_equal (b[0] >> 4, 15);                 /* VL15 */
  assert_int_equal (b[1] & 3, 2);                   /* LNH: BTH follows */
  assert_int_equal ((b[2] << 8) | b[3], IBPCAP_SM_LID);
  assert_int_equal (((b[4] & 7) << 8 | b[5]) * 4 + 2, IBPCAP_IB_PACKET_LEN);
  assert_int_equal ((b[6] << 8) | b[7], 0x0abc);
  assert_int_equal (b[8], 0x64);                    /* UD SEND only */
  const uint8_t *mad = b + 28;
  assert_int_equal (mad[0], 1);
  assert_int_equal (mad[1], 0x01);                  /* LID-routed SMP */
  assert_int_equal (mad[3], 0x05);                  /* Trap */
  assert_int_equal ((mad[16] << 8) | mad[17], 0x0002); /* Notice */
  assert_int_equal ((mad[68] << 8) | mad[69], 128);
  assert_int_equal ((mad[70] << 8) | mad[71], 0x0abc);

  assert_int_equal (ibpcap_encode_portinfo (b, 0x0abc, 5, 1, 43),
                    IBPCAP_IB_PACKET_LEN);
  assert_int_equal (mad[3], 0x81);                  /* GetResp */
  assert_int_equal ((mad[16] << 8) | mad[17], 0x0015); /* PortInfo */
  assert_int_equal (mad[23], 5);                    /* AttributeModifier */
  assert_int_equal (mad[64 + 32] & 0x0f, 1);        /* PortState Down */

  /* The CRC trailers: ICRC over LRH .. payload, little-endian; VCRC over
   * LRH .. ICRC. The variant fields do not change the ICRC; any other
   * byte does. */
  size_t n = IBPCAP_IB_PACKET_LEN;
  uint32_t icrc = ibpcap_icrc (b, n - 6);
  assert_int_equal (b[n - 6] | b[n - 5] << 8 | b[n - 4] << 16
                    | (uint32_t) b[n - 3] << 24, icrc);
  assert_int_equal (b[n - 2] | b[n - 1] << 8, ibpcap_vcrc (b, n - 2));
  b[0] = (uint8_t) ((b[0] & 0x0f) | 0x30);          /* VL 3 */
  b[8 + 4] = 0x5a;                                  /* BTH.Resv8a */
  assert_int_equal (ibpcap_icrc (b, n - 6), icrc);
  b[40] ^= 1;
  assert_int_not_equal (ibpcap_icrc (b, n - 6), icrc);
}

/* The VCRC by its bitwise definition: x^16 + x^12 + x^3 + x + 1
 * reflected (0xD008), preset ones, inverted. */
static uint16_t
vcrc_bitwise (const uint8_t *p, size_t len)
{
  uint16_t c = 0xffff;
  for (size_t i = 0; i < len; i++)
    {
      c ^= p[i];
      for (int k = 0; k < 8; k++)
        c = (c & 1) ? (uint16_t) ((c >> 1) ^ 0xd008) : (uint16_t) (c >> 1);
    }
  return (uint16_t) (c ^ 0xffff);
}

static void
test_vcrc_table (void **state)
{
  uint8_t buf[608];
  uint32_t x = 2463534242u;
  for (size_t i = 0; i < sizeof buf; i++)
    {
      x ^= x << 13;
      x ^= x >> 17;
      x ^= x << 5;
      buf[i] = (uint8_t) x;
    }
  for (size_t off = 0; off < 8; off++)
    for (size_t len = 0; len <= 600; len++)
      assert_int_equal (ibpcap_vcrc (buf + off, len),
                        vcrc_bitwise (buf + off, len));
  /* Zeros and ones, and a real packet's trailer. */
  memset (buf, 0, sizeof buf);
  assert_int_equal (ibpcap_vcrc (buf, 290), vcrc_bitwise (buf, 290));
  memset (buf, 0xff, sizeof buf);
  assert_int_equal (ibpcap_vcrc (buf, 290), vcrc_bitwise (buf, 290));
  uint8_t b[IBPCAP_IB_PACKET_LEN];
  ibpcap_encode_trap (b, 0x0abc, 129, 7, 99);
  size_t n = IBPCAP_IB_PACKET_LEN;
  assert_int_equal (b[n - 2] | b[n - 1] << 8, vcrc_bitwise (b, n - 2));
}

static void
test_roundtrip_atomic (void **state)
{
  if (!ibpcap_available ())
    fail_msg ("built without libpcap: fabric.pcap cannot be tested");
  g_autofree char *dir = g_dir_make_tmp ("fl-ibpcap-XXXXXX", NULL);
  g_autofree char *path = write_sample (dir);
  assert_int_equal (count_entries (dir), 1); /* no temporary left */

  struct stat sb;
  assert_int_equal (g_stat (path, &sb), 0);
  mode_t mask = umask (022);
  umask (mask);
  assert_int_equal (sb.st_mode & 0777, 0644 & ~mask);

  g_autoptr (GError) error = NULL;
  IbPcapReadStats st;
  GArray *recs = ibpcap_read_file (path, &st, &error);
  assert_null (error);
  assert_non_null (recs);
  assert_false (st.truncated);
  assert_int_equal (st.corrupt + st.wrong_type + st.other + st.directed, 0);
  guint ri = 0;
  for (size_t i = 0; i < G_N_ELEMENTS (specs); i++)
    {
      assert_true (ri < recs->len);
      IbPcapRec *t = &g_array_index (recs, IbPcapRec, ri++);
      /* ERF's 32-bit binary fraction resolves 2^-32 s; the writer rounds
       * to 1 us first, so the error is at most 0.5 us + 2^-32 s. */
      assert_int_equal (t->kind, IBPCAP_REC_TRAP);
      assert_true (fabs (t->time_s - specs[i].t) <= 0.5e-6 + 1e-9);
      assert_int_equal (t->lid, specs[i].lid);
      assert_int_equal (t->trap_number, specs[i].trap);
      assert_int_equal (t->port, specs[i].trap == 128 ? 0 : specs[i].port);
      if (specs[i].state != IBPCAP_PORT_NOP)
        {
          assert_true (ri < recs->len);
          IbPcapRec *pi = &g_array_index (recs, IbPcapRec, ri++);
          assert_int_equal (pi->kind, IBPCAP_REC_PORTINFO);
          assert_true (pi->time_s == t->time_s); /* same timestamp */
          assert_int_equal (pi->lid, specs[i].lid);
          assert_int_equal (pi->port, specs[i].port);
          assert_int_equal (pi->state, specs[i].state);
        }
    }
  assert_int_equal (ri, recs->len);
  assert_int_equal (st.records, recs->len);
  g_array_unref (recs);

  /* Abort: nothing appears and no temporary is left behind. */
  g_autofree char *p2 = g_build_filename (dir, "aborted.pcap", NULL);
  IbPcap *pc = ibpcap_open (p2, &error);
  assert_non_null (pc);
  ibpcap_write_trap (pc, 1.0, 7, 128, 1, IBPCAP_PORT_DOWN);
  ibpcap_abort (pc);
  ibpcap_abort (NULL);
  assert_true (ibpcap_close (NULL, NULL));
  assert_int_equal (count_entries (dir), 1);

  /* A folder that does not exist: an IO error naming the path. */
  IbPcap *bad = ibpcap_open ("/nonexistent-dir/fabric.pcap", &error);
  assert_null (bad);
  assert_true (g_error_matches (error, IBPCAP_ERROR, IBPCAP_ERROR_IO));
  assert_non_null (strstr (error->message, "/nonexistent-dir/fabric.pcap"));
  remove_dir (dir);
}

static void
test_corrupt (void **state)
{
  if (!ibpcap_available ())
    fail_msg ("built without libpcap");
  g_autofree char *dir = g_dir_make_tmp ("fl-ibpcap-XXXXXX", NULL);
  g_autofree char *path = write_sample (dir);
  g_autofree char *data = NULL;
  gsize len;
  assert_true (g_file_get_contents (path, &data, &len, NULL));

  /* Cut in the middle of the second record: the first is kept, the cut
   * is reported. */
  g_autofree char *cut = g_build_filename (dir, "cut.pcap", NULL);
  size_t cut_len = 24 + 16 + IBPCAP_ERF_RECORD_LEN + 16 + 100;
  assert_true (len > cut_len);
  assert_true (g_file_set_contents (cut, data, (gssize) cut_len, NULL));
  g_autoptr (GError) error = NULL;
  IbPcapReadStats st;
  GArray *a = ibpcap_read_file (cut, &st, &error);
  assert_null (error);
  assert_non_null (a);
  assert_int_equal (a->len, 1);
  assert_true (st.truncated);
  assert_int_equal (st.records, 1);
  g_array_unref (a);

  /* Not a pcap at all; empty; a folder. */
  g_autofree char *txt = g_build_filename (dir, "notes.pcap", NULL);
  assert_true (g_file_set_contents (txt, "t_h,healthy\n0,1\n", -1, NULL));
  a = ibpcap_read_file (txt, &st, &error);
  assert_null (a);
  assert_true (g_error_matches (error, IBPCAP_ERROR, IBPCAP_ERROR_CORRUPT));
  assert_non_null (strstr (error->message, txt));
  g_clear_error (&error);
  a = ibpcap_read ((const uint8_t *) "", 0, "empty", &st, &error);
  assert_null (a);
  assert_true (g_error_matches (error, IBPCAP_ERROR, IBPCAP_ERROR_CORRUPT));
  g_clear_error (&error);
  a = ibpcap_read_file (dir, &st, &error);
  assert_null (a);
  assert_true (g_error_matches (error, IBPCAP_ERROR, IBPCAP_ERROR_IO));
  g_clear_error (&error);

  /* Another link type (Ethernet = 1 in the file header). */
  g_autofree char *eth_lt = g_memdup2 (data, len);
  eth_lt[20] = 1;
  eth_lt[21] = eth_lt[22] = eth_lt[23] = 0;
  a = ibpcap_read ((const uint8_t *) eth_lt, len, "ethernet.pcap", &st, &error);
  assert_null (a);
  assert_true (g_error_matches (error, IBPCAP_ERROR, IBPCAP_ERROR_CORRUPT));
  assert_non_null (strstr (error->message, "link type 1"));
  g_clear_error (&error);

  /* The first record's ERF type is not InfiniBand, a byte of the second
   * record's MAD is flipped (its CRCs no longer match): both counted, the
   * rest read. */
  g_autofree char *bad = g_memdup2 (data, len);
  bad[24 + 16 + 8] = 2; /* ERF type 2 = Ethernet */
  bad[24 + 2 * (16 + IBPCAP_ERF_RECORD_LEN) + 16 + 100] ^= 0x40;
  a = ibpcap_read ((const uint8_t *) bad, len, "bad.pcap", &st, &error);
  assert_null (error);
  assert_non_null (a);
  assert_int_equal (st.wrong_type, 1);
  assert_int_equal (st.corrupt, 1);
  assert_int_equal (a->len + 2, st.records);
  g_array_unref (a);
  remove_dir (dir);
}

/* The traps a run writes for links: ends, LIDs, dedup, failed switches. */
static void
test_link_state (void **state)
{
  if (!ibpcap_available ())
    fail_msg ("built without libpcap");
  TopoParams tp;
  topo_params_init (&tp);
  tp.nodes = 64;
  tp.tiers = 3;
  tp.su_size = 8;
  tp.radix = 16;
  g_autoptr (GError) error = NULL;
  g_autoptr (Topo) topo = topo_new_fattree (&tp, &error);
  assert_non_null (topo);
  assert_true (topo_count (topo, TOPO_CORELINK) > 0);
  g_autofree char *dir = g_dir_make_tmp ("fl-ibpcap-XXXXXX", NULL);
  g_autofree char *path = g_build_filename (dir, "fabric.pcap", NULL);
  IbPcap *pc = ibpcap_open (path, &error);
  assert_non_null (pc);

  const TopoLink *up = topo_link (topo, TOPO_UPLINK, 3);
  const TopoLink *cl = topo_link (topo, TOPO_CORELINK, 5);
  const TopoLink *cb = topo_link (topo, TOPO_CABLE, 9);
  /* an uplink: leaf and spine trap; reported again: nothing */
  assert_int_equal (ibpcap_link_state (pc, topo, 10, TOPO_UPLINK, 3, IBPCAP_PORT_DOWN), 2);
  assert_int_equal (ibpcap_link_state (pc, topo, 610, TOPO_UPLINK, 3, IBPCAP_PORT_DOWN), 0);
  /* a node cable: only the leaf (an HCA sends no trap 128) */
  assert_int_equal (ibpcap_link_state (pc, topo, 20, TOPO_CABLE, 9, IBPCAP_PORT_DOWN), 1);
  assert_int_equal (ibpcap_link_state (pc, topo, 30, TOPO_CABLE, 9, IBPCAP_PORT_ACTIVE), 1);
  assert_int_equal (ibpcap_link_state (pc, topo, 30, TOPO_CABLE, 9, IBPCAP_PORT_ACTIVE), 0);
  /* the core of a corelink fails: only the spine reports the link down,
   * and it comes back with both ends */
  ibpcap_switch_failed (pc, topo, TOPO_CORE, cl->b, true);
  assert_int_equal (ibpcap_link_state (pc, topo, 40, TOPO_CORELINK, 5, IBPCAP_PORT_DOWN), 1);
  ibpcap_switch_failed (pc, topo, TOPO_CORE, cl->b, false);
  assert_int_equal (ibpcap_link_state (pc, topo, 50, TOPO_CORELINK, 5, IBPCAP_PORT_ACTIVE), 2);
  assert_int_equal (ibpcap_unaddressable (pc), 0);
  assert_true (ibpcap_close (pc, &error));

  /* What the file says, end by end: (time, LID, port, state). */
  struct { double t; uint32_t lid; uint16_t port; uint8_t st; } want[] = {
    { 10, ibnet_lid (topo, TOPO_LEAF, up->a), up->a_port, 1 },
    { 10, ibnet_lid (topo, TOPO_SPINE, up->b), up->b_port, 1 },
    { 20, ibnet_lid (topo, TOPO_LEAF, cb->b), cb->b_port, 1 },
    { 30, ibnet_lid (topo, TOPO_LEAF, cb->b), cb->b_port, 4 },
    { 40, ibnet_lid (topo, TOPO_SPINE, cl->a), cl->a_port, 1 },
    { 50, ibnet_lid (topo, TOPO_SPINE, cl->a), cl->a_port, 4 },
    { 50, ibnet_lid (topo, TOPO_CORE, cl->b), cl->b_port, 4 },
  };
  IbPcapReadStats st;
  GArray *recs = ibpcap_read_file (path, &st, &error);
  assert_non_null (recs);
  assert_int_equal (recs->len, 2 * G_N_ELEMENTS (want));
  for (size_t i = 0; i < G_N_ELEMENTS (want); i++)
    {
      IbPcapRec *t = &g_array_index (recs, IbPcapRec, 2 * i);
      IbPcapRec *p = &g_array_index (recs, IbPcapRec, 2 * i + 1);
      assert_int_equal (t->kind, IBPCAP_REC_TRAP);
      assert_int_equal (t->trap_number, 128);
      assert_true (t->time_s == want[i].t);
      assert_int_equal (t->lid, want[i].lid);
      assert_int_equal (p->kind, IBPCAP_REC_PORTINFO);
      assert_int_equal (p->lid, want[i].lid);
      assert_int_equal (p->port, want[i].port);
      assert_int_equal (p->state, want[i].st);
    }
  g_array_unref (recs);
  remove_dir (dir);
}

/* Parses 6 comma-separated numbers (decimal or 0x hex; empty = -1). */
static void
parse_fields (const char *line, long *v)
{
  assert_non_null (line);
  g_auto (GStrv) f = g_strsplit (line, ",", -1);
  assert_int_equal (g_strv_length (f), 6);
  for (int i = 0; i < 6; i++)
    v[i] = f[i][0] ? strtol (f[i], NULL, 0) : -1;
}

static void
test_tshark_decodes (void **state)
{
  g_autofree char *tshark = g_find_program_in_path ("tshark");
  if (tshark == NULL)
    fail_msg ("tshark not found on PATH: cannot check that Wireshark "
              "decodes fabric.pcap (apt-get install tshark; see "
              "cli/bootstrap.sh)");
  g_autofree char *dir = g_dir_make_tmp ("fl-ibpcap-XXXXXX", NULL);
  g_autofree char *path = write_sample (dir);
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  int status;
  const char *argv[] = {
    tshark, "-n", "-r", path, "-T", "fields", "-E", "separator=,",
    "-e", "infiniband.notice.trapnumberdeviceid",
    "-e", "infiniband.notice.issuerlid",
    "-e", "infiniband.portinfo.portstate",
    "-e", "infiniband.lrh.slid", "-e", "infiniband.trap.lidaddr",
    "-e", "infiniband.trap.portno", NULL,
  };
  g_autoptr (GError) error = NULL;
  assert_true (g_spawn_sync (NULL, (char **) argv, NULL,
                             G_SPAWN_DEFAULT, NULL, NULL, &out, &err,
                             &status, &error));
  if (!g_spawn_check_wait_status (status, NULL))
    fail_msg ("tshark failed: %s", err);
  /* One line per record; tshark prints some fields in hex, so compare
   * numbers, not text. Columns: trap, issuer, state, slid, lidaddr,
   * portno; an absent field is empty (-1 here). */
  g_auto (GStrv) lines = g_strsplit (g_strstrip (out), "\n", -1);
  size_t li = 0;
  for (size_t i = 0; i < G_N_ELEMENTS (specs); i++)
    {
      long v[6];
      parse_fields (lines[li++], v);
      assert_int_equal (v[0], specs[i].trap);
      assert_int_equal (v[1], specs[i].lid);
      assert_int_equal (v[2], -1);
      assert_int_equal (v[3], specs[i].lid);
      assert_int_equal (v[4], specs[i].lid); /* LIDADDR */
      assert_int_equal (v[5], specs[i].trap == 128 ? -1 : specs[i].port);
      if (specs[i].state != IBPCAP_PORT_NOP)
        {
          parse_fields (lines[li++], v);
          assert_int_equal (v[0], -1);
          assert_int_equal (v[2], specs[i].state);
          assert_int_equal (v[3], specs[i].lid);
          assert_int_equal (v[4], -1);
          assert_int_equal (v[5], -1);
        }
    }
  assert_null (lines[li]);

  /* The text of trap 128 in the decoded tree (field-data.md §9.4). */
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  const char *argv2[] = { tshark, "-n", "-r", path, "-V", NULL };
  assert_true (g_spawn_sync (NULL, (char **) argv2, NULL, G_SPAWN_DEFAULT,
                             NULL, NULL, &out, &err, &status, &error));
  assert_non_null (strstr (out, "SubnTrap"));
  assert_non_null (strstr (out, "Link State of at least one port of switch"));
  assert_null (strstr (out, "Malformed"));
  remove_dir (dir);
}

int
main (void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test (test_encoding),
    cmocka_unit_test (test_vcrc_table),
    cmocka_unit_test (test_roundtrip_atomic),
    cmocka_unit_test (test_corrupt),
    cmocka_unit_test (test_link_state),
    cmocka_unit_test (test_tshark_decodes),
  };
  return cmocka_run_group_tests (tests, NULL, NULL);
}
