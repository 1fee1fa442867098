/* sim/phold.c - PHOLD (Fujimoto 1990) twice: on the faultline kernel
 * (sim.h + evq.c, with either queue) and on a textbook binary heap, the reference that
 * `faultline bench phold` compares against. Not a model of anything.
 *
 * Both versions are the same model draw for draw, so they handle exactly
 * the same events for the same parameters:
 *  - time unit: the mean delay is PHOLD_UNIT (1 s = 10^6 us); delays are
 *    rounded to whole microseconds, d = llround (-PHOLD_UNIT * log (u));
 *  - LP i owns the stream rng_key_index (seed, 0, i, "phold");
 *  - start: LP 0..L-1 in order each draw M start times;
 *  - handling an event of LP i at t draws d, then the target
 *    rng_below (L), both from LP i's stream, and schedules (t + d, target);
 *  - events pop in (time, seq) order, seq = push counter from 1, and every
 *    event with time <= T * PHOLD_UNIT is handled.
 * Each chain of events started by one initial event fires as a Poisson
 * process of rate 1 per unit, whatever the targets, so the number of
 * events is Poisson with mean L*M*T (tests/sim/test_phold.c checks it). */
#include "phold.h"

#include <glib.h>
#include <math.h>
#include <sys/resource.h>

#include "rng.h"
#include "sim.h"

#define PHOLD_UNIT 1e6 /* microseconds per mean delay */

static inline SimTime
phold_delay (RngStream *s)
{
  return (SimTime) llround (-PHOLD_UNIT * log (rng_uniform_pos (s)));
}

static SimTime
phold_end_us (const PholdParams *p)
{
  double us = p->end * PHOLD_UNIT;
  if (!(us > 0))
    return 0;
  return us >= 9.2e18 ? SIM_NEVER - 1 : (SimTime) llround (us);
}

static RngStream *
phold_streams (const PholdParams *p)
{
  RngStream *s = g_new (RngStream, p->lps);
  for (uint32_t i = 0; i < p->lps; i++)
    rng_stream_init_key (&s[i], rng_key_index (p->seed, 0, i, "phold"));
  return s;
}

/* User + sys CPU seconds of the process so far. */
static double
phold_cpu_now (void)
{
  struct rusage ru;
  if (getrusage (RUSAGE_SELF, &ru) != 0)
    return 0;
  return (double) ru.ru_utime.tv_sec + (double) ru.ru_stime.tv_sec
         + ((double) ru.ru_utime.tv_usec + (double) ru.ru_stime.tv_usec) / 1e6;
}

static void
phold_finish (PholdResult *r, uint64_t events, gint64 t0, gint64 t1,
              double c0, double c1)
{
  struct rusage ru;
  r->events = events;
  r->seconds = (double) (t1 - t0) / 1e6;
  r->cpu_seconds = c1 - c0;
  r->events_per_s = r->seconds > 0 ? (double) events / r->seconds : 0;
  r->maxrss_kb = getrusage (RUSAGE_SELF, &ru) == 0 ? ru.ru_maxrss : -1;
}

/* ---- on the faultline kernel ---- */

typedef struct
{
  RngStream *streams;
  uint32_t lps;
  uint32_t kind;
} PholdState;

static void
phold_handle (Sim *sim, const SimEvent *ev, void *user_data)
{
  PholdState *st = user_data;
  RngStream *s = &st->streams[ev->target];
  SimTime d = phold_delay (s);
  uint32_t to = (uint32_t) rng_below (s, st->lps);
  sim_after (sim, d, st->kind, to, 0);
}

