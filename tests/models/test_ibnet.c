/* tests/models/test_ibnet.c - ibnetdiscover in and out: a written fabric
 * reads back with the same counts, names and links (2 and 3 tiers); a
 * hand-written file in the real layout (tests/data/small-2tier.ibnet) is
 * understood, and so are the quirks of real dumps (dual-port HCAs, two
 * HCAs on one rail); malformed inputs give "name:LINE: expected ..." errors
 * that never quote a line the reader could not parse; no mutation of a
 * real-layout file crashes the reader. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "ibnet.h"

static char *
write_to_string (const Topo *t, size_t *len)
{
  char *buf = NULL;
  FILE *f = open_memstream (&buf, len);
  assert_non_null (f);
  assert_true (ibnet_write (t, f, NULL));
  fclose (f);
  return buf;
}

static void
assert_same (const Topo *a, const Topo *b)
{
  for (int k = 0; k < TOPO_N_KINDS; k++)
    assert_int_equal (topo_count (a, (TopoKind) k),
                      topo_count (b, (TopoKind) k));
  assert_int_equal (topo_tiers (a), topo_tiers (b));
  assert_int_equal (topo_n_pods (a), topo_n_pods (b));
  assert_int_equal (topo_su_size (a), topo_su_size (b));
  assert_int_equal (topo_n_sus (a), topo_n_sus (b));
  for (uint32_t n = 0; n < topo_count (a, TOPO_NODE); n++)
    assert_int_equal (topo_node_su (a, n), topo_node_su (b, n));
  for (uint32_t s = 0; s < topo_count (a, TOPO_SPINE); s++)
    assert_int_equal (topo_spine_pod (a, s), topo_spine_pod (b, s));
  static const TopoKind lk[3] = { TOPO_CABLE, TOPO_UPLINK, TOPO_CORELINK };
  char na[128], nb[128];
  for (int k = 0; k < 3; k++)
    for (uint32_t i = 0; i < topo_index_limit (a, lk[k]); i++)
      {
        const TopoLink *x = topo_link (a, lk[k], i);
        const TopoLink *y = topo_link (b, lk[k], i);
        assert_true ((x == NULL) == (y == NULL));
        if (x == NULL)
          continue;
        assert_memory_equal (x, y, sizeof *x);
        topo_name (a, lk[k], i, na, sizeof na);
        topo_name (b, lk[k], i, nb, sizeof nb);
        assert_string_equal (na, nb);
      }
}

static void
roundtrip (uint32_t nodes, uint32_t su, uint32_t radix, uint32_t tiers)
{
  TopoParams p;
  topo_params_init (&p);
  p.nodes = nodes;
  p.su_size = su;
  p.radix = radix;
  p.tiers = tiers;
  g_autoptr (Topo) t = topo_new_fattree (&p, NULL);
  assert_non_null (t);
  size_t len;
  g_autofree char *text = write_to_string (t, &len);
  g_autoptr (GError) error = NULL;
  g_autoptr (Topo) r = ibnet_read_data (text, len, "mem", 8, &error);
  if (r == NULL)
    fail_msg ("%s", error->message);
  assert_same (t, r);
  /* and writing the re-read fabric gives the same text */
  size_t len2;
  g_autofree char *text2 = write_to_string (r, &len2);
  assert_int_equal (len, len2);
  assert_memory_equal (text, text2, len);
}

static void test_roundtrip_2tier (void **s) { (void) s; roundtrip (95, 32, 64, 0); }
static void test_roundtrip_3tier (void **s) { (void) s; roundtrip (512, 32, 64, 0); }
static void test_roundtrip_small3 (void **s) { (void) s; roundtrip (30, 4, 16, 3); }

static void
test_real_layout (void **state)
{
  (void) state;
  const char *dir = g_getenv ("FL_SOURCE_DIR");
  g_autofree char *path = g_build_filename (dir ? dir : "..", "tests", "data",
                                            "small-2tier.ibnet", NULL);
  g_autoptr (GError) error = NULL;
  g_autoptr (Topo) t = ibnet_read_file (path, 8, &error);
  if (t == NULL)
    fail_msg ("%s", error->message);
  assert_int_equal (topo_count (t, TOPO_NODE), 2);
  assert_int_equal (topo_rails (t), 2);
  assert_int_equal (topo_count (t, TOPO_LEAF), 2);
  assert_int_equal (topo_count (t, TOPO_SPINE), 1);
  assert_int_equal (topo_count (t, TOPO_CORE), 0);
  assert_int_equal (topo_count (t, TOPO_CABLE), 4);
  assert_int_equal (topo_count (t, TOPO_UPLINK), 4); /* listed twice */
  TopoKind k;
  uint32_t i;
  assert_true (topo_lookup (t, "gpu-a02", &k, &i));
  assert_int_equal (k, TOPO_NODE);
  assert_int_equal (i, 1);
  char buf[128];
  /* mlx5_1 is rail 1; leaf2 serves rail 1 of SU 0; port 2 */
  topo_name (t, TOPO_CABLE, topo_node_link (t, 1, 1), buf, sizeof buf);
  assert_string_equal (buf, "gpu-a02/nic1<->leaf-su00-r1:p2");
  assert_true (topo_lookup (t, buf, &k, &i));
  assert_int_equal (k, TOPO_CABLE);
  g_autoptr (GArray) out = g_array_new (FALSE, FALSE, sizeof (TopoRef));
  assert_int_equal (topo_glob (t, "gpu-a0?", out), 2);
}

