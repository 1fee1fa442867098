/* tests/policy/test_health_policies.c - the three named policies on the
 * same observation sequences differ the way docs/policies.md says:
 * reactive ignores checks, Xid 46 and precursors and reboots on job
 * failure; standard diagnoses instead and damps flaps; proactive also
 * drains on precursors and quarantines lemons. Also: params_set and its
 * errors, the key table, unknown policy names, version refusal. */
#include <string.h>

#include "health_test_util.h"

static HealthPolicy *
named (const char *name, uint32_t nodes, uint32_t links)
{
  GError *error = NULL;
  HealthPolicy *p = health_policy_new_named (name, NULL, nodes, links, &error);
  assert_null (error);
  assert_non_null (p);
  assert_string_equal (health_policy_name (p), name);
  return p;
}

/* Feeds o to a fresh policy of each name; returns the action counts of
 * kind for reactive, standard, proactive. */
static void
run_three (const HealthObs *seq, size_t n, HealthActionKind kind, int out[3],
           HealthNodeState states[3])
{
  static const char *const names[3] = { "reactive", "standard", "proactive" };
  for (int i = 0; i < 3; i++)
    {
      HealthPolicy *p = named (names[i], 2, 2);
      out[i] = 0;
      for (size_t j = 0; j < n; j++)
        {
          GArray *a = feed (p, &seq[j]);
          out[i] += count_action (a, kind);
          g_array_free (a, TRUE);
        }
      if (states != NULL)
        states[i] = health_policy_node_state (p, 0);
      health_policy_free (p);
    }
}

static void
test_fatal_xid_same_everywhere (void **state)
{
  HealthObs o = obs_node (HEALTH_OBS_XID, 0, 0);
  int reboots[3];
  o.xid = 79;
  run_three (&o, 1, HEALTH_ACTION_REBOOT, reboots, NULL);
  assert_int_equal (reboots[0], 1);
  assert_int_equal (reboots[1], 1);
  assert_int_equal (reboots[2], 1);
}

static void
test_job_failure (void **state)
{
  HealthObs o = obs_node (HEALTH_OBS_JOB_FAILED, 0, 0);
  int reboots[3], diags[3];
  run_three (&o, 1, HEALTH_ACTION_REBOOT, reboots, NULL);
  run_three (&o, 1, HEALTH_ACTION_RUN_DIAG, diags, NULL);
  /* reactive reboots what the job blamed; the others diagnose first */
  assert_int_equal (reboots[0], 1);
  assert_int_equal (diags[0], 0);
  assert_int_equal (reboots[1], 0);
  assert_int_equal (diags[1], 1);
  assert_int_equal (reboots[2], 0);
  assert_int_equal (diags[2], 1);
}

static void
test_passive_check_and_xid46 (void **state)
{
  HealthObs o = obs_node (HEALTH_OBS_DCGM_PASSIVE, 0, 0);
  int n[3];
  HealthNodeState s[3];

  o.check = HEALTH_CHECK_NVLINK;
  run_three (&o, 1, HEALTH_ACTION_RUN_DIAG, n, s);
  assert_int_equal (n[0], 0);
  assert_int_equal (s[0], HEALTH_NODE_HEALTHY);
  assert_int_equal (n[1], 1);
  assert_int_equal (s[1], HEALTH_NODE_CORDONED);
  assert_int_equal (n[2], 1);

  o = obs_node (HEALTH_OBS_XID, 0, 0);
  o.xid = 46;
  run_three (&o, 1, HEALTH_ACTION_DRAIN, n, s);
  assert_int_equal (n[0], 0);
  assert_int_equal (n[1], 1);
  assert_int_equal (n[2], 1);
  assert_int_equal (s[2], HEALTH_NODE_DRAINING);
}

static void
test_ecc_precursor (void **state)
{
  HealthParams par;
  HealthObs seq[16];
  int drains[3];
  HealthNodeState s[3];

  health_params_default (&par, "proactive");
  assert_true (par.ecc_xid_count > 0 && par.ecc_xid_count <= 16);
  for (uint32_t i = 0; i < par.ecc_xid_count; i++)
    {
      seq[i] = obs_node (HEALTH_OBS_XID,
                         i * (par.precursor_window_ms / (2 * par.ecc_xid_count)),
                         0);
      seq[i].xid = 63;
      seq[i].gpu = 4;
    }
  run_three (seq, par.ecc_xid_count, HEALTH_ACTION_DRAIN, drains, s);
  assert_int_equal (drains[0], 0);
  assert_int_equal (drains[1], 0);
  assert_int_equal (drains[2], 1);
  assert_int_equal (s[2], HEALTH_NODE_DRAINING);
  /* one fewer: proactive waits too */
  run_three (seq, par.ecc_xid_count - 1, HEALTH_ACTION_DRAIN, drains, NULL);
  assert_int_equal (drains[2], 0);
}

