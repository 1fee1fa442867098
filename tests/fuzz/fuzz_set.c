/* tests/fuzz/fuzz_set.c - libFuzzer harness of `--set NAME=VALUE` parsing
 * (models/world.h: world_config_set_string, world_parse_number): the input
 * is split at its first '=' into a name and a value, and set on a fresh
 * configuration; the value is also parsed as a number with and without a
 * duration unit. Everything is accepted or refused with an error; an
 * accepted number is finite and, for a config key, within its declared
 * range. Corpus: tests/fuzz/corpus/set/. */
#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "world.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  char *text = g_strndup ((const char *) data, size);
  if (strlen (text) != size)
    {
      g_free (text); /* a NUL byte cannot reach --set from argv */
      return 0;
    }
  char *eq = strchr (text, '=');
  const char *name = text, *value = "";
  if (eq != NULL)
    {
      *eq = '\0';
      value = eq + 1;
    }
  WorldConfig *cfg = world_config_new ();
  GError *error = NULL;
  bool ok = world_config_set_string (cfg, name, value, &error);
  if (ok == (error != NULL))
    __builtin_trap ();
  g_clear_error (&error);
  const WorldRange *r = world_range (name);
  if (ok && r != NULL && r->is_key)
    {
      char *j = world_config_get_json (cfg, name);
      double x = j != NULL ? g_ascii_strtod (j, NULL) : NAN;
      if (!isfinite (x) || x < r->min || x > r->max)
        __builtin_trap ();
      g_free (j);
    }
  static const char *const units[] = { "", "s" };
  for (int u = 0; u < 2; u++)
    {
      double x = NAN;
      ok = world_parse_number (value, units[u], &x, &error);
      if (ok == (error != NULL) || (ok && !isfinite (x)))
        __builtin_trap ();
      g_clear_error (&error);
    }
  world_config_free (cfg);
  g_free (text);
  return 0;
}
