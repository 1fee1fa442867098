/* policy_gate.c - a policy repository's test, embedding faultline.
 *
 * Runs the default 16k-GPU scenario twice in-process, with the standard and
 * the proactive health policy, and fails if the candidate's ETTR is worse
 * than the baseline's by more than one point. Build:
 *   cc policy_gate.c $(pkg-config --cflags --libs faultline cmocka) -o policy_gate
 * Run: ./policy_gate path/to/scenarios/llama3-16k.lua */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <cmocka.h>
#include <faultline.h>

static const char *scenario;

static double
ettr_with (const char *health)
{
  char set[64];
  snprintf (set, sizeof set, "health=%s", health);
  const char *sets[] = { set, "days=10", NULL };
  FlRunOptions o;
  fl_run_options_init (&o);
  o.scenario = scenario;
  o.seed = 7;
  o.sets = sets;
  GError *error = NULL;
  FlRun *run = fl_run_new (&o, &error);
  if (run == NULL || !fl_run_execute (run, &error))
    fail_msg ("faultline: %s", error->message);
  double ettr = fl_run_metric (run, "ettr");
  printf ("# health=%s ettr=%.4f interruptions=%.0f\n", health, ettr,
          fl_run_metric (run, "interruptions"));
  fl_run_free (run);
  return ettr;
}

static void
test_proactive_not_worse (void **state)
{
  (void) state;
  double base = ettr_with ("standard");
  double cand = ettr_with ("proactive");
  assert_true (isfinite (base) && isfinite (cand));
  assert_true (cand >= base - 0.01);
}

int
main (int argc, char **argv)
{
  scenario = argc > 1 ? argv[1] : "scenarios/llama3-16k.lua";
  const struct CMUnitTest tests[] = {
    cmocka_unit_test (test_proactive_not_worse),
  };
  return cmocka_run_group_tests (tests, NULL, NULL);
}
