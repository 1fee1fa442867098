/* tests/fuzz/fuzz_swf.c - libFuzzer harness of the SWF trace reader
 * (models/swf.h, swf_load_data): any bytes are read or refused with an
 * error, never a crash, a sanitizer report or a leak; a refusal always
 * sets an error and appends no job. Corpus: tests/fuzz/corpus/swf/. */
#include <stddef.h>
#include <stdint.h>

#include "swf.h"
#include "workload.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  for (int lenient = 0; lenient < 2; lenient++)
    {
      SwfOptions opt;
      swf_options_init (&opt);
      opt.lenient = lenient;
      GArray *jobs = g_array_new (FALSE, FALSE, sizeof (WorkloadJob));
      GError *error = NULL;
      bool ok = swf_load_data ((const char *) data, size, "fuzz.swf", &opt,
                               jobs, NULL, &error);
      if (ok == (error != NULL) || (!ok && jobs->len != 0))
        __builtin_trap ();
      g_clear_error (&error);
      g_array_unref (jobs);
    }
  return 0;
}
