/* tests/policy/test_plugin.c - loading health policies from .so files:
 * the documented example plugin loads, observes and acts through the
 * HealthPolicy wrapper; a version-7 plugin, a .so without the entry
 * symbol, a missing file, a non-ELF file, the entry exported as data, a
 * truncated .so and one built for another architecture are each refused
 * with a message naming the problem. Paths come from the environment (tests/policy/meson.build). */
#include <glib/gstdio.h>
#include <string.h>
#include <unistd.h>

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
  assert_non_null (strstr (error->message, "not an ELF file"));
  g_clear_error (&error);
}

/* [-] Writes len bytes of src into a new temporary file, patched at off
 * (when patch_len > 0). Returns: (transfer full) its path. */
static char *
write_copy (const char *src, gsize len, gsize off, const void *patch,
            gsize patch_len)
{
  g_autofree char *data = NULL;
  gsize n = 0;
  assert_true (g_file_get_contents (src, &data, &n, NULL));
  assert_true (len <= n && off + patch_len <= len);
  if (patch_len > 0)
    memcpy (data + off, patch, patch_len);
  char *path = NULL;
  int fd = g_file_open_tmp ("fl-plugin-XXXXXX.so", &path, NULL);
  assert_true (fd >= 0);
  close (fd);
  assert_true (g_file_set_contents (path, data, (gssize) len, NULL));
  return path;
}

/* Malformed plugins are refused before dlopen, with a message that says
 * what is wrong: the entry symbol exported as data (calling it would jump
 * into data), a truncated .so (a segment past the end of the file), a
 * .so built for another architecture. */
static void
test_malformed (void **state)
{
  GError *error = NULL;
  assert_null (health_plugin_load (env_path ("FL_TEST_PLUGIN_DATA"), &error));
  assert_true (g_error_matches (error, HEALTH_ERROR, HEALTH_ERROR_PLUGIN));
  assert_non_null (strstr (error->message, "is not a function (it is "
                           "exported as data)"));
  g_clear_error (&error);

  const char *good = env_path ("FL_TEST_PLUGIN");
  g_autofree char *data = NULL;
  gsize n = 0;
  assert_true (g_file_get_contents (good, &data, &n, NULL));
  for (gsize cut = 0; cut < n; cut += n / 7 + 1)
    {
      g_autofree char *p = write_copy (good, cut, 0, NULL, 0);
      assert_null (health_plugin_load (p, &error));
      assert_true (g_error_matches (error, HEALTH_ERROR, HEALTH_ERROR_PLUGIN));
      if (cut >= 64)
        assert_non_null (strstr (error->message, "truncated"));
      g_clear_error (&error);
      g_unlink (p);
    }

  /* e_machine (offset 18, 2 bytes, this machine's byte order) of another
   * architecture */
  guint16 other = 183; /* EM_AARCH64 */
  if (memcmp (data + 18, &other, 2) == 0)
    other = 62; /* EM_X86_64 */
  g_autofree char *arch = write_copy (good, n, 18, &other, 2);
  assert_null (health_plugin_load (arch, &error));
  assert_true (g_error_matches (error, HEALTH_ERROR, HEALTH_ERROR_PLUGIN));
  assert_non_null (strstr (error->message, other == 183 ? "built for aarch64"
                                                        : "built for x86-64"));
  assert_non_null (strstr (error->message, "rebuild the plugin"));
  g_clear_error (&error);
  g_unlink (arch);
}

/* A class whose next wake-up is always its last one ("now") */
static HealthTimeMs stuck_at = 5000;
static void *stuck_create (const HealthParams *p, uint32_t n, uint32_t l) { return &stuck_at; }
static void stuck_destroy (void *s) { }
static void stuck_observe (void *s, const HealthObs *o, HealthActionSink *k) { }
static HealthNodeState stuck_state (void *s, uint32_t n) { return HEALTH_NODE_HEALTHY; }
static HealthTimeMs stuck_next (void *s) { return *(HealthTimeMs *) s; }
static void stuck_wakeup (void *s, HealthTimeMs now, HealthActionSink *k) { }
static const HealthPolicyClass stuck_class = {
  HEALTH_API_VERSION, "stuck", stuck_create, stuck_destroy, stuck_observe,
  stuck_state, NULL, stuck_next, stuck_wakeup,
};

/* A policy (a plugin's, typically) whose next wake-up never moves past
 * now would be woken for ever at one instant: after 1000 wake-ups at one
 * millisecond the next is 1 s later; one beyond 10^15 ms is never. */
static void
test_stuck_wakeup (void **state)
{
  HealthParams hp;
  health_params_default (&hp, "standard");
  GError *error = NULL;
  HealthPolicy *p = health_policy_new (&stuck_class, &hp, 4, 4, &error);
  assert_non_null (p);
  GArray *a = g_array_new (FALSE, FALSE, sizeof (HealthAction));
  assert_int_equal (health_policy_next_wakeup (p), 5000);
  int calls = 0;
  HealthTimeMs t;
  while ((t = health_policy_next_wakeup (p)) == 5000 && calls < 100000)
    {
      health_policy_wakeup (p, t, a);
      calls++;
    }
  assert_int_equal (calls, 1000);
  assert_int_equal (t, 6000);
  stuck_at = (HealthTimeMs) 1 << 60;
  assert_true (health_policy_next_wakeup (p) == HEALTH_TIME_NEVER);
  g_array_unref (a);
  health_policy_free (p);
}

int
main (void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test (test_example_plugin),
    cmocka_unit_test (test_wrong_version),
    cmocka_unit_test (test_missing_symbol),
    cmocka_unit_test (test_missing_file),
    cmocka_unit_test (test_malformed),
    cmocka_unit_test (test_stuck_wakeup),
  };
  return cmocka_run_group_tests (tests, NULL, NULL);
}
