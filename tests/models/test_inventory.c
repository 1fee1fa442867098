/* tests/models/test_inventory.c - the Kubernetes node inventory reader
 * (models/inventory.h): the shipped example, the order of nodes and
 * groups, the label options, and every refusal with its file:line. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <string.h>

#include "inventory.h"

/* One node as kubectl prints it; labels is a JSON object's inside. */
static char *
node_json (const char *name, const char *gpus, const char *labels)
{
  return g_strdup_printf (
    "{\n \"kind\": \"Node\",\n \"metadata\": {\n  \"name\": \"%s\",\n"
    "  \"labels\": {%s}\n },\n \"status\": {\n  \"capacity\": {\n"
    "   \"cpu\": \"224\"%s%s%s\n  }\n }\n}", name, labels ? labels : "",
    gpus ? ",\n   \"nvidia.com/gpu\": " : "", gpus ? gpus : "", "");
}

/* A List of nodes given as (name, gpus, labels) triples, NULL-ended. */
static char *
list_json (const char *first, ...)
{
  GString *s = g_string_new ("{\n\"kind\": \"List\",\n\"items\": [\n");
  va_list ap;
  va_start (ap, first);
  bool sep = false;
  for (const char *name = first; name != NULL; name = va_arg (ap, const char *))
    {
      const char *gpus = va_arg (ap, const char *);
      const char *labels = va_arg (ap, const char *);
      g_autofree char *n = node_json (name, gpus, labels);
      g_string_append_printf (s, "%s%s", sep ? ",\n" : "", n);
      sep = true;
    }
  va_end (ap);
  g_string_append (s, "\n]\n}\n");
  return g_string_free (s, FALSE);
}

static Inventory *
parse (const char *text, const InventoryLabels *lab, GError **error)
{
  return inventory_parse (text, strlen (text), "inv.json", lab, error);
}

/* The shipped example: 64 DGX H100 in two SUs of 32, racks of 4, one
 * hall, and three control-plane nodes without GPUs. */
static void
test_example (void **state)
{
  g_autofree char *path = g_build_filename (g_getenv ("FL_SOURCE_DIR"), "scenarios",
                                            "data", "dgx-h100-64.nodes.json", NULL);
  GError *error = NULL;
  Inventory *inv = inventory_load (path, NULL, &error);
  if (inv == NULL)
    fail_msg ("%s", error->message);
  assert_int_equal (inv->n_nodes, 64);
  assert_int_equal (inv->skipped, 3);
  assert_int_equal (inv->gpus_per_node, 8);
  assert_int_equal (inv->su_size, 32);
  assert_int_equal (inv->nodes_per_rack, 4);
  assert_int_equal (inv->nodes_per_zone, 64);
  assert_int_equal (g_strv_length (inv->names), 64);
  /* each rack's four nodes in a row, racks in order, SU 2 from r109 */
  for (uint32_t i = 0; i < 64; i++)
    {
      g_autofree char *want = g_strdup_printf ("dgx-r%u-n%u", 101 + i / 4, i % 4 + 1);
      assert_string_equal (inv->names[i], want);
    }
  inventory_free (inv);
}

/* Names in natural order within a group; groups ordered by zone, SU,
 * rack whatever the file's order; a label option of "" is not used, and
 * another key can be named. */
