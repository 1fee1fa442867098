/* tests/models/test_topo.c - names, lookup, glob, structure and parameter
 * errors of models/topo.c. Asserts that every name round-trips through
 * topo_lookup(), that structure is consistent from both ends of every link,
 * and the operator names given in the issue for a 2,048-node cluster.
 * Per-rail planes: counts of 100k and 1M GPUs worked out below from the
 * layout rules of docs/models.md, names, and an ibnetdiscover round trip
 * of a planes fabric. Memory: the estimate made before building equals
 * topo_bytes() of the built tree; a limit below the run's estimate is
 * refused before anything is allocated (injected limit, and RLIMIT_AS set
 * in a child process, so nothing depends on this machine's RAM). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include <stdlib.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "ibnet.h"
#include "topo.h"

static Topo *
make_r (uint32_t nodes, uint32_t su, uint32_t radix, uint32_t tiers,
        uint32_t rails)
{
  TopoParams p;
  topo_params_init (&p);
  p.rails = rails;
  p.nodes = nodes;
  p.su_size = su;
  p.radix = radix;
  p.tiers = tiers;
  GError *error = NULL;
  Topo *t = topo_new_fattree (&p, &error);
  assert_null (error);
  assert_non_null (t);
  return t;
}

static Topo *
make_planes (uint32_t nodes, uint32_t su, uint32_t radix, uint32_t tiers,
             uint32_t rails)
{
  TopoParams p;
  topo_params_init (&p);
  p.rails = rails;
  p.nodes = nodes;
  p.su_size = su;
  p.radix = radix;
  p.tiers = tiers;
  p.planes = rails;
  GError *error = NULL;
  Topo *t = topo_new_fattree (&p, &error);
  assert_null (error);
  assert_non_null (t);
  assert_int_equal (topo_n_planes (t), rails);
  return t;
}

static Topo *
make (uint32_t nodes, uint32_t su, uint32_t radix, uint32_t tiers)
{
  return make_r (nodes, su, radix, tiers, 8);
}

static void
test_names (void **state)
{
  (void) state;
  g_autoptr (Topo) t = make (2048, 32, 64, 0);
  char buf[96];
  topo_name (t, TOPO_NODE, 412, buf, sizeof buf);
  assert_string_equal (buf, "node0412");
  topo_name (t, TOPO_GPU, 412 * 8 + 5, buf, sizeof buf);
  assert_string_equal (buf, "node0412/gpu5");
  topo_name (t, TOPO_NIC, 412 * 8 + 5, buf, sizeof buf);
  assert_string_equal (buf, "node0412/nic5");
  /* node 412 is in SU 12 (412 / 32) at position 28 -> leaf port 29 */
  topo_name (t, TOPO_CABLE, topo_node_link (t, 412, 5), buf, sizeof buf);
  assert_string_equal (buf, "node0412/nic5<->leaf-su12-r5:p29");
  topo_name (t, TOPO_LEAF, topo_node_leaf (t, 412, 5), buf, sizeof buf);
  assert_string_equal (buf, "leaf-su12-r5");
  topo_name (t, TOPO_SPINE, 7, buf, sizeof buf);
  assert_string_equal (buf, "spine-007"); /* 512 spines: 3 digits */
  topo_name (t, TOPO_CORE, 2, buf, sizeof buf);
  assert_string_equal (buf, "core-002");
  topo_name (t, TOPO_RACK, 51, buf, sizeof buf);
  assert_string_equal (buf, "rack-051");
  topo_name (t, TOPO_ROW, 3, buf, sizeof buf);
  assert_string_equal (buf, "row-03");
  assert_int_equal (topo_node_rack (t, 412), 412 / 4);
  assert_int_equal (topo_node_row (t, 412), 412 / 64); /* 16 racks of 4 a row */
  /* first uplink of a leaf leaves from port su_size + 1 */
  uint32_t first, n;
  topo_leaf_uplinks (t, 0, &first, &n);
  assert_int_equal (n, 32);
  assert_int_equal (topo_link (t, TOPO_UPLINK, first)->a_port, 33);
  /* small cluster: widths at their minimum */
  g_autoptr (Topo) s = make (64, 32, 64, 0);
  topo_name (s, TOPO_SPINE, 7, buf, sizeof buf);
  assert_string_equal (buf, "spine-07");
  topo_name (s, TOPO_LEAF, 13, buf, sizeof buf);
  assert_string_equal (buf, "leaf-su01-r5");
  /* out of range */
  assert_int_equal (topo_name (s, TOPO_NODE, 64, buf, sizeof buf), 0);
  assert_string_equal (buf, "");
}

