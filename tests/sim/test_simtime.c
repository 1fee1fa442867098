/* tests/sim/test_simtime.c - simtime_from_s and simtime_format. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "simtime.h"

static void
test_from_s (void **state)
{
  assert_int_equal (simtime_from_s (1.0), SIM_S (1));
  assert_int_equal (simtime_from_s (0.0000014), 1);   /* rounds */
  assert_int_equal (simtime_from_s (0.0000016), 2);
  assert_int_equal (simtime_from_s (-3.0), 0);
  assert_int_equal (simtime_from_s (1e300), SIM_NEVER);
  assert_int_equal (simtime_from_s (3600.0), SIM_H (1));
  assert_int_equal (SIM_DAY (1), 24 * SIM_H (1));
  assert_true (simtime_to_h (SIM_H (5)) == 5.0);
}

static void
test_format (void **state)
{
  char buf[64];
  assert_string_equal (simtime_format (0, buf, sizeof buf), "0m00.000s");
  assert_string_equal (simtime_format (SIM_MS (1500), buf, sizeof buf),
                       "0m01.500s");
  SimTime t = SIM_DAY (3) + SIM_H (4) + SIM_MIN (12) + SIM_S (5) + SIM_MS (7);
  assert_string_equal (simtime_format (t, buf, sizeof buf), "3d04h12m05.007s");
  assert_string_equal (simtime_format (SIM_H (2) + SIM_S (1), buf, sizeof buf),
                       "2h00m01.000s");
  assert_string_equal (simtime_format (SIM_NEVER, buf, sizeof buf), "never");
  assert_string_equal (simtime_format (-SIM_S (61), buf, sizeof buf),
                       "-1m01.000s");
  /* Truncation is safe. */
  char small[4];
  simtime_format (t, small, sizeof small);
  assert_int_equal (small[3], '\0');
}

int
main (void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test (test_from_s),
    cmocka_unit_test (test_format),
  };
  return cmocka_run_group_tests (tests, NULL, NULL);
}
