/* tests/sim/test_evq.c - both event queues (EVQ_RADIX, EVQ_HEAP) against
 * a reference model and against each other.
 *
 * The model is a plain array of live events; its minimum by (time, seq) is
 * found by a linear scan, so it is obviously right. Random sequences of
 * push/pop/cancel/reschedule/peek (seeded sim/rng streams, many equal
 * times) are applied to both and every answer compared. Also: ties pop in
 * push order, stale handles are refused, memory stays bounded under a
 * push/cancel churn, and a run is deterministic; every test runs on both
 * queues. Then differential tests: the radix queue and the heap driven by
 * the same random operations (equal times, far-future times, times near
 * INT64_MAX, negative times, pushes between a peek and the next pop,
 * cancels of the head, prefetch hints set) must give the same answers,
 * and edge cases. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <glib.h>

#include "evq.h"
#include "rng.h"

typedef struct
{
  SimEvent *a;
  size_t n;
} Model;

static void
model_add (Model *m, SimEvent ev)
{
  m->a = g_renew (SimEvent, m->a, m->n + 1);
  m->a[m->n++] = ev;
}

static ptrdiff_t
model_find (const Model *m, uint64_t seq)
{
  for (size_t i = 0; i < m->n; i++)
    if (m->a[i].seq == seq)
      return (ptrdiff_t) i;
  return -1;
}

static ptrdiff_t
model_min (const Model *m)
{
  ptrdiff_t best = -1;
  for (size_t i = 0; i < m->n; i++)
    if (best < 0 || m->a[i].time < m->a[best].time
        || (m->a[i].time == m->a[best].time && m->a[i].seq < m->a[best].seq))
      best = (ptrdiff_t) i;
  return best;
}

static void
model_del (Model *m, size_t i)
{
  m->a[i] = m->a[--m->n];
}

/* One random sequence of nops operations; returns a digest of the pops. */
static const EvqKind kinds[] = { EVQ_RADIX, EVQ_HEAP };

static uint64_t
run_random (EvqKind kind_q, uint64_t seed, int nops, SimTime spread,
            size_t *max_bytes)
{
  RngStream s;
  rng_stream_init (&s, seed, "test-evq", "ops");
  Evq *q = evq_new_kind (kind_q, 0);
  assert_int_equal (evq_kind (q), kind_q);
  Model m = { 0 };
  GArray *handles = g_array_new (FALSE, FALSE, sizeof (EvqHandle));
  SimTime now = 0;
  uint64_t digest = 0;
  for (int op = 0; op < nops; op++)
    {
      uint64_t r = rng_below (&s, 100);
      if (r < 45)
        {
          SimTime t = now + (SimTime) rng_below (&s, (uint64_t) spread);
          uint32_t kind = (uint32_t) rng_below (&s, 7);
          uint64_t data = rng_next_u64 (&s);
          EvqHandle h = evq_push (q, t, kind, (uint32_t) op, data);
          assert_int_not_equal (h, EVQ_NONE);
          model_add (&m, (SimEvent) { t, h, kind, (uint32_t) op, data });
          g_array_append_val (handles, h);
        }
      else if (r < 75)
        {
          SimEvent got;
          ptrdiff_t i = model_min (&m);
          bool ok = evq_pop (q, &got);
          assert_int_equal (ok, i >= 0);
          if (i >= 0)
            {
              assert_int_equal (got.time, m.a[i].time);
              assert_int_equal (got.seq, m.a[i].seq);
              assert_int_equal (got.kind, m.a[i].kind);
              assert_int_equal (got.target, m.a[i].target);
              assert_int_equal (got.data, m.a[i].data);
              assert_true (got.time >= now);
              now = got.time;
              digest = digest * 31 + got.seq;
              model_del (&m, (size_t) i);
            }
        }
      else if (r < 88 && handles->len > 0)
        {
          /* Any handle ever issued: pending, fired or cancelled. */
          EvqHandle h = g_array_index (handles, EvqHandle,
                                       rng_below (&s, handles->len));
          ptrdiff_t i = model_find (&m, h);
          assert_int_equal (evq_cancel (q, h), i >= 0);
          if (i >= 0)
            model_del (&m, (size_t) i);
          assert_false (evq_cancel (q, h)); /* twice: refused */
        }
      else if (r < 97 && handles->len > 0)
        {
          EvqHandle h = g_array_index (handles, EvqHandle,
                                       rng_below (&s, handles->len));
          SimTime when = now + (SimTime) rng_below (&s, (uint64_t) spread);
          ptrdiff_t i = model_find (&m, h);
          EvqHandle nh = evq_reschedule (q, h, when);
          if (i < 0)
            assert_int_equal (nh, EVQ_NONE);
          else
            {
              assert_true (nh > h);
              m.a[i].time = when;
              m.a[i].seq = nh;
              g_array_append_val (handles, nh);
              assert_false (evq_cancel (q, h)); /* old handle is dead */
            }
        }
      else
        {
          ptrdiff_t i = model_min (&m);
          assert_int_equal (evq_peek_time (q), i >= 0 ? m.a[i].time
                                                      : SIM_NEVER);
        }
      assert_int_equal (evq_size (q), m.n);
      if (max_bytes != NULL && evq_bytes (q) > *max_bytes)
        *max_bytes = evq_bytes (q);
    }
  /* Drain: everything left comes out in order. */
  SimEvent got;
  while (m.n > 0)
    {
      ptrdiff_t i = model_min (&m);
      assert_true (evq_pop (q, &got));
      assert_int_equal (got.seq, m.a[i].seq);
      model_del (&m, (size_t) i);
    }
  assert_false (evq_pop (q, &got));
  assert_int_equal (evq_peek_time (q), SIM_NEVER);
  assert_int_equal (evq_size (q), 0);
  g_array_free (handles, TRUE);
  g_free (m.a);
  evq_free (q);
  return digest;
}

