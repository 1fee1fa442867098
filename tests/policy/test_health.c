/* tests/policy/test_health.c - the "standard" health state machines driven
 * by observation sequences: Xid 79 evict+reboot, escalation reboot ->
 * reimage -> ticket -> burn-in -> service, flap damping (N vs N-1 changes),
 * lemon quarantine (K vs K-1 failures), a false-positive check resolved by
 * a passing diag, drain timeout through wakeup. Each check asserts the
 * actions and the state, with thresholds taken from the params, never
 * hard-coded copies of the defaults. */
#include "health_test_util.h"

#define MIN_MS HEALTH_MS_PER_MIN

static HealthPolicy *
standard_policy (const HealthParams *p, uint32_t nodes, uint32_t links)
{
  GError *error = NULL;
  HealthPolicy *pol = health_policy_new_named ("standard", p, nodes, links,
                                               &error);
  assert_null (error);
  assert_non_null (pol);
  return pol;
}

static void
test_xid79_evict_reboot (void **state)
{
  HealthPolicy *p = standard_policy (NULL, 4, 0);
  HealthObs o = obs_node (HEALTH_OBS_XID, 1000, 2);
  GArray *a;

  o.xid = 79;
  o.gpu = 5;
  a = feed (p, &o);
  assert_int_equal (a->len, 2);
  assert_int_equal (g_array_index (a, HealthAction, 0).kind, HEALTH_ACTION_EVICT);
  assert_int_equal (g_array_index (a, HealthAction, 1).kind, HEALTH_ACTION_REBOOT);
  assert_int_equal (g_array_index (a, HealthAction, 1).node, 2);
  assert_non_null (strstr (g_array_index (a, HealthAction, 1).reason, "79"));
  g_array_free (a, TRUE);
  assert_int_equal (health_policy_node_state (p, 2), HEALTH_NODE_REMEDIATING);
  assert_int_equal (health_policy_node_state (p, 1), HEALTH_NODE_HEALTHY);

  /* a second Xid while remediating is not acted on again */
  o.time = 2000;
  expect_actions (p, &o, HEALTH_ACTION_NONE);

  /* the reboot fixes it */
  o = obs_node (HEALTH_OBS_ACTION_DONE, 3000, 2);
  o.action = HEALTH_ACTION_REBOOT;
  o.ok = true;
  expect_actions (p, &o, HEALTH_ACTION_RETURN_TO_SERVICE, HEALTH_ACTION_NONE);
  assert_int_equal (health_policy_node_state (p, 2), HEALTH_NODE_HEALTHY);
  health_policy_free (p);
}

static void
test_escalation_to_ticket_and_back (void **state)
{
  HealthPolicy *p = standard_policy (NULL, 2, 0);
  HealthObs o = obs_node (HEALTH_OBS_XID, 0, 0);

  o.xid = 79;
  expect_actions (p, &o, HEALTH_ACTION_EVICT, HEALTH_ACTION_REBOOT,
                  HEALTH_ACTION_NONE);

  o = obs_node (HEALTH_OBS_ACTION_DONE, 10 * MIN_MS, 0);
  o.action = HEALTH_ACTION_REBOOT;
  o.ok = false;
  expect_actions (p, &o, HEALTH_ACTION_REIMAGE, HEALTH_ACTION_NONE);
  assert_int_equal (health_policy_node_state (p, 0), HEALTH_NODE_REMEDIATING);

  /* a stale report for the previous step changes nothing */
  o.time = 11 * MIN_MS;
  expect_actions (p, &o, HEALTH_ACTION_NONE);

  o = obs_node (HEALTH_OBS_ACTION_DONE, 40 * MIN_MS, 0);
  o.action = HEALTH_ACTION_REIMAGE;
  o.ok = false;
  expect_actions (p, &o, HEALTH_ACTION_OPEN_TICKET, HEALTH_ACTION_NONE);
  assert_int_equal (health_policy_node_state (p, 0), HEALTH_NODE_IN_REPAIR);

  o = obs_node (HEALTH_OBS_REPAIR_DONE, 48 * 60 * MIN_MS, 0);
  expect_actions (p, &o, HEALTH_ACTION_BURNIN, HEALTH_ACTION_NONE);
  assert_int_equal (health_policy_node_state (p, 0), HEALTH_NODE_BURN_IN);

  o = obs_node (HEALTH_OBS_BURNIN_RESULT, 52 * 60 * MIN_MS, 0);
  o.passed = true;
  expect_actions (p, &o, HEALTH_ACTION_RETURN_TO_SERVICE, HEALTH_ACTION_NONE);
  assert_int_equal (health_policy_node_state (p, 0), HEALTH_NODE_HEALTHY);
  health_policy_free (p);
}

