/* tests/policy/test_health_reference.c - the reference policies
 * nvsentinel, eks-auto-repair and slurm-nhc driven through their state
 * machines with observations: what each does with a fatal Xid, the
 * application Xids the device plugin ignores, NVSentinel's circuit breaker
 * (trips at 50% of the nodes cordoned within 5 minutes and stays open) and
 * its CONTACT_SUPPORT escalations (5 remediations in 7 days, 5 bursts of
 * one Xid on one GPU in 24 hours), EKS's 10-minute wait, Reboot/Replace
 * and its pause above 20% of a node group, NHC's drain with a reason and
 * resume at the next passing check. docs/policies.md is the contract. */
#include <string.h>

#include "health_reference.h"
#include "health_test_util.h"

#define MIN_MS HEALTH_MS_PER_MIN
#define H_MS HEALTH_MS_PER_H

static HealthPolicy *
named (const char *name, uint32_t nodes)
{
  GError *error = NULL;
  HealthPolicy *p = health_policy_new_named (name, NULL, nodes, 4, &error);
  assert_null (error);
  assert_non_null (p);
  return p;
}

static HealthObs
xid (HealthTimeMs t, uint32_t node, int32_t gpu, int32_t code)
{
  HealthObs o = obs_node (HEALTH_OBS_XID, t, node);
  o.gpu = gpu;
  o.xid = code;
  return o;
}

static HealthObs
done (HealthTimeMs t, uint32_t node, HealthActionKind what, bool ok)
{
  HealthObs o = obs_node (HEALTH_OBS_ACTION_DONE, t, node);
  o.action = what;
  o.ok = ok;
  return o;
}

/* Counts NONE actions whose reason starts with prefix. */
static int
count_notes (GArray *a, const char *prefix)
{
  int n = 0;
  for (guint i = 0; i < a->len; i++)
    {
      const HealthAction *x = &g_array_index (a, HealthAction, i);
      if (x->kind == HEALTH_ACTION_NONE && x->reason != NULL
          && g_str_has_prefix (x->reason, prefix))
        n++;
    }
  return n;
}

static void
test_xid_table (void **state)
{
  static const int32_t app[] = { 13, 31, 43, 45, 68 };
  bool fatal = true;
  (void) state;
  for (size_t i = 0; i < G_N_ELEMENTS (app); i++)
    {
      assert_true (health_ref_xid_is_application (app[i]));
      assert_int_equal (health_ref_xid_recommended (app[i], 0, &fatal, NULL),
                        HEALTH_REF_RESTART_APP);
      assert_false (fatal);
    }
  assert_false (health_ref_xid_is_application (79));
  assert_int_equal (health_ref_xid_recommended (79, 0, &fatal, NULL),
                    HEALTH_REF_RESTART_BM);
  assert_true (fatal);
  assert_int_equal (health_ref_xid_recommended (48, 0, &fatal, NULL),
                    HEALTH_REF_COMPONENT_RESET);
  assert_true (fatal);
  /* Xid 154 follows the NVML recovery action */
  assert_int_equal (health_ref_xid_recommended (154, 2, NULL, NULL),
                    HEALTH_REF_RESTART_BM);
  assert_int_equal (health_ref_xid_recommended (154, 0, &fatal, NULL),
                    HEALTH_REF_NONE);
  assert_false (fatal);
  assert_string_equal (health_ref_recommended_name (HEALTH_REF_CONTACT_SUPPORT),
                       "CONTACT_SUPPORT");
}

