/* sim/dist.c - probability distributions by inversion over RngStream
 * uniforms: one uniform in (0, 1) per draw, mapped through dist_quantile.
 *
 * Written here (no libc or GSL samplers) so a seed gives the same draws
 * everywhere; only log/exp/pow/erfc/tgamma come from libm. Not a general
 * statistics library: the kinds faultline needs for times-to-failure and
 * repair times, with closed-form mean, variance and CDF for validation. */
#include "dist.h"

#include <glib.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

/* ---- the normal quantile (Wichura 1988, AS 241 PPND16; |rel err| < 1e-16) */

static double
normal_quantile (double p)
{
  double q = p - 0.5;
  double r, val;

  if (p <= 0.0)
    return -INFINITY;
  if (p >= 1.0)
    return INFINITY;
  if (fabs (q) <= 0.425)
    {
      r = 0.180625 - q * q;
      return q * (((((((2.5090809287301226727e+3 * r
                        + 3.3430575583588128105e+4) * r
                       + 6.7265770927008700853e+4) * r
                      + 4.5921953931549871457e+4) * r
                     + 1.3731693765509461125e+4) * r
                    + 1.9715909503065514427e+3) * r
                   + 1.3314166789178437745e+2) * r
                  + 3.3871328727963666080e+0)
             / (((((((5.2264952788528545610e+3 * r
                      + 2.8729085735721942674e+4) * r
                     + 3.9307895800092710610e+4) * r
                    + 2.1213794301586595867e+4) * r
                   + 5.3941960214247511077e+3) * r
                  + 6.8718700749205790830e+2) * r
                 + 4.2313330701600911252e+1) * r
                + 1.0);
    }
  r = q < 0.0 ? p : 1.0 - p;
  r = sqrt (-log (r));
  if (r <= 5.0)
    {
      r -= 1.6;
      val = (((((((7.74545014278341407640e-4 * r
                   + 2.27238449892691845833e-2) * r
                  + 2.41780725177450611770e-1) * r
                 + 1.27045825245236838258e+0) * r
                + 3.64784832476320460504e+0) * r
               + 5.76949722146069140550e+0) * r
              + 4.63033784615654529590e+0) * r
             + 1.42343711074968357734e+0)
            / (((((((1.05075007164441684324e-9 * r
                     + 5.47593808499534494600e-4) * r
                    + 1.51986665636164571966e-2) * r
                   + 1.48103976427480074590e-1) * r
                  + 6.89767334985100004550e-1) * r
                 + 1.67638483018380384940e+0) * r
                + 2.05319162663775882187e+0) * r
               + 1.0);
    }
  else
    {
      r -= 5.0;
      val = (((((((2.01033439929228813265e-7 * r
                   + 2.71155556874348757815e-5) * r
                  + 1.24266094738807843860e-3) * r
                 + 2.65321895265761230930e-2) * r
                + 2.96560571828504891230e-1) * r
               + 1.78482653991729133580e+0) * r
              + 5.46378491116411436990e+0) * r
             + 6.65790464350110377720e+0)
            / (((((((2.04426310338993978564e-15 * r
                     + 1.42151175831644588870e-7) * r
                    + 1.84631831751005468180e-5) * r
                   + 7.86869131145613259100e-4) * r
                  + 1.48753612908506148525e-2) * r
                 + 1.36929880922735805310e-1) * r
                + 5.99832206555887937690e-1) * r
               + 1.0);
    }
  return q < 0.0 ? -val : val;
}

/* ---- constructors ---- */

Dist
dist_constant (double value)
{
  return (Dist) { .kind = DIST_CONSTANT, .a = value };
}

Dist
dist_exponential (double mean)
{
  return (Dist) { .kind = DIST_EXPONENTIAL, .a = mean };
}

Dist
dist_weibull (double shape, double scale)
{
  return (Dist) { .kind = DIST_WEIBULL, .a = shape, .b = scale };
}

Dist
dist_lognormal (double mu, double sigma)
{
  return (Dist) { .kind = DIST_LOGNORMAL, .a = mu, .b = sigma };
}

