/* tests/output/test_tools.c - the topology and benchmark API
 * (faultline.h, lib/tools.c) as an embedding program uses it: NVIDIA's
 * 16,384-GPU reference counts through fl_topology_write's JSON, the
 * ibnetdiscover round trip, refusals as FL_ERROR_INPUT, and PHOLD handling
 * the same events on every queue. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <json-glib/json-glib.h>
#include <stdio.h>
#include <unistd.h>

#include "faultline.h"

/* Writes t in fmt to a temporary file and returns its text. */
static char *
write_to_string (const FlTopology *t, const char *fmt, bool inventory)
{
  FILE *f = tmpfile ();
  assert_non_null (f);
  GError *error = NULL;
  assert_true (fl_topology_write (t, fmt, inventory, f, &error));
  assert_null (error);
  long n = ftell (f);
  rewind (f);
  char *text = g_malloc0 (n + 1);
  assert_int_equal (fread (text, 1, n, f), n);
  fclose (f);
  return text;
}

static gint64
count (JsonObject *root, const char *key)
{
  return json_object_get_int_member (json_object_get_object_member (root, "counts"), key);
}

static void
test_reference_fabric (void **state)
{
  (void) state;
  FlTopologyParams p;
  fl_topology_params_init (&p);
  assert_int_equal (p.gpus_per_node, 8);
  p.nodes = 16384 / p.gpus_per_node;
  GError *error = NULL;
  FlTopology *t = fl_topology_new (&p, &error);
  assert_non_null (t);
  g_autofree char *json = write_to_string (t, "json", false);
  g_autoptr (JsonParser) parser = json_parser_new ();
  assert_true (json_parser_load_from_data (parser, json, -1, NULL));
  JsonObject *root = json_node_get_object (json_parser_get_root (parser));
  /* B200 reference architecture, 64 SUs (field-data.md 9.5) */
  assert_int_equal (count (root, "gpus"), 16384);
  assert_int_equal (count (root, "leaves"), 512);
  assert_int_equal (count (root, "spines"), 512);
  assert_int_equal (count (root, "cores"), 256);
  fl_topology_free (t);
}

static void
test_ibnet_round_trip (void **state)
{
  (void) state;
  FlTopologyParams p;
  fl_topology_params_init (&p);
  p.nodes = 40;
  FlTopology *t = fl_topology_new (&p, NULL);
  assert_non_null (t);
  g_autofree char *ib = write_to_string (t, "ibnetdiscover", false);
  g_autofree char *text = write_to_string (t, "text", false);
  fl_topology_free (t);
  g_autofree char *path = NULL;
  int fd = g_file_open_tmp ("fl-tools-XXXXXX.ibnet", &path, NULL);
  assert_true (fd >= 0);
  assert_true (g_file_set_contents (path, ib, -1, NULL));
  close (fd);
  GError *error = NULL;
  FlTopology *back = fl_topology_from_ibnet (path, 0, &error);
  assert_non_null (back);
  g_autofree char *ib2 = write_to_string (back, "ibnetdiscover", false);
  assert_string_equal (ib, ib2);
  fl_topology_free (back);
  unlink (path);
  assert_non_null (strstr (text, "rail-optimised fat tree of 40 nodes"));
}

static void
test_refusals (void **state)
{
  (void) state;
  GError *error = NULL;
  FlTopologyParams p;
  fl_topology_params_init (&p);
  p.nodes = 64;
  p.radix = 3;
  assert_null (fl_topology_new (&p, &error));
  assert_true (g_error_matches (error, FL_ERROR, FL_ERROR_INPUT));
  assert_int_equal (fl_error_exit_status (error), 2);
  g_clear_error (&error);
  assert_null (fl_topology_from_scenario ("/nonexistent/x.lua", &error));
  assert_true (g_error_matches (error, FL_ERROR, FL_ERROR_INPUT));
  assert_non_null (strstr (error->message, "/nonexistent/x.lua"));
  g_clear_error (&error);
  assert_null (fl_topology_from_ibnet ("/nonexistent/f.ibnet", 0, &error));
  assert_true (g_error_matches (error, FL_ERROR, FL_ERROR_INPUT));
  g_clear_error (&error);
  p.radix = 64;
  FlTopology *t = fl_topology_new (&p, NULL);
  FILE *f = tmpfile ();
  assert_false (fl_topology_write (t, "svg", false, f, &error));
  assert_non_null (strstr (error->message, "svg"));
  g_clear_error (&error);
  fclose (f);
  fl_topology_free (t);
  fl_topology_free (NULL);
}

static void
test_phold_queues_agree (void **state)
{
  (void) state;
  const char *queues[] = { NULL, "heap", "reference" };
  uint64_t events[3];
  for (int i = 0; i < 3; i++)
    {
      FlPholdParams p;
      fl_phold_params_init (&p);
      p.lps = 300;
      p.population = 4;
      p.end = 10;
      p.seed = 5;
      p.queue = queues[i];
      FlPholdResult r;
      assert_true (fl_bench_phold (&p, &r, NULL));
      events[i] = r.events;
      /* L x M events at start, each rescheduling one until T = 10 mean
       * delays: about L M T handled; far from it means a broken run. */
      assert_true (r.events > 300 * 4 * 5 && r.events < 300 * 4 * 20);
    }
  assert_int_equal (events[0], events[1]);
  assert_int_equal (events[0], events[2]);
  FlPholdParams p;
  fl_phold_params_init (&p);
  p.queue = "calendar";
  FlPholdResult r;
  GError *error = NULL;
  assert_false (fl_bench_phold (&p, &r, &error));
  assert_non_null (strstr (error->message, "calendar"));
  g_clear_error (&error);
}

static void
test_bench_topo_picks_radix (void **state)
{
  (void) state;
  FlTopoBenchResult r;
  assert_true (fl_bench_topo (16384, 8, 0, &r, NULL));
  assert_int_equal (r.radix, 64);
  assert_int_equal (r.switches, 1280);
  assert_true (r.bytes > 0);
  GError *error = NULL;
  assert_false (fl_bench_topo (0, 8, 0, &r, &error));
  g_clear_error (&error);
}

int
main (void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test (test_reference_fabric),
    cmocka_unit_test (test_ibnet_round_trip),
    cmocka_unit_test (test_refusals),
    cmocka_unit_test (test_phold_queues_agree),
    cmocka_unit_test (test_bench_topo_picks_radix),
  };
  return cmocka_run_group_tests (tests, NULL, NULL);
}
