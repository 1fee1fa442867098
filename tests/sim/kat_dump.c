/* tests/sim/kat_dump.c - prints stream keys, draws and distribution
 * samples for a fixed set of inputs, one line each, for kat_check.py to
 * recompute independently. Integers in decimal, doubles as %a (exact). */
#include <stdio.h>
#include <inttypes.h>

#include "dist.h"
#include "rng.h"

static const struct { uint64_t seed; const char *comp, *purpose; } names[] = {
  { 0, "", "" }, { 7, "node0412/gpu5", "ttf" }, { 1, "rack3", "power" },
  { 18446744073709551615ULL, "link/17", "flap" }, { 42, "job/train", "size" },
};

int
main (void)
{
  for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
    {
      uint64_t seed = names[i].seed;
      const char *c = names[i].comp, *p = names[i].purpose;
      printf ("key %" PRIu64 " %s %s %" PRIu64 "\n", seed, c[0] ? c : "-",
              p[0] ? p : "-", rng_key (seed, c, p));
      RngStream s;
      rng_stream_init (&s, seed, c, p);
      printf ("draws %" PRIu64 " %s %s", seed, c[0] ? c : "-", p[0] ? p : "-");
      for (int k = 0; k < 6; k++)
        printf (" %" PRIu64, rng_next_u64 (&s));
      printf ("\nuniform");
      for (int k = 0; k < 3; k++)
        {
          double u = rng_uniform (&s); /* in this order: the draws are a sequence */
          double v = rng_uniform_pos (&s);
          printf (" %a %a", u, v);
        }
      printf ("\nbelow");
      const uint64_t bounds[] = { 1, 2, 3, 10, 1000003, (1ULL << 63) + 5 };
      for (size_t k = 0; k < sizeof bounds / sizeof bounds[0]; k++)
        printf (" %" PRIu64 ":%" PRIu64, bounds[k], rng_below (&s, bounds[k]));
      printf ("\n");
    }
  for (uint32_t cls = 0; cls < 3; cls++)
    printf ("keyidx 7 %" PRIu32 " %" PRIu64 " ttf %" PRIu64 "\n", cls,
            (uint64_t) cls * 4099, rng_key_index (7, cls, (uint64_t) cls * 4099, "ttf"));

  const struct { const char *name; Dist d; } dists[] = {
    { "exponential", dist_exponential (2.5) },
    { "weibull", dist_weibull (0.7, 3.0) },
    { "lognormal", dist_lognormal (1.0, 0.8) },
    { "uniform", dist_uniform (2.0, 6.0) },
    { "constant", dist_constant (4.0) },
  };
  for (size_t i = 0; i < sizeof dists / sizeof dists[0]; i++)
    {
      RngStream s;
      rng_stream_init (&s, 7, "node0001", dists[i].name);
      printf ("sample %s %a %a", dists[i].name, dists[i].d.a, dists[i].d.b);
      for (int k = 0; k < 8; k++)
        printf (" %a", dist_sample (&dists[i].d, &s));
      printf ("\n");
    }
  return 0;
}
