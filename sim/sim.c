/* sim/sim.c - the discrete-event engine: a clock, an Evq, a handler table
 * and one optional tick function. Not a model: it never looks inside the
 * state a handler's user_data points to.
 *
 * Run loop (sim_run): before each event, every tick due at or before the
 * event's time (and at or before `until`) fires first, so a tick at t sees
 * the state before the events of instant t. Then the event is popped, the
 * clock set to its time and its handler called. No allocation per event:
 * the handler table is a GArray filled at registration time, events live
 * inline in the queue.
 *
 * Ticks fire at the multiples of the period, starting with the first
 * multiple >= sim_now() when sim_set_tick() is called. When the queue runs
 * dry before a finite `until`, the remaining ticks up to `until` still fire
 * and the clock ends at `until`; with until == SIM_NEVER and an empty queue
 * the run simply returns (no endless ticking). */
#include "sim.h"

#include <glib.h>

typedef struct
{
  const char *name;
  SimHandlerFn fn;
  void *user_data;
  const char *prefetch_base; /* sim_set_prefetch, NULL if none */
  size_t prefetch_stride;
} SimHandler;

struct Sim
{
  Evq *q;
  SimTime now;
  uint64_t seed;
  uint64_t handled;
  GArray *handlers; /* of SimHandler, indexed by kind */
  SimTickFn tick_fn;
  void *tick_data;
  SimTime tick_period;
  SimTime next_tick;
  bool stopped;
  bool prefetch; /* some kind has a prefetch base */
};

Sim *
sim_new (uint64_t seed)
{
  return sim_new_queue (seed, EVQ_RADIX);
}

Sim *
sim_new_queue (uint64_t seed, EvqKind queue)
{
  Sim *sim = g_new0 (Sim, 1);
  sim->q = evq_new_kind (queue, 1024);
  sim->seed = seed;
  sim->handlers = g_array_new (FALSE, TRUE, sizeof (SimHandler));
  sim->next_tick = SIM_NEVER;
  return sim;
}

void
sim_free (Sim *sim)
{
  if (sim == NULL)
    return;
  evq_free (sim->q);
  g_array_free (sim->handlers, TRUE);
  g_free (sim);
}

void
sim_reserve (Sim *sim, size_t n)
{
  g_return_if_fail (sim != NULL);
  evq_reserve (sim->q, n);
}

uint32_t
sim_register (Sim *sim, const char *name, SimHandlerFn fn, void *user_data)
{
  g_return_val_if_fail (sim != NULL && name != NULL && fn != NULL, 0);
  SimHandler h = { .name = name, .fn = fn, .user_data = user_data };
  g_array_append_val (sim->handlers, h);
  return sim->handlers->len - 1;
}

const char *
sim_kind_name (const Sim *sim, uint32_t kind)
{
  g_return_val_if_fail (sim != NULL, NULL);
  g_return_val_if_fail (kind < sim->handlers->len, NULL);
  return g_array_index (sim->handlers, SimHandler, kind).name;
}

void
sim_set_prefetch (Sim *sim, uint32_t kind, const void *base, size_t stride)
{
  g_return_if_fail (sim != NULL);
  g_return_if_fail (kind < sim->handlers->len);
  SimHandler *h = &g_array_index (sim->handlers, SimHandler, kind);
  h->prefetch_base = base;
  h->prefetch_stride = stride;
  if (base != NULL)
    sim->prefetch = true;
  evq_set_prefetch (sim->q, kind, base, stride);
}

EvqHandle
sim_at (Sim *sim, SimTime when, uint32_t kind, uint32_t target,
        uint64_t data)
{
  g_return_val_if_fail (sim != NULL, EVQ_NONE);
  g_return_val_if_fail (when >= sim->now, EVQ_NONE);
  g_return_val_if_fail (kind < sim->handlers->len, EVQ_NONE);
  return evq_push (sim->q, when, kind, target, data);
}

EvqHandle
sim_after (Sim *sim, SimTime delay, uint32_t kind, uint32_t target,
           uint64_t data)
{
  g_return_val_if_fail (sim != NULL, EVQ_NONE);
  g_return_val_if_fail (delay >= 0, EVQ_NONE);
  SimTime when = delay > SIM_NEVER - sim->now ? SIM_NEVER : sim->now + delay;
  return sim_at (sim, when, kind, target, data);
}