static void
test_application_xids_ignored (void **state)
{
  static const int32_t app[] = { 13, 31, 43, 45, 68 };
  static const char *const names[] = { "nvsentinel", "eks-auto-repair",
                                       "slurm-nhc" };
  (void) state;
  for (size_t k = 0; k < G_N_ELEMENTS (names); k++)
    {
      HealthPolicy *p = named (names[k], 2);
      for (size_t i = 0; i < G_N_ELEMENTS (app); i++)
        {
          HealthObs o = xid ((HealthTimeMs) i * 1000, 0, 1, app[i]);
          expect_actions (p, &o, HEALTH_ACTION_NONE);
          assert_int_equal (health_policy_node_state (p, 0),
                            HEALTH_NODE_HEALTHY);
        }
      assert_int_equal (health_policy_next_wakeup (p), HEALTH_TIME_NEVER);
      health_policy_free (p);
    }
}

static void
test_nvsentinel_quarantine_drain_remediate (void **state)
{
  HealthPolicy *p = named ("nvsentinel", 10);
  HealthObs o = xid (1000, 3, 5, 79);
  (void) state;
  expect_actions (p, &o, HEALTH_ACTION_CORDON, HEALTH_ACTION_DRAIN,
                  HEALTH_ACTION_NONE);
  assert_int_equal (health_policy_node_state (p, 3), HEALTH_NODE_DRAINING);
  o = done (2000, 3, HEALTH_ACTION_DRAIN, true);
  expect_actions (p, &o, HEALTH_ACTION_REBOOT, HEALTH_ACTION_NONE);
  assert_int_equal (health_policy_node_state (p, 3), HEALTH_NODE_REMEDIATING);
  o = done (3000, 3, HEALTH_ACTION_REBOOT, true);
  expect_actions (p, &o, HEALTH_ACTION_RETURN_TO_SERVICE, HEALTH_ACTION_NONE);
  assert_int_equal (health_policy_node_state (p, 3), HEALTH_NODE_HEALTHY);
  /* a GPU Xid is a GPU reset; a failed reset is CONTACT_SUPPORT */
  o = xid (4000, 3, 2, 48);
  expect_actions (p, &o, HEALTH_ACTION_CORDON, HEALTH_ACTION_DRAIN,
                  HEALTH_ACTION_NONE);
  o = done (5000, 3, HEALTH_ACTION_DRAIN, true);
  expect_actions (p, &o, HEALTH_ACTION_RESET_GPU, HEALTH_ACTION_NONE);
  o = done (6000, 3, HEALTH_ACTION_RESET_GPU, false);
  expect_actions (p, &o, HEALTH_ACTION_OPEN_TICKET, HEALTH_ACTION_NONE);
  assert_int_equal (health_policy_node_state (p, 3), HEALTH_NODE_IN_REPAIR);
  o = obs_node (HEALTH_OBS_REPAIR_DONE, 7000, 3);
  expect_actions (p, &o, HEALTH_ACTION_RETURN_TO_SERVICE, HEALTH_ACTION_NONE);
  /* the drain deadline evicts and remediates */
  o = xid (8000, 4, 0, 79);
  expect_actions (p, &o, HEALTH_ACTION_CORDON, HEALTH_ACTION_DRAIN,
                  HEALTH_ACTION_NONE);
  assert_int_equal (health_policy_next_wakeup (p), 8000 + H_MS);
  GArray *a = wake (p, 8000 + H_MS);
  assert_int_equal (count_action (a, HEALTH_ACTION_EVICT), 1);
  assert_int_equal (count_action (a, HEALTH_ACTION_REBOOT), 1);
  g_array_free (a, TRUE);
  health_policy_free (p);
}

/* n nodes fail at t0 + i * spacing; returns the cordons, and the trips
 * and skipped quarantines through the pointers. */
static int
nvs_storm (HealthPolicy *p, uint32_t n, HealthTimeMs t0, HealthTimeMs spacing,
           int *trips, int *skipped)
{
  int cordons = 0;
  *trips = 0;
  *skipped = 0;
  for (uint32_t i = 0; i < n; i++)
    {
      HealthObs o = xid (t0 + (HealthTimeMs) i * spacing, i, 0, 79);
      GArray *a = feed (p, &o);
      cordons += count_action (a, HEALTH_ACTION_CORDON);
      *trips += count_notes (a, "circuit breaker tripped");
      *skipped += count_notes (a, "circuit breaker open");
      g_array_free (a, TRUE);
    }
  return cordons;
}

