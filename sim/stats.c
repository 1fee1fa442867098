/* sim/stats.c - running statistics: Welford mean/variance, a DDSketch-style
 * quantile sketch, time-weighted averages and Student-t 95% intervals.
 *
 * Not an analysis package: only what a run or a sweep needs to summarise
 * itself in O(1) memory per metric (the sketch: O(log(max/min)/rel_err)). */
#include "stats.h"

#include <glib.h>
#include <math.h>
#include <string.h>

/* ---- StatsOnline (Welford 1962; merge: Chan, Golub, LeVeque 1979) ---- */

void
stats_online_init (StatsOnline *s)
{
  g_return_if_fail (s != NULL);
  *s = (StatsOnline) { .n = 0, .mean = 0.0, .m2 = 0.0,
                       .min = INFINITY, .max = -INFINITY };
}

void
stats_online_add (StatsOnline *s, double x)
{
  g_return_if_fail (s != NULL);
  s->n++;
  double delta = x - s->mean;
  s->mean += delta / (double) s->n;
  s->m2 += delta * (x - s->mean);
  if (x < s->min)
    s->min = x;
  if (x > s->max)
    s->max = x;
}

double
stats_online_mean (const StatsOnline *s)
{
  g_return_val_if_fail (s != NULL, NAN);
  return s->n == 0 ? NAN : s->mean;
}

double
stats_online_variance (const StatsOnline *s)
{
  g_return_val_if_fail (s != NULL, NAN);
  return s->n < 2 ? NAN : s->m2 / (double) (s->n - 1);
}

double
stats_online_sd (const StatsOnline *s)
{
  return sqrt (stats_online_variance (s));
}

void
stats_online_merge (StatsOnline *a, const StatsOnline *b)
{
  g_return_if_fail (a != NULL && b != NULL);
  if (b->n == 0)
    return;
  if (a->n == 0)
    {
      *a = *b;
      return;
    }
  double na = (double) a->n, nb = (double) b->n, n = na + nb;
  double delta = b->mean - a->mean;
  a->mean += delta * nb / n;
  a->m2 += b->m2 + delta * delta * na * nb / n;
  a->n += b->n;
  if (b->min < a->min)
    a->min = b->min;
  if (b->max > a->max)
    a->max = b->max;
}

/* ---- StatsQuantile (Masson, Rim, Lee: DDSketch, VLDB 2019) ----
 *
 * Bucket i holds the values in (gamma^(i-1), gamma^i], gamma =
 * (1+a)/(1-a); it reports 2 gamma^i / (gamma+1), within relative error a
 * of every value in it. Buckets live in a growable array of counts indexed
 * from `lo`. Values <= QUANTILE_MIN_VALUE (and negative ones) go to a zero
 * bucket that reports 0. */

#define QUANTILE_MIN_VALUE 1e-9

struct StatsQuantile
{
  double rel_err, gamma, log_gamma;
  uint64_t count, zero;
  int lo;          /* bucket index of counts[0] */
  size_t len, cap; /* counts[0 .. len) in use */
  uint64_t *counts;
};

StatsQuantile *
stats_quantile_new (double rel_err)
{
  g_return_val_if_fail (rel_err > 0.0 && rel_err < 1.0, NULL);
  StatsQuantile *q = g_new0 (StatsQuantile, 1);
  q->rel_err = rel_err;
  q->gamma = (1.0 + rel_err) / (1.0 - rel_err);
  q->log_gamma = log (q->gamma);
  return q;
}

void
stats_quantile_free (StatsQuantile *q)
{
  if (q == NULL)
    return;
  g_free (q->counts);
  g_free (q);
}

/* Makes bucket i addressable; amortised O(1), O(range) when the range
 * grows downwards. */
static void
quantile_reach (StatsQuantile *q, int i)
{
  if (q->len == 0)
    {
      q->cap = 64;
      q->counts = g_new0 (uint64_t, q->cap);
      q->lo = i - 32;
      q->len = 64;
      return;
    }
  if (i < q->lo)
    {
      size_t grow = (size_t) (q->lo - i) + q->len / 2 + 1;
      uint64_t *c = g_new0 (uint64_t, q->len + grow);
      memcpy (c + grow, q->counts, q->len * sizeof *c);
      g_free (q->counts);
      q->counts = c;
      q->len += grow;
      q->cap = q->len;
      q->lo -= (int) grow;
    }
  else if ((size_t) (i - q->lo) >= q->len)
    {
      size_t need = (size_t) (i - q->lo) + 1;
      if (need > q->cap)
        {
          size_t cap = MAX (need + need / 2, q->cap * 2);
          q->counts = g_renew (uint64_t, q->counts, cap);
          memset (q->counts + q->cap, 0, (cap - q->cap) * sizeof *q->counts);
          q->cap = cap;
        }
      q->len = need;
    }
}