bool
sim_cancel (Sim *sim, EvqHandle h)
{
  g_return_val_if_fail (sim != NULL, false);
  return evq_cancel (sim->q, h);
}

EvqHandle
sim_reschedule (Sim *sim, EvqHandle h, SimTime when)
{
  g_return_val_if_fail (sim != NULL, EVQ_NONE);
  g_return_val_if_fail (when >= sim->now, EVQ_NONE);
  return evq_reschedule (sim->q, h, when);
}

SimTime
sim_now (const Sim *sim)
{
  g_return_val_if_fail (sim != NULL, 0);
  return sim->now;
}

uint64_t
sim_seed (const Sim *sim)
{
  g_return_val_if_fail (sim != NULL, 0);
  return sim->seed;
}

uint64_t
sim_events_handled (const Sim *sim)
{
  g_return_val_if_fail (sim != NULL, 0);
  return sim->handled;
}

size_t
sim_pending (const Sim *sim)
{
  g_return_val_if_fail (sim != NULL, 0);
  return evq_size (sim->q);
}

void
sim_set_tick (Sim *sim, SimTime period, SimTickFn fn, void *user_data)
{
  g_return_if_fail (sim != NULL);
  g_return_if_fail (fn == NULL || period > 0);
  sim->tick_fn = fn;
  sim->tick_data = user_data;
  sim->tick_period = fn ? period : 0;
  if (fn == NULL)
    {
      sim->next_tick = SIM_NEVER;
      return;
    }
  /* First multiple of period >= now (now >= 0 in practice). */
  SimTime k = sim->now / period + (sim->now % period != 0);
  sim->next_tick = k > SIM_NEVER / period ? SIM_NEVER : k * period;
}

/* Fires the ticks due at or before t. Returns false if one asked to stop. */
static bool
sim_fire_ticks (Sim *sim, SimTime t)
{
  while (sim->tick_fn != NULL && sim->next_tick <= t)
    {
      SimTime at = sim->next_tick;
      sim->now = at;
      sim->next_tick = at > SIM_NEVER - sim->tick_period
                         ? SIM_NEVER : at + sim->tick_period;
      if (!sim->tick_fn (sim, at, sim->tick_data))
        {
          sim->stopped = true;
          return false;
        }
      if (sim->stopped)
        return false;
    }
  return true;
}

uint64_t
sim_run (Sim *sim, SimTime until)
{
  g_return_val_if_fail (sim != NULL, 0);
  g_return_val_if_fail (until >= sim->now, 0);
  uint64_t before = sim->handled;
  sim->stopped = false;
  const SimHandler *handlers = (const SimHandler *) sim->handlers->data;
  for (;;)
    {
      SimTime t = evq_peek_time (sim->q);
      if (t > until || t == SIM_NEVER)
        {
          if (until == SIM_NEVER)
            break; /* empty queue, no horizon: done */
          if (sim_fire_ticks (sim, until))
            sim->now = until;
          break;
        }
      if (G_UNLIKELY (sim->next_tick <= t) && !sim_fire_ticks (sim, t))
        break;
      SimEvent ev;
      bool popped = evq_pop (sim->q, &ev);
      g_assert (popped);
      sim->now = ev.time;
      sim->handled++;
      /* Registration may grow the array while running: reload if needed. */
      if (G_UNLIKELY (ev.kind >= sim->handlers->len))
        g_error ("%s:%d: event of unregistered kind %u", __FILE__, __LINE__,
                 ev.kind);
      handlers = (const SimHandler *) sim->handlers->data;
      uint32_t nk, nt;
      if (sim->prefetch && evq_next_hint (sim->q, &nk, &nt)
          && nk < sim->handlers->len && handlers[nk].prefetch_base != NULL)
        __builtin_prefetch (handlers[nk].prefetch_base
                            + (size_t) nt * handlers[nk].prefetch_stride);
      handlers[ev.kind].fn (sim, &ev, handlers[ev.kind].user_data);
      if (G_UNLIKELY (sim->stopped))
        break;
    }
  return sim->handled - before;
}

void
sim_stop (Sim *sim)
{
  g_return_if_fail (sim != NULL);
  sim->stopped = true;
}

bool
sim_stopped (const Sim *sim)
{
  g_return_val_if_fail (sim != NULL, false);
  return sim->stopped;
}
