/* tests/sim/test_kat.c - known-answer vectors for the generator and the
 * distributions, from published sources rather than from this code:
 *
 *  - xoshiro256** 1.0 from the state {1, 2, 3, 4}: the first outputs of
 *    Blackman & Vigna's reference xoshiro256starstar.c (also the test
 *    vectors of other ports, e.g. Rust's rand_xoshiro);
 *  - SplitMix64 from the seed 1234567: the first outputs of Vigna's
 *    splitmix64.c (the values Java's SplittableRandom is checked against),
 *    which rng_stream_init_key must place in the xoshiro state;
 *  - the standard normal quantile (Wichura's AS 241, through the lognormal
 *    sampler) at p = 0.975, 0.25, 0.001, 1e-10 and 1e-20, to 15 digits from
 *    normal tables; exponential and Weibull quantiles where their closed
 *    forms are exact.
 *
 * Every result of faultline depends on these streams bit for bit: a change
 * here changes every summary. The derivation of stream keys from names is
 * faultline's own; tests/sim/kat_check.py holds it to an independent
 * re-implementation of the documented algorithm (sim/rng.c's header). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <math.h>

#include "dist.h"
#include "rng.h"

static void
test_xoshiro_reference (void **state)
{
  (void) state;
  RngStream s = { { 1, 2, 3, 4 } };
  const uint64_t want[] = { 11520ULL, 0ULL, 1509978240ULL, 1215971899390074240ULL };
  for (size_t i = 0; i < sizeof want / sizeof want[0]; i++)
    assert_int_equal (rng_next_u64 (&s), want[i]);
}

static void
test_splitmix_seeding (void **state)
{
  (void) state;
  RngStream s;
  rng_stream_init_key (&s, 1234567);
  const uint64_t want[] = { 6457827717110365317ULL, 3203168211198807973ULL,
                            9817491932198370423ULL, 4593380528125082431ULL };
  for (int i = 0; i < 4; i++)
    assert_int_equal (s.s[i], want[i]);
}

/* rng_uniform keeps the top 53 bits: the first draw of {1,2,3,4} is
 * 11520 >> 11 = 5, so 5 * 2^-53; uniform_pos adds half a step. */
static void
test_uniform_bits (void **state)
{
  (void) state;
  RngStream s = { { 1, 2, 3, 4 } };
  assert_true (rng_uniform (&s) == 5 * 0x1.0p-53);
  RngStream t = { { 1, 2, 3, 4 } };
  assert_true (rng_uniform_pos (&t) == 5.5 * 0x1.0p-53);
}

static void
assert_rel (double got, double want, double tol)
{
  if (!(fabs (got - want) <= tol * fabs (want)))
    fail_msg ("got %.17g, want %.17g (relative tolerance %g)", got, want, tol);
}

static void
test_normal_quantile_tables (void **state)
{
  (void) state;
  /* z_p from normal tables; lognormal(0, 1) samples exp (z_p). */
  const struct { double p, z; } t[] = {
    { 0.975, 1.959963984540054 }, { 0.25, -0.6744897501960817 },
    { 0.001, -3.090232306167814 }, { 1e-10, -6.361340902404056 },
    { 1e-20, -9.262340089798408 },
  };
  Dist ln = dist_lognormal (0, 1);
  for (size_t i = 0; i < sizeof t / sizeof t[0]; i++)
    assert_rel (log (dist_quantile (&ln, t[i].p)), t[i].z, 1e-14);
  assert_true (dist_quantile (&ln, 0.5) == 1.0);
  /* mu and sigma enter as exp (mu + sigma z) */
  Dist ln2 = dist_lognormal (1.5, 0.5);
  assert_rel (dist_quantile (&ln2, 0.975), exp (1.5 + 0.5 * 1.959963984540054), 1e-14);
}

static void
test_closed_form_quantiles (void **state)
{
  (void) state;
  const double p = -expm1 (-1.0); /* 1 - 1/e: F(mean) for the exponential */
  Dist e = dist_exponential (2.0);
  assert_rel (dist_quantile (&e, p), 2.0, 1e-15);
  assert_rel (dist_quantile (&e, 0.5), 2.0 * M_LN2, 1e-15);
  Dist w = dist_weibull (2.0, 3.0); /* F(x) = 1 - exp (-(x/3)^2) */
  assert_rel (dist_quantile (&w, p), 3.0, 1e-15);
  assert_rel (dist_quantile (&w, 0.5), 3.0 * sqrt (M_LN2), 1e-15);
  Dist u = dist_uniform (2.0, 6.0);
  assert_true (dist_quantile (&u, 0.25) == 3.0);
  /* one draw per sample, through uniform_pos: the sample of the
   * exponential from {1,2,3,4} is -2 log1p (-5.5 * 2^-53). */
  RngStream s = { { 1, 2, 3, 4 } };
  assert_rel (dist_sample (&e, &s), -2.0 * log1p (-5.5 * 0x1.0p-53), 1e-15);
}

int
main (void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test (test_xoshiro_reference),
    cmocka_unit_test (test_splitmix_seeding),
    cmocka_unit_test (test_uniform_bits),
    cmocka_unit_test (test_normal_quantile_tables),
    cmocka_unit_test (test_closed_form_quantiles),
  };
  return cmocka_run_group_tests (tests, NULL, NULL);
}
