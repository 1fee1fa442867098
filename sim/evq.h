/* sim/evq.h - the pending-event set of the kernel.
 *
 * Entries pop in (time, seq) order; seq is the push counter, so events
 * scheduled for the same microsecond pop in the order they were pushed.
 * That order is total, which is what makes runs reproducible.
 *
 * Hot path of every run: no allocation per event after evq_new() (the
 * storage grows geometrically and is reused). Push and pop are O(log n).
 * Cancellation and rescheduling are supported by handle. Knows nothing of
 * models. */
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

/* Returns: (transfer full) an empty queue sized for cap_hint events. */
Evq *evq_new (size_t cap_hint);
void evq_free (Evq *q); /* NULL is a no-op */

/* Makes room for n live events so the next pushes do not reallocate. */
void evq_reserve (Evq *q, size_t n);

/* Schedules an event; returns its handle. time must be >= the time of the
 * last popped event (the queue asserts it). */
EvqHandle evq_push (Evq *q, SimTime time, uint32_t kind, uint32_t target,
                    uint64_t data);

/* Pops the earliest live event into *out. Returns false when empty. */
bool evq_pop (Evq *q, SimEvent *out);

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
