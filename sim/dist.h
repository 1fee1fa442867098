/* sim/dist.h - probability distributions, written here so a seed gives the
 * same draws on every libc and every library version.
 *
 * All samplers use inversion (the lognormal through the normal quantile of
 * Wichura, AS 241) over one of the stream's uniform doubles per draw.
 * Parameters are in the caller's unit (faultline uses hours for
 * times-to-failure and repairs); samples are in that unit. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "rng.h"

typedef enum
{
  DIST_CONSTANT,    /* a = value */
  DIST_EXPONENTIAL, /* a = mean */
  DIST_WEIBULL,     /* a = shape k, b = scale lambda */
  DIST_LOGNORMAL,   /* a = mu, b = sigma of the underlying normal */
  DIST_UNIFORM,     /* [a, b) */
  DIST_EMPIRICAL,   /* a piecewise-linear CDF table (see dist_empirical) */
} DistKind;

typedef struct
{
  DistKind kind;
  double a, b;
  /* DIST_EMPIRICAL only: n points (x[i], F[i]) with x and F non-decreasing,
   * F[0] = 0 and F[n-1] = 1; owned by the Dist (see dist_clear). */
  size_t n;
  double *x, *F;
} Dist;

/* Constructors; all return a Dist by value. */
Dist dist_constant (double value);
Dist dist_exponential (double mean);
Dist dist_weibull (double shape, double scale);
Dist dist_lognormal (double mu, double sigma);
/* The lognormal whose mean and standard deviation are given. */
Dist dist_lognormal_mean_sd (double mean, double sd);
Dist dist_uniform (double lo, double hi);
/* Copies the table. Returns false (and a constant 0) if the table is not a
 * valid CDF; *why then names the problem (static string). */
bool dist_empirical (Dist *out, const double *x, const double *F, size_t n,
                     const char **why);
void dist_clear (Dist *d); /* frees an empirical table; others no-op */
Dist dist_copy (const Dist *d);

double dist_sample (const Dist *d, RngStream *s);
double dist_mean (const Dist *d);
double dist_variance (const Dist *d);
double dist_cdf (const Dist *d, double x);
/* The inverse CDF at p in [0, 1] (the smallest x with F(x) >= p); every
 * sampler is dist_quantile (d, u) for one uniform u from the stream. */
double dist_quantile (const Dist *d, double p);
/* True when the parameters make a proper distribution (finite, positive
 * scales, valid table); otherwise *why (if not NULL) names the problem
 * (static string). For validating user input (scenarios, --set). */
bool dist_is_valid (const Dist *d, const char **why);

/* Multiplies the time scale by f (> 0): a rate scaled by 1/f. */
void dist_scale (Dist *d, double f);

/* "exponential(mean=2)" style description into buf. Returns buf. */
const char *dist_describe (const Dist *d, char *buf, size_t len);
const char *dist_kind_name (DistKind k);
/* "exponential" -> DIST_EXPONENTIAL; false for an unknown name. */
bool dist_kind_from_name (const char *s, DistKind *out);
