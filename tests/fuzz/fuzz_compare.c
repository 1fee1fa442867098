/* tests/fuzz/fuzz_compare.c - libFuzzer harness of the results reader
 * `faultline compare` uses (lib/compare.h, compare_texts, which parses a
 * run's summary.json): the input is split at its first NUL byte into a
 * baseline and a candidate (without one, it is both). Any bytes compare or
 * are refused with an error, never a crash, a sanitizer report or a leak.
 * Corpus: tests/fuzz/corpus/compare/. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "compare.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  const char *nul = memchr (data, '\0', size);
  size_t la = nul != NULL ? (size_t) (nul - (const char *) data) : size;
  char *a = g_strndup ((const char *) data, la);
  char *b = nul != NULL ? g_strndup (nul + 1, size - la - 1) : g_strdup (a);
  CompareOptions *opt = compare_options_new ();
  GError *error = NULL;
  Comparison *c = compare_texts (a, "baseline", b, "candidate", opt, &error);
  if ((c == NULL) == (error == NULL))
    __builtin_trap ();
  if (c != NULL)
    {
      g_free (compare_format_table (c));
      g_free (compare_format_json (c));
      compare_free (c);
    }
  g_clear_error (&error);
  compare_options_free (opt);
  g_free (a);
  g_free (b);
  return 0;
}