Dist
dist_lognormal_mean_sd (double mean, double sd)
{
  /* sigma^2 = ln(1 + sd^2/mean^2), mu = ln(mean) - sigma^2/2. */
  g_return_val_if_fail (mean > 0.0 && sd >= 0.0, dist_constant (0.0));
  double s2 = log1p ((sd * sd) / (mean * mean));
  return dist_lognormal (log (mean) - 0.5 * s2, sqrt (s2));
}

Dist
dist_uniform (double lo, double hi)
{
  return (Dist) { .kind = DIST_UNIFORM, .a = lo, .b = hi };
}

bool
dist_empirical (Dist *out, const double *x, const double *F, size_t n,
                const char **why)
{
  const char *w = NULL;

  g_return_val_if_fail (out != NULL, false);
  *out = dist_constant (0.0);
  if (x == NULL || F == NULL || n < 2)
    w = "an empirical CDF needs at least 2 points";
  for (size_t i = 0; w == NULL && i < n; i++)
    {
      if (!isfinite (x[i]) || !isfinite (F[i]))
        w = "an empirical CDF point is not a finite number";
      else if (i > 0 && x[i] < x[i - 1])
        w = "empirical CDF x values must be non-decreasing";
      else if (i > 0 && F[i] < F[i - 1])
        w = "empirical CDF probabilities must be non-decreasing";
    }
  if (w == NULL && (F[0] != 0.0 || F[n - 1] != 1.0))
    w = "an empirical CDF must start at probability 0 and end at 1";
  if (w != NULL)
    {
      if (why != NULL)
        *why = w;
      return false;
    }
  out->kind = DIST_EMPIRICAL;
  out->n = n;
  out->x = g_memdup2 (x, n * sizeof *x);
  out->F = g_memdup2 (F, n * sizeof *F);
  return true;
}

void
dist_clear (Dist *d)
{
  if (d == NULL)
    return;
  g_clear_pointer (&d->x, g_free);
  g_clear_pointer (&d->F, g_free);
  d->n = 0;
}

Dist
dist_copy (const Dist *d)
{
  g_return_val_if_fail (d != NULL, dist_constant (0.0));
  Dist c = *d;
  if (d->kind == DIST_EMPIRICAL && d->n > 0)
    {
      c.x = g_memdup2 (d->x, d->n * sizeof *d->x);
      c.F = g_memdup2 (d->F, d->n * sizeof *d->F);
    }
  else
    {
      c.x = c.F = NULL;
      c.n = 0;
    }
  return c;
}

bool
dist_is_valid (const Dist *d, const char **why)
{
  const char *w = NULL;

  g_return_val_if_fail (d != NULL, false);
  switch (d->kind)
    {
    case DIST_CONSTANT:
      if (!isfinite (d->a))
        w = "a constant must be a finite number";
      break;
    case DIST_EXPONENTIAL:
      if (!(isfinite (d->a) && d->a > 0.0))
        w = "an exponential mean must be finite and > 0";
      break;
    case DIST_WEIBULL:
      if (!(isfinite (d->a) && d->a > 0.0 && isfinite (d->b) && d->b > 0.0))
        w = "a Weibull shape and scale must be finite and > 0";
      break;
    case DIST_LOGNORMAL:
      if (!(isfinite (d->a) && isfinite (d->b) && d->b >= 0.0))
        w = "a lognormal mu must be finite and sigma finite and >= 0";
      break;
    case DIST_UNIFORM:
      if (!(isfinite (d->a) && isfinite (d->b) && d->a <= d->b))
        w = "a uniform needs finite lo <= hi";
      break;
    case DIST_EMPIRICAL:
      if (d->n < 2 || d->x == NULL || d->F == NULL
          || d->F[0] != 0.0 || d->F[d->n - 1] != 1.0)
        w = "an empirical CDF needs >= 2 points from probability 0 to 1";
      break;
    default:
      w = "unknown distribution kind";
      break;
    }
  if (w != NULL && why != NULL)
    *why = w;
  return w == NULL;
}

/* ---- empirical tables ---- */

/* The last index i with x[i] <= v (0 if v < x[0]). O(log n). */
static size_t
empirical_find_x (const Dist *d, double v)
{
  size_t lo = 0, hi = d->n - 1;
  while (lo < hi)
    {
      size_t mid = lo + (hi - lo + 1) / 2;
      if (d->x[mid] <= v)
        lo = mid;
      else
        hi = mid - 1;
    }
  return lo;
}