static void
expect_parse_error (const char *text, const char *needle)
{
  g_autoptr (GError) error = NULL;
  Topo *t = ibnet_read_data (text, strlen (text), "bad.ibnet", 8, &error);
  assert_null (t);
  assert_non_null (error);
  assert_true (g_error_matches (error, TOPO_ERROR, TOPO_ERROR_PARSE));
  if (strstr (error->message, needle) == NULL)
    fail_msg ("'%s' lacks '%s'", error->message, needle);
}

#define SW "Switch\t8 \"S-01\"\t# \"leaf\"\n"
#define CA "Ca\t1 \"H-01\"\t# \"n1 HCA-1\"\n[1](2)\t\"S-01\"[1]\n"

static void
test_malformed (void **state)
{
  (void) state;
  expect_parse_error ("garbage here\n", "bad.ibnet:1: expected 'Switch'");
  expect_parse_error ("\n\nSwitch x \"S-01\"\n", "bad.ibnet:3: expected a port count");
  expect_parse_error ("Switch 8 S-01\n", "bad.ibnet:1: expected a quoted node id");
  expect_parse_error ("[1] \"S-01\"[2]\n", "bad.ibnet:1: expected a Switch or Ca record");
  expect_parse_error (SW "[1] \"H-01\n", "bad.ibnet:2: expected a quoted peer id");
  expect_parse_error (SW "[1] \"H-01\"\n", "bad.ibnet:2: expected the peer port");
  expect_parse_error (SW "[9] \"H-01\"[1]\n", "bad.ibnet:2: port 9 exceeds");
  expect_parse_error (SW "[x] \"H-01\"[1]\n", "bad.ibnet:2: expected a port line");
  expect_parse_error (SW "[1] \"H-02\"[1]\n" CA, "bad.ibnet:2: peer \"H-02\" has no");
  expect_parse_error (SW SW, "bad.ibnet:2: node id \"S-01\" defined twice");
  expect_parse_error (SW "Ca\t1 \"H-01\"\n[1](2)\t\"S-01\"[1]\n",
                      "bad.ibnet:2: expected a node description");
  expect_parse_error (SW "[1] \"H-01\"[1]\n" CA "[1](2)\t\"S-01\"[2]\n",
                      "connected to two different peers");
  expect_parse_error ("# only a comment\n", "expected at least one Ca");
  expect_parse_error (SW "[2]\t\"S-02\"[2]\n" CA
                      "Switch\t8 \"S-02\"\t# \"x\"\n"
                      "Ca\t1 \"H-02\"\t# \"n2 HCA-1\"\n[1](2)\t\"S-02\"[1]\n",
                      "bad.ibnet:2: \"S-01\" and \"S-02\" are both leaves");
  g_autoptr (GError) error = NULL;
  assert_null (ibnet_read_file ("/nonexistent/x.ibnet", 8, &error));
  assert_true (g_error_matches (error, TOPO_ERROR, TOPO_ERROR_IO));
  assert_non_null (strstr (error->message, "/nonexistent/x.ibnet"));
}

static Topo *
read_ok (const char *text)
{
  g_autoptr (GError) error = NULL;
  Topo *t = ibnet_read_data (text, strlen (text), "ok.ibnet", 8, &error);
  if (t == NULL)
    fail_msg ("%s", error->message);
  return t;
}

/* What real dumps contain: a dual-port HCA with both ports cabled (the
 * repro tests/data/repro/ibnet-dualport-hca-segv.ibnet, once an out-of-bounds write),
 * two HCAs of one node on one rail, a far-end port beyond the peer's
 * count. Each cabled port becomes a NIC of its node with its own cable. */