static void
test_gpu_xid_ladder_starts_at_reset (void **state)
{
  HealthPolicy *p = standard_policy (NULL, 1, 0);
  HealthObs o = obs_node (HEALTH_OBS_XID, 0, 0);
  GArray *a;

  o.xid = 48;
  o.gpu = 3;
  a = feed (p, &o);
  assert_non_null (find_action (a, HEALTH_ACTION_RESET_GPU));
  assert_int_equal (find_action (a, HEALTH_ACTION_RESET_GPU)->gpu, 3);
  g_array_free (a, TRUE);

  o = obs_node (HEALTH_OBS_ACTION_DONE, 1, 0);
  o.action = HEALTH_ACTION_RESET_GPU;
  expect_actions (p, &o, HEALTH_ACTION_REBOOT, HEALTH_ACTION_NONE);

  /* burn-in failure after the ticket goes to the vendor */
  o.action = HEALTH_ACTION_REBOOT;
  expect_actions (p, &o, HEALTH_ACTION_REIMAGE, HEALTH_ACTION_NONE);
  o.action = HEALTH_ACTION_REIMAGE;
  expect_actions (p, &o, HEALTH_ACTION_OPEN_TICKET, HEALTH_ACTION_NONE);
  o = obs_node (HEALTH_OBS_REPAIR_DONE, 2, 0);
  expect_actions (p, &o, HEALTH_ACTION_BURNIN, HEALTH_ACTION_NONE);
  o = obs_node (HEALTH_OBS_BURNIN_RESULT, 3, 0);
  o.passed = false;
  expect_actions (p, &o, HEALTH_ACTION_RMA, HEALTH_ACTION_NONE);
  assert_int_equal (health_policy_node_state (p, 0), HEALTH_NODE_IN_REPAIR);
  health_policy_free (p);
}

/* n port state changes on link 1, spaced so that all fall in the window. */
static int
flap (HealthPolicy *p, uint32_t n, HealthTimeMs start, HealthTimeMs step)
{
  int disabled = 0, tickets = 0;
  for (uint32_t i = 0; i < n; i++)
    {
      HealthObs o = obs_link (HEALTH_OBS_IB_PORT_STATE, start + i * step, 1);
      GArray *a;
      o.counter_value = i % 2 == 0 ? HEALTH_IB_PORT_DOWN : HEALTH_IB_PORT_ACTIVE;
      a = feed (p, &o);
      disabled += count_action (a, HEALTH_ACTION_DISABLE_PORT);
      tickets += count_action (a, HEALTH_ACTION_OPEN_TICKET);
      g_array_free (a, TRUE);
    }
  assert_int_equal (disabled, tickets);
  return disabled;
}