static void
test_random_vs_model (void **state)
{
  for (size_t k = 0; k < G_N_ELEMENTS (kinds); k++)
    {
      /* Spread 4 us: most times collide, so the seq tie-break is
       * exercised. */
      for (uint64_t seed = 1; seed <= 20; seed++)
        run_random (kinds[k], seed, 3000, 4, NULL);
      /* Wide spread: deep heaps with distinct times. */
      for (uint64_t seed = 100; seed <= 105; seed++)
        run_random (kinds[k], seed, 20000, 1000000, NULL);
    }
}

static void
ties_pop_in_push_order (EvqKind kind)
{
  Evq *q = evq_new_kind (kind, 4);
  enum { N = 1000 };
  EvqHandle h[N];
  for (int i = 0; i < N; i++)
    h[i] = evq_push (q, 42 + (i % 3 == 0), 0, (uint32_t) i, 0);
  SimEvent ev;
  int last_target = -1;
  SimTime last_time = 0;
  uint64_t last_seq = 0;
  for (int i = 0; i < N; i++)
    {
      assert_true (evq_pop (q, &ev));
      assert_int_equal (ev.seq, h[ev.target]);
      if (ev.time == last_time)
        assert_true ((int) ev.target > last_target && ev.seq > last_seq);
      last_time = ev.time;
      last_target = (int) ev.target;
      last_seq = ev.seq;
    }
  assert_false (evq_pop (q, &ev));
  evq_free (q);
}

static void
test_ties_pop_in_push_order (void **state)
{
  for (size_t k = 0; k < G_N_ELEMENTS (kinds); k++)
    ties_pop_in_push_order (kinds[k]);
}

static void
stale_handles (EvqKind kind)
{
  Evq *q = evq_new_kind (kind, 0);
  EvqHandle a = evq_push (q, 10, 1, 2, 3);
  EvqHandle b = evq_push (q, 20, 1, 2, 3);
  assert_false (evq_cancel (q, EVQ_NONE));
  assert_false (evq_cancel (q, b + 100)); /* never issued */
  assert_int_equal (evq_reschedule (q, EVQ_NONE, 30), EVQ_NONE);
  SimEvent ev;
  assert_true (evq_pop (q, &ev));
  assert_int_equal (ev.seq, a);
  assert_false (evq_cancel (q, a)); /* fired */
  assert_int_equal (evq_reschedule (q, a, 30), EVQ_NONE);
  assert_true (evq_cancel (q, b));
  assert_false (evq_cancel (q, b)); /* cancelled */
  assert_int_equal (evq_size (q), 0);
  evq_free (q);
  evq_free (NULL);
}

static void
test_stale_handles (void **state)
{
  for (size_t k = 0; k < G_N_ELEMENTS (kinds); k++)
    stale_handles (kinds[k]);
}