static void
check_all_names (const Topo *t)
{
  char buf[128];
  for (int k = 0; k < TOPO_N_KINDS; k++)
    for (uint32_t i = 0; i < topo_index_limit (t, (TopoKind) k); i++)
      {
        if (topo_name (t, (TopoKind) k, i, buf, sizeof buf) == 0)
          continue;
        TopoKind kk;
        uint32_t ii;
        if (!topo_lookup (t, buf, &kk, &ii))
          fail_msg ("lookup of '%s' failed", buf);
        assert_int_equal (kk, k);
        assert_int_equal (ii, i);
      }
}

static void
test_lookup_roundtrip (void **state)
{
  (void) state;
  g_autoptr (Topo) t2 = make (95, 32, 64, 0);
  check_all_names (t2);
  g_autoptr (Topo) t3 = make (40, 4, 16, 3);
  assert_int_equal (topo_tiers (t3), 3);
  check_all_names (t3);
  TopoKind k;
  uint32_t i;
  assert_false (topo_lookup (t2, "node95", &k, &i));
  assert_false (topo_lookup (t2, "node0095", &k, &i)); /* 95 nodes: 0..94 */
  assert_false (topo_lookup (t2, "node412", &k, &i));  /* not canonical */
  assert_false (topo_lookup (t2, "node0001/gpu8", &k, &i));
  assert_false (topo_lookup (t2, "spine-7", &k, &i));
  assert_false (topo_lookup (t2, "leaf-su09-r0", &k, &i));
  assert_false (topo_lookup (t2, "node0001/nic1<->leaf-su00-r1:p3", &k, &i));
  assert_false (topo_lookup (t2, "", &k, &i));
  assert_false (topo_lookup (t2, "bogus<->", &k, &i));
  assert_true (topo_lookup (t2, "node0001/nic1<->leaf-su00-r1:p2", &k, &i));
  assert_int_equal (k, TOPO_CABLE);
  assert_int_equal (i, 1 * 8 + 1);
}

static void
test_glob (void **state)
{
  (void) state;
  g_autoptr (Topo) t = make (2048, 32, 64, 0);
  g_autoptr (GArray) out = g_array_new (FALSE, FALSE, sizeof (TopoRef));
  /* leaves of SU 3: 8 rails; "leaf-su03-*" also matches their uplinks */
  guint n = topo_glob (t, "leaf-su03-r?", out);
  assert_int_equal (n, 8);
  for (guint i = 0; i < n; i++)
    {
      TopoRef r = g_array_index (out, TopoRef, i);
      assert_int_equal (r.kind, TOPO_LEAF);
      assert_int_equal (topo_leaf_su (t, r.index), 3);
      assert_int_equal (topo_leaf_rail (t, r.index), i);
    }
  g_array_set_size (out, 0);
  n = topo_glob (t, "leaf-su03-*", out);
  assert_int_equal (n, 8 + 8 * 32);
  /* node04*: nodes 0400..0499 and their GPUs, NICs and cables */
  g_array_set_size (out, 0);
  n = topo_glob (t, "node04*", out);
  assert_int_equal (n, 100 * (1 + 8 + 8 + 8));
  g_array_set_size (out, 0);
  n = topo_glob (t, "node04??", out);
  assert_int_equal (n, 100);
  g_array_set_size (out, 0);
  assert_int_equal (topo_glob (t, "spine-07", out), 0); /* 3-digit names */
  assert_int_equal (topo_glob (t, "spine-007", out), 1);
  assert_int_equal (topo_glob (t, "*", out) - 0, 0 + topo_count (t, TOPO_NODE)
                    + topo_count (t, TOPO_GPU) + topo_count (t, TOPO_NIC)
                    + topo_count (t, TOPO_CABLE) + topo_count (t, TOPO_LEAF)
                    + topo_count (t, TOPO_SPINE) + topo_count (t, TOPO_CORE)
                    + topo_count (t, TOPO_UPLINK)
                    + topo_count (t, TOPO_CORELINK)
                    + topo_count (t, TOPO_RACK) + topo_count (t, TOPO_ROW));
}