void
phold_run (const PholdParams *p, PholdResult *r)
{
  g_return_if_fail (p != NULL && r != NULL && p->lps > 0);
  PholdState st = { .streams = phold_streams (p), .lps = p->lps };
  Sim *sim = sim_new_queue (p->seed, p->queue);
  st.kind = sim_register (sim, "phold", phold_handle, &st);
  /* Each event reads and advances its target's stream (32 bytes; 32 MB
   * for a million LPs): let the engine fetch the next one ahead. */
  sim_set_prefetch (sim, st.kind, st.streams, sizeof (RngStream));
  sim_reserve (sim, (size_t) p->lps * p->population);
  for (uint32_t i = 0; i < p->lps; i++)
    for (uint32_t k = 0; k < p->population; k++)
      sim_at (sim, phold_delay (&st.streams[i]), st.kind, i, 0);

  double c0 = phold_cpu_now ();
  gint64 t0 = g_get_monotonic_time ();
  uint64_t n = sim_run (sim, phold_end_us (p));
  gint64 t1 = g_get_monotonic_time ();
  double c1 = phold_cpu_now ();

  phold_finish (r, n, t0, t1, c0, c1);
  sim_free (sim);
  g_free (st.streams);
}

/* ---- the reference: a textbook implicit binary heap (CLRS 6.5) ---- */

typedef struct
{
  int64_t time;
  uint64_t seq;
  uint32_t target;
} RefEntry;

typedef struct
{
  RefEntry *a;
  size_t n, cap;
  uint64_t next_seq;
} RefHeap;

static inline bool
ref_less (const RefEntry *x, const RefEntry *y)
{
  return x->time < y->time || (x->time == y->time && x->seq < y->seq);
}

static inline void
ref_swap (RefEntry *x, RefEntry *y)
{
  RefEntry t = *x;
  *x = *y;
  *y = t;
}

static void
ref_push (RefHeap *h, int64_t time, uint32_t target)
{
  if (h->n == h->cap)
    {
      h->cap = h->cap ? 2 * h->cap : 64;
      h->a = g_renew (RefEntry, h->a, h->cap);
    }
  size_t i = h->n++;
  h->a[i] = (RefEntry) { time, h->next_seq++, target };
  while (i > 0 && ref_less (&h->a[i], &h->a[(i - 1) / 2]))
    {
      ref_swap (&h->a[i], &h->a[(i - 1) / 2]);
      i = (i - 1) / 2;
    }
}

static RefEntry
ref_pop (RefHeap *h)
{
  RefEntry top = h->a[0];
  h->a[0] = h->a[--h->n];
  size_t i = 0;
  for (;;)
    {
      size_t l = 2 * i + 1, r = l + 1, m = i;
      if (l < h->n && ref_less (&h->a[l], &h->a[m]))
        m = l;
      if (r < h->n && ref_less (&h->a[r], &h->a[m]))
        m = r;
      if (m == i)
        break;
      ref_swap (&h->a[i], &h->a[m]);
      i = m;
    }
  return top;
}

void
phold_run_reference (const PholdParams *p, PholdResult *r)
{
  g_return_if_fail (p != NULL && r != NULL && p->lps > 0);
  RngStream *streams = phold_streams (p);
  RefHeap h = { .cap = (size_t) p->lps * p->population + 1, .next_seq = 1 };
  h.a = g_new (RefEntry, h.cap);
  for (uint32_t i = 0; i < p->lps; i++)
    for (uint32_t k = 0; k < p->population; k++)
      ref_push (&h, phold_delay (&streams[i]), i);

  SimTime end = phold_end_us (p);
  uint64_t n = 0;
  double c0 = phold_cpu_now ();
  gint64 t0 = g_get_monotonic_time ();
  while (h.n > 0 && h.a[0].time <= end)
    {
      RefEntry e = ref_pop (&h);
      n++;
      RngStream *s = &streams[e.target];
      SimTime d = phold_delay (s);
      uint32_t to = (uint32_t) rng_below (s, p->lps);
      ref_push (&h, e.time + d, to);
    }
  gint64 t1 = g_get_monotonic_time ();
  double c1 = phold_cpu_now ();

  phold_finish (r, n, t0, t1, c0, c1);
  g_free (h.a);
  g_free (streams);
}