static void
test_nvsentinel_circuit_breaker (void **state)
{
  int trips, skipped, cordons;
  HealthPolicy *p = named ("nvsentinel", 10);
  (void) state;

  /* 7 of 10 nodes at once: 50% = 5 cordons, then the breaker trips */
  cordons = nvs_storm (p, 7, 0, 1000, &trips, &skipped);
  assert_int_equal (cordons, 5);
  assert_int_equal (trips, 1);
  assert_int_equal (skipped, 2);
  assert_int_equal (health_policy_node_state (p, 4), HEALTH_NODE_DRAINING);
  /* skipped nodes are not quarantined, and nothing repairs them */
  assert_int_equal (health_policy_node_state (p, 6), HEALTH_NODE_CORDONED);
  /* it does not reset by itself: an hour later it still blocks */
  HealthObs o = xid (H_MS, 8, 0, 79);
  GArray *a = feed (p, &o);
  assert_int_equal (count_action (a, HEALTH_ACTION_CORDON), 0);
  assert_int_equal (count_notes (a, "circuit breaker open"), 1);
  g_array_free (a, TRUE);
  /* in-progress remediation continues */
  o = done (H_MS + 1, 0, HEALTH_ACTION_DRAIN, true);
  expect_actions (p, &o, HEALTH_ACTION_REBOOT, HEALTH_ACTION_NONE);
  health_policy_free (p);

  /* the same 7 failures spread 2 minutes apart never have 5 cordons in
   * one 5-minute window: no trip */
  p = named ("nvsentinel", 10);
  cordons = nvs_storm (p, 7, 0, 2 * MIN_MS, &trips, &skipped);
  assert_int_equal (cordons, 7);
  assert_int_equal (trips, 0);
  assert_int_equal (skipped, 0);
  health_policy_free (p);

  /* breaker_pct=0 turns it off */
  HealthParams hp;
  GError *error = NULL;
  health_params_default (&hp, "nvsentinel");
  assert_true (health_params_set (&hp, "breaker_pct", "0", &error));
  p = health_policy_new_named ("nvsentinel", &hp, 10, 4, &error);
  assert_non_null (p);
  cordons = nvs_storm (p, 10, 0, 0, &trips, &skipped);
  assert_int_equal (cordons, 10);
  assert_int_equal (trips, 0);
  health_policy_free (p);
}

/* One fault -> drain -> remediation (ok) cycle on node 0 at time t;
 * returns the remediation action the policy chose. */
static HealthActionKind
nvs_cycle (HealthPolicy *p, HealthObs fault)
{
  HealthTimeMs t = fault.time;
  HealthActionKind chosen = HEALTH_ACTION_NONE;
  GArray *a = feed (p, &fault);
  assert_int_equal (count_action (a, HEALTH_ACTION_DRAIN), 1);
  g_array_free (a, TRUE);
  HealthObs o = done (t + 1000, fault.node, HEALTH_ACTION_DRAIN, true);
  a = feed (p, &o);
  assert_int_equal (a->len, 1);
  chosen = g_array_index (a, HealthAction, 0).kind;
  g_array_free (a, TRUE);
  if (chosen == HEALTH_ACTION_OPEN_TICKET)
    o = obs_node (HEALTH_OBS_REPAIR_DONE, t + 2000, fault.node);
  else
    o = done (t + 2000, fault.node, chosen, true);
  a = feed (p, &o);
  assert_int_equal (count_action (a, HEALTH_ACTION_RETURN_TO_SERVICE), 1);
  g_array_free (a, TRUE);
  return chosen;
}