/* Every link appears in the port-sorted list of each switch it touches. */
static void
check_structure (const Topo *t)
{
  static const TopoKind sk[3] = { TOPO_LEAF, TOPO_SPINE, TOPO_CORE };
  uint64_t seen = 0;
  for (int k = 0; k < 3; k++)
    for (uint32_t s = 0; s < topo_count (t, sk[k]); s++)
      {
        const TopoRef *refs;
        uint32_t n, last = 0;
        topo_switch_links (t, sk[k], s, &refs, &n);
        assert_true (n <= topo_radix (t));
        for (uint32_t i = 0; i < n; i++)
          {
            const TopoLink *l = topo_link (t, refs[i].kind, refs[i].index);
            assert_non_null (l);
            gboolean lower = (k == 0 && refs[i].kind == TOPO_UPLINK)
                             || (k == 1 && refs[i].kind == TOPO_CORELINK);
            uint32_t me = lower ? l->a : l->b;
            uint32_t port = lower ? l->a_port : l->b_port;
            assert_int_equal (me, s);
            assert_true (port > last && port <= topo_radix (t));
            last = port;
            seen++;
          }
      }
  assert_int_equal (seen, topo_count (t, TOPO_CABLE)
                    + 2 * (uint64_t) topo_count (t, TOPO_UPLINK)
                    + 2 * (uint64_t) topo_count (t, TOPO_CORELINK));
  /* a link never leaves its rail plane (all in plane 0 with one fabric) */
  for (uint32_t i = 0; i < topo_count (t, TOPO_UPLINK); i++)
    {
      const TopoLink *l = topo_link (t, TOPO_UPLINK, i);
      assert_int_equal (topo_switch_plane (t, TOPO_LEAF, l->a),
                        topo_switch_plane (t, TOPO_SPINE, l->b));
    }
  for (uint32_t i = 0; i < topo_count (t, TOPO_CORELINK); i++)
    {
      const TopoLink *l = topo_link (t, TOPO_CORELINK, i);
      assert_int_equal (topo_switch_plane (t, TOPO_SPINE, l->a),
                        topo_switch_plane (t, TOPO_CORE, l->b));
    }
  /* each leaf reaches every spine of its pod the same number of times */
  for (uint32_t l = 0; l < topo_count (t, TOPO_LEAF); l++)
    {
      uint32_t first, n;
      topo_leaf_uplinks (t, l, &first, &n);
      for (uint32_t i = first; i < first + n; i++)
        assert_int_equal (topo_spine_pod (t, topo_link (t, TOPO_UPLINK, i)->b),
                          topo_leaf_pod (t, l));
    }
  for (uint32_t n = 0; n < topo_count (t, TOPO_NODE); n++)
    for (uint32_t r = 0; r < topo_rails (t); r++)
      {
        uint32_t leaf = topo_node_leaf (t, n, r);
        assert_int_equal (topo_leaf_su (t, leaf), topo_node_su (t, n));
        assert_int_equal (topo_leaf_rail (t, leaf), r);
        assert_int_equal (topo_su_leaf (t, topo_node_su (t, n), r), leaf);
      }
}