static double
empirical_cdf (const Dist *d, double v)
{
  if (v < d->x[0])
    return 0.0;
  if (v >= d->x[d->n - 1])
    return 1.0;
  size_t i = empirical_find_x (d, v);
  g_assert (i + 1 < d->n && d->x[i + 1] > d->x[i]);
  return d->F[i] + (v - d->x[i]) / (d->x[i + 1] - d->x[i])
                     * (d->F[i + 1] - d->F[i]);
}

static double
empirical_quantile (const Dist *d, double p)
{
  /* The first segment i whose upper probability F[i+1] reaches p. */
  size_t lo = 0, hi = d->n - 1;
  if (p <= 0.0)
    return d->x[0];
  while (lo < hi)
    {
      size_t mid = lo + (hi - lo) / 2;
      if (d->F[mid] < p)
        lo = mid + 1;
      else
        hi = mid;
    }
  /* F[lo] >= p > F[lo-1]; lo >= 1 because F[0] = 0 < p. */
  g_assert (lo >= 1);
  double f0 = d->F[lo - 1], f1 = d->F[lo];
  return d->x[lo - 1] + (p - f0) / (f1 - f0) * (d->x[lo] - d->x[lo - 1]);
}

static void
empirical_moments (const Dist *d, double *m1, double *m2)
{
  /* Within a segment the density is uniform on [x[i], x[i+1]]. */
  double s1 = 0.0, s2 = 0.0;
  for (size_t i = 0; i + 1 < d->n; i++)
    {
      double w = d->F[i + 1] - d->F[i];
      double a = d->x[i], b = d->x[i + 1];
      s1 += w * 0.5 * (a + b);
      s2 += w * (a * a + a * b + b * b) / 3.0;
    }
  *m1 = s1;
  *m2 = s2;
}

/* ---- sampling and closed forms ---- */

double
dist_quantile (const Dist *d, double p)
{
  g_return_val_if_fail (d != NULL, NAN);
  g_return_val_if_fail (p >= 0.0 && p <= 1.0, NAN);
  switch (d->kind)
    {
    case DIST_CONSTANT:
      return d->a;
    case DIST_EXPONENTIAL:
      return -d->a * log1p (-p);
    case DIST_WEIBULL:
      return d->b * pow (-log1p (-p), 1.0 / d->a);
    case DIST_LOGNORMAL:
      return exp (d->a + d->b * normal_quantile (p));
    case DIST_UNIFORM:
      return d->a + p * (d->b - d->a);
    case DIST_EMPIRICAL:
      return empirical_quantile (d, p);
    default:
      g_return_val_if_reached (NAN);
    }
}

double
dist_sample (const Dist *d, RngStream *s)
{
  g_return_val_if_fail (d != NULL && s != NULL, NAN);
  /* Exactly one draw per sample, constants included, so that changing a
   * mode's distribution never shifts the later draws of its stream. */
  return dist_quantile (d, rng_uniform_pos (s));
}

double
dist_mean (const Dist *d)
{
  double m1, m2;

  g_return_val_if_fail (d != NULL, NAN);
  switch (d->kind)
    {
    case DIST_CONSTANT:
    case DIST_EXPONENTIAL:
      return d->a;
    case DIST_WEIBULL:
      return d->b * tgamma (1.0 + 1.0 / d->a);
    case DIST_LOGNORMAL:
      return exp (d->a + 0.5 * d->b * d->b);
    case DIST_UNIFORM:
      return 0.5 * (d->a + d->b);
    case DIST_EMPIRICAL:
      empirical_moments (d, &m1, &m2);
      return m1;
    default:
      g_return_val_if_reached (NAN);
    }
}

double
dist_variance (const Dist *d)
{
  double m1, m2, g1;

  g_return_val_if_fail (d != NULL, NAN);
  switch (d->kind)
    {
    case DIST_CONSTANT:
      return 0.0;
    case DIST_EXPONENTIAL:
      return d->a * d->a;
    case DIST_WEIBULL:
      g1 = tgamma (1.0 + 1.0 / d->a);
      return d->b * d->b * (tgamma (1.0 + 2.0 / d->a) - g1 * g1);
    case DIST_LOGNORMAL:
      return expm1 (d->b * d->b) * exp (2.0 * d->a + d->b * d->b);
    case DIST_UNIFORM:
      return (d->b - d->a) * (d->b - d->a) / 12.0;
    case DIST_EMPIRICAL:
      empirical_moments (d, &m1, &m2);
      return fmax (0.0, m2 - m1 * m1);
    default:
      g_return_val_if_reached (NAN);
    }
}