static void
test_nvsentinel_multiple_remediations (void **state)
{
  /* 100 nodes: the circuit breaker (50 cordons in 5 min) stays closed */
  HealthPolicy *p = named ("nvsentinel", 100);
  (void) state;
  /* five faults a day apart are rebooted; the sixth, with five
   * remediations in the last 7 days, goes to support */
  for (int day = 0; day < 5; day++)
    {
      HealthObs f = obs_node (HEALTH_OBS_HEARTBEAT_MISSED, day * 24 * H_MS, 0);
      assert_int_equal (nvs_cycle (p, f), HEALTH_ACTION_REBOOT);
    }
  HealthObs f = obs_node (HEALTH_OBS_HEARTBEAT_MISSED, 5 * 24 * H_MS, 0);
  assert_int_equal (nvs_cycle (p, f), HEALTH_ACTION_OPEN_TICKET);
  /* another node is not affected by node 0's history */
  f = obs_node (HEALTH_OBS_HEARTBEAT_MISSED, 5 * 24 * H_MS + 5000, 1);
  assert_int_equal (nvs_cycle (p, f), HEALTH_ACTION_REBOOT);
  /* more than 7 days after the first remediation, fewer than 5 are in
   * the window again: back to rebooting */
  f = obs_node (HEALTH_OBS_HEARTBEAT_MISSED, 12 * 24 * H_MS, 0);
  assert_int_equal (nvs_cycle (p, f), HEALTH_ACTION_REBOOT);
  health_policy_free (p);
}

static void
test_nvsentinel_repeated_xid (void **state)
{
  HealthPolicy *p = named ("nvsentinel", 100);
  HealthTimeMs t = 0;
  (void) state;
  /* a burst: five Xid 48 on GPU 3 within 3 minutes count once (the
   * last four arrive while the node drains) */
  HealthObs o = xid (t, 0, 3, 48);
  expect_actions (p, &o, HEALTH_ACTION_CORDON, HEALTH_ACTION_DRAIN,
                  HEALTH_ACTION_NONE);
  for (int i = 1; i < 5; i++)
    {
      o = xid (t + i * 20 * 1000, 0, 3, 48);
      expect_actions (p, &o, HEALTH_ACTION_NONE);
    }
  o = done (2 * MIN_MS, 0, HEALTH_ACTION_DRAIN, true);
  expect_actions (p, &o, HEALTH_ACTION_RESET_GPU, HEALTH_ACTION_NONE);
  o = done (3 * MIN_MS, 0, HEALTH_ACTION_RESET_GPU, true);
  expect_actions (p, &o, HEALTH_ACTION_RETURN_TO_SERVICE, HEALTH_ACTION_NONE);
  /* bursts 2, 3, 4 an hour apart: still GPU resets (4 remediations, one
   * short of MultipleRemediations) */
  for (int b = 1; b < 4; b++)
    assert_int_equal (nvs_cycle (p, xid (b * H_MS, 0, 3, 48)),
                      HEALTH_ACTION_RESET_GPU);
  /* the same GPU index on another node is counted apart */
  assert_int_equal (nvs_cycle (p, xid (4 * H_MS, 1, 3, 48)),
                    HEALTH_ACTION_RESET_GPU);
  /* the fifth burst on GPU 3 within 24 h: CONTACT_SUPPORT */
  HealthObs f = xid (5 * H_MS, 0, 3, 48);
  GArray *a = feed (p, &f);
  const HealthAction *c = find_action (a, HEALTH_ACTION_CORDON);
  assert_non_null (c);
  assert_non_null (strstr (c->reason, "RepeatedXIDErrorOnSameGPU"));
  g_array_free (a, TRUE);
  o = done (5 * H_MS + 1000, 0, HEALTH_ACTION_DRAIN, true);
  expect_actions (p, &o, HEALTH_ACTION_OPEN_TICKET, HEALTH_ACTION_NONE);
  health_policy_free (p);
}