static void
test_real_dump_quirks (void **state)
{
  (void) state;
  const char *dir = g_getenv ("FL_SOURCE_DIR");
  g_autofree char *path = g_build_filename (dir ? dir : "..", "tests", "data", "repro",
                                            "ibnet-dualport-hca-segv.ibnet", NULL);
  g_autoptr (GError) error = NULL;
  g_autoptr (Topo) t = ibnet_read_file (path, 8, &error);
  if (t == NULL)
    fail_msg ("%s", error->message);
  assert_int_equal (topo_count (t, TOPO_NODE), 1);
  assert_int_equal (topo_rails (t), 2);
  assert_int_equal (topo_count (t, TOPO_LEAF), 2);
  assert_int_equal (topo_count (t, TOPO_CABLE), 2);
  /* port 1 keeps the rail its description names, port 2 takes the next */
  char buf[128];
  topo_name (t, TOPO_CABLE, topo_node_link (t, 0, 0), buf, sizeof buf);
  assert_string_equal (buf, "nodeA/nic0<->leaf-su00-r0:p1");
  topo_name (t, TOPO_CABLE, topo_node_link (t, 0, 1), buf, sizeof buf);
  assert_string_equal (buf, "nodeA/nic1<->leaf-su00-r1:p1");

  /* two HCAs of one node that both say mlx5_0, on one leaf */
  g_autoptr (Topo) t2 = read_ok (
      "Switch\t8 \"S-l\"\t# \"leaf\"\n[1]\t\"H-a\"[1]\n[2]\t\"H-b\"[1]\n"
      "Ca\t1 \"H-a\"\t# \"n1 mlx5_0\"\n[1]\t\"S-l\"[1]\n"
      "Ca\t1 \"H-b\"\t# \"n1 mlx5_0\"\n[1]\t\"S-l\"[2]\n");
  assert_int_equal (topo_count (t2, TOPO_NODE), 1);
  assert_int_equal (topo_count (t2, TOPO_CABLE), 2);
  assert_int_equal (topo_count (t2, TOPO_LEAF), 1);
  /* a dual-port HCA whose second port goes to the leaf of another rail,
   * beside a single-port HCA of the same node that names that rail */
  g_autoptr (Topo) t3 = read_ok (
      "Switch\t8 \"S-1\"\t# \"l1\"\nSwitch\t8 \"S-2\"\t# \"l2\"\n"
      "Ca\t2 \"H-a\"\t# \"n1 mlx5_0\"\n[1]\t\"S-1\"[1]\n[2]\t\"S-2\"[1]\n"
      "Ca\t1 \"H-b\"\t# \"n1 mlx5_1\"\n[1]\t\"S-2\"[2]\n");
  assert_int_equal (topo_count (t3, TOPO_CABLE), 3);
  assert_int_equal (topo_rails (t3), 3);

  expect_parse_error (SW "[1] \"H-01\"[3]\n" CA,
                      "bad.ibnet:2: peer port [3] exceeds the 1 ports of \"H-01\"");
  expect_parse_error (SW "[1] \"S-01\"[2]\n", "bad.ibnet:2: \"S-01\" is linked to itself");
  expect_parse_error (SW "Ca\t1 \"H-01\"\t# \"n1 mlx5_5000\"\n[1]\t\"S-01\"[1]\n",
                      "bad.ibnet:2: rail 5000 of node \"n1\" is beyond the 4096 rails");
}

/* A line the reader cannot parse is not quoted back: a scenario may point
 * cluster.ibnet at any file, and its bytes must not reach the message. */
static void
test_no_echo (void **state)
{
  (void) state;
  const char *secret = "root:x:0:0:SECRET-TOKEN:/root:/bin/bash\n";
  g_autoptr (GError) error = NULL;
  assert_null (ibnet_read_data (secret, strlen (secret), "p", 8, &error));
  assert_non_null (strstr (error->message, "p:1:"));
  assert_null (strstr (error->message, "SECRET"));
  assert_null (strstr (error->message, "root"));
}

/* Every prefix of a real-layout file, and the file with every byte in
 * turn replaced, is read or refused: never a crash (run under ASan). */
static void
test_mutations (void **state)
{
  (void) state;
  const char *dir = g_getenv ("FL_SOURCE_DIR");
  g_autofree char *path = g_build_filename (dir ? dir : "..", "tests", "data",
                                            "small-2tier.ibnet", NULL);
  g_autofree char *text = NULL;
  gsize len = 0;
  assert_true (g_file_get_contents (path, &text, &len, NULL));
  guint ok = 0, refused = 0;
  for (gsize n = 0; n <= len; n += 7)
    {
      g_autoptr (GError) error = NULL;
      g_autoptr (Topo) t = ibnet_read_data (text, n, "m", 8, &error);
      assert_true ((t == NULL) == (error != NULL));
      t ? ok++ : refused++;
    }
  static const char subst[] = "0129]\"[ \n";
  for (gsize i = 0; i < len; i += 3)
    for (const char *c = subst; *c; c++)
      {
        g_autofree char *m = g_memdup2 (text, len);
        m[i] = *c;
        g_autoptr (GError) error = NULL;
        g_autoptr (Topo) t = ibnet_read_data (m, len, "m", 8, &error);
        assert_true ((t == NULL) == (error != NULL));
        t ? ok++ : refused++;
      }
  assert_true (ok > 0 && refused > 0);
}

int
main (void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test (test_roundtrip_2tier),
    cmocka_unit_test (test_roundtrip_3tier),
    cmocka_unit_test (test_roundtrip_small3),
    cmocka_unit_test (test_real_layout),
    cmocka_unit_test (test_malformed),
    cmocka_unit_test (test_real_dump_quirks),
    cmocka_unit_test (test_no_echo),
    cmocka_unit_test (test_mutations),
  };
  return cmocka_run_group_tests (tests, NULL, NULL);
}