void
stats_quantile_add (StatsQuantile *q, double x)
{
  g_return_if_fail (q != NULL);
  g_return_if_fail (!isnan (x));
  q->count++;
  if (x <= QUANTILE_MIN_VALUE)
    {
      q->zero++;
      return;
    }
  if (isinf (x))
    x = G_MAXDOUBLE;
  int i = (int) ceil (log (x) / q->log_gamma);
  quantile_reach (q, i);
  q->counts[i - q->lo]++;
}

uint64_t
stats_quantile_count (const StatsQuantile *q)
{
  g_return_val_if_fail (q != NULL, 0);
  return q->count;
}

double
stats_quantile_get (const StatsQuantile *q, double p)
{
  g_return_val_if_fail (q != NULL, NAN);
  g_return_val_if_fail (p >= 0.0 && p <= 1.0, NAN);
  if (q->count == 0)
    return NAN;
  /* The value of 0-based rank floor(p (n-1)) in sorted order. */
  uint64_t rank = (uint64_t) floor (p * (double) (q->count - 1));
  uint64_t seen = q->zero;
  if (rank < seen)
    return 0.0;
  for (size_t k = 0; k < q->len; k++)
    {
      seen += q->counts[k];
      if (rank < seen)
        {
          int i = q->lo + (int) k;
          return 2.0 * exp ((double) i * q->log_gamma) / (q->gamma + 1.0);
        }
    }
  g_assert_not_reached ();
  return NAN;
}

/* ---- StatsTimeAvg ---- */

void
stats_timeavg_init (StatsTimeAvg *s)
{
  g_return_if_fail (s != NULL);
  *s = (StatsTimeAvg) { 0 };
}

void
stats_timeavg_set (StatsTimeAvg *s, double t, double v)
{
  g_return_if_fail (s != NULL);
  if (!s->started)
    {
      s->t0 = s->last_t = t;
      s->last_v = v;
      s->area = 0.0;
      s->started = true;
      return;
    }
  g_return_if_fail (t >= s->last_t);
  s->area += s->last_v * (t - s->last_t);
  s->last_t = t;
  s->last_v = v;
}

double
stats_timeavg_get (const StatsTimeAvg *s, double t_end)
{
  g_return_val_if_fail (s != NULL, NAN);
  if (!s->started || !(t_end > s->t0))
    return NAN;
  g_return_val_if_fail (t_end >= s->last_t, NAN);
  double area = s->area + s->last_v * (t_end - s->last_t);
  return area / (t_end - s->t0);
}

/* ---- Student t ---- */

/* t_{0.975, df} for df = 1..30 (standard tables, e.g. NIST/SEMATECH
 * e-Handbook 1.3.6.7.2; 10 significant digits). */
static const double t975_table[31] = {
  NAN,          12.70620474, 4.302652730, 3.182446305, 2.776445105,
  2.570581836,  2.446911851, 2.364624252, 2.306004135, 2.262157163,
  2.228138852,  2.200985160, 2.178812830, 2.160368656, 2.144786688,
  2.131449546,  2.119905299, 2.109815578, 2.100922040, 2.093024054,
  2.085963447,  2.079613845, 2.073873068, 2.068657610, 2.063898562,
  2.059538553,  2.055529439, 2.051830516, 2.048407142, 2.045229642,
  2.042272456,
};

double
stats_t95 (uint64_t df)
{
  g_return_val_if_fail (df >= 1, NAN);
  if (df <= 30)
    return t975_table[df];
  /* Cornish-Fisher expansion of the t quantile in 1/df (Abramowitz and
   * Stegun 26.7.5); the truncation error at df = 31 is below 1e-6. */
  const double z = 1.959963984540054; /* the normal 0.975 quantile */
  double z2 = z * z, v = (double) df;
  double g1 = (z2 + 1.0) * z / 4.0;
  double g2 = ((5.0 * z2 + 16.0) * z2 + 3.0) * z / 96.0;
  double g3 = (((3.0 * z2 + 19.0) * z2 + 17.0) * z2 - 15.0) * z / 384.0;
  double g4 = ((((79.0 * z2 + 776.0) * z2 + 1482.0) * z2 - 1920.0) * z2
               - 945.0) * z / 92160.0;
  return z + g1 / v + g2 / (v * v) + g3 / (v * v * v) + g4 / (v * v * v * v);
}

double
stats_ci95_halfwidth (double sd, uint64_t n)
{
  if (n < 2 || isnan (sd))
    return NAN;
  return stats_t95 (n - 1) * sd / sqrt ((double) n);
}