static void
test_eks_wait_then_reboot_or_replace (void **state)
{
  HealthPolicy *p = named ("eks-auto-repair", 20);
  HealthObs o = xid (1000, 2, 1, 48);
  (void) state;
  /* the condition must hold 10 minutes: nothing yet */
  expect_actions (p, &o, HEALTH_ACTION_NONE);
  assert_int_equal (health_policy_node_state (p, 2), HEALTH_NODE_CORDONED);
  assert_int_equal (health_policy_next_wakeup (p), 1000 + 10 * MIN_MS);
  GArray *a = wake (p, 1000 + 10 * MIN_MS - 1);
  assert_int_equal (a->len, 0);
  g_array_free (a, TRUE);
  a = wake (p, 1000 + 10 * MIN_MS);
  assert_int_equal (a->len, 1);
  assert_int_equal (count_action (a, HEALTH_ACTION_REBOOT), 1);
  g_array_free (a, TRUE);
  o = done (1000 + 20 * MIN_MS, 2, HEALTH_ACTION_REBOOT, true);
  expect_actions (p, &o, HEALTH_ACTION_RETURN_TO_SERVICE, HEALTH_ACTION_NONE);

  /* a GPU off the bus is replaced: drain, then the replacement */
  o = xid (H_MS, 3, 0, 79);
  expect_actions (p, &o, HEALTH_ACTION_NONE);
  a = wake (p, H_MS + 10 * MIN_MS);
  assert_int_equal (count_action (a, HEALTH_ACTION_DRAIN), 1);
  g_array_free (a, TRUE);
  o = done (H_MS + 11 * MIN_MS, 3, HEALTH_ACTION_DRAIN, true);
  expect_actions (p, &o, HEALTH_ACTION_OPEN_TICKET, HEALTH_ACTION_NONE);

  /* NotReady waits 30 minutes */
  o = obs_node (HEALTH_OBS_HEARTBEAT_MISSED, 2 * H_MS, 4);
  expect_actions (p, &o, HEALTH_ACTION_NONE);
  assert_int_equal (health_policy_next_wakeup (p), 2 * H_MS + 30 * MIN_MS);

  /* a reboot that does not help: replace after another wait */
  o = xid (3 * H_MS, 5, 0, 48);
  expect_actions (p, &o, HEALTH_ACTION_NONE);
  a = wake (p, 3 * H_MS + 10 * MIN_MS);
  assert_int_equal (count_action (a, HEALTH_ACTION_REBOOT), 1);
  g_array_free (a, TRUE);
  o = done (3 * H_MS + 15 * MIN_MS, 5, HEALTH_ACTION_REBOOT, false);
  expect_actions (p, &o, HEALTH_ACTION_NONE);
  a = wake (p, 3 * H_MS + 25 * MIN_MS);
  assert_int_equal (count_action (a, HEALTH_ACTION_DRAIN), 1);
  g_array_free (a, TRUE);
  health_policy_free (p);
}

/* k of n nodes (a group of group_size, 0 = all) fail at once; returns the
 * reboots after the wait and counts the pause notes. */
static int
eks_burst (uint32_t n, uint32_t group_size, uint32_t first, uint32_t k,
           int *pauses)
{
  HealthParams hp;
  GError *error = NULL;
  char buf[32];
  health_params_default (&hp, "eks-auto-repair");
  g_snprintf (buf, sizeof buf, "%u", group_size);
  assert_true (health_params_set (&hp, "node_group_size", buf, &error));
  HealthPolicy *p = health_policy_new_named ("eks-auto-repair", &hp, n, 4,
                                             &error);
  assert_non_null (p);
  for (uint32_t i = 0; i < k; i++)
    {
      HealthObs o = xid (0, first + i, 0, 48);
      expect_actions (p, &o, HEALTH_ACTION_NONE);
    }
  GArray *a = wake (p, 10 * MIN_MS);
  int reboots = count_action (a, HEALTH_ACTION_REBOOT);
  *pauses = count_notes (a, "auto repair paused");
  g_array_free (a, TRUE);
  /* a paused group looks again later and stays paused: still no repair */
  a = wake (p, 3 * H_MS);
  reboots += count_action (a, HEALTH_ACTION_REBOOT);
  g_array_free (a, TRUE);
  health_policy_free (p);
  return reboots;
}

