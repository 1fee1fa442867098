/* sim/stats.h - statistics collected while a run goes.
 *
 * StatsOnline: mean and variance in one pass (Welford), min and max.
 * StatsQuantile: quantiles with bounded relative error (log-spaced buckets,
 *   as DDSketch: every reported quantile is within `rel_err` of a true
 *   sample value of that rank); memory O(log(max/min) / rel_err).
 * StatsTimeAvg: the time-weighted average of a piecewise-constant signal.
 * stats_ci95: the 95% confidence interval of a mean (Student t). */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct
{
  uint64_t n;
  double mean, m2, min, max;
} StatsOnline;

void stats_online_init (StatsOnline *s);
void stats_online_add (StatsOnline *s, double x);
double stats_online_mean (const StatsOnline *s);     /* NaN when n == 0 */
double stats_online_variance (const StatsOnline *s); /* sample (n-1); NaN when n < 2 */
double stats_online_sd (const StatsOnline *s);
/* Merges b into a (parallel Welford / Chan et al.). */
void stats_online_merge (StatsOnline *a, const StatsOnline *b);

typedef struct StatsQuantile StatsQuantile;
/* Returns: (transfer full) a sketch for non-negative values with relative
 * accuracy rel_err (e.g. 0.01); values <= 1e-9 (and negative values) count
 * in a zero bucket reported as 0. Quantile p reports the sample of 0-based
 * rank floor(p (n-1)) within relative error rel_err. */
StatsQuantile *stats_quantile_new (double rel_err);
void stats_quantile_free (StatsQuantile *q);
void stats_quantile_add (StatsQuantile *q, double x);
uint64_t stats_quantile_count (const StatsQuantile *q);
/* q in [0, 1]; NaN when empty. */
double stats_quantile_get (const StatsQuantile *q, double p);

typedef struct
{
  double t0, last_t, last_v, area;
  bool started;
} StatsTimeAvg;

void stats_timeavg_init (StatsTimeAvg *s);
/* The signal takes value v from time t on (t non-decreasing). */
void stats_timeavg_set (StatsTimeAvg *s, double t, double v);
/* Average over [t0, t_end]; NaN when the span is empty. */
double stats_timeavg_get (const StatsTimeAvg *s, double t_end);

/* Half-width of the 95% CI of the mean of n samples with sample sd; uses the
 * Student t quantile for n-1 degrees of freedom. NaN when n < 2. */
double stats_ci95_halfwidth (double sd, uint64_t n);
/* The two-sided 95% t quantile for df degrees of freedom (df >= 1). */
double stats_t95 (uint64_t df);