static void
reschedule_keeps_payload (EvqKind kind)
{
  Evq *q = evq_new_kind (kind, 0);
  EvqHandle a = evq_push (q, 100, 7, 8, 9);
  evq_push (q, 50, 1, 1, 1);
  EvqHandle a2 = evq_reschedule (q, a, 10);
  assert_int_not_equal (a2, EVQ_NONE);
  SimEvent ev;
  assert_true (evq_pop (q, &ev));
  assert_int_equal (ev.time, 10);
  assert_int_equal (ev.seq, a2);
  assert_int_equal (ev.kind, 7);
  assert_int_equal (ev.target, 8);
  assert_int_equal (ev.data, 9);
  evq_free (q);
}

static void
test_reschedule_keeps_payload (void **state)
{
  for (size_t k = 0; k < G_N_ELEMENTS (kinds); k++)
    reschedule_keeps_payload (kinds[k]);
}

static void
churn_memory_bounded (EvqKind kind)
{
  /* A health model's pattern: arm a timeout, cancel it, forever. With 100
   * live events, one million push/cancel pairs must not grow the queue
   * beyond what it held after the first ten thousand. */
  Evq *q = evq_new_kind (kind, 0);
  EvqHandle live[100];
  for (int i = 0; i < 100; i++)
    live[i] = evq_push (q, 1000 + i, 0, 0, 0);
  size_t warm = 0;
  for (int i = 0; i < 1000000; i++)
    {
      int k = i % 100;
      assert_true (evq_cancel (q, live[k]));
      live[k] = evq_push (q, 1000 + i, 0, 0, 0);
      if (i == 10000)
        warm = evq_bytes (q);
    }
  assert_int_equal (evq_size (q), 100);
  assert_true (evq_bytes (q) <= warm);
  /* the chunks in use, plus the live-event hash's floor of 1,024 slots
   * (24 KiB: sim/evq.c, EVQ_INDEX_MIN) */
  assert_true (evq_bytes (q) < 96 * 1024);
  evq_free (q);
}

static void
test_churn_memory_bounded (void **state)
{
  for (size_t k = 0; k < G_N_ELEMENTS (kinds); k++)
    churn_memory_bounded (kinds[k]);
}

static void
test_deterministic (void **state)
{
  for (size_t k = 0; k < G_N_ELEMENTS (kinds); k++)
    {
      size_t b1 = 0, b2 = 0;
      uint64_t d1 = run_random (kinds[k], 7, 5000, 50, &b1);
      uint64_t d2 = run_random (kinds[k], 7, 5000, 50, &b2);
      assert_int_equal (d1, d2);
      assert_int_equal (b1, b2);
      assert_int_not_equal (d1, run_random (kinds[k], 8, 5000, 50, NULL));
      /* Both queues pop the same sequence. */
      assert_int_equal (d1, run_random (kinds[1 - k], 7, 5000, 50, NULL));
    }
}

/* ---- differential: radix against heap ---- */

/* A random time at or after now, from a mix: equal to now, a few us, a
 * PHOLD-like spread, days, far future, up to INT64_MAX. */
static SimTime
diff_time (RngStream *s, SimTime now)
{
  uint64_t r = rng_below (s, 100);
  uint64_t room = (uint64_t) INT64_MAX - (uint64_t) now; /* no overflow */
  uint64_t d;
  if (r < 20)
    d = 0;
  else if (r < 45)
    d = rng_below (s, 8);
  else if (r < 75)
    d = rng_below (s, 3000000);
  else if (r < 90)
    d = rng_below (s, (uint64_t) 1 << 40);
  else if (r < 97)
    d = rng_next_u64 (s) >> 2;
  else
    d = room - rng_below (s, 4); /* INT64_MAX and just below */
  return d > room ? INT64_MAX : (SimTime) ((uint64_t) now + d);
}

static void
diff_same_event (const SimEvent *a, const SimEvent *b)
{
  assert_int_equal (a->time, b->time);
  assert_int_equal (a->seq, b->seq);
  assert_int_equal (a->kind, b->kind);
  assert_int_equal (a->target, b->target);
  assert_int_equal (a->data, b->data);
}

/* nops random operations on a radix queue and a heap in lockstep; every
 * answer must be equal. Returns the number of pops. */
