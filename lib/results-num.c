/* lib/results-num.c - the text of every number a run writes (summary.json,
 * the CSVs, events.jsonl, sweep tables): results_num_put() writes it
 * straight into the caller's buffer; results_format_double() is the same
 * text as a C string.
 *
 * The format is fixed by what outputs have always held: whole numbers
 * below 1e15 as integers; any other finite double as printf's "%.15g" if
 * that reads back (strtod) to the same double, else "%.16g" if that does,
 * else "%.17g" (which always does). The straightforward way to get it,
 * kept below as results_format_double_slow(), costs up to three printf
 * and three strtod calls, each a multi-precision conversion inside glibc:
 * 21% of a fleet-100k run (issue 14).
 *
 * The fast path computes the same text exactly, in one pass, with 128-bit
 * integers and no retry. With m the 53-bit significand and a = m * 2^-q,
 * the binary exponent alone gives x = floor(log10 a) or x + 1; for
 * s = 16 - x (1 <= s <= 32) a * 10^s is the rational N / 2^t with
 * N = m * 5^s < 2^128 (one multiplication) and t = q - s, whose integer
 * part I has D = 17 or 18 digits. Rounding I (and the fraction R / 2^t)
 * to P = 15, 16 or 17 digits, half to even as glibc's printf does, gives
 * printf's digits; the P-digit decimal reads back to a exactly when its
 * distance to a is at most half an ulp (a quarter below a power of two,
 * whose lower neighbour is closer), the bound included only when m is
 * even (strtod rounds ties to even). Both tests are exact integer
 * comparisons (divisions by constants), so the result is the slow path's
 * byte for byte; tests/output/test_results.c compares the two on millions
 * of doubles. Doubles outside 1e-16 <= |a| < 1e16 (none in the shipped
 * scenarios' outputs but the integers) take the slow path. */
#include "results.h"

#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

static const uint64_t num_pow10[20] = {
  1ull, 10ull, 100ull, 1000ull, 10000ull, 100000ull, 1000000ull,
  10000000ull, 100000000ull, 1000000000ull, 10000000000ull,
  100000000000ull, 1000000000000ull, 10000000000000ull,
  100000000000000ull, 1000000000000000ull, 10000000000000000ull,
  100000000000000000ull, 1000000000000000000ull,
  10000000000000000000ull,
};

/* "00" .. "99": two digits per division. */
static const char num_pairs[201] =
  "00010203040506070809" "10111213141516171819" "20212223242526272829"
  "30313233343536373839" "40414243444546474849" "50515253545556575859"
  "60616263646566676869" "70717273747576777879" "80818283848586878889"
  "90919293949596979899";

/* Writes the 8 digits of v < 10^8 at p: four independent pairs (a chain
 * of divisions by 100 would wait on each other). */
static inline void
num_digits8 (char *p, uint32_t v)
{
  uint32_t hi = v / 10000, lo = v % 10000;
  memcpy (p, num_pairs + 2 * (hi / 100), 2);
  memcpy (p + 2, num_pairs + 2 * (hi % 100), 2);
  memcpy (p + 4, num_pairs + 2 * (lo / 100), 2);
  memcpy (p + 6, num_pairs + 2 * (lo % 100), 2);
}

/* Writes the n decimal digits of v (v < 10^n, leading zeros kept) at
 * end[-n] .. end[-1]. */
static inline void
num_digits_back (char *end, uint64_t v, int n)
{
  for (; n >= 8; n -= 8)
    {
      end -= 8;
      num_digits8 (end, (uint32_t) (v % 100000000));
      v /= 100000000;
    }
  for (; n >= 2; n -= 2)
    {
      unsigned r = (unsigned) (v % 100);
      v /= 100;
      end -= 2;
      memcpy (end, num_pairs + 2 * r, 2);
    }
  if (n == 1)
    end[-1] = (char) ('0' + v);
}

