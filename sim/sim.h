/* sim/sim.h - the discrete-event engine: a clock, a queue, handlers.
 *
 * Models register handlers (one per event kind) and schedule events through
 * sim_at(); only the engine moves the clock. The engine never looks inside
 * a model's state. Knows nothing of GPUs. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "evq.h"
#include "simtime.h"

typedef struct Sim Sim;

/* Called for each popped event of the kind it was registered for. */
typedef void (*SimHandlerFn) (Sim *sim, const SimEvent *ev, void *user_data);

/* Called every `period` of simulated time while running (for progress
 * reports and time-series sampling); returns false to stop the run. */
typedef bool (*SimTickFn) (Sim *sim, SimTime now, void *user_data);

/* Returns: (transfer full) an engine at time 0 with no handlers. */
Sim *sim_new (uint64_t seed);
/* Same, on a given queue implementation (sim_new uses EVQ_RADIX; both pop
 * the same events in the same order, see evq.h). */
Sim *sim_new_queue (uint64_t seed, EvqKind queue);
void sim_free (Sim *sim); /* NULL is a no-op */

/* Makes room for n pending events (optional; the queue grows by itself). */
void sim_reserve (Sim *sim, size_t n);

/* Registers a handler; returns its event kind. name is for diagnostics and
 * must outlive the engine (a string literal). */
uint32_t sim_register (Sim *sim, const char *name, SimHandlerFn fn,
                       void *user_data);
const char *sim_kind_name (const Sim *sim, uint32_t kind);

/* Declares where the state a handler of `kind` reads for an event's target
 * lives: base + target * stride. The radix queue then prefetches that
 * address when an event moves within 256 us of the front (evq_set_prefetch),
 * and while a handler runs the engine prefetches it again for the event
 * that will probably pop next, so a model whose per-target state is larger
 * than the cache does not wait on it. Only a hint: nothing is read from the
 * address. base NULL removes. */
void sim_set_prefetch (Sim *sim, uint32_t kind, const void *base,
                       size_t stride);

/* Schedules an event at absolute time `when` (>= sim_now()). */
EvqHandle sim_at (Sim *sim, SimTime when, uint32_t kind, uint32_t target,
                  uint64_t data);
/* Schedules an event `delay` (>= 0) after now. */
EvqHandle sim_after (Sim *sim, SimTime delay, uint32_t kind, uint32_t target,
                     uint64_t data);
bool sim_cancel (Sim *sim, EvqHandle h);
EvqHandle sim_reschedule (Sim *sim, EvqHandle h, SimTime when);

SimTime sim_now (const Sim *sim);
uint64_t sim_seed (const Sim *sim);
uint64_t sim_events_handled (const Sim *sim);
size_t sim_pending (const Sim *sim);

/* Calls fn at every multiple of period (period > 0) while running, before
 * the events of that instant. One tick function at a time; NULL removes. */
void sim_set_tick (Sim *sim, SimTime period, SimTickFn fn, void *user_data);

/* Runs until the queue is empty, the next event is later than `until`, a
 * tick returns false, or sim_stop() is called. The clock ends at `until`
 * when the run reaches it. Returns the number of events handled. */
uint64_t sim_run (Sim *sim, SimTime until);

/* Asks sim_run to return after the current event. */
void sim_stop (Sim *sim);
bool sim_stopped (const Sim *sim);