static void
test_flap_damping (void **state)
{
  HealthParams par;
  HealthPolicy *p;
  HealthTimeMs step;
  GArray *a;

  health_params_default (&par, "standard");
  assert_true (par.flap_count >= 2);
  step = par.flap_window_ms / (2 * par.flap_count);

  /* N changes within the window: disabled + ticket */
  p = standard_policy (&par, 1, 3);
  assert_int_equal (flap (p, par.flap_count, 0, step), 1);
  assert_int_equal (health_policy_link_state (p, 1), HEALTH_LINK_DISABLED);
  assert_int_equal (health_policy_link_state (p, 0), HEALTH_LINK_ACTIVE);
  {
    HealthObs o = obs_link (HEALTH_OBS_REPAIR_DONE, par.flap_window_ms * 10, 1);
    expect_actions (p, &o, HEALTH_ACTION_ENABLE_PORT, HEALTH_ACTION_NONE);
    assert_int_equal (health_policy_link_state (p, 1), HEALTH_LINK_ACTIVE);
  }
  health_policy_free (p);

  /* N-1 changes (ending up): flapping, then active after a quiet window */
  p = standard_policy (&par, 1, 3);
  {
    uint32_t n = par.flap_count - 1;
    if (n % 2 == 1)
      n--; /* end with the port up so the grace timer is not involved */
    assert_int_equal (flap (p, n, 0, step), 0);
    assert_int_equal (health_policy_link_state (p, 1), HEALTH_LINK_FLAPPING);
    assert_int_equal (health_policy_next_wakeup (p),
                      (HealthTimeMs) (n - 1) * step + par.flap_window_ms);
    a = wake (p, health_policy_next_wakeup (p));
    assert_int_equal (a->len, 0);
    g_array_free (a, TRUE);
    assert_int_equal (health_policy_link_state (p, 1), HEALTH_LINK_ACTIVE);
    assert_int_equal (health_policy_next_wakeup (p), HEALTH_TIME_NEVER);
  }
  health_policy_free (p);

  /* N changes spread wider than the window: not disabled */
  p = standard_policy (&par, 1, 3);
  assert_int_equal (flap (p, par.flap_count, 0,
                          par.flap_window_ms / (par.flap_count - 1) + 1), 0);
  assert_int_not_equal (health_policy_link_state (p, 1), HEALTH_LINK_DISABLED);
  health_policy_free (p);
}

static void
test_link_down_grace (void **state)
{
  HealthPolicy *p = standard_policy (NULL, 1, 2);
  const HealthParams *par = health_policy_params (p);
  HealthObs o = obs_link (HEALTH_OBS_IB_PORT_STATE, 1000, 0);
  GArray *a;

  o.counter_value = HEALTH_IB_PORT_DOWN;
  expect_actions (p, &o, HEALTH_ACTION_NONE);
  assert_int_equal (health_policy_next_wakeup (p), 1000 + par->link_down_grace_ms);
  a = wake (p, 1000 + par->link_down_grace_ms - 1);
  assert_int_equal (a->len, 0);
  g_array_free (a, TRUE);
  a = wake (p, 1000 + par->link_down_grace_ms);
  /* The port is taken out of service (drains a node-side port's node),
   * then a technician is called. */
  assert_int_equal (a->len, 2);
  assert_int_equal (g_array_index (a, HealthAction, 0).kind, HEALTH_ACTION_DISABLE_PORT);
  assert_int_equal (g_array_index (a, HealthAction, 1).kind, HEALTH_ACTION_OPEN_TICKET);
  assert_int_equal (g_array_index (a, HealthAction, 1).link, 0);
  g_array_free (a, TRUE);
  assert_int_equal (health_policy_link_state (p, 0), HEALTH_LINK_IN_REPAIR);
  /* The repair brings the port back. */
  o = obs_link (HEALTH_OBS_REPAIR_DONE, 1000 + par->link_down_grace_ms + 3600000, 0);
  expect_actions (p, &o, HEALTH_ACTION_ENABLE_PORT, HEALTH_ACTION_NONE);
  assert_int_equal (health_policy_link_state (p, 0), HEALTH_LINK_ACTIVE);
  health_policy_free (p);
}

/* k hard failures of node 0, each fixed by a reboot; returns whether the
 * last one quarantined the node. */