static void
test_ce_rate_and_thermal (void **state)
{
  HealthParams par;
  HealthObs seq[2];
  int drains[3];
  uint64_t per_10min;

  health_params_default (&par, "proactive");
  /* readings 10 min apart: rate = delta * 6 per hour */
  per_10min = (uint64_t) (par.ecc_ce_per_h / 6.0) + 1;
  seq[0] = obs_node (HEALTH_OBS_DCGM_PASSIVE, 0, 0);
  seq[0].check = HEALTH_CHECK_ECC_CORRECTABLE;
  seq[0].passed = true;
  seq[0].counter_value = 1000;
  seq[1] = seq[0];
  seq[1].time = 10 * HEALTH_MS_PER_MIN;
  seq[1].counter_value = 1000 + per_10min;
  run_three (seq, 2, HEALTH_ACTION_DRAIN, drains, NULL);
  assert_int_equal (drains[0], 0);
  assert_int_equal (drains[1], 0);
  assert_int_equal (drains[2], 1);
  seq[1].counter_value = 1000 + per_10min - 2; /* just under the rate */
  run_three (seq, 2, HEALTH_ACTION_DRAIN, drains, NULL);
  assert_int_equal (drains[2], 0);

  seq[0] = obs_node (HEALTH_OBS_THERMAL, 0, 0);
  seq[0].counter_value = par.thermal_limit_c;
  run_three (seq, 1, HEALTH_ACTION_DRAIN, drains, NULL);
  assert_int_equal (drains[0], 0);
  assert_int_equal (drains[1], 0);
  assert_int_equal (drains[2], 1);
  seq[0].counter_value = par.thermal_limit_c - 1;
  run_three (seq, 1, HEALTH_ACTION_DRAIN, drains, NULL);
  assert_int_equal (drains[2], 0);
}

static void
test_symbol_errors_and_flaps (void **state)
{
  HealthParams par;
  HealthObs seq[16];
  int n[3];

  health_params_default (&par, "proactive");
  seq[0] = obs_link (HEALTH_OBS_IB_COUNTERS, 0, 1);
  seq[0].check = HEALTH_IB_SYMBOL_ERROR;
  seq[0].counter_value = 10;
  seq[1] = seq[0];
  seq[1].time = HEALTH_MS_PER_H;
  seq[1].counter_value = 10 + (uint64_t) par.symbol_errors_per_h;
  run_three (seq, 2, HEALTH_ACTION_DISABLE_PORT, n, NULL);
  assert_int_equal (n[0], 0);
  assert_int_equal (n[1], 0);
  assert_int_equal (n[2], 1);

  /* flaps: reactive never damps */
  assert_true (par.flap_count <= 16);
  for (uint32_t i = 0; i < par.flap_count; i++)
    {
      seq[i] = obs_link (HEALTH_OBS_IB_PORT_STATE, i * 1000, 1);
      seq[i].counter_value = i % 2 ? HEALTH_IB_PORT_ACTIVE : HEALTH_IB_PORT_DOWN;
    }
  run_three (seq, par.flap_count, HEALTH_ACTION_DISABLE_PORT, n, NULL);
  assert_int_equal (n[0], 0);
  assert_int_equal (n[1], 1);
  assert_int_equal (n[2], 1);
}

static void
test_reboot_failure (void **state)
{
  HealthObs seq[2];
  int reimage[3], tickets[3];

  seq[0] = obs_node (HEALTH_OBS_HEARTBEAT_MISSED, 0, 0);
  seq[1] = obs_node (HEALTH_OBS_ACTION_DONE, 1, 0);
  seq[1].action = HEALTH_ACTION_REBOOT;
  seq[1].ok = false;
  run_three (seq, 2, HEALTH_ACTION_REIMAGE, reimage, NULL);
  run_three (seq, 2, HEALTH_ACTION_OPEN_TICKET, tickets, NULL);
  /* reactive does not escalate: straight to a ticket */
  assert_int_equal (reimage[0], 0);
  assert_int_equal (tickets[0], 1);
  assert_int_equal (reimage[1], 1);
  assert_int_equal (tickets[1], 0);
  assert_int_equal (reimage[2], 1);
}

static void
test_lemon_only_proactive (void **state)
{
  HealthParams par;
  HealthObs seq[32];
  size_t n = 0;
  int q[3];

  health_params_default (&par, "proactive");
  assert_true (par.lemon_failures > 0 && par.lemon_failures <= 16);
  for (uint32_t i = 0; i < par.lemon_failures; i++)
    {
      HealthTimeMs t = i * (par.lemon_window_ms / (2 * par.lemon_failures));
      seq[n] = obs_node (HEALTH_OBS_HEARTBEAT_MISSED, t, 0);
      n++;
      seq[n] = obs_node (HEALTH_OBS_ACTION_DONE, t + 1, 0);
      seq[n].action = HEALTH_ACTION_REBOOT;
      seq[n].ok = true;
      n++;
    }
  run_three (seq, n - 1, HEALTH_ACTION_QUARANTINE, q, NULL);
  assert_int_equal (q[0], 0);
  assert_int_equal (q[1], 0);
  assert_int_equal (q[2], 1);
}