static void
test_structure (void **state)
{
  (void) state;
  g_autoptr (Topo) a = make (95, 32, 64, 0);
  check_structure (a);
  g_autoptr (Topo) b = make (2048, 32, 64, 0);
  check_structure (b);
  g_autoptr (Topo) c = make (30, 4, 16, 3);
  check_structure (c);
  g_autoptr (Topo) d = make_r (8, 4, 8, 0, 2); /* 2 SUs of 4, radix 8 */
  assert_int_equal (topo_count (d, TOPO_LEAF), 4);
  assert_int_equal (topo_count (d, TOPO_SPINE), 2); /* 16 uplinks / 8 */
  check_structure (d);
}

static void
expect_error (const TopoParams *p, const char *needle)
{
  GError *error = NULL;
  Topo *t = topo_new_fattree (p, &error);
  assert_null (t);
  assert_non_null (error);
  assert_true (g_error_matches (error, TOPO_ERROR, TOPO_ERROR_PARAM));
  if (strstr (error->message, needle) == NULL)
    fail_msg ("'%s' does not name '%s'", error->message, needle);
  g_error_free (error);
}

static void
test_bad_params (void **state)
{
  (void) state;
  TopoParams p;
  topo_params_init (&p);
  p.nodes = 0;
  expect_error (&p, "nodes = 0");
  p.nodes = 64;
  p.radix = 7;
  expect_error (&p, "radix = 7");
  p.radix = 2;
  expect_error (&p, "radix = 2");
  p.radix = 64;
  p.rails = 65;
  expect_error (&p, "rails = 65");
  p.rails = 8;
  p.su_size = 40; /* 40 down + 40 up > 64 */
  expect_error (&p, "SU size = 40");
  p.su_size = 32;
  p.tiers = 4;
  expect_error (&p, "tiers = 4");
  p.tiers = 2;
  p.nodes = 512;
  expect_error (&p, "tiers = 2");
  p.tiers = 0;
  p.planes = 1;
  p.nodes = 8193; /* radix 64 x 4 SUs per pod x 32 nodes = 8192 */
  expect_error (&p, "nodes = 8193");
  p.planes = 3;
  expect_error (&p, "planes = 3");
  p.planes = 0;
  p.nodes = 8192;
  GError *error = NULL;
  Topo *t = topo_new_fattree (&p, &error);
  assert_non_null (t);
  assert_int_equal (topo_count (t, TOPO_CORE), 1024);
  assert_int_equal (topo_n_planes (t), 1);
  topo_free (t);
  /* automatic: one node more goes to 8 rail planes ... */
  p.nodes = 8193;
  t = topo_new_fattree (&p, &error);
  assert_non_null (t);
  assert_int_equal (topo_n_planes (t), 8);
  topo_free (t);
  /* ... which hold radix pods x radix/2 SUs x 32 nodes = 65,536 nodes */
  p.nodes = 64 * 32 * 32;
  t = topo_new_fattree (&p, &error);
  assert_non_null (t);
  topo_free (t);
  p.nodes = 64 * 32 * 32 + 1;
  expect_error (&p, "nodes = 65537");
  p.nodes = 125000; /* 1M GPUs need radix 128 */
  expect_error (&p, "larger --radix");
  p.nodes = 64;
  topo_free (NULL);
  p.oversubscription = 0.5;
  expect_error (&p, "oversubscription = 0.5");
}

static void
test_oversubscription (void **state)
{
  (void) state;
  TopoParams p;
  topo_params_init (&p);
  p.nodes = 256;
  p.oversubscription = 2.0;
  g_autoptr (Topo) t = topo_new_fattree (&p, NULL);
  assert_non_null (t);
  /* 2:1 -> 16 uplinks per leaf instead of 32 */
  assert_int_equal (topo_count (t, TOPO_UPLINK), 64 * 16);
  check_structure (t);
}

