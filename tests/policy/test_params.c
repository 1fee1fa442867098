/* tests/policy/test_params.c - the one boolean parser and the one
 * number/duration parser (policy/params.h) that the configuration, the
 * health policy, the scheduler and a scenario's param() share; and that
 * each of those layers accepts the same words through it. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "health.h"
#include "params.h"
#include "sched.h"

static void
test_bool_words (void **state)
{
  (void) state;
  static const char *const yes[] = { "true", "TRUE", "yes", "Yes", "on", "ON", "1" };
  static const char *const no[] = { "false", "False", "no", "NO", "off", "Off", "0" };
  static const char *const bad[] = { "", "maybe", "2", "tru", " true", "true ", "y", "-1" };
  for (size_t i = 0; i < G_N_ELEMENTS (yes); i++)
    {
      bool b = false;
      assert_true (params_parse_bool (yes[i], &b));
      assert_true (b);
    }
  for (size_t i = 0; i < G_N_ELEMENTS (no); i++)
    {
      bool b = true;
      assert_true (params_parse_bool (no[i], &b));
      assert_false (b);
    }
  for (size_t i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      bool b = true;
      assert_false (params_parse_bool (bad[i], &b));
      assert_true (b); /* untouched */
    }
}

static void
test_numbers (void **state)
{
  (void) state;
  static const struct { const char *text; double unit_s; double want; } ok[] = {
    { "64", 0, 64 }, { "-2", 0, -2 }, { "1.5", 0, 1.5 }, { "2e3", 0, 2000 },
    { "+7", 0, 7 }, { ".5", 0, 0.5 },
    { "90", 1, 90 }, { "90s", 1, 90 }, { "30m", 1, 1800 }, { "2min", 1, 120 },
    { "2h", 1, 7200 }, { "54d", 1, 4665600 }, { "1w", 1, 604800 },
    /* a key in hours: the suffix converts into it */
    { "2", 3600, 2 }, { "90m", 3600, 1.5 }, { "2d", 3600, 48 },
    { "1800s", 3600, 0.5 },
  };
  for (size_t i = 0; i < G_N_ELEMENTS (ok); i++)
    {
      double x = NAN;
      GError *e = NULL;
      if (!params_parse_number (ok[i].text, ok[i].unit_s, &x, &e))
        fail_msg ("'%s' (unit %g s): %s", ok[i].text, ok[i].unit_s, e->message);
      if (x != ok[i].want)
        fail_msg ("'%s' (unit %g s): got %.17g, want %.17g", ok[i].text,
                  ok[i].unit_s, x, ok[i].want);
    }
  static const struct { const char *text; double unit_s; const char *why; } bad[] = {
    { "2h", 0, "takes no unit suffix" }, { "0x10", 0, "plain decimal" },
    { " 5", 0, "plain decimal" }, { "5 ", 1, "duration like" },
    { "inf", 0, "plain decimal" }, { "nan", 1, "duration like" },
    { "", 0, "plain decimal" }, { "1e999", 0, "too large" },
    { "5y", 1, "number of seconds" }, { "5x", 3600, "number of hours" },
    { "h", 1, "duration like" },
  };
  for (size_t i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      double x = 42;
      GError *e = NULL;
      if (params_parse_number (bad[i].text, bad[i].unit_s, &x, &e))
        fail_msg ("'%s' (unit %g s) was accepted as %g", bad[i].text,
                  bad[i].unit_s, x);
      assert_true (g_error_matches (e, PARAMS_ERROR, PARAMS_ERROR_INVALID));
      if (strstr (e->message, bad[i].why) == NULL)
        fail_msg ("'%s': message '%s' lacks '%s'", bad[i].text, e->message,
                  bad[i].why);
      g_error_free (e);
    }
}

/* The health policy and the scheduler take the same boolean words
 * (health.escalation=on was once refused while sched.backfill=on was
 * accepted), and a health duration takes a unit suffix. */
static void
test_layers_agree (void **state)
{
  (void) state;
  static const char *const words[] = { "on", "off", "yes", "no", "1", "0", "TRUE", "false" };
  for (size_t i = 0; i < G_N_ELEMENTS (words); i++)
    {
      bool want = false;
      assert_true (params_parse_bool (words[i], &want));
      HealthParams hp;
      health_params_default (&hp, "standard");
      hp.escalation = !want;
      GError *e = NULL;
      assert_true (health_params_set (&hp, "escalation", words[i], &e));
      assert_true (hp.escalation == want);
      SchedConfig sc;
      sched_config_init (&sc);
      sc.backfill = !want;
      assert_true (sched_config_set (&sc, "backfill", words[i], &e));
      assert_true (sc.backfill == want);
    }
  HealthParams hp;
  GError *e = NULL;
  health_params_default (&hp, "standard");
  assert_true (health_params_set (&hp, "check_period_s", "5m", &e));
  assert_int_equal (hp.check_period_ms, 300 * HEALTH_MS_PER_S);
  assert_true (health_params_set (&hp, "lemon_window_h", "2d", &e));
  assert_int_equal (hp.lemon_window_ms, 48 * HEALTH_MS_PER_H);
  /* a count takes no suffix */
  assert_false (health_params_set (&hp, "flap_count", "5m", &e));
  assert_non_null (strstr (e->message, "no unit suffix"));
  g_clear_error (&e);
  assert_false (health_params_set (&hp, "escalation", "maybe", &e));
  assert_non_null (strstr (e->message, PARAMS_BOOL_WORDS));
  g_clear_error (&e);
  SchedConfig sc;
  sched_config_init (&sc);
  assert_true (sched_config_set (&sc, "spares", "64", &e));
  assert_int_equal (sc.spares, 64);
  assert_false (sched_config_set (&sc, "spares", "2.5", &e));
  g_clear_error (&e);
  /* one "did you mean": a far word gets no suggestion */
  assert_false (sched_config_set (&sc, "zzzzzzzzzz", "1", &e));
  assert_null (strstr (e->message, "did you mean"));
  g_clear_error (&e);
  assert_false (health_params_set (&hp, "zzzzzzzzzzzz", "1", &e));
  assert_null (strstr (e->message, "did you mean"));
  g_clear_error (&e);
}

int
main (void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test (test_bool_words),
    cmocka_unit_test (test_numbers),
    cmocka_unit_test (test_layers_agree),
  };
  return cmocka_run_group_tests (tests, NULL, NULL);
}
