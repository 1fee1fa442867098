/* sim/rng.h - reproducible random streams.
 *
 * One 64-bit run seed is split into independent streams keyed by
 * (component, purpose): rng_stream_init (&s, seed, "node0412/gpu5", "ttf").
 * A stream's draws depend only on (seed, component, purpose), so adding a
 * component or a draw elsewhere never perturbs another stream.
 *
 * Generator: xoshiro256** 1.0 (Blackman & Vigna, 2018), whose 256-bit state
 * is filled by SplitMix64 from a 64-bit key; the key is a hash of the seed
 * and the two names. Never rand(), never GLib's g_random_*. */
#pragma once

#include <stdint.h>

typedef struct
{
  uint64_t s[4];
} RngStream;

/* Derives the 64-bit key of (seed, component, purpose); either name may be
 * NULL (treated as ""). */
uint64_t rng_key (uint64_t seed, const char *component, const char *purpose);
/* Same, for components known by index (avoids formatting names). */
uint64_t rng_key_index (uint64_t seed, uint32_t cls, uint64_t index,
                        const char *purpose);

void rng_stream_init (RngStream *s, uint64_t seed, const char *component,
                      const char *purpose);
void rng_stream_init_key (RngStream *s, uint64_t key);

uint64_t rng_next_u64 (RngStream *s);
/* Uniform double in [0, 1) with 53 random bits. */
double rng_uniform (RngStream *s);
/* Uniform double in (0, 1): safe for log(). */
double rng_uniform_pos (RngStream *s);
/* Uniform integer in [0, n), n > 0, without modulo bias. */
uint64_t rng_below (RngStream *s, uint64_t n);