static uint32_t
pow2_at_least (uint64_t v)
{
  uint32_t p = 1;
  while (p < v)
    p <<= 1;
  return p;
}

/* Counts of an 8-rail cluster with SUs of 32 nodes, non-blocking, built as
 * 3-tier rail planes, from the rules of docs/models.md: a plane has one
 * leaf per SU; its pods hold radix/2 SUs (one leaf each) under u = 32
 * spines; spine position j of the plane's pods is served by cp cores, the
 * smallest power of two >= pods * (radix/2) / radix. */
static void
check_plane_counts (uint32_t gpus, uint32_t radix)
{
  TopoParams p;
  topo_params_init (&p);
  p.nodes = (gpus + 7) / 8;
  p.radix = radix;
  GError *error = NULL;
  Topo *t = topo_new_fattree (&p, &error);
  assert_null (error);
  assert_non_null (t);
  uint64_t sus = (p.nodes + 31) / 32, h = radix / 2, u = 32, rails = 8;
  uint64_t pods = (sus + h - 1) / h;
  uint64_t cp = pow2_at_least ((pods * h + radix - 1) / radix);
  assert_int_equal (topo_n_planes (t), rails);
  assert_int_equal (topo_tiers (t), 3);
  assert_int_equal (topo_n_pods (t), pods);
  assert_int_equal (topo_count (t, TOPO_GPU), (uint64_t) p.nodes * 8);
  assert_int_equal (topo_count (t, TOPO_LEAF), sus * rails);
  assert_int_equal (topo_count (t, TOPO_SPINE), rails * pods * u);
  assert_int_equal (topo_count (t, TOPO_CORE), rails * u * cp);
  assert_int_equal (topo_count (t, TOPO_CABLE), (uint64_t) p.nodes * rails);
  assert_int_equal (topo_count (t, TOPO_UPLINK), sus * rails * u);
  assert_int_equal (topo_count (t, TOPO_CORELINK), rails * pods * u * h);
  /* one fabric of this radix cannot hold it */
  p.planes = 1;
  Topo *one = topo_new_fattree (&p, &error);
  assert_null (one);
  assert_non_null (error);
  g_clear_error (&error);
  /* no switch has more links than ports */
  static const TopoKind sk[3] = { TOPO_LEAF, TOPO_SPINE, TOPO_CORE };
  for (int k = 0; k < 3; k++)
    for (uint32_t s = 0; s < topo_count (t, sk[k]); s++)
      {
        const TopoRef *refs;
        uint32_t n;
        topo_switch_links (t, sk[k], s, &refs, &n);
        assert_true (n <= radix);
      }
  topo_free (t);
}

static void
test_planes_100k (void **state)
{
  (void) state;
  check_plane_counts (100000, 64); /* defaults */
  TopoParams p;
  topo_params_init (&p);
  p.nodes = 12500;
  g_autoptr (Topo) t = topo_new_fattree (&p, NULL);
  check_structure (t);
}

static void
test_planes_1m (void **state)
{
  (void) state;
  check_plane_counts (1000000, 128);
}

