/* tests/fuzz/fuzz_scenario.c - libFuzzer harness of the scenario loader
 * (lua/runtime.h, lb_load): any text is run as a scenario's top level in
 * the sandbox with a small budget (10^6 instructions) and memory cap
 * (16 MiB); it loads or is refused with an error, never a crash, a hang, a
 * sanitizer report or a leak. The text is written to one file in a
 * private temporary folder (lb_load reads a path), overwritten for every
 * input. Corpus: tests/fuzz/corpus/scenario/. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <glib/gstdio.h>

#include "runtime.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

static char *tmp_dir, *path;

static void
cleanup (void)
{
  g_unlink (path);
  g_rmdir (tmp_dir);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  if (path == NULL)
    {
      tmp_dir = g_dir_make_tmp ("fl-fuzz-scenario-XXXXXX", NULL);
      if (tmp_dir == NULL)
        abort ();
      path = g_build_filename (tmp_dir, "s.lua", NULL);
      atexit (cleanup);
    }
  if (!g_file_set_contents (path, (const char *) data, (gssize) size, NULL))
    abort ();
  LbOptions opt = { .seed = 7, .mem_limit = (size_t) 16 << 20,
                    .instr_budget = 1000000 };
  GError *error = NULL;
  LbRun *run = lb_load (path, &opt, &error);
  if ((run == NULL) == (error == NULL))
    __builtin_trap ();
  g_clear_error (&error);
  lb_free (run);
  return 0;
}