static void
test_order_and_labels (void **state)
{
  g_autofree char *t = list_json (
    "n10", "\"4\"", "\"su\": \"b\", \"r\": \"x2\"",
    "n2", "\"4\"", "\"su\": \"a\", \"r\": \"x1\"",
    "n1", "\"4\"", "\"su\": \"a\", \"r\": \"x1\"",
    "n3", "4", "\"su\": \"b\", \"r\": \"x2\"",
    "cpu1", NULL, "",
    NULL);
  InventoryLabels lab = { .su_label = "su", .rack_label = "r", .zone_label = "" };
  GError *error = NULL;
  Inventory *inv = parse (t, &lab, &error);
  if (inv == NULL)
    fail_msg ("%s", error->message);
  const char *want[] = { "n1", "n2", "n3", "n10" };
  for (int i = 0; i < 4; i++)
    assert_string_equal (inv->names[i], want[i]);
  assert_int_equal (inv->su_size, 2);
  assert_int_equal (inv->nodes_per_rack, 2);
  assert_int_equal (inv->nodes_per_zone, 0);
  assert_int_equal (inv->gpus_per_node, 4);
  assert_int_equal (inv->skipped, 1);
  inventory_free (inv);
  /* the default keys are not on these nodes: no groups */
  inv = parse (t, NULL, &error);
  assert_non_null (inv);
  assert_int_equal (inv->su_size, 0);
  assert_int_equal (inv->nodes_per_rack, 0);
  assert_string_equal (inv->names[0], "n1");
  inventory_free (inv);
  /* the last group may be smaller */
  g_autofree char *t2 = list_json (
    "a1", "\"8\"", "\"r\": \"r1\"", "a2", "\"8\"", "\"r\": \"r1\"",
    "a3", "\"8\"", "\"r\": \"r2\"", NULL);
  lab.su_label = "";
  inv = parse (t2, &lab, &error);
  assert_non_null (inv);
  assert_int_equal (inv->nodes_per_rack, 2);
  inventory_free (inv);
  /* one Node */
  g_autofree char *one = node_json ("solo", "\"8\"", NULL);
  inv = parse (one, NULL, &error);
  assert_non_null (inv);
  assert_int_equal (inv->n_nodes, 1);
  assert_string_equal (inv->names[0], "solo");
  inventory_free (inv);
}

/* Every refusal names inv.json and the line it is about. */
static void
test_errors (void **state)
{
  InventoryLabels lab = { .su_label = "su", .rack_label = "r", .zone_label = "" };
  struct
  {
    char *text;
    const char *msg;
  } cases[] = {
    { g_strdup ("{\"kind\": \"List\",\n \"items\": [\n {\"kind\": \"Node\",,}]}"),
      "inv.json:3:" },
    { g_strdup ("[1, 2]"), "inv.json:1: not a node list" },
    { g_strdup ("{\n\"kind\": \"Pod\"}"), "inv.json:2: not a node list" },
    { g_strdup ("{\n\"kind\": \"List\",\n\"items\": 3}"), "inv.json:2: a List without an array" },
    { g_strdup ("{\"kind\": \"List\", \"items\": [\n{\"kind\": \"Pod\"}]}"),
      "inv.json:2: an item of kind 'Pod'" },
    { g_strdup ("{\"kind\": \"List\", \"items\": [\n{\"metadata\":\n {\"uid\": \"x\"}}]}"),
      "inv.json:3: a node without a string metadata.name" },
    { list_json ("a", "\"8\"", NULL, "b/c", "\"8\"", NULL, NULL),
      "inv.json:20: node name 'b/c' must be" },
    { list_json ("a", "\"8\"", NULL, "a", "\"8\"", NULL, NULL),
      "inv.json:20: node a is listed twice (first on line 7)" },
    { list_json ("a", "\"eight\"", NULL, NULL), "inv.json:13: node a: capacity nvidia.com/gpu" },
    { list_json ("a", "\"65\"", NULL, NULL), "must be a whole number 0-64" },
    { list_json ("a", "-1", NULL, NULL), "must be a whole number 0-64" },
    { list_json ("a", "\"8\"", NULL, "b", "\"4\"", NULL, NULL),
      "inv.json:26: node b has 4 GPUs, node a (line 7) 8" },
    { list_json ("a", NULL, NULL, NULL), "inv.json: no node with nvidia.com/gpu" },
    { list_json ("a", "\"8\"", "\"r\": \"x\"", "b", "\"8\"", NULL, NULL),
      "inv.json:20: node b has no label r, node a (line 7) has" },
    { list_json ("a", "\"8\"", "\"r\": 3", NULL), "inv.json:8: node a: label r must be" },
    /* rack x spans two SUs */
    { list_json ("a", "\"8\"", "\"su\": \"s1\", \"r\": \"x\"",
                 "b", "\"8\"", "\"su\": \"s2\", \"r\": \"x\"", NULL),
      "inv.json:20: node b: rack 'x' (r) holds node a of scalable unit 's1' too" },
    /* racks of 2, 1, 2 */
    { list_json ("a", "\"8\"", "\"r\": \"r1\"", "b", "\"8\"", "\"r\": \"r1\"",
                 "c", "\"8\"", "\"r\": \"r2\"", "d", "\"8\"", "\"r\": \"r3\"",
                 "e", "\"8\"", "\"r\": \"r3\"", NULL),
      "inv.json:33: rack 'r2' (r) has 1 nodes, the first rack (r1) 2" },
    { list_json ("a", "\"8\"", "\"r\": \"r1\"", "b", "\"8\"", "\"r\": \"r2\"",
                 "c", "\"8\"", "\"r\": \"r2\"", NULL),
      "inv.json:20: the last rack, 'r2' (r), has 2 nodes, more than the others' 1" },
    { g_strdup ("{\"kind\": \"List\", \"items\": [1]}"), "inv.json: item 1 of 'items' is not an object" },
    { g_strdup (""), "inv.json:" },
    { g_strdup ("{\"kind\":\n\"\xff\"}"), "inv.json:2: not UTF-8" },
  };
  for (size_t i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      GError *error = NULL;
      Inventory *inv = parse (cases[i].text, &lab, &error);
      if (inv != NULL || error == NULL || strstr (error->message, cases[i].msg) == NULL)
        fail_msg ("case %zu: expected '%s', got '%s'\n%s", i, cases[i].msg,
                  error ? error->message : "(no error)", cases[i].text);
      assert_true (error->domain == INVENTORY_ERROR);
      g_error_free (error);
      g_free (cases[i].text);
    }
}