static void
test_planes_names (void **state)
{
  (void) state;
  TopoParams p;
  topo_params_init (&p);
  p.nodes = 12500; /* 391 SUs, 13 pods, 416 spines and 256 cores a plane */
  g_autoptr (Topo) t = topo_new_fattree (&p, NULL);
  assert_non_null (t);
  char buf[96];
  uint32_t sp = topo_count (t, TOPO_SPINE) / 8;
  uint32_t co = topo_count (t, TOPO_CORE) / 8;
  assert_int_equal (sp, 416);
  assert_int_equal (co, 256);
  topo_name (t, TOPO_SPINE, 5 * sp + 7, buf, sizeof buf);
  assert_string_equal (buf, "spine-r5-007");
  topo_name (t, TOPO_CORE, 5 * co + 2, buf, sizeof buf);
  assert_string_equal (buf, "core-r5-002");
  assert_int_equal (topo_switch_plane (t, TOPO_SPINE, 5 * sp + 7), 5);
  assert_int_equal (topo_switch_plane (t, TOPO_CORE, 5 * co + 2), 5);
  assert_int_equal (topo_switch_plane (t, TOPO_LEAF,
                                       topo_su_leaf (t, 3, 6)), 6);
  /* leaf-su003-r5 uplink k goes to spine k of pod 0 in plane 5 */
  uint32_t leaf = topo_su_leaf (t, 3, 5), first, n;
  topo_leaf_uplinks (t, leaf, &first, &n);
  assert_int_equal (n, 32);
  topo_name (t, TOPO_UPLINK, first + 7, buf, sizeof buf);
  assert_string_equal (buf, "leaf-su003-r5:p40<->spine-r5-007:p4");
  TopoKind k;
  uint32_t i;
  assert_true (topo_lookup (t, "spine-r5-007", &k, &i));
  assert_int_equal (k, TOPO_SPINE);
  assert_int_equal (i, 5 * sp + 7);
  assert_true (topo_lookup (t, buf, &k, &i));
  assert_int_equal (k, TOPO_UPLINK);
  assert_int_equal (i, first + 7);
  assert_true (topo_lookup (t, "core-r7-255", &k, &i));
  assert_int_equal (i, 8 * co - 1);
  assert_false (topo_lookup (t, "spine-007", &k, &i)); /* plane missing */
  assert_false (topo_lookup (t, "spine-r8-000", &k, &i)); /* 8 rails */
  assert_false (topo_lookup (t, "spine-r5-416", &k, &i));
  assert_false (topo_lookup (t, "spine-r5-7", &k, &i)); /* not canonical */
  assert_false (topo_lookup (t, "spine-r05-007", &k, &i));
  assert_false (topo_lookup (t, "core-r5-256", &k, &i));
  assert_false (topo_lookup (t, "spine-r5", &k, &i));
  g_autoptr (GArray) out = g_array_new (FALSE, FALSE, sizeof (TopoRef));
  assert_int_equal (topo_glob (t, "spine-r5-???", out), sp);
  for (guint j = 0; j < out->len; j++)
    assert_int_equal (topo_switch_plane (t, TOPO_SPINE,
                                         g_array_index (out, TopoRef, j).index),
                      5);
  g_array_set_size (out, 0);
  assert_int_equal (topo_glob (t, "core-r?-000", out), 8);
  /* every name round-trips on small forced planes, 2 and 3 tiers */
  g_autoptr (Topo) a = make_planes (40, 4, 16, 0, 4);
  assert_int_equal (topo_tiers (a), 2);
  check_all_names (a);
  check_structure (a);
  g_autoptr (Topo) b = make_planes (40, 4, 16, 3, 4);
  assert_int_equal (topo_tiers (b), 3);
  check_all_names (b);
  check_structure (b);
}

static char *
ibnet_text (const Topo *t, size_t *len)
{
  char *buf = NULL;
  FILE *f = open_memstream (&buf, len);
  assert_non_null (f);
  assert_true (ibnet_write (t, f, NULL));
  fclose (f);
  return buf;
}

/* Writing a planes fabric and reading it back gives the same planes,
 * pods, links and names, and writes the same text again. */
