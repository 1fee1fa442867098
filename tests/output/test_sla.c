/* tests/output/test_sla.c - lib/sla.h on a hand-made event stream whose
 * answers are known: an incident's time to detect, cordon, drain,
 * remediate and recover, grouped by its first remediation's recommended
 * action; reboot waits; quarantined nodes (max, when, time average);
 * circuit-breaker trips and repair pauses counted from the policy's
 * notes; unresolved incidents; the type-7 quantile against hand-computed
 * values; no object when nothing happened. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <math.h>

#include <cmocka.h>
#include <glib.h>
#include <json-glib/json-glib.h>

#include "sla.h"

static Sla *s;

static void
emit (WorldEventKind k, double t_s, int node, const char *detail,
      const char *reason)
{
  WorldEvent e;
  memset (&e, 0, sizeof e);
  e.kind = k;
  e.time = (SimTime) llround (t_s * 1e6);
  e.node = node;
  e.component = "n";
  if (k == WEV_NODE_STATE)
    {
      /* detail: the new state's name */
      int st = 0;
      while (st < WORLD_NODE_N_STATES
             && strcmp (world_node_state_name (st), detail) != 0)
        st++;
      assert_true (st < WORLD_NODE_N_STATES);
      e.node_state.to = st;
    }
  else if (k == WEV_POLICY_ACTION)
    {
      e.action.action = detail;
      e.action.reason = reason;
    }
  sla_listener (&e, s);
}

static double
get (JsonObject *o, const char *path)
{
  g_auto (GStrv) parts = g_strsplit (path, ".", -1);
  for (int i = 0; parts[i + 1] != NULL; i++)
    o = json_object_get_object_member (o, parts[i]);
  JsonNode *n = json_object_get_member (o, parts[g_strv_length (parts) - 1]);
  assert_non_null (n);
  return JSON_NODE_HOLDS_NULL (n) ? NAN : json_node_get_double (n);
}

static void
test_quantile (void **state)
{
  (void) state;
  double x[] = { 1, 2, 3, 4 };
  assert_float_equal (sla_quantile (x, 4, 0.5), 2.5, 1e-12);
  assert_float_equal (sla_quantile (x, 4, 0.9), 3.7, 1e-12);
  assert_float_equal (sla_quantile (x, 4, 0.0), 1, 1e-12);
  assert_float_equal (sla_quantile (x, 4, 1.0), 4, 1e-12);
  assert_float_equal (sla_quantile (x, 1, 0.99), 1, 1e-12);
  assert_true (isnan (sla_quantile (x, 0, 0.5)));
}