char *
results_num_put_u64 (char *p, uint64_t v)
{
  int n = 1;
  while (n < 20 && v >= num_pow10[n])
    n++;
  num_digits_back (p + n, v, n);
  return p + n;
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

static inline NumU128
num_pow5_128 (int s)
{
  if (s < 28)
    return num_pow5[s];
  return (NumU128) num_pow5[27] * num_pow5[s - 27];
}

/* The exact value (I + R / 2^t) / d rounded to an integer, half to even
 * (printf's rounding of the exact binary value). */
static inline __attribute__ ((always_inline)) uint64_t
num_round (uint64_t I, NumU128 R, int t, uint64_t d)
{
  uint64_t Q;
  bool up;
  if (d == 1)
    {
      Q = I;
      NumU128 half = t == 0 ? 0 : (NumU128) 1 << (t - 1);
      up = t > 0 && (R > half || (R == half && (Q & 1)));
    }
  else
    {
      Q = I / d;
      uint64_t rem = I % d;
      if (2 * rem != d)
        up = 2 * rem > d;
      else
        up = R > 0 || (Q & 1);
    }
  return Q + up;
}

/* Whether the decimal Q * d / 10^s reads back to a: its distance to
 * a = (I + R / 2^t) / 10^s is within half an ulp, H / 2^(t+1) / 10^s
 * (H = 5^s * 2^(s - q + t): the ulp times 10^s, over 2^t). */
static inline __attribute__ ((always_inline)) bool
num_reads_back (uint64_t Q, uint64_t d, uint64_t I, NumU128 R, int t,
                NumU128 H, bool m_even, bool pow2)
{
  /* |diff| = |(Q d - I) 2^t - R| and its sign, by shifts (Q d - I is at
   * most d in size, t <= 100: no overflow). */
  uint64_t qd = Q * d;
  NumU128 mag;
  bool below; /* the decimal is below a */
  if (qd >= I)
    {
      NumU128 up = (NumU128) (qd - I) << t;
      below = up < R;
      mag = below ? R - up : up - R;
    }
  else
    {
      below = true;
      mag = ((NumU128) (I - qd) << t) + R;
    }
  NumU128 lhs = mag << (below && pow2 ? 2 : 1);
  return lhs < H || (lhs == H && m_even);
}

/* Writes the P digits of `digits` (10^(P-1) <= digits <= 10^P, decimal
 * exponent x of the first: the value is digits * 10^(x - P + 1)) as
 * printf's %.Pg does: fixed notation when -4 <= x < P, else d.ddde+XX;
 * trailing zeros of the fraction and a bare point removed. Touches at
 * most 34 bytes at p; returns the end of the text. */
static char *
num_put_g (char *p, uint64_t digits, int P, int x)
{
  if (digits == num_pow10[P]) /* rounded up to the next power of ten */
    {
      digits = num_pow10[P - 1];
      x++;
    }
  char d[40] = { 0 }; /* the digits at d[0 .. P-1]; 16-byte copies below */
  num_digits_back (d + P, digits, P);
  int k = P;
  while (k > 1 && d[k - 1] == '0')
    k--;
  if (x < -4 || x >= P)
    {
      p[0] = d[0];
      if (k > 1)
        {
          p[1] = '.';
          memcpy (p + 2, d + 1, 16);
          p += k + 1;
        }
      else
        p++;
      *p++ = 'e';
      *p++ = x < 0 ? '-' : '+';
      unsigned ax = (unsigned) (x < 0 ? -x : x);
      if (ax >= 100)
        {
          *p++ = (char) ('0' + ax / 100);
          ax %= 100;
        }
      memcpy (p, num_pairs + 2 * ax, 2);
      return p + 2;
    }
  if (x >= 0)
    {
      memcpy (p, d, 17);
      if (k <= x + 1) /* a whole number: d[k .. x] are zeros */
        return p + x + 1;
      p[x + 1] = '.';
      memcpy (p + x + 2, d + x + 1, 16);
      return p + k + 1;
    }
  memcpy (p, "0.0000", 6);
  p += 1 - x;
  memcpy (p, d, 17);
  return p + k;
}

/* The first of %.15g, %.16g and %.17g that reads back, for I with D
 * digits (17 or 18: a constant, so the divisions are by constants). */
static inline __attribute__ ((always_inline)) char *
num_shortest (char *p, uint64_t I, NumU128 R, int t, NumU128 H, bool m_even,
              bool pow2, int x, int D)
{
  /* d = 10^(D - P), spelt out so that the compiler divides by constants */
  const uint64_t d15 = D == 17 ? 100 : 1000;
  const uint64_t d16 = D == 17 ? 10 : 100;
  const uint64_t d17 = D == 17 ? 1 : 10;
  uint64_t Q = num_round (I, R, t, d15);
  if (num_reads_back (Q, d15, I, R, t, H, m_even, pow2))
    return num_put_g (p, Q, 15, x);
  Q = num_round (I, R, t, d16);
  if (num_reads_back (Q, d16, I, R, t, H, m_even, pow2))
    return num_put_g (p, Q, 16, x);
  return num_put_g (p, num_round (I, R, t, d17), 17, x);
}

/* The fast path for finite a > 0; NULL when a is outside its range. */
static char *
num_fast (char *p, double a)
{
  uint64_t bits;
  memcpy (&bits, &a, sizeof bits);
  int be = (int) (bits >> 52) & 0x7ff;
  if (be == 0) /* subnormal */
    return NULL;
  uint64_t m = (bits & ((UINT64_C (1) << 52) - 1)) | (UINT64_C (1) << 52);
  int e2 = be - 1022; /* 2^(e2-1) <= a < 2^e2 */
  if (e2 < -60 || e2 > 54)
    return NULL;
  int q = 53 - e2; /* a = m * 2^-q */
  /* floor ((e2 - 1) * log10 2), exact for |e2| < 1000: floor (log10 a)
   * is x or x + 1. */
  int x = ((e2 - 1) * 78913) >> 18;
  int s = 16 - x;
  if (s < 1 || s > 32)
    return NULL;
  NumU128 H = num_pow5_128 (s);
  NumU128 N = (NumU128) m * H; /* < 2^53 * 5^32 < 2^128 */
  int t = q - s;
  NumU128 whole, R;
  if (t >= 0)
    {
      if (t > 100)
        return NULL;
      whole = N >> t;
      R = t == 0 ? 0 : N & (((NumU128) 1 << t) - 1);
    }
  else
    {
      if (-t > 40)
        return NULL;
      whole = N << -t; /* a * 10^s < 10^18: no overflow */
      H <<= -t;
      R = 0;
      t = 0;
    }
  bool m_even = (m & 1) == 0;
  bool pow2 = m == UINT64_C (1) << 52; /* the lower neighbour is closer */
  if (whole >= (NumU128) num_pow10[16] && whole < (NumU128) num_pow10[17])
    return num_shortest (p, (uint64_t) whole, R, t, H, m_even, pow2, x, 17);
  if (whole >= (NumU128) num_pow10[17] && whole < (NumU128) num_pow10[18])
    return num_shortest (p, (uint64_t) whole, R, t, H, m_even, pow2, x + 1,
                         18);
  return NULL; /* not reached: x is floor (log10 a) or one less */
}

#endif /* __SIZEOF_INT128__ */

char *
results_num_put (char *p, double v)
{
  if (!isfinite (v))
    return p;
  /* Whole numbers (counts, most of the CSV cells) need no search. */
  if (fabs (v) < 1e15)
    {
      int64_t i = (int64_t) v;
      if ((double) i == v)
        {
          if (i < 0)
            *p++ = '-';
          return results_num_put_u64 (p, i < 0 ? -(uint64_t) i
                                               : (uint64_t) i);
        }
    }
  char *start = p;
#ifdef __SIZEOF_INT128__
  if (v < 0)
    *p++ = '-';
  char *end = num_fast (p, fabs (v));
  if (end != NULL)
    return end;
#endif
  char buf[40];
  results_format_double_slow (v, buf, sizeof buf);
  size_t n = strlen (buf);
  memcpy (start, buf, n);
  return start + n;
}

const char *
results_format_double (double v, char *buf, size_t len)
{
  g_return_val_if_fail (buf != NULL && len >= 32, NULL);
  char tmp[RESULTS_NUM_ROOM];
  char *end = results_num_put (tmp, v);
  size_t n = (size_t) (end - tmp); /* at most 24 */
  memcpy (buf, tmp, n);
  buf[n] = '\0';
  return buf;
}