static void
planes_roundtrip (uint32_t tiers)
{
  g_autoptr (Topo) t = make_planes (40, 4, 16, tiers, 4);
  size_t len, len2;
  g_autofree char *text = ibnet_text (t, &len);
  g_autoptr (GError) error = NULL;
  g_autoptr (Topo) r = ibnet_read_data (text, len, "mem", 8, &error);
  if (r == NULL)
    fail_msg ("%s", error->message);
  assert_int_equal (topo_n_planes (r), 4);
  assert_int_equal (topo_tiers (r), topo_tiers (t));
  assert_int_equal (topo_n_pods (r), topo_n_pods (t));
  for (int k = 0; k < TOPO_N_KINDS; k++)
    assert_int_equal (topo_count (r, (TopoKind) k),
                      topo_count (t, (TopoKind) k));
  char na[128], nb[128];
  for (int k = 0; k < TOPO_N_KINDS; k++)
    for (uint32_t i = 0; i < topo_index_limit (t, (TopoKind) k); i++)
      {
        topo_name (t, (TopoKind) k, i, na, sizeof na);
        topo_name (r, (TopoKind) k, i, nb, sizeof nb);
        assert_string_equal (na, nb);
      }
  for (uint32_t s = 0; s < topo_count (t, TOPO_SPINE); s++)
    assert_int_equal (topo_spine_pod (r, s), topo_spine_pod (t, s));
  for (uint32_t s = 0; s < topo_n_sus (t); s++)
    assert_int_equal (topo_su_pod (r, s), topo_su_pod (t, s));
  check_all_names (r);
  check_structure (r);
  g_autofree char *text2 = ibnet_text (r, &len2);
  assert_int_equal (len, len2);
  assert_memory_equal (text, text2, len);
}

static void
test_planes_ibnet (void **state)
{
  (void) state;
  planes_roundtrip (2);
  planes_roundtrip (3);
}

static void
params (TopoParams *p, uint32_t nodes, uint32_t radix, uint32_t planes)
{
  topo_params_init (p);
  p->nodes = nodes;
  p->radix = radix;
  p->planes = planes;
}

/* The estimate is made from counts before building; it must be what the
 * built tree reports, for every shape: 2 and 3 tiers, one fabric and
 * per-rail planes, oversubscribed leaves, a partial last SU, 1M GPUs. */
static void
test_estimate_matches_bytes (void **state)
{
  (void) state;
  struct { uint32_t nodes, radix, planes, su; double over; } cases[] = {
    { 1, 64, 0, 32, 1.0 },       { 100, 64, 0, 32, 1.0 },
    { 2048, 64, 0, 32, 1.0 },    { 2048, 64, 0, 32, 3.0 },
    { 1000, 64, 8, 20, 1.0 },    { 12500, 64, 0, 32, 1.0 },
    { 125000, 128, 0, 32, 1.0 },
  };
  for (size_t i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      TopoParams p;
      params (&p, cases[i].nodes, cases[i].radix, cases[i].planes);
      p.su_size = cases[i].su;
      p.oversubscription = cases[i].over;
      GError *error = NULL;
      uint64_t est = topo_fattree_estimate_bytes (&p, &error);
      assert_null (error);
      Topo *t = topo_new_fattree_limited (&p, 0, NULL, &error);
      assert_null (error);
      assert_non_null (t);
      assert_int_equal (est, topo_bytes (t));
      topo_free (t);
    }
  /* impossible parameters: 0 and the parameter error */
  TopoParams p;
  params (&p, 0, 64, 0);
  GError *error = NULL;
  assert_int_equal (topo_fattree_estimate_bytes (&p, &error), 0);
  assert_true (g_error_matches (error, TOPO_ERROR, TOPO_ERROR_PARAM));
  g_error_free (error);
}

/* An injected limit: just below the run estimate is refused with a
 * message naming the size, the estimate, the limit and the fix; at the
 * estimate, and with no limit, the tree is built. */