static void
test_incidents (void **state)
{
  (void) state;
  s = sla_new (4);
  /* in time order, as the world emits them:
   * node 0: Xid at 0, cordon + drain at 60 s, reboot at 120 s (drained),
   *   back at 720 s;
   * node 1: fault at 100, evict + reset at 400 (detect 5 min), the reset
   *   fails, ticket at 700, back at 7300;
   * node 2: fault at 200, the breaker trips and skips it: never repaired;
   * node 3: an auto-repair pause note. */
  emit (WEV_NODE_FAILED, 0, 0, NULL, NULL);
  emit (WEV_POLICY_ACTION, 60, 0, "cordon", "x");
  emit (WEV_NODE_STATE, 60, 0, "cordoned", NULL);
  emit (WEV_POLICY_ACTION, 60, 0, "drain", "x");
  emit (WEV_NODE_FAILED, 100, 1, NULL, NULL);
  emit (WEV_POLICY_ACTION, 120, 0, "reboot", "x");
  emit (WEV_NODE_FAILED, 200, 2, NULL, NULL);
  emit (WEV_POLICY_ACTION, 200, 2, "none", "circuit breaker tripped: too many");
  emit (WEV_POLICY_ACTION, 200, 2, "none", "circuit breaker open: quarantine skipped");
  emit (WEV_NODE_STATE, 200, 2, "cordoned", NULL);
  emit (WEV_POLICY_ACTION, 300, 3, "none", "auto repair paused: too much");
  emit (WEV_POLICY_ACTION, 400, 1, "evict", "x");
  emit (WEV_POLICY_ACTION, 400, 1, "reset_gpu", "x");
  emit (WEV_NODE_STATE, 400, 1, "remediating", NULL);
  emit (WEV_POLICY_ACTION, 700, 1, "open_ticket", "x");
  emit (WEV_NODE_STATE, 700, 1, "in_repair", NULL);
  emit (WEV_POLICY_ACTION, 720, 0, "return_to_service", "ok");
  emit (WEV_NODE_STATE, 720, 0, "healthy", NULL);
  emit (WEV_POLICY_ACTION, 7300, 1, "return_to_service", "ok");
  emit (WEV_NODE_STATE, 7300, 1, "healthy", NULL);
  sla_finish (s, (SimTime) 36000 * 1000000);

  g_autoptr (JsonNode) root = sla_summary (s);
  assert_non_null (root);
  JsonObject *r = json_node_get_object (root);
  assert_float_equal (get (r, "incidents"), 3, 0);
  assert_float_equal (get (r, "unresolved"), 1, 0);
  assert_float_equal (get (r, "circuit_breaker_trips"), 1, 0);
  assert_float_equal (get (r, "repair_pauses"), 1, 0);
  /* RESTART_BM: node 0 */
  assert_float_equal (get (r, "by_action.RESTART_BM.incidents"), 1, 0);
  assert_float_equal (get (r, "by_action.RESTART_BM.detect_minutes.p50"), 1, 1e-9);
  assert_float_equal (get (r, "by_action.RESTART_BM.cordon_minutes.p50"), 1, 1e-9);
  assert_float_equal (get (r, "by_action.RESTART_BM.drain_minutes.p50"), 2, 1e-9);
  assert_float_equal (get (r, "by_action.RESTART_BM.remediate_minutes.p50"), 10, 1e-9);
  assert_float_equal (get (r, "by_action.RESTART_BM.mttr_hours.p99"), 0.2, 1e-9);
  /* COMPONENT_RESET (the first remediation), though it ended in a ticket */
  assert_float_equal (get (r, "by_action.COMPONENT_RESET.detect_minutes.p50"), 5, 1e-9);
  assert_float_equal (get (r, "by_action.COMPONENT_RESET.remediate_minutes.p50"),
                      (7300 - 400) / 60.0, 1e-9);
  assert_float_equal (get (r, "by_action.COMPONENT_RESET.mttr_hours.p50"), 2, 1e-9);
  /* NONE: node 2, detected, never cordoned or remediated */
  assert_float_equal (get (r, "by_action.NONE.incidents"), 1, 0);
  assert_float_equal (get (r, "by_action.NONE.resolved"), 0, 0);
  assert_true (isnan (get (r, "by_action.NONE.mttr_hours.p50")));
  /* all: MTTR of the two resolved, 0.2 h and 2 h */
  assert_float_equal (get (r, "by_action.all.mttr_hours.p50"), 1.1, 1e-9);
  assert_float_equal (get (r, "by_action.all.resolved"), 2, 0);
  /* reboot wait: 120 -> 720 */
  assert_float_equal (get (r, "reboot_wait_minutes.count"), 1, 0);
  assert_float_equal (get (r, "reboot_wait_minutes.p50"), 10, 1e-9);
  /* quarantined: 0 out 60..720, 1 out 400..7300, 2 out 200..end */
  assert_float_equal (get (r, "quarantined_nodes.max"), 3, 0);
  assert_float_equal (get (r, "quarantined_nodes.max_at_hours"), 400 / 3600.0, 1e-9);
  double area = (720 - 60) + (7300 - 400) + (36000 - 200);
  assert_float_equal (get (r, "quarantined_nodes.mean"), area / 36000, 1e-9);
  g_autoptr (GString) csv = sla_quarantine_csv (s);
  assert_true (g_str_has_prefix (csv->str, "t_h,quarantined\n0,0\n"));
  assert_non_null (strstr (csv->str, "\n2.0277777777777777,1\n"));
  sla_free (s);
}

static void
test_nothing (void **state)
{
  (void) state;
  s = sla_new (2);
  emit (WEV_JOB_STARTED, 10, -1, NULL, NULL);
  sla_finish (s, 1000000);
  assert_null (sla_summary (s));
  sla_free (s);
}

int
main (void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test (test_quantile),
    cmocka_unit_test (test_incidents),
    cmocka_unit_test (test_nothing),
  };
  return cmocka_run_group_tests (tests, NULL, NULL);
}