double
dist_cdf (const Dist *d, double x)
{
  g_return_val_if_fail (d != NULL, NAN);
  if (isnan (x))
    return NAN;
  switch (d->kind)
    {
    case DIST_CONSTANT:
      return x >= d->a ? 1.0 : 0.0;
    case DIST_EXPONENTIAL:
      return x <= 0.0 ? 0.0 : -expm1 (-x / d->a);
    case DIST_WEIBULL:
      return x <= 0.0 ? 0.0 : -expm1 (-pow (x / d->b, d->a));
    case DIST_LOGNORMAL:
      if (x <= 0.0)
        return 0.0;
      if (d->b == 0.0)
        return log (x) >= d->a ? 1.0 : 0.0;
      return 0.5 * erfc (-(log (x) - d->a) / (d->b * M_SQRT2));
    case DIST_UNIFORM:
      if (x < d->a)
        return 0.0;
      if (x >= d->b)
        return 1.0;
      return (x - d->a) / (d->b - d->a);
    case DIST_EMPIRICAL:
      return empirical_cdf (d, x);
    default:
      g_return_val_if_reached (NAN);
    }
}

void
dist_scale (Dist *d, double f)
{
  g_return_if_fail (d != NULL);
  g_return_if_fail (isfinite (f) && f > 0.0);
  switch (d->kind)
    {
    case DIST_CONSTANT:
    case DIST_EXPONENTIAL:
      d->a *= f;
      break;
    case DIST_WEIBULL:
      d->b *= f;
      break;
    case DIST_LOGNORMAL:
      d->a += log (f);
      break;
    case DIST_UNIFORM:
      d->a *= f;
      d->b *= f;
      break;
    case DIST_EMPIRICAL:
      for (size_t i = 0; i < d->n; i++)
        d->x[i] *= f;
      break;
    default:
      g_return_if_reached ();
    }
}

/* ---- names ---- */

static const char *const kind_names[] = {
  [DIST_CONSTANT] = "constant",   [DIST_EXPONENTIAL] = "exponential",
  [DIST_WEIBULL] = "weibull",     [DIST_LOGNORMAL] = "lognormal",
  [DIST_UNIFORM] = "uniform",     [DIST_EMPIRICAL] = "empirical",
};

const char *
dist_kind_name (DistKind k)
{
  if ((unsigned) k >= G_N_ELEMENTS (kind_names))
    return "unknown";
  return kind_names[k];
}

bool
dist_kind_from_name (const char *s, DistKind *out)
{
  g_return_val_if_fail (s != NULL, false);
  for (size_t i = 0; i < G_N_ELEMENTS (kind_names); i++)
    if (strcmp (s, kind_names[i]) == 0)
      {
        if (out != NULL)
          *out = (DistKind) i;
        return true;
      }
  return false;
}

const char *
dist_describe (const Dist *d, char *buf, size_t len)
{
  g_return_val_if_fail (d != NULL && buf != NULL && len > 0, buf);
  switch (d->kind)
    {
    case DIST_CONSTANT:
      snprintf (buf, len, "constant(value=%g)", d->a);
      break;
    case DIST_EXPONENTIAL:
      snprintf (buf, len, "exponential(mean=%g)", d->a);
      break;
    case DIST_WEIBULL:
      snprintf (buf, len, "weibull(shape=%g, scale=%g)", d->a, d->b);
      break;
    case DIST_LOGNORMAL:
      snprintf (buf, len, "lognormal(mu=%g, sigma=%g)", d->a, d->b);
      break;
    case DIST_UNIFORM:
      snprintf (buf, len, "uniform(lo=%g, hi=%g)", d->a, d->b);
      break;
    case DIST_EMPIRICAL:
      snprintf (buf, len, "empirical(n=%zu, x=%g..%g)", d->n,
                d->n ? d->x[0] : 0.0, d->n ? d->x[d->n - 1] : 0.0);
      break;
    default:
      snprintf (buf, len, "unknown");
      break;
    }
  return buf;
}