static uint64_t
run_diff (uint64_t seed, int nops, SimTime start)
{
  RngStream s;
  rng_stream_init (&s, seed, "test-evq", "diff");
  Evq *r = evq_new_kind (EVQ_RADIX, 0), *h = evq_new_kind (EVQ_HEAP, 0);
  GArray *handles = g_array_new (FALSE, FALSE, sizeof (EvqHandle));
  /* Prefetch hints for two kinds (targets are op numbers < nops): a hint
   * must never change what pops. */
  char *state = g_malloc0 ((size_t) nops * 16);
  evq_set_prefetch (r, 1, state, 16);
  evq_set_prefetch (r, 3, state, 16);
  evq_set_prefetch (h, 1, state, 16);
  SimTime now = start;
  uint64_t pops = 0;
  for (int op = 0; op < nops; op++)
    {
      uint64_t x = rng_below (&s, 100);
      if (x < 40)
        {
          SimTime t = diff_time (&s, now);
          uint32_t kind = (uint32_t) rng_below (&s, 5);
          uint64_t data = rng_next_u64 (&s);
          EvqHandle a = evq_push (r, t, kind, (uint32_t) op, data);
          assert_int_equal (a, evq_push (h, t, kind, (uint32_t) op, data));
          g_array_append_val (handles, a);
        }
      else if (x < 70)
        {
          SimEvent ea, eb;
          bool oa = evq_pop (r, &ea), ob = evq_pop (h, &eb);
          assert_int_equal (oa, ob);
          if (oa)
            {
              diff_same_event (&ea, &eb);
              assert_true (ea.time >= now);
              now = ea.time;
              pops++;
            }
        }
      else if (x < 80)
        {
          /* A peek, then maybe pushes at now (before the peeked time):
           * sim_run stopping at its horizon, or a tick, does this. */
          assert_int_equal (evq_peek_time (r), evq_peek_time (h));
          for (uint64_t k = rng_below (&s, 3); k > 0; k--)
            {
              SimTime d = (SimTime) rng_below (&s, 3);
              SimTime t = now > INT64_MAX - d ? INT64_MAX : now + d;
              EvqHandle a = evq_push (r, t, 9, 0, k);
              assert_int_equal (a, evq_push (h, t, 9, 0, k));
              g_array_append_val (handles, a);
            }
        }
      else if (x < 90 && handles->len > 0)
        {
          /* Half the time the most recent handle: often the head. */
          EvqHandle a = rng_below (&s, 2)
                          ? g_array_index (handles, EvqHandle,
                                           handles->len - 1)
                          : g_array_index (handles, EvqHandle,
                                           rng_below (&s, handles->len));
          assert_int_equal (evq_cancel (r, a), evq_cancel (h, a));
        }
      else if (handles->len > 0)
        {
          EvqHandle a = g_array_index (handles, EvqHandle,
                                       rng_below (&s, handles->len));
          SimTime t = diff_time (&s, now);
          EvqHandle na = evq_reschedule (r, a, t);
          assert_int_equal (na, evq_reschedule (h, a, t));
          if (na != EVQ_NONE)
            g_array_append_val (handles, na);
        }
      assert_int_equal (evq_size (r), evq_size (h));
    }
  SimEvent ea, eb;
  while (evq_pop (h, &eb))
    {
      assert_true (evq_pop (r, &ea));
      diff_same_event (&ea, &eb);
      pops++;
    }
  assert_false (evq_pop (r, &ea));
  assert_int_equal (evq_size (r), 0);
  g_array_free (handles, TRUE);
  g_free (state);
  evq_free (r);
  evq_free (h);
  return pops;
}

static void
test_radix_matches_heap (void **state)
{
  uint64_t pops = 0;
  for (uint64_t seed = 1; seed <= 40; seed++)
    pops += run_diff (seed, 5000, 0);
  /* Negative start times and a start near the top of the range. */
  for (uint64_t seed = 41; seed <= 45; seed++)
    pops += run_diff (seed, 5000, INT64_MIN + 5);
  for (uint64_t seed = 46; seed <= 50; seed++)
    pops += run_diff (seed, 5000, INT64_MAX - ((SimTime) 1 << 41));
  /* Long runs: many refills at every level, compactions. */
  pops += run_diff (51, 300000, 0);
  assert_true (pops > 200000); /* the runs did pop */
}

