/* tests/policy/test_plugin.c - loading health policies from .so files:
 * the documented example plugin loads, observes and acts through the
 * HealthPolicy wrapper; a version-7 plugin, a .so without the entry
 * symbol and a missing file are each refused with a message naming the
 * problem. Paths come from the environment (tests/policy/meson.build). */
#include <string.h>

#include "health_test_util.h"
#include "plugin.h"

static const char *
env_path (const char *var)
{
  const char *p = g_getenv (var);
  if (p == NULL)
    fail_msg ("%s not set: run this test through meson test", var);
  return p;
}

static void
test_example_plugin (void **state)
{
  GError *error = NULL;
  const HealthPolicyClass *cls;
  HealthPolicy *p;
  HealthObs o;
  GArray *a;

  cls = health_plugin_load (env_path ("FL_TEST_PLUGIN"), &error);
  assert_null (error);
  assert_non_null (cls);
  assert_int_equal (cls->api_version, HEALTH_API_VERSION);
  p = health_policy_new (cls, NULL, 4, 2, &error);
  assert_null (error);
  assert_non_null (p);
  assert_string_equal (health_policy_name (p), "reboot-then-ticket");

  o = obs_node (HEALTH_OBS_XID, 10, 3);
  o.xid = 79;
  a = feed (p, &o);
  assert_int_equal (a->len, 2);
  assert_int_equal (g_array_index (a, HealthAction, 0).kind, HEALTH_ACTION_EVICT);
  assert_int_equal (g_array_index (a, HealthAction, 1).kind, HEALTH_ACTION_REBOOT);
  assert_int_equal (g_array_index (a, HealthAction, 1).node, 3);
  g_array_free (a, TRUE);
  assert_int_equal (health_policy_node_state (p, 3), HEALTH_NODE_REMEDIATING);

  o = obs_node (HEALTH_OBS_ACTION_DONE, 20, 3);
  o.action = HEALTH_ACTION_REBOOT;
  o.ok = false;
  expect_actions (p, &o, HEALTH_ACTION_OPEN_TICKET, HEALTH_ACTION_NONE);
  o = obs_node (HEALTH_OBS_REPAIR_DONE, 30, 3);
  expect_actions (p, &o, HEALTH_ACTION_RETURN_TO_SERVICE, HEALTH_ACTION_NONE);
  assert_int_equal (health_policy_node_state (p, 3), HEALTH_NODE_HEALTHY);
  /* no link_state method: links read as active; no wakeups */
  assert_int_equal (health_policy_link_state (p, 1), HEALTH_LINK_ACTIVE);
  assert_int_equal (health_policy_next_wakeup (p), HEALTH_TIME_NEVER);
  health_policy_free (p);

  /* loading twice gives the same, still valid class */
  assert_ptr_equal (health_plugin_load (env_path ("FL_TEST_PLUGIN"), &error), cls);
}

static void
test_wrong_version (void **state)
{
  GError *error = NULL;
  assert_null (health_plugin_load (env_path ("FL_TEST_PLUGIN_V7"), &error));
  assert_true (g_error_matches (error, HEALTH_ERROR, HEALTH_ERROR_VERSION));
  assert_non_null (strstr (error->message,
                           "plugin from-the-future implements health API "
                           "version 7, faultline expects 1"));
  g_clear_error (&error);
}

static void
test_missing_symbol (void **state)
{
  GError *error = NULL;
  const char *path = env_path ("FL_TEST_PLUGIN_NOSYM");
  assert_null (health_plugin_load (path, &error));
  assert_true (g_error_matches (error, HEALTH_ERROR, HEALTH_ERROR_PLUGIN));
  assert_non_null (strstr (error->message, HEALTH_PLUGIN_SYMBOL));
  assert_non_null (strstr (error->message, path));
  g_clear_error (&error);
}

static void
test_missing_file (void **state)
{
  GError *error = NULL;
  assert_null (health_plugin_load ("/nonexistent/policy.so", &error));
  assert_true (g_error_matches (error, HEALTH_ERROR, HEALTH_ERROR_PLUGIN));
  assert_non_null (strstr (error->message, "/nonexistent/policy.so"));
  assert_non_null (strstr (error->message, "no such file"));
  g_clear_error (&error);

  /* a file that is not a shared object */
  {
    char *notso = g_build_filename (env_path ("FL_SOURCE_DIR"), "meson.build",
                                    NULL);
    assert_null (health_plugin_load (notso, &error));
    g_free (notso);
  }
  assert_true (g_error_matches (error, HEALTH_ERROR, HEALTH_ERROR_PLUGIN));
  assert_non_null (strstr (error->message, "cannot load"));
  g_clear_error (&error);
}

int
main (void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test (test_example_plugin),
    cmocka_unit_test (test_wrong_version),
    cmocka_unit_test (test_missing_symbol),
    cmocka_unit_test (test_missing_file),
  };
  return cmocka_run_group_tests (tests, NULL, NULL);
}