/* The example as a topology: names resolve both ways, GPUs follow their
 * node, a rack of the fat tree holds one inventory rack; a name that
 * starts as faultline's own does is refused. */
static void
test_topology (void **state)
{
  g_autofree char *path = g_build_filename (g_getenv ("FL_SOURCE_DIR"), "scenarios",
                                            "data", "dgx-h100-64.nodes.json", NULL);
  TopoParams p;
  topo_params_init (&p);
  p.nodes_per_rack = 8; /* the inventory's racks of 4 win */
  GError *error = NULL;
  Topo *t = inventory_topology (path, NULL, &p, &error);
  if (t == NULL)
    fail_msg ("%s", error->message);
  assert_int_equal (topo_count (t, TOPO_NODE), 64);
  TopoKind k;
  uint32_t i;
  assert_true (topo_lookup (t, "dgx-r102-n3", &k, &i));
  assert_int_equal (k, TOPO_NODE);
  assert_int_equal (i, 6);
  assert_true (topo_lookup (t, "dgx-r102-n3/gpu7", &k, &i));
  assert_int_equal (k, TOPO_GPU);
  assert_int_equal (i, 6 * 8 + 7);
  assert_false (topo_lookup (t, "node0006", &k, &i));
  char buf[64];
  topo_name (t, TOPO_NODE, 63, buf, sizeof buf);
  assert_string_equal (buf, "dgx-r116-n4");
  assert_int_equal (topo_node_rack (t, 4), topo_node_rack (t, 7));
  assert_true (topo_node_rack (t, 3) != topo_node_rack (t, 4));
  topo_free (t);

  TopoParams q;
  topo_params_init (&q);
  q.nodes = 2;
  Topo *two = topo_new_fattree (&q, NULL);
  char **bad = g_strsplit ("a rack-2", " ", -1);
  assert_false (topo_set_node_names (two, bad, &error));
  assert_non_null (strstr (error->message, "'rack-2' starts as"));
  g_clear_error (&error);
  char **dup = g_strsplit ("a a", " ", -1);
  assert_false (topo_set_node_names (two, dup, &error));
  assert_non_null (strstr (error->message, "given twice"));
  g_clear_error (&error);
  char **good = g_strsplit ("b1 b2", " ", -1);
  assert_true (topo_set_node_names (two, good, &error));
  assert_true (topo_lookup (two, "b2/nic1", &k, &i));
  assert_int_equal (k, TOPO_NIC);
  g_strfreev (bad);
  g_strfreev (dup);
  topo_free (two);
}

int
main (void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test (test_example),
    cmocka_unit_test (test_order_and_labels),
    cmocka_unit_test (test_errors),
    cmocka_unit_test (test_topology),
  };
  return cmocka_run_group_tests (tests, NULL, NULL);
}
