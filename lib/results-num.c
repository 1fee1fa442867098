/* lib/results-num.c - results_format_double: every double a run writes
 * (summary.json, the CSVs, sweep tables) goes through here.
 *
 * The format is fixed by what outputs have always held: whole numbers
 * below 1e15 as integers; any other finite double as printf's "%.15g" if
 * that reads back (strtod) to the same double, else "%.16g" if that does,
 * else "%.17g" (which always does). The straightforward way to get it,
 * kept below as results_format_double_slow(), costs up to three printf
 * and three strtod calls, each a multi-precision conversion inside glibc:
 * 21% of a fleet-100k run (issue 14).
 *
 * The fast path computes the same text exactly, with 128-bit integers.
 * For 1 <= s <= 32, a = m * 2^-q (m the 53-bit significand) times 10^s is
 * the rational N / 2^t with N = m * 5^s < 2^128 and t = q - s; s is chosen
 * so that its integer part I has 17 digits. Rounding I (and the fraction
 * R / 2^t) to P = 15, 16 or 17 digits, half to even as glibc's printf
 * does, gives printf's digits; the P-digit decimal reads back to a
 * exactly when its distance to a is at most half an ulp (a quarter below
 * a power of two, whose lower neighbour is closer), the bound included
 * only when m is even (strtod rounds ties to even). Both tests are exact
 * integer comparisons, so the result is the slow path's byte for byte;
 * tests/output/test_results.c compares the two on millions of doubles.
 * Doubles outside 1e-16 <= |a| < 1e16 take the slow path. */
#include "results.h"

#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

/* Writes the decimal digits of v at p; returns the end. */
static char *
num_u64 (char *p, uint64_t v)
{
  char tmp[20];
  int n = 0;
  do
    {
      tmp[n++] = (char) ('0' + v % 10);
      v /= 10;
    }
  while (v != 0);
  while (n > 0)
    *p++ = tmp[--n];
  return p;
}

const char *
results_format_double_slow (double v, char *buf, size_t len)
{
  g_return_val_if_fail (buf != NULL && len >= 32, NULL);
  if (!isfinite (v))
    {
      buf[0] = '\0';
      return buf;
    }
  if (v == floor (v) && fabs (v) < 1e15)
    {
      snprintf (buf, len, "%lld", (long long) v);
      return buf;
    }
  static const char *const fmts[] = { "%.15g", "%.16g", "%.17g" };
  for (size_t i = 0; i < G_N_ELEMENTS (fmts); i++)
    {
      g_ascii_formatd (buf, (int) len, fmts[i], v);
      if (g_ascii_strtod (buf, NULL) == v)
        break;
    }
  return buf;
}

#ifdef __SIZEOF_INT128__

typedef unsigned __int128 NumU128;
typedef __int128 NumI128;

static const uint64_t num_pow10[18] = {
  1ull, 10ull, 100ull, 1000ull, 10000ull, 100000ull, 1000000ull,
  10000000ull, 100000000ull, 1000000000ull, 10000000000ull,
  100000000000ull, 1000000000000ull, 10000000000000ull,
  100000000000000ull, 1000000000000000ull, 10000000000000000ull,
  100000000000000000ull,
};

/* 5^0 .. 5^27 (5^27 < 2^63). */
static const uint64_t num_pow5[28] = {
  1ull, 5ull, 25ull, 125ull, 625ull, 3125ull, 15625ull, 78125ull,
  390625ull, 1953125ull, 9765625ull, 48828125ull, 244140625ull,
  1220703125ull, 6103515625ull, 30517578125ull, 152587890625ull,
  762939453125ull, 3814697265625ull, 19073486328125ull, 95367431640625ull,
  476837158203125ull, 2384185791015625ull, 11920928955078125ull,
  59604644775390625ull, 298023223876953125ull, 1490116119384765625ull,
  7450580596923828125ull,
};

static NumU128
num_pow5_128 (int s)
{
  if (s < 28)
    return num_pow5[s];
  return (NumU128) num_pow5[27] * num_pow5[s - 27];
}

/* Formats the P digits of `digits` (10^(P-1) <= digits < 10^P, decimal
 * exponent x: the value is digits * 10^(x - P + 1)) as printf's %.Pg does:
 * fixed notation when -4 <= x < P, else d.ddde+XX; trailing zeros of the
 * fraction and a bare point removed. Returns the end. */