static bool
fail_k_times (HealthPolicy *p, uint32_t k, HealthTimeMs spacing)
{
  bool quarantined = false;
  for (uint32_t i = 0; i < k; i++)
    {
      HealthObs o = obs_node (HEALTH_OBS_HEARTBEAT_MISSED, i * spacing, 0);
      GArray *a = feed (p, &o);
      quarantined = count_action (a, HEALTH_ACTION_QUARANTINE) == 1;
      if (quarantined)
        {
          assert_int_equal (count_action (a, HEALTH_ACTION_OPEN_TICKET), 1);
          assert_int_equal (count_action (a, HEALTH_ACTION_REBOOT), 0);
        }
      g_array_free (a, TRUE);
      if (!quarantined)
        {
          o = obs_node (HEALTH_OBS_ACTION_DONE, i * spacing + 1, 0);
          o.action = HEALTH_ACTION_REBOOT;
          o.ok = true;
          expect_actions (p, &o, HEALTH_ACTION_RETURN_TO_SERVICE,
                          HEALTH_ACTION_NONE);
        }
    }
  return quarantined;
}

static void
test_lemon (void **state)
{
  HealthParams par;
  HealthPolicy *p;
  HealthTimeMs spacing;

  health_params_default (&par, "standard");
  par.lemon_failures = 3;
  spacing = par.lemon_window_ms / (2 * par.lemon_failures);

  p = standard_policy (&par, 1, 0);
  assert_false (fail_k_times (p, par.lemon_failures - 1, spacing));
  assert_int_equal (health_policy_node_state (p, 0), HEALTH_NODE_HEALTHY);
  health_policy_free (p);

  p = standard_policy (&par, 1, 0);
  assert_true (fail_k_times (p, par.lemon_failures, spacing));
  assert_int_equal (health_policy_node_state (p, 0), HEALTH_NODE_QUARANTINED);
  {
    HealthObs o = obs_node (HEALTH_OBS_REPAIR_DONE, par.lemon_window_ms, 0);
    expect_actions (p, &o, HEALTH_ACTION_BURNIN, HEALTH_ACTION_NONE);
  }
  health_policy_free (p);

  /* K failures spread over more than the window: not a lemon */
  p = standard_policy (&par, 1, 0);
  assert_false (fail_k_times (p, par.lemon_failures,
                              par.lemon_window_ms / (par.lemon_failures - 1) + 1));
  health_policy_free (p);
}

static void
test_false_positive_check (void **state)
{
  HealthPolicy *p = standard_policy (NULL, 3, 0);
  HealthObs o = obs_node (HEALTH_OBS_DCGM_PASSIVE, 5 * MIN_MS, 1);

  o.check = HEALTH_CHECK_THERMAL;
  o.passed = false;
  expect_actions (p, &o, HEALTH_ACTION_RUN_DIAG, HEALTH_ACTION_NONE);
  assert_int_equal (health_policy_node_state (p, 1), HEALTH_NODE_SUSPECT);

  o = obs_node (HEALTH_OBS_DCGM_ACTIVE, 15 * MIN_MS, 1);
  o.check = HEALTH_CHECK_DIAG;
  o.passed = true;
  expect_actions (p, &o, HEALTH_ACTION_NONE);
  assert_int_equal (health_policy_node_state (p, 1), HEALTH_NODE_HEALTHY);

  /* a high-severity check cordons first; a passing diag uncordons */
  o = obs_node (HEALTH_OBS_DCGM_PASSIVE, 20 * MIN_MS, 1);
  o.check = HEALTH_CHECK_PCIE;
  expect_actions (p, &o, HEALTH_ACTION_CORDON, HEALTH_ACTION_RUN_DIAG,
                  HEALTH_ACTION_NONE);
  assert_int_equal (health_policy_node_state (p, 1), HEALTH_NODE_CORDONED);
  o = obs_node (HEALTH_OBS_DCGM_ACTIVE, 30 * MIN_MS, 1);
  o.passed = true;
  expect_actions (p, &o, HEALTH_ACTION_RETURN_TO_SERVICE, HEALTH_ACTION_NONE);
  assert_int_equal (health_policy_node_state (p, 1), HEALTH_NODE_HEALTHY);

  /* a true positive: the diag fails -> evict and remediate */
  o = obs_node (HEALTH_OBS_DCGM_PASSIVE, 40 * MIN_MS, 1);
  o.check = HEALTH_CHECK_GPU_MEMORY;
  o.gpu = 2;
  expect_actions (p, &o, HEALTH_ACTION_CORDON, HEALTH_ACTION_RUN_DIAG,
                  HEALTH_ACTION_NONE);
  o = obs_node (HEALTH_OBS_DCGM_ACTIVE, 50 * MIN_MS, 1);
  o.passed = false;
  expect_actions (p, &o, HEALTH_ACTION_EVICT, HEALTH_ACTION_RESET_GPU,
                  HEALTH_ACTION_NONE);
  health_policy_free (p);
}

