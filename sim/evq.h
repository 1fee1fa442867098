/* sim/evq.h - the pending-event set of the kernel.
 *
 * Entries pop in (time, seq) order; seq is the push counter, so events
 * scheduled for the same microsecond pop in the order they were pushed.
 * That order is total, which is what makes runs reproducible.
 *
 * Hot path of every run: no allocation per event after warm-up (storage
 * grows geometrically and is reused). Two implementations behind one API,
 * popping exactly the same sequence: the default radix queue (EVQ_RADIX,
 * sim/evq.c: amortised O(log C) per event for a time span C, independent
 * of the number of pending events) and a 4-ary heap (EVQ_HEAP,
 * sim/evq_heap.c: O(log n)), kept for comparison. Cancellation and
 * rescheduling are supported by handle. Knows nothing of models. */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <stddef.h>

#include "simtime.h"

/* One event: 32 bytes with an inline payload; a model that needs more keeps
 * a slab of its own and passes an index in `data`. */
typedef struct
{
  SimTime time;    /* when it fires (microseconds) */
  uint64_t seq;    /* push counter; also the event's handle */
  uint32_t kind;   /* handler index (see sim.h) */
  uint32_t target; /* object index inside the model */
  uint64_t data;   /* free payload */
} SimEvent;

/* A handle names one pushed event; 0 is never a valid handle. */
typedef uint64_t EvqHandle;
#define EVQ_NONE ((EvqHandle) 0)

typedef struct Evq Evq;

typedef enum
{
  EVQ_RADIX = 0, /* radix queue over integer time (the default) */
  EVQ_HEAP,      /* 4-ary heap */
} EvqKind;

/* Returns: (transfer full) an empty radix queue sized for cap_hint events. */
Evq *evq_new (size_t cap_hint);
/* Returns: (transfer full) an empty queue of the given implementation. */
Evq *evq_new_kind (EvqKind kind, size_t cap_hint);
EvqKind evq_kind (const Evq *q);
/* "radix" or "heap"; evq_kind_from_name returns false for other names. */
const char *evq_kind_name (EvqKind kind);
bool evq_kind_from_name (const char *name, EvqKind *out);
void evq_free (Evq *q); /* NULL is a no-op */

/* Makes room for n live events so the next pushes do not reallocate. */
void evq_reserve (Evq *q, size_t n);

/* Schedules an event; returns its handle. time must be >= the time of the
 * last popped event (the queue asserts it). kind must be < UINT32_MAX. */
EvqHandle evq_push (Evq *q, SimTime time, uint32_t kind, uint32_t target,
                    uint64_t data);

/* Pops the earliest live event into *out. Returns false when empty. */
bool evq_pop (Evq *q, SimEvent *out);

/* A hint, not a promise: the kind and target of the event that will
 * probably pop next, if the queue can tell cheaply; false otherwise
 * (always for EVQ_HEAP). The engine uses it to prefetch the next handler's
 * state (sim_set_prefetch). */
bool evq_next_hint (Evq *q, uint32_t *kind, uint32_t *target);

/* Tells the queue where the per-target state of kind's handler lives
 * (base + target * stride; base NULL: nowhere). The radix queue starts
 * loading it when an event moves within 256 us of the front, hundreds of
 * events before it pops. Only a hint: the pop order never depends on it.
 * The heap ignores it. */
void evq_set_prefetch (Evq *q, uint32_t kind, const void *base,
                       size_t stride);

/* Time of the earliest live event, or SIM_NEVER when empty. */
SimTime evq_peek_time (Evq *q);

/* Cancels a pending event. Returns true if it was pending, false if it
 * already fired, was cancelled, or h is EVQ_NONE. */
bool evq_cancel (Evq *q, EvqHandle h);

/* Moves a pending event to a new time, keeping its payload. Returns the new
 * handle (the old one becomes invalid), or EVQ_NONE if h was not pending. */
EvqHandle evq_reschedule (Evq *q, EvqHandle h, SimTime when);

/* Live (pushed, not popped, not cancelled) events. */
size_t evq_size (const Evq *q);

/* Bytes held by the queue (for benchmarks and memory accounting). */
size_t evq_bytes (const Evq *q);