static char *
num_format_g (char *p, uint64_t digits, int P, int x)
{
  char d[17];
  for (int i = P - 1; i >= 0; i--)
    {
      d[i] = (char) ('0' + digits % 10);
      digits /= 10;
    }
  int k = P;
  while (k > 1 && d[k - 1] == '0')
    k--;
  if (x < -4 || x >= P)
    {
      *p++ = d[0];
      if (k > 1)
        {
          *p++ = '.';
          memcpy (p, d + 1, (size_t) (k - 1));
          p += k - 1;
        }
      *p++ = 'e';
      *p++ = x < 0 ? '-' : '+';
      int ax = x < 0 ? -x : x;
      if (ax < 10)
        *p++ = '0';
      p = num_u64 (p, (uint64_t) ax);
    }
  else if (x >= 0)
    {
      if (k <= x + 1)
        {
          memcpy (p, d, (size_t) k);
          p += k;
          for (int i = k; i <= x; i++)
            *p++ = '0';
        }
      else
        {
          memcpy (p, d, (size_t) (x + 1));
          p += x + 1;
          *p++ = '.';
          memcpy (p, d + x + 1, (size_t) (k - x - 1));
          p += k - x - 1;
        }
    }
  else
    {
      *p++ = '0';
      *p++ = '.';
      for (int i = -1; i > x; i--)
        *p++ = '0';
      memcpy (p, d, (size_t) k);
      p += k;
    }
  return p;
}

/* The fast path for finite a > 0; false when a is outside its range. */
static bool
num_fast (double a, char *p)
{
  int e2;
  double f = frexp (a, &e2); /* a = f * 2^e2, 0.5 <= f < 1 */
  if (e2 < -60 || e2 > 54)
    return false;
  uint64_t m = (uint64_t) ldexp (f, 53); /* exact: 2^52 <= m < 2^53 */
  int q = 53 - e2;                       /* a = m * 2^-q */
  /* a in [2^(e2-1), 2^e2): floor(log10 a) is this or one more. */
  int x = (int) floor ((e2 - 1) * 0.30102999566398119521);
  uint64_t I = 0;
  NumU128 R = 0, H = 0;
  int t = 0;
  for (int tries = 0;; tries++)
    {
      int s = 16 - x;
      if (s < 1 || s > 32 || tries > 2)
        return false;
      NumU128 N = (NumU128) m * num_pow5_128 (s); /* < 2^128 for s <= 32 */
      H = num_pow5_128 (s);
      NumU128 whole;
      t = q - s;
      if (t >= 0)
        {
          if (t > 100)
            return false;
          whole = t == 0 ? N : N >> t;
          R = t == 0 ? 0 : N & (((NumU128) 1 << t) - 1);
        }
      else
        {
          if (-t > 40)
            return false;
          whole = N << -t; /* N < 2^(53 + 2.33 s) and s is small here */
          H <<= -t;
          R = 0;
          t = 0;
        }
      if (whole >= (NumU128) num_pow10[17])
        x++;
      else if (whole < (NumU128) num_pow10[16])
        x--;
      else
        {
          I = (uint64_t) whole;
          break;
        }
    }

  bool m_even = (m & 1) == 0;
  bool pow2 = m == (uint64_t) 1 << 52; /* the lower neighbour is closer */
  for (int P = 15; P <= 17; P++)
    {
      uint64_t d = num_pow10[17 - P];
      uint64_t Q = I / d, rem = I % d;
      bool up;
      if (d == 1)
        {
          NumU128 half = t == 0 ? 0 : (NumU128) 1 << (t - 1);
          up = t > 0 && (R > half || (R == half && (Q & 1)));
        }
      else if (2 * rem != d)
        up = 2 * rem > d;
      else
        up = R > 0 || (Q & 1);
      Q += up;
      if (P < 17)
        {
          /* diff = (Q * d - a * 10^s) * 2^t, exactly. */
          NumI128 delta = (NumI128) (Q * d) - (NumI128) I;
          NumI128 diff = delta * ((NumI128) 1 << t) - (NumI128) R;
          NumU128 mag = diff < 0 ? (NumU128) -diff : (NumU128) diff;
          NumU128 lhs = (diff < 0 && pow2 ? 4 : 2) * mag;
          if (lhs > H || (lhs == H && !m_even))
            continue; /* does not read back: one more digit */
        }
      int xr = x;
      if (Q == num_pow10[P])
        {
          Q = num_pow10[P - 1];
          xr++;
        }
      *num_format_g (p, Q, P, xr) = '\0';
      return true;
    }
  g_assert_not_reached ();
}

#endif /* __SIZEOF_INT128__ */

const char *
results_format_double (double v, char *buf, size_t len)
{
  g_return_val_if_fail (buf != NULL && len >= 32, NULL);
  if (!isfinite (v))
    {
      buf[0] = '\0';
      return buf;
    }
  /* Whole numbers (counts, most of the CSV cells) need no search. */
  if (v == floor (v) && fabs (v) < 1e15)
    {
      long long i = (long long) v;
      char *p = buf;
      if (i < 0)
        *p++ = '-';
      *num_u64 (p, (uint64_t) (i < 0 ? -i : i)) = '\0';
      return buf;
    }
#ifdef __SIZEOF_INT128__
  char *p = buf;
  if (v < 0)
    *p++ = '-';
  if (num_fast (fabs (v), p))
    return buf;
#endif
  return results_format_double_slow (v, buf, len);
}
