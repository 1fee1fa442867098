/* tests/fuzz/fuzz_ibnet.c - libFuzzer harness of the ibnetdiscover reader
 * (models/ibnet.h, ibnet_read_data): any bytes give a Topo or an error,
 * never a crash, a sanitizer report or a leak; a fabric that was read is
 * written back out, and what is written reads again with the same counts.
 * Corpus: tests/fuzz/corpus/ibnet/. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "ibnet.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  GError *error = NULL;
  Topo *t = ibnet_read_data ((const char *) data, size, "fuzz.ibnet", 8,
                             &error);
  if ((t == NULL) == (error == NULL))
    __builtin_trap ();
  g_clear_error (&error);
  if (t == NULL)
    return 0;
  char *buf = NULL;
  size_t len = 0;
  FILE *f = open_memstream (&buf, &len);
  if (f == NULL || !ibnet_write (t, f, NULL))
    __builtin_trap ();
  fclose (f);
  Topo *r = ibnet_read_data (buf, len, "written", 8, &error);
  if (r == NULL)
    __builtin_trap (); /* what faultline writes, it reads */
  for (int k = 0; k < TOPO_N_KINDS; k++)
    if (topo_count (t, (TopoKind) k) != topo_count (r, (TopoKind) k))
      __builtin_trap ();
  topo_free (r);
  topo_free (t);
  free (buf);
  return 0;
}