static void
test_eks_pause_above_20_percent (void **state)
{
  int pauses;
  (void) state;
  /* 4 of 20 = 20%: not more than 20%, all repaired */
  assert_int_equal (eks_burst (20, 0, 0, 4, &pauses), 4);
  assert_int_equal (pauses, 0);
  /* 5 of 20 = 25%: paused, nothing repaired, one pause note */
  assert_int_equal (eks_burst (20, 0, 0, 5, &pauses), 0);
  assert_int_equal (pauses, 1);
  /* a group of five or fewer nodes is never paused */
  assert_int_equal (eks_burst (5, 0, 0, 3, &pauses), 3);
  assert_int_equal (pauses, 0);
  /* groups of 20: 5 failures in the second group pause only it */
  assert_int_equal (eks_burst (40, 20, 20, 5, &pauses), 0);
  assert_int_equal (pauses, 1);
  assert_int_equal (eks_burst (40, 20, 18, 4, &pauses), 4);
  assert_int_equal (pauses, 0);
}

static void
test_eks_stays_paused (void **state)
{
  HealthPolicy *p = named ("eks-auto-repair", 20);
  (void) state;
  /* 5 of 20 unhealthy: paused, and as nothing repairs them (EKS has no
   * other way out than an operator), it stays paused a day later */
  for (uint32_t i = 0; i < 5; i++)
    {
      HealthObs o = xid (0, i, 0, 48);
      g_array_free (feed (p, &o), TRUE);
    }
  GArray *a = wake (p, 10 * MIN_MS);
  assert_int_equal (count_action (a, HEALTH_ACTION_REBOOT), 0);
  g_array_free (a, TRUE);
  a = wake (p, 24 * H_MS);
  assert_int_equal (count_action (a, HEALTH_ACTION_REBOOT), 0);
  g_array_free (a, TRUE);
  for (uint32_t i = 0; i < 5; i++)
    assert_int_equal (health_policy_node_state (p, i), HEALTH_NODE_CORDONED);
  health_policy_free (p);
}

static void
test_nhc_drain_reason_and_resume (void **state)
{
  HealthPolicy *p = named ("slurm-nhc", 4);
  HealthObs o = obs_node (HEALTH_OBS_DCGM_PASSIVE, 600 * 1000, 1);
  (void) state;
  o.check = HEALTH_CHECK_GPU_MEMORY;
  o.passed = false;
  GArray *a = feed (p, &o);
  const HealthAction *d = find_action (a, HEALTH_ACTION_DRAIN);
  assert_non_null (d);
  assert_true (g_str_has_prefix (d->reason, "NHC: "));
  assert_int_equal (a->len, 1);
  g_array_free (a, TRUE);
  o = done (601 * 1000, 1, HEALTH_ACTION_DRAIN, true);
  expect_actions (p, &o, HEALTH_ACTION_OPEN_TICKET, HEALTH_ACTION_NONE);
  /* repaired at 1000 s: resumed when the next check (1200 s) passes */
  o = obs_node (HEALTH_OBS_REPAIR_DONE, 1000 * 1000, 1);
  expect_actions (p, &o, HEALTH_ACTION_NONE);
  assert_int_equal (health_policy_node_state (p, 1), HEALTH_NODE_IN_REPAIR);
  assert_int_equal (health_policy_next_wakeup (p), 1200 * 1000);
  a = wake (p, 1200 * 1000);
  assert_int_equal (count_action (a, HEALTH_ACTION_RETURN_TO_SERVICE), 1);
  g_array_free (a, TRUE);
  assert_int_equal (health_policy_node_state (p, 1), HEALTH_NODE_HEALTHY);

  /* an Xid is seen by the GPU check at the next interval (300 s runs) */
  o = xid (1210 * 1000, 2, 0, 79);
  expect_actions (p, &o, HEALTH_ACTION_NONE);
  assert_int_equal (health_policy_node_state (p, 2), HEALTH_NODE_SUSPECT);
  assert_int_equal (health_policy_next_wakeup (p), 1500 * 1000);
  a = wake (p, 1500 * 1000);
  d = find_action (a, HEALTH_ACTION_DRAIN);
  assert_non_null (d);
  assert_true (g_str_has_prefix (d->reason, "NHC: "));
  g_array_free (a, TRUE);
  /* NHC never reboots: no automated remediation at all */
  o = done (1501 * 1000, 2, HEALTH_ACTION_DRAIN, true);
  expect_actions (p, &o, HEALTH_ACTION_OPEN_TICKET, HEALTH_ACTION_NONE);
  /* a node that stops responding is DOWN: evicted and ticketed */
  o = obs_node (HEALTH_OBS_HEARTBEAT_MISSED, 1600 * 1000, 3);
  expect_actions (p, &o, HEALTH_ACTION_EVICT, HEALTH_ACTION_OPEN_TICKET,
                  HEALTH_ACTION_NONE);
  health_policy_free (p);
}

