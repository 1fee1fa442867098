/* tests/output/test_healthevents.c - lib/healthevents.h fed a hand-made
 * event stream: every line of health_events.jsonl is one JSON object with
 * the schema's fields in their types; an Xid fault names its GPU (index
 * and a deterministic GPU-UUID from the component name), its error code,
 * fatality and recommended action from the Xid table (application Xids
 * are not fatal); actions carry their Kubernetes effect (cordon:
 * unschedulable + taint + condition True; return to service: healthy,
 * condition False); the timestamp counts from 2025-01-01T00:00:00Z; abort
 * leaves no file. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>
#include <glib.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>

#include "healthevents.h"

static WorldEvent
ev_make (WorldEventKind kind, double t_s, const char *component, int node)
{
  WorldEvent e;
  memset (&e, 0, sizeof e);
  e.kind = kind;
  e.time = (SimTime) (t_s * 1e6);
  e.component = component;
  e.node = node;
  return e;
}

static GPtrArray *
read_lines (const char *path)
{
  g_autofree char *text = NULL;
  g_assert_true (g_file_get_contents (path, &text, NULL, NULL));
  GPtrArray *objs = g_ptr_array_new_with_free_func ((GDestroyNotify) json_node_unref);
  g_auto (GStrv) lines = g_strsplit (text, "\n", -1);
  for (int i = 0; lines[i] != NULL; i++)
    {
      if (*lines[i] == '\0')
        continue;
      g_autoptr (JsonParser) p = json_parser_new ();
      assert_true (json_parser_load_from_data (p, lines[i], -1, NULL));
      JsonNode *root = json_parser_get_root (p);
      assert_true (JSON_NODE_HOLDS_OBJECT (root));
      g_ptr_array_add (objs, json_node_copy (root));
    }
  return objs;
}

static JsonObject *
line (GPtrArray *a, guint i)
{
  assert_true (i < a->len);
  return json_node_get_object (g_ptr_array_index (a, i));
}

static void
check_schema (JsonObject *o)
{
  static const char *const strs[] = { "agent", "componentClass", "checkName",
                                      "message", "recommendedAction",
                                      "nodeName", "generatedTimestamp" };
  for (size_t i = 0; i < G_N_ELEMENTS (strs); i++)
    {
      assert_true (json_object_has_member (o, strs[i]));
      assert_true (json_node_get_value_type (json_object_get_member (o, strs[i]))
                   == G_TYPE_STRING);
    }
  assert_true (json_node_get_value_type (json_object_get_member (o, "isFatal"))
               == G_TYPE_BOOLEAN);
  assert_true (json_node_get_value_type (json_object_get_member (o, "isHealthy"))
               == G_TYPE_BOOLEAN);
  assert_true (JSON_NODE_HOLDS_ARRAY (json_object_get_member (o, "errorCode")));
  assert_true (JSON_NODE_HOLDS_ARRAY (json_object_get_member (o, "entitiesImpacted")));
}

static void
test_stream (void **state)
{
  (void) state;
  g_autofree char *dir = g_dir_make_tmp ("fl-he-XXXXXX", NULL);
  HealthEvents *h = healthevents_open (dir, "nvsentinel", 4, NULL);
  assert_non_null (h);

  WorldEvent e = ev_make (WEV_COMPONENT_FAILED, 10, "node0001/gpu3", -1);
  e.fault.xid = 79;
  healthevents_listener (&e, h);
  e = ev_make (WEV_NODE_FAILED, 10, "node0001", 1);
  e.fault.xid = 79;
  e.fault.mode = "faulty_gpu";
  e.fault.cause = "Faulty GPU";
  healthevents_listener (&e, h);
  e = ev_make (WEV_POLICY_ACTION, 10, "node0001", 1);
  e.action.action = "cordon";
  e.action.reason = "SysLogsXIDError: fatal Xid, node reboot";
  healthevents_listener (&e, h);
  e.action.action = "reboot";
  e.time += 600 * 1000000LL;
  healthevents_listener (&e, h);
  e.action.action = "return_to_service";
  e.action.reason = "remediation cleared the fault";
  healthevents_listener (&e, h);
  /* an application Xid and a host fault */
  e = ev_make (WEV_COMPONENT_FAILED, 20, "node0002/gpu0", -1);
  healthevents_listener (&e, h);
  e = ev_make (WEV_NODE_FAILED, 20, "node0002", 2);
  e.fault.xid = 13;
  e.fault.mode = "app";
  e.fault.cause = "Software Bug";
  healthevents_listener (&e, h);
  e = ev_make (WEV_NODE_FAILED, 30, "node0003", 3);
  e.fault.mode = "psu";
  e.fault.cause = "Power Supply";
  healthevents_listener (&e, h);
  /* other events are not health events */
  e = ev_make (WEV_JOB_STARTED, 40, NULL, -1);
  e.job.name = "j";
  healthevents_listener (&e, h);
  assert_true (healthevents_close (h, NULL));

  g_autofree char *path = g_build_filename (dir, "health_events.jsonl", NULL);
  g_autoptr (GPtrArray) a = read_lines (path);
  assert_int_equal (a->len, 6);
  for (guint i = 0; i < a->len; i++)
    check_schema (line (a, i));

  JsonObject *f = line (a, 0);
  assert_string_equal (json_object_get_string_member (f, "agent"),
                       "syslog-health-monitor");
  assert_string_equal (json_object_get_string_member (f, "checkName"),
                       "SysLogsXIDError");
  assert_string_equal (json_object_get_string_member (f, "componentClass"), "GPU");
  assert_true (json_object_get_boolean_member (f, "isFatal"));
  assert_false (json_object_get_boolean_member (f, "isHealthy"));
  assert_string_equal (json_object_get_string_member (f, "recommendedAction"),
                       "RESTART_BM");
  assert_string_equal (json_object_get_string_member (f, "nodeName"), "node0001");
  assert_string_equal (json_object_get_string_member (f, "generatedTimestamp"),
                       "2025-01-01T00:00:10.000Z");
  JsonArray *codes = json_object_get_array_member (f, "errorCode");
  assert_int_equal (json_array_get_length (codes), 1);
  assert_string_equal (json_array_get_string_element (codes, 0), "79");
  JsonArray *ents = json_object_get_array_member (f, "entitiesImpacted");
  assert_int_equal (json_array_get_length (ents), 2);
  JsonObject *gpu = json_array_get_object_element (ents, 0);
  assert_string_equal (json_object_get_string_member (gpu, "entityValue"), "3");
  JsonObject *uu = json_array_get_object_element (ents, 1);
  assert_string_equal (json_object_get_string_member (uu, "entityType"), "GPU_UUID");
  char uuid[48], other[48];
  assert_string_equal (json_object_get_string_member (uu, "entityValue"),
                       healthevents_gpu_uuid ("node0001/gpu3", uuid, sizeof uuid));
  /* deterministic, distinct per GPU, nvidia-smi's layout */
  assert_string_equal (uuid, healthevents_gpu_uuid ("node0001/gpu3", other, sizeof other));
  assert_string_not_equal (uuid, healthevents_gpu_uuid ("node0001/gpu4", other, sizeof other));
  assert_true (g_regex_match_simple ("^GPU-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-"
                                     "[0-9a-f]{4}-[0-9a-f]{12}$", uuid, 0, 0));

  JsonObject *c = line (a, 1);
  assert_string_equal (json_object_get_string_member (c, "agent"), "fault-quarantine");
  JsonObject *k = json_object_get_object_member (c, "kubernetes");
  assert_true (json_object_get_boolean_member (k, "unschedulable"));
  assert_string_equal (json_array_get_string_element (
                         json_object_get_array_member (k, "taints"), 0),
                       "nvidia.com/gpu-xid-error:NoSchedule");
  JsonObject *cond = json_array_get_object_element (
    json_object_get_array_member (k, "conditions"), 0);
  assert_string_equal (json_object_get_string_member (cond, "type"), "SysLogsXIDError");
  assert_string_equal (json_object_get_string_member (cond, "status"), "True");

  JsonObject *r = line (a, 2);
  assert_string_equal (json_object_get_string_member (r, "agent"), "fault-remediation");
  assert_string_equal (json_object_get_string_member (
                         json_object_get_object_member (r, "kubernetes"), "remediation"),
                       "RebootNode");
  assert_string_equal (json_object_get_string_member (r, "generatedTimestamp"),
                       "2025-01-01T00:10:10.000Z");

  JsonObject *back = line (a, 3);
  assert_true (json_object_get_boolean_member (back, "isHealthy"));
  assert_false (json_object_get_boolean_member (back, "isFatal"));
  assert_string_equal (json_object_get_string_member (back, "recommendedAction"), "NONE");
  k = json_object_get_object_member (back, "kubernetes");
  assert_false (json_object_get_boolean_member (k, "unschedulable"));
  cond = json_array_get_object_element (json_object_get_array_member (k, "conditions"), 0);
  assert_string_equal (json_object_get_string_member (cond, "status"), "False");

  JsonObject *app = line (a, 4);
  assert_false (json_object_get_boolean_member (app, "isFatal"));
  assert_string_equal (json_object_get_string_member (app, "recommendedAction"),
                       "RESTART_APP");
  JsonObject *host = line (a, 5);
  assert_string_equal (json_object_get_string_member (host, "componentClass"), "NODE");
  assert_int_equal (json_array_get_length (
                      json_object_get_array_member (host, "entitiesImpacted")), 0);
  assert_int_equal (json_array_get_length (
                      json_object_get_array_member (host, "errorCode")), 0);
  g_remove (path);
  g_rmdir (dir);
}

static void
test_abort_leaves_nothing (void **state)
{
  (void) state;
  g_autofree char *dir = g_dir_make_tmp ("fl-he-XXXXXX", NULL);
  HealthEvents *h = healthevents_open (dir, "standard", 2, NULL);
  WorldEvent e = ev_make (WEV_NODE_FAILED, 1, "node0000", 0);
  healthevents_listener (&e, h);
  healthevents_abort (h);
  g_autoptr (GDir) d = g_dir_open (dir, 0, NULL);
  assert_null (g_dir_read_name (d));
  g_rmdir (dir);
}

int
main (void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test (test_stream),
    cmocka_unit_test (test_abort_leaves_nothing),
  };
  return cmocka_run_group_tests (tests, NULL, NULL);
}
