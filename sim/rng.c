/* sim/rng.c - xoshiro256** streams keyed by (seed, component, purpose).
 *
 * Key derivation: the names are hashed with 64-bit FNV-1a, each hash is
 * passed through the SplitMix64 finaliser and combined with the seed, so a
 * one-character change in a name gives an unrelated key. The key seeds
 * SplitMix64, whose first four outputs fill the xoshiro256** state (the
 * seeding Vigna recommends: it never yields the all-zero state in practice
 * and decorrelates nearby keys). */
#include "rng.h"

#include <stddef.h>

static inline uint64_t
mix64 (uint64_t z)
{
  /* SplitMix64 finaliser (Steele, Lea, Flood 2014; Stafford variant 13). */
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

static uint64_t
fnv1a (const char *s)
{
  uint64_t h = 0xcbf29ce484222325ULL;
  if (s != NULL)
    for (; *s; s++)
      {
        h ^= (unsigned char) *s;
        h *= 0x100000001b3ULL;
      }
  return h;
}

uint64_t
rng_key (uint64_t seed, const char *component, const char *purpose)
{
  uint64_t k = mix64 (seed + 0x9e3779b97f4a7c15ULL);
  k = mix64 (k ^ mix64 (fnv1a (component)));
  k = mix64 (k ^ mix64 (fnv1a (purpose) + 0x632be59bd9b4e019ULL));
  return k;
}

uint64_t
rng_key_index (uint64_t seed, uint32_t cls, uint64_t index,
               const char *purpose)
{
  uint64_t k = mix64 (seed + 0x9e3779b97f4a7c15ULL);
  k = mix64 (k ^ mix64 (((uint64_t) cls << 48) ^ index ^ 0xd1b54a32d192ed03ULL));
  k = mix64 (k ^ mix64 (fnv1a (purpose) + 0x632be59bd9b4e019ULL));
  return k;
}

void
rng_stream_init_key (RngStream *s, uint64_t key)
{
  uint64_t x = key;
  for (int i = 0; i < 4; i++)
    {
      x += 0x9e3779b97f4a7c15ULL;
      s->s[i] = mix64 (x);
    }
  if ((s->s[0] | s->s[1] | s->s[2] | s->s[3]) == 0)
    s->s[0] = 1; /* unreachable in practice; xoshiro must not be all-zero */
}

void
rng_stream_init (RngStream *s, uint64_t seed, const char *component,
                 const char *purpose)
{
  rng_stream_init_key (s, rng_key (seed, component, purpose));
}

static inline uint64_t
rotl (uint64_t x, int k)
{
  return (x << k) | (x >> (64 - k));
}

uint64_t
rng_next_u64 (RngStream *st)
{
  /* xoshiro256** 1.0 (Blackman & Vigna, 2018). */
  uint64_t *s = st->s;
  const uint64_t result = rotl (s[1] * 5, 7) * 9;
  const uint64_t t = s[1] << 17;
  s[2] ^= s[0];
  s[3] ^= s[1];
  s[1] ^= s[2];
  s[0] ^= s[3];
  s[2] ^= t;
  s[3] = rotl (s[3], 45);
  return result;
}

double
rng_uniform (RngStream *s)
{
  return (double) (rng_next_u64 (s) >> 11) * 0x1.0p-53;
}

double
rng_uniform_pos (RngStream *s)
{
  /* (k + 0.5) / 2^53 for k in [0, 2^53): never 0, never 1. */
  return ((double) (rng_next_u64 (s) >> 11) + 0.5) * 0x1.0p-53;
}

uint64_t
rng_below (RngStream *s, uint64_t n)
{
  /* Lemire's nearly-divisionless method (2019). */
  __uint128_t m = (__uint128_t) rng_next_u64 (s) * n;
  uint64_t l = (uint64_t) m;
  if (l < n)
    {
      uint64_t t = -n % n;
      while (l < t)
        {
          m = (__uint128_t) rng_next_u64 (s) * n;
          l = (uint64_t) m;
        }
    }
  return (uint64_t) (m >> 64);
}
