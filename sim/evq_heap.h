/* sim/evq_heap.h - the 4-ary heap event queue (sim/evq_heap.c), private to
 * sim/evq.c, which forwards to it for queues made with EVQ_HEAP. Same
 * contract as the functions of the same names in evq.h. */
#pragma once

#include "evq.h"

typedef struct EvqHeap EvqHeap;

EvqHeap *evq_heap_new (size_t cap_hint);
void evq_heap_free (EvqHeap *q);
void evq_heap_reserve (EvqHeap *q, size_t n);
EvqHandle evq_heap_push (EvqHeap *q, SimTime time, uint32_t kind,
                         uint32_t target, uint64_t data);
bool evq_heap_pop (EvqHeap *q, SimEvent *out);
SimTime evq_heap_peek_time (EvqHeap *q);
bool evq_heap_cancel (EvqHeap *q, EvqHandle h);
EvqHandle evq_heap_reschedule (EvqHeap *q, EvqHandle h, SimTime when);
size_t evq_heap_size (const EvqHeap *q);
size_t evq_heap_bytes (const EvqHeap *q);