static void
test_dead_link_all_three (void **state)
{
  static const char *const names[] = { "nvsentinel", "eks-auto-repair",
                                       "slurm-nhc" };
  (void) state;
  for (size_t k = 0; k < G_N_ELEMENTS (names); k++)
    {
      HealthPolicy *p = named (names[k], 2);
      HealthObs o = obs_link (HEALTH_OBS_IB_PORT_STATE, 0, 1);
      o.counter_value = HEALTH_IB_PORT_DOWN;
      expect_actions (p, &o, HEALTH_ACTION_NONE);
      GArray *a = wake (p, 10 * MIN_MS);
      assert_int_equal (count_action (a, HEALTH_ACTION_DISABLE_PORT), 1);
      assert_int_equal (count_action (a, HEALTH_ACTION_OPEN_TICKET), 1);
      g_array_free (a, TRUE);
      assert_int_equal (health_policy_link_state (p, 1), HEALTH_LINK_IN_REPAIR);
      o = obs_link (HEALTH_OBS_REPAIR_DONE, 20 * MIN_MS, 1);
      expect_actions (p, &o, HEALTH_ACTION_ENABLE_PORT, HEALTH_ACTION_NONE);
      health_policy_free (p);
    }
}

static void
test_names_listed (void **state)
{
  (void) state;
  assert_non_null (strstr (health_policy_class_names (), "nvsentinel"));
  assert_non_null (strstr (health_policy_class_names (), "eks-auto-repair"));
  assert_non_null (strstr (health_policy_class_names (), "slurm-nhc"));
  assert_non_null (health_policy_class_lookup ("slurm-nhc"));
}

int
main (void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test (test_xid_table),
    cmocka_unit_test (test_application_xids_ignored),
    cmocka_unit_test (test_nvsentinel_quarantine_drain_remediate),
    cmocka_unit_test (test_nvsentinel_circuit_breaker),
    cmocka_unit_test (test_nvsentinel_multiple_remediations),
    cmocka_unit_test (test_nvsentinel_repeated_xid),
    cmocka_unit_test (test_eks_wait_then_reboot_or_replace),
    cmocka_unit_test (test_eks_pause_above_20_percent),
    cmocka_unit_test (test_eks_stays_paused),
    cmocka_unit_test (test_nhc_drain_reason_and_resume),
    cmocka_unit_test (test_dead_link_all_three),
    cmocka_unit_test (test_names_listed),
  };
  return cmocka_run_group_tests (tests, NULL, NULL);
}
