/* policy/ckpt.c - Young/Daly checkpoint intervals and efficiency; see
 * ckpt.h. Pure functions, no state, no allocation. */
#include "ckpt.h"

#include <math.h>

#include <glib.h>

double
ckpt_young (double delta, double M)
{
  g_return_val_if_fail (delta >= 0 && M > 0, NAN);
  return sqrt (2.0 * delta * M);
}

double
ckpt_daly (double delta, double M, double R)
{
  g_return_val_if_fail (delta >= 0 && M > 0 && R >= 0, NAN);
  if (delta >= 2.0 * M)
    return M;
  double x = delta / (2.0 * M);
  return sqrt (2.0 * delta * M) * (1.0 + sqrt (x) / 3.0 + x / 9.0) - delta;
}

double
ckpt_daly_efficiency (double tau, double delta, double R, double M)
{
  g_return_val_if_fail (tau > 0 && delta >= 0 && R >= 0 && M > 0, NAN);
  /* expm1 keeps precision when tau + delta << M. */
  return tau / (M * exp (R / M) * expm1 ((tau + delta) / M));
}

double
ckpt_async_efficiency (double tau, double delta, double W, double R, double M)
{
  g_return_val_if_fail (tau > 0 && W >= 0 && W <= tau, NAN);
  return ckpt_daly_efficiency (tau, delta, R, M) * exp (-W / M);
}

/* f(tau) = e^((tau + delta)/M) (1 - tau/M) - 1: f(0) > 0, f(M) = -1, and
 * f'(tau) = -tau e^((tau + delta)/M) / M^2 < 0 on (0, M). */
static double
ckpt_residual (double tau, double delta, double M)
{
  return exp ((tau + delta) / M) * (1.0 - tau / M) - 1.0;
}

double
ckpt_optimal_tau_exact (double delta, double M)
{
  g_return_val_if_fail (delta >= 0 && M > 0, NAN);
  if (delta == 0)
    return 0;
  double lo = 0, hi = M;
  for (int i = 0; i < 200 && hi - lo > 1e-12 * hi; i++)
    {
      double mid = 0.5 * (lo + hi);
      if (ckpt_residual (mid, delta, M) > 0)
        lo = mid;
      else
        hi = mid;
    }
  return 0.5 * (lo + hi);
}
