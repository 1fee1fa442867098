/* tests/sim/test_evq.c - the event queue against a reference model.
 *
 * The model is a plain array of live events; its minimum by (time, seq) is
 * found by a linear scan, so it is obviously right. Random sequences of
 * push/pop/cancel/reschedule/peek (seeded sim/rng streams, many equal
 * times) are applied to both and every answer compared. Also: ties pop in
 * push order, stale handles are refused, memory stays bounded under a
 * push/cancel churn, and a run is deterministic. */
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
static uint64_t
run_random (uint64_t seed, int nops, SimTime spread, size_t *max_bytes)
{
  RngStream s;
  rng_stream_init (&s, seed, "test-evq", "ops");
  Evq *q = evq_new (0);
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
  /* Spread 4 us: most times collide, so the seq tie-break is exercised. */
  for (uint64_t seed = 1; seed <= 20; seed++)
    run_random (seed, 3000, 4, NULL);
  /* Wide spread: deep heaps with distinct times. */
  for (uint64_t seed = 100; seed <= 105; seed++)
    run_random (seed, 20000, 1000000, NULL);
}

static void
test_ties_pop_in_push_order (void **state)
{
  Evq *q = evq_new (4);
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
test_stale_handles (void **state)
{
  Evq *q = evq_new (0);
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
test_reschedule_keeps_payload (void **state)
{
  Evq *q = evq_new (0);
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
test_churn_memory_bounded (void **state)
{
  /* A health model's pattern: arm a timeout, cancel it, forever. With 100
   * live events, one million push/cancel pairs must not grow the queue
   * beyond what it held after the first ten thousand. */
  Evq *q = evq_new (0);
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
  assert_true (evq_bytes (q) < 64 * 1024);
  evq_free (q);
}

static void
test_deterministic (void **state)
{
  size_t b1 = 0, b2 = 0;
  uint64_t d1 = run_random (7, 5000, 50, &b1);
  uint64_t d2 = run_random (7, 5000, 50, &b2);
  assert_int_equal (d1, d2);
  assert_int_equal (b1, b2);
  assert_int_not_equal (d1, run_random (8, 5000, 50, NULL));
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
  };
  return cmocka_run_group_tests (tests, NULL, NULL);
}
