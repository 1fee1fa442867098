/* tests/fuzz/fuzz_promtest.c - libFuzzer harness of the two readers of
 * `faultline promtest` (lib/promtest.h): the OpenMetrics reader
 * (prom_series_parse) and the rule-file reader (prom_rules_parse, over
 * libyaml). Any bytes are read or refused with an error, never a crash, a
 * sanitizer report or a leak; a refusal always sets an error, and a
 * series set read has a grid of at least one point and one step. Corpus:
 * tests/fuzz/corpus/promtest/ (OpenMetrics and rule files alike: each
 * input goes to both readers). */
#include <stddef.h>
#include <stdint.h>

#include "promtest.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  GError *error = NULL;
  PromSeriesSet *s = prom_series_parse ((const char *) data, size, "fuzz.om",
                                        NULL, &error);
  if ((s == NULL) != (error != NULL))
    __builtin_trap ();
  if (s != NULL)
    {
      int64_t origin, step, points;
      prom_series_grid (s, &origin, &step, &points);
      if (step < 1 || points < 1)
        __builtin_trap ();
      for (guint i = 0; i < prom_series_count (s); i++)
        if (prom_series_values (s, i)[0] == '\0')
          __builtin_trap ();
      prom_series_free (s);
    }
  g_clear_error (&error);
  GPtrArray *alerts = g_ptr_array_new_with_free_func (g_free);
  GHashTable *idents = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  bool ok = prom_rules_parse ((const char *) data, size, "fuzz.yml", alerts,
                              idents, &error);
  if (ok == (error != NULL) || (ok && alerts->len == 0))
    __builtin_trap ();
  g_clear_error (&error);
  g_ptr_array_unref (alerts);
  g_hash_table_unref (idents);
  return 0;
}