static void
test_drain_timeout (void **state)
{
  HealthPolicy *p = standard_policy (NULL, 1, 0);
  const HealthParams *par = health_policy_params (p);
  HealthObs o = obs_node (HEALTH_OBS_XID, 100, 0);
  GArray *a;

  o.xid = 46;
  o.gpu = 1;
  expect_actions (p, &o, HEALTH_ACTION_DRAIN, HEALTH_ACTION_NONE);
  assert_int_equal (health_policy_node_state (p, 0), HEALTH_NODE_DRAINING);
  assert_int_equal (health_policy_next_wakeup (p), 100 + par->drain_timeout_ms);
  a = wake (p, 100 + par->drain_timeout_ms);
  assert_int_equal (count_action (a, HEALTH_ACTION_EVICT), 1);
  assert_int_equal (count_action (a, HEALTH_ACTION_RESET_GPU), 1);
  g_array_free (a, TRUE);
  assert_int_equal (health_policy_node_state (p, 0), HEALTH_NODE_REMEDIATING);
  assert_int_equal (health_policy_next_wakeup (p), HEALTH_TIME_NEVER);
  health_policy_free (p);

  /* jobs finish before the deadline: no eviction, timer cancelled */
  p = standard_policy (NULL, 1, 0);
  expect_actions (p, &o, HEALTH_ACTION_DRAIN, HEALTH_ACTION_NONE);
  o = obs_node (HEALTH_OBS_ACTION_DONE, 200, 0);
  o.action = HEALTH_ACTION_DRAIN;
  o.ok = true;
  expect_actions (p, &o, HEALTH_ACTION_RESET_GPU, HEALTH_ACTION_NONE);
  assert_int_equal (health_policy_next_wakeup (p), HEALTH_TIME_NEVER);
  health_policy_free (p);
}

static void
test_names (void **state)
{
  assert_string_equal (health_node_state_name (HEALTH_NODE_IN_REPAIR), "in_repair");
  assert_string_equal (health_action_name (HEALTH_ACTION_RESET_GPU), "reset_gpu");
  assert_string_equal (health_obs_kind_name (HEALTH_OBS_DCGM_ACTIVE), "dcgm_active");
  assert_string_equal (health_link_state_name (HEALTH_LINK_FLAPPING), "flapping");
  assert_string_equal (health_action_name (HEALTH_ACTION_N_KINDS), "?");
  for (int i = 0; i < HEALTH_ACTION_N_KINDS; i++)
    assert_string_not_equal (health_action_name (i), "?");
  for (int i = 0; i < HEALTH_OBS_N_KINDS; i++)
    assert_string_not_equal (health_obs_kind_name (i), "?");
  for (int i = 0; i < HEALTH_NODE_N_STATES; i++)
    assert_string_not_equal (health_node_state_name (i), "?");
}

int
main (void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test (test_xid79_evict_reboot),
    cmocka_unit_test (test_escalation_to_ticket_and_back),
    cmocka_unit_test (test_gpu_xid_ladder_starts_at_reset),
    cmocka_unit_test (test_flap_damping),
    cmocka_unit_test (test_link_down_grace),
    cmocka_unit_test (test_lemon),
    cmocka_unit_test (test_false_positive_check),
    cmocka_unit_test (test_drain_timeout),
    cmocka_unit_test (test_names),
  };
  return cmocka_run_group_tests (tests, NULL, NULL);
}