static void
test_params_set (void **state)
{
  HealthParams p;
  GError *error = NULL;
  char *s;

  health_params_default (&p, "standard");
  assert_true (health_params_set (&p, "health.check_period_s", "60", &error));
  assert_int_equal (p.check_period_ms, 60 * HEALTH_MS_PER_S);
  assert_true (health_params_set (&p, "lemon_window_h", "1.5", &error));
  assert_int_equal (p.lemon_window_ms, 90 * HEALTH_MS_PER_MIN);
  assert_true (health_params_set (&p, "precursors", "yes", &error));
  assert_true (p.precursors);
  assert_true (health_params_set (&p, "false_positive_prob", "0.25", &error));
  assert_true (p.false_positive_prob == 0.25);
  s = health_params_get (&p, "health.lemon_window_h");
  assert_string_equal (s, "1.5");
  g_free (s);
  assert_null (health_params_get (&p, "nope"));

  assert_false (health_params_set (&p, "health.chek_period_s", "60", &error));
  assert_true (g_error_matches (error, HEALTH_ERROR, HEALTH_ERROR_UNKNOWN));
  assert_non_null (strstr (error->message, "chek_period_s"));
  assert_non_null (strstr (error->message, "did you mean 'health.check_period_s'"));
  g_clear_error (&error);

  assert_false (health_params_set (&p, "flap_count", "2.5", &error));
  assert_non_null (strstr (error->message, "2.5"));
  g_clear_error (&error);
  assert_false (health_params_set (&p, "false_positive_prob", "1.5", &error));
  g_clear_error (&error);
  assert_false (health_params_set (&p, "check_period_s", "-1", &error));
  g_clear_error (&error);
  assert_false (health_params_set (&p, "check_period_s", "5x", &error));
  g_clear_error (&error);
  assert_false (health_params_set (&p, "escalation", "maybe", &error));
  g_clear_error (&error);
  assert_int_equal (p.check_period_ms, 60 * HEALTH_MS_PER_S);
}

static void
test_params_keys (void **state)
{
  const HealthParamInfo *k = health_params_keys ();
  HealthParams p;
  size_t n = 0;

  health_params_default (&p, "proactive");
  for (; k[n].key != NULL; n++)
    {
      char *v = health_params_get (&p, k[n].key);
      GError *error = NULL;
      HealthParams q = p;
      assert_non_null (k[n].unit);
      assert_non_null (k[n].help);
      assert_non_null (v);
      /* every key round-trips through get/set */
      assert_true (health_params_set (&q, k[n].key, v, &error));
      assert_memory_equal (&q, &p, sizeof p);
      g_free (v);
    }
  assert_true (n >= 20);
}

static void
test_unknown_name_and_version (void **state)
{
  GError *error = NULL;
  HealthPolicyClass bad;

  assert_null (health_policy_new_named ("agressive", NULL, 1, 1, &error));
  assert_true (g_error_matches (error, HEALTH_ERROR, HEALTH_ERROR_UNKNOWN));
  assert_non_null (strstr (error->message, "reactive, standard, proactive"));
  g_clear_error (&error);

  bad = *health_policy_class_lookup ("standard");
  bad.api_version = 7;
  bad.name = "old";
  assert_null (health_policy_new (&bad, NULL, 1, 1, &error));
  assert_true (g_error_matches (error, HEALTH_ERROR, HEALTH_ERROR_VERSION));
  assert_non_null (strstr (error->message,
                           "plugin old implements health API version 7, "
                           "faultline expects 1"));
  g_clear_error (&error);

  bad.api_version = HEALTH_API_VERSION;
  bad.observe = NULL;
  assert_null (health_policy_new (&bad, NULL, 1, 1, &error));
  assert_true (g_error_matches (error, HEALTH_ERROR, HEALTH_ERROR_INVALID));
  g_clear_error (&error);
  health_policy_free (NULL);
}

int
main (void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test (test_fatal_xid_same_everywhere),
    cmocka_unit_test (test_job_failure),
    cmocka_unit_test (test_passive_check_and_xid46),
    cmocka_unit_test (test_ecc_precursor),
    cmocka_unit_test (test_ce_rate_and_thermal),
    cmocka_unit_test (test_symbol_errors_and_flaps),
    cmocka_unit_test (test_reboot_failure),
    cmocka_unit_test (test_lemon_only_proactive),
    cmocka_unit_test (test_params_set),
    cmocka_unit_test (test_params_keys),
    cmocka_unit_test (test_unknown_name_and_version),
  };
  return cmocka_run_group_tests (tests, NULL, NULL);
}
