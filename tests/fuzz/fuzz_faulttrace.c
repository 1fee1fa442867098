/* tests/fuzz/fuzz_faulttrace.c - libFuzzer harness of the published
 * fault-trace reader (models/faulttrace.h, fault_trace_read_data), JSON and
 * CSV alike: any bytes give a trace or an error, never a crash, a sanitizer
 * report or a leak. Checked on every trace read: each event names a node
 * of the trace and lies within its span; the events are in time order;
 * each node's outages are non-empty, in order, disjoint and inside
 * [0, span]; the availability is in [0, 1] and equals 1 - (sum of the
 * outages) / (nodes x span) recomputed here. Corpus:
 * tests/fuzz/corpus/faulttrace/. */
#include <math.h>
#include <stddef.h>
#include <stdint.h>

#include "faulttrace.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  GError *error = NULL;
  FaultTrace *t = fault_trace_read_data ((const char *) data, size,
                                         "fuzz.trace", &error);
  if ((t == NULL) == (error == NULL))
    __builtin_trap ();
  g_clear_error (&error);
  if (t == NULL)
    return 0;
  double prev_t = 0;
  for (guint i = 0; i < t->events->len; i++)
    {
      const FaultTraceEvent *e = &g_array_index (t->events, FaultTraceEvent, i);
      if (e->node >= t->nodes->len || !(e->time_s >= prev_t)
          || e->time_s > t->span_s || e->level == NULL || e->cls == NULL
          || e->desc == NULL)
        __builtin_trap ();
      prev_t = e->time_s;
    }
  double down = 0;
  for (guint i = 0; i < t->outages->len; i++)
    {
      const FaultTraceOutage *o = &g_array_index (t->outages, FaultTraceOutage, i);
      if (o->node >= t->nodes->len || !(o->start_s >= 0)
          || !(o->end_s > o->start_s) || o->end_s > t->span_s
          || o->fault_class == NULL)
        __builtin_trap ();
      if (i > 0)
        {
          const FaultTraceOutage *p = o - 1;
          if (p->node > o->node || (p->node == o->node && !(p->end_s < o->start_s)))
            __builtin_trap (); /* out of order, overlapping or touching */
        }
      down += o->end_s - o->start_s;
    }
  uint32_t n = t->nodes->len;
  double a = fault_trace_availability (t, n);
  double want = t->span_s > 0 && n > 0 ? 1.0 - down / ((double) n * t->span_s) : 1.0;
  if (!(a >= -1e-9 && a <= 1.0) || fabs (a - want) > 1e-9)
    __builtin_trap ();
  fault_trace_free (t);
  return 0;
}