static void
test_edges (void **state)
{
  for (size_t k = 0; k < G_N_ELEMENTS (kinds); k++)
    {
      Evq *q = evq_new_kind (kinds[k], 0);
      SimEvent ev;
      /* Time 0 and INT64_MAX (SIM_NEVER) in one queue. */
      EvqHandle far = evq_push (q, INT64_MAX, 1, 1, 1);
      EvqHandle zero = evq_push (q, 0, 2, 2, 2);
      evq_push (q, INT64_MAX - 1, 3, 3, 3);
      assert_int_equal (evq_peek_time (q), 0);
      /* Cancel of the head after a peek: the next one is the new head. */
      assert_true (evq_cancel (q, zero));
      assert_int_equal (evq_peek_time (q), INT64_MAX - 1);
      /* A push below the peeked time (still >= the last pop). */
      EvqHandle mid = evq_push (q, 5, 4, 4, 4);
      assert_int_equal (evq_peek_time (q), 5);
      assert_true (evq_pop (q, &ev));
      assert_int_equal (ev.seq, mid);
      assert_true (evq_pop (q, &ev));
      assert_int_equal (ev.time, INT64_MAX - 1);
      /* Reschedule the last one to just before it, then to the same time:
       * the new seq still pops after an equal-time event pushed earlier. */
      EvqHandle same = evq_push (q, INT64_MAX, 5, 5, 5);
      far = evq_reschedule (q, far, INT64_MAX);
      assert_int_not_equal (far, EVQ_NONE);
      assert_true (evq_pop (q, &ev));
      assert_int_equal (ev.seq, same);
      assert_true (evq_pop (q, &ev));
      assert_int_equal (ev.seq, far);
      assert_int_equal (ev.kind, 1);
      assert_false (evq_pop (q, &ev));
      assert_int_equal (evq_peek_time (q), SIM_NEVER);
      evq_free (q);
    }
}

static void
test_compaction_keeps_order (void **state)
{
  /* Entries pushed below the radix queue's base after a peek, some of them
   * cancelled, then enough cancels elsewhere to compact: the rest must
   * still pop in (time, seq) order (on both queues). */
  for (size_t k = 0; k < G_N_ELEMENTS (kinds); k++)
    {
      Evq *q = evq_new_kind (kinds[k], 0);
      SimEvent ev;
      evq_push (q, 0, 0, 0, 0);
      evq_push (q, 100, 0, 100, 0);
      assert_true (evq_pop (q, &ev));
      assert_int_equal (evq_peek_time (q), 100);
      EvqHandle early[40];
      for (int i = 0; i < 40; i++)
        early[i] = evq_push (q, 90 - 2 * i, 0, (uint32_t) (90 - 2 * i), 0);
      for (int i = 0; i < 40; i += 3)
        assert_true (evq_cancel (q, early[i]));
      for (int i = 0; i < 3000; i++)
        assert_true (evq_cancel (q, evq_push (q, 200 + i, 0, 0, 0)));
      SimTime last = -1;
      int n = 0;
      while (evq_pop (q, &ev))
        {
          assert_true (ev.time > last);
          assert_int_equal (ev.target, ev.time);
          last = ev.time;
          n++;
        }
      assert_int_equal (n, 40 - 14 + 1);
      evq_free (q);
    }
}

static void
test_kind_names (void **state)
{
  EvqKind k;
  assert_true (evq_kind_from_name ("radix", &k));
  assert_int_equal (k, EVQ_RADIX);
  assert_true (evq_kind_from_name ("heap", &k));
  assert_int_equal (k, EVQ_HEAP);
  assert_false (evq_kind_from_name ("reference", &k));
  assert_false (evq_kind_from_name (NULL, &k));
  assert_string_equal (evq_kind_name (EVQ_HEAP), "heap");
  assert_string_equal (evq_kind_name (EVQ_RADIX), "radix");
  Evq *q = evq_new (0);
  assert_int_equal (evq_kind (q), EVQ_RADIX);
  evq_free (q);
}

int
main (void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test (test_random_vs_model),
    cmocka_unit_test (test_ties_pop_in_push_order),
    cmocka_unit_test (test_stale_handles),
    cmocka_unit_test (test_reschedule_keeps_payload),
    cmocka_unit_test (test_churn_memory_bounded),
    cmocka_unit_test (test_deterministic),
    cmocka_unit_test (test_radix_matches_heap),
    cmocka_unit_test (test_edges),
    cmocka_unit_test (test_compaction_keeps_order),
    cmocka_unit_test (test_kind_names),
  };
  return cmocka_run_group_tests (tests, NULL, NULL);
}
