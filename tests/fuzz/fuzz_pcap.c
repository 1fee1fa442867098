/* tests/fuzz/fuzz_pcap.c - libFuzzer harness of the capture reader of
 * `faultline replay` (lib/ibpcap.h, ibpcap_read): any bytes give the
 * records of a capture or an error, never a crash, a sanitizer report or a
 * leak. Checked on every input: an error exactly when no array is
 * returned; every record read is counted once, as used or as skipped for
 * one reason (records = used + wrong type + corrupt + other + directed);
 * a used record has a record number within the file's, in file order, and
 * fields the reader promises (a PortInfo: a real responder LID, port
 * 0..255 and PortState 1..5; a trap: no state). Corpus:
 * tests/fuzz/corpus/pcap/ (pieces of a run's fabric.pcap, ERF and raw
 * InfiniBand link types, a truncated one). */
#include <stddef.h>
#include <stdint.h>

#include "ibpcap.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  IbPcapReadStats st;
  GError *error = NULL;
  GArray *recs = ibpcap_read (data, size, "fuzz.pcap", &st, &error);
  if ((recs == NULL) == (error == NULL))
    __builtin_trap ();
  g_clear_error (&error);
  if (recs == NULL)
    return 0;
  if (st.records != recs->len + st.wrong_type + st.corrupt + st.other
                    + st.directed)
    __builtin_trap ();
  uint64_t prev = 0;
  for (guint i = 0; i < recs->len; i++)
    {
      const IbPcapRec *r = &g_array_index (recs, IbPcapRec, i);
      if (r->record <= prev || r->record > st.records)
        __builtin_trap ();
      prev = r->record;
      if (r->kind == IBPCAP_REC_PORTINFO)
        {
          if (r->lid == 0 || r->lid == 0xffff || r->state < 1
              || r->state > 5)
            __builtin_trap ();
        }
      else if (r->kind != IBPCAP_REC_TRAP || r->state != 0)
        __builtin_trap ();
    }
  g_array_unref (recs);
  return 0;
}
