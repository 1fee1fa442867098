/* tests/policy/test_ckpt.c - Young/Daly checkpoint intervals (policy/ckpt.h)
 * against published numbers: Daly's three printed optima (FGCS 2006
 * abstract; field-data.md §10) and the Llama 3 reference efficiency
 * (field-data.md §12.4); plus properties: Young's interval minimises the
 * first-order waste, the exact optimum maximises Daly's efficiency, and
 * the series agrees with the exact root. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "ckpt.h"

static void
assert_rel (double got, double want, double tol)
{
  if (fabs (got - want) > tol * fabs (want))
    fail_msg ("got %.6g, want %.6g within %.3g%%", got, want, tol * 100);
}

/* Daly's abstract: delta = 5 min, R = 10 min; M = 24 h, 6 h, 15 min give
 * tau_opt = 117, 57, 9.1 min. Printed to 2-3 digits: 1% tolerance. */
static const struct
{
  double M, tau;
} daly_points[] = { { 1440, 117 }, { 360, 57 }, { 15, 9.1 } };

static void
test_daly_printed_optima (void **state)
{
  for (size_t i = 0; i < 3; i++)
    assert_rel (ckpt_daly (5, daly_points[i].M, 10), daly_points[i].tau,
                0.01);
}

static void
test_exact_agrees_with_series (void **state)
{
  for (size_t i = 0; i < 3; i++)
    {
      double M = daly_points[i].M;
      double exact = ckpt_optimal_tau_exact (5, M);
      assert_rel (exact, ckpt_daly (5, M, 10), 0.01);
      /* It is a root of the optimality condition ... */
      double res = exp ((exact + 5) / M) * (1 - exact / M) - 1;
      assert_true (fabs (res) < 1e-9);
      /* ... and a maximum of the efficiency (R does not move it). */
      double e = ckpt_daly_efficiency (exact, 5, 10, M);
      assert_true (e >= ckpt_daly_efficiency (exact * 0.98, 5, 10, M));
      assert_true (e >= ckpt_daly_efficiency (exact * 1.02, 5, 10, M));
    }
  assert_true (ckpt_optimal_tau_exact (0, 100) == 0);
}

/* field-data.md §12.4: M = 185.6 min, delta = 0.5, R = 5, tau = 13.3
 * -> E = 0.904 (printed to 3 digits). */
static void
test_efficiency_reference (void **state)
{
  double e = ckpt_daly_efficiency (13.3, 0.5, 5, 185.6);
  assert_true (fabs (e - 0.904) <= 0.005);
  /* §12.4 sensitivity rows, same M, each at its Daly interval:
   * (delta, R) -> E. */
  static const double rows[][3] = { { 1, 10, 0.853 }, { 1, 5, 0.876 },
                                    { 2, 10, 0.815 } };
  for (size_t i = 0; i < 3; i++)
    {
      double d = rows[i][0], R = rows[i][1];
      double t = ckpt_daly (d, 185.6, R);
      assert_true (fabs (ckpt_daly_efficiency (t, d, R, 185.6) - rows[i][2])
                   <= 0.005);
    }
  /* Efficiency is a fraction and falls as restarts get slower. */
  assert_true (e > 0 && e < 1);
  assert_true (ckpt_daly_efficiency (13.3, 0.5, 10, 185.6) < e);
}

/* Young's interval minimises the first-order waste delta/tau + tau/(2M):
 * the waste is larger 1% either side. */
static void
test_young_minimises_first_order_waste (void **state)
{
  double delta = 0.5, M = 185.6;
  double t = ckpt_young (delta, M);
  double w = delta / t + t / (2 * M);
  for (double f = 0.99; f <= 1.011; f += 0.02)
    assert_true (delta / (t * f) + t * f / (2 * M) > w);
  /* Daly's correction shortens the interval when delta << M (the -delta
   * term dominates the positive series terms). */
  assert_true (ckpt_daly (delta, M, 5) < t);
  /* delta >= 2M: checkpoint once per MTBF. */
  assert_true (ckpt_daly (10, 5, 1) == 5);
}

/* Asynchronous saves: a restart point needs the job to survive W past
 * its snapshot. Summing the renewal series term by term -- P(at least k
 * restart points before a failure) = e^(-(c + W)/M) e^(-(k-1) c/M), c =
 * tau + delta -- gives the expected work per failure; over the expected
 * time per failure including restarts (M e^(R/M)) it must equal the
 * closed form, and W = 0 must be Daly's efficiency. */
static void
test_async_efficiency_series (void **state)
{
  const double tau = 8, delta = 0.2, R = 5, M = 185.6;
  double c = tau + delta;
  for (double W = 0; W <= tau; W += 2)
    {
      double points = 0;
      for (int k = 1; k < 100000; k++)
        points += exp (-(c + W) / M - (k - 1) * c / M);
      double series = tau * points / (M * exp (R / M));
      assert_true (fabs (ckpt_async_efficiency (tau, delta, W, R, M) - series)
                   < 1e-9);
    }
  assert_true (ckpt_async_efficiency (tau, delta, 0, R, M)
               == ckpt_daly_efficiency (tau, delta, R, M));
  /* A longer write loses more. */
  assert_true (ckpt_async_efficiency (tau, delta, 4, R, M)
               < ckpt_async_efficiency (tau, delta, 1, R, M));
}

int
main (void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test (test_daly_printed_optima),
    cmocka_unit_test (test_exact_agrees_with_series),
    cmocka_unit_test (test_efficiency_reference),
    cmocka_unit_test (test_young_minimises_first_order_waste),
    cmocka_unit_test (test_async_efficiency_series),
  };
  return cmocka_run_group_tests (tests, NULL, NULL);
}