static void
test_memory_limit_injected (void **state)
{
  (void) state;
  TopoParams p;
  params (&p, 125000, 128, 0); /* 1M GPUs */
  uint64_t est = topo_fattree_estimate_bytes (&p, NULL);
  assert_true (est > 0);
  uint64_t run = est * TOPO_RUN_BYTES_FACTOR;

  GError *error = NULL;
  Topo *t = topo_new_fattree_limited (&p, run - 1, "the test's limit",
                                      &error);
  assert_null (t);
  assert_true (g_error_matches (error, TOPO_ERROR, TOPO_ERROR_MEMORY));
  assert_non_null (strstr (error->message, "nodes = 125000 (1000000 GPUs)"));
  assert_non_null (strstr (error->message, "of the test's limit"));
  assert_non_null (strstr (error->message, "lower cluster.nodes"));
  /* the estimate and the limit, in MiB (both below 1 GiB here) */
  char want[64];
  g_snprintf (want, sizeof want, "about %.0f MiB",
              (double) run / (1 << 20));
  assert_non_null (strstr (error->message, want));
  g_snprintf (want, sizeof want, "than the %.0f MiB",
              (double) (run - 1) / (1 << 20));
  assert_non_null (strstr (error->message, want));
  /* the node count offered as the fix is below the request */
  const char *fix = strstr (error->message, "--set cluster.nodes=");
  assert_non_null (fix);
  long fit = strtol (fix + strlen ("--set cluster.nodes="), NULL, 10);
  assert_true (fit > 0 && fit < 125000);
  g_clear_error (&error);

  t = topo_new_fattree_limited (&p, run, "the test's limit", &error);
  assert_null (error);
  assert_non_null (t);
  topo_free (t);

  /* the bomb of the issue: 10M nodes at radix 1024 (~6 GB of topology)
   * against 16 GiB is refused without allocating it */
  params (&p, 10000000, 1024, 0);
  t = topo_new_fattree_limited (&p, (uint64_t) 16 << 30, "16 GiB", &error);
  assert_null (t);
  assert_true (g_error_matches (error, TOPO_ERROR, TOPO_ERROR_MEMORY));
  assert_non_null (strstr (error->message, "GiB"));
  g_clear_error (&error);
}

/* topo_memory_limit() honours RLIMIT_AS: set in a child (which allocates
 * nothing afterwards), it must be the limit reported, named as such. */
static void
test_memory_limit_rlimit (void **state)
{
  (void) state;
  const char *what = NULL;
  uint64_t phys = topo_memory_limit (&what);
  assert_true (phys > 0);
  rlim_t want = (rlim_t) (phys / 2);
  pid_t pid = fork ();
  assert_true (pid >= 0);
  if (pid == 0)
    {
      struct rlimit rl;
      if (getrlimit (RLIMIT_AS, &rl) != 0)
        _exit (3);
      rl.rlim_cur = want;
      if (setrlimit (RLIMIT_AS, &rl) != 0)
        _exit (4);
      const char *w = NULL;
      uint64_t got = topo_memory_limit (&w);
      if (got != (uint64_t) want)
        _exit (5);
      if (w == NULL || strstr (w, "RLIMIT_AS") == NULL)
        _exit (6);
      _exit (0);
    }
  int status = 0;
  assert_int_equal (waitpid (pid, &status, 0), pid);
  assert_true (WIFEXITED (status));
  assert_int_equal (WEXITSTATUS (status), 0);
}

int
main (void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test (test_names),
    cmocka_unit_test (test_lookup_roundtrip),
    cmocka_unit_test (test_glob),
    cmocka_unit_test (test_structure),
    cmocka_unit_test (test_bad_params),
    cmocka_unit_test (test_oversubscription),
    cmocka_unit_test (test_planes_100k),
    cmocka_unit_test (test_planes_1m),
    cmocka_unit_test (test_planes_names),
    cmocka_unit_test (test_planes_ibnet),
    cmocka_unit_test (test_estimate_matches_bytes),
    cmocka_unit_test (test_memory_limit_injected),
    cmocka_unit_test (test_memory_limit_rlimit),
  };
  return cmocka_run_group_tests (tests, NULL, NULL);
}
