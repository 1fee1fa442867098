/* tests/sim/test_sim.c - the engine: dispatch by kind, a monotone clock,
 * `until`, ticks at multiples of the period before same-time events,
 * sim_stop, cancel through the engine. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <glib.h>

#include "rng.h"
#include "sim.h"

typedef struct
{
  GArray *log;     /* of SimTime, negated for ticks */
  uint32_t kind_a, kind_b;
  int count_a, count_b;
  SimTime last;
  int stop_after;  /* sim_stop after this many events (0 = never) */
  int ticks_left;  /* tick returns false when it reaches 0 (-1 = never) */
} Ctx;

static void
on_a (Sim *sim, const SimEvent *ev, void *user_data)
{
  Ctx *c = user_data;
  assert_int_equal (ev->kind, c->kind_a);
  assert_true (sim_now (sim) == ev->time);
  assert_true (ev->time >= c->last);
  c->last = ev->time;
  c->count_a++;
  g_array_append_val (c->log, ev->time);
  if (c->stop_after > 0 && c->count_a + c->count_b == c->stop_after)
    sim_stop (sim);
}

static void
on_b (Sim *sim, const SimEvent *ev, void *user_data)
{
  Ctx *c = user_data;
  assert_int_equal (ev->kind, c->kind_b);
  assert_true (ev->time >= c->last);
  c->last = ev->time;
  c->count_b++;
  g_array_append_val (c->log, ev->time);
  /* Chain: each b schedules another b 7 us later. */
  sim_after (sim, 7, c->kind_b, ev->target, ev->data);
}

static bool
on_tick (Sim *sim, SimTime now, void *user_data)
{
  Ctx *c = user_data;
  assert_int_equal (sim_now (sim), now);
  SimTime neg = -now - 1;
  g_array_append_val (c->log, neg);
  if (c->ticks_left > 0)
    c->ticks_left--;
  return c->ticks_left != 0;
}

static Sim *
make (Ctx *c)
{
  memset (c, 0, sizeof *c);
  c->log = g_array_new (FALSE, FALSE, sizeof (SimTime));
  c->ticks_left = -1;
  Sim *sim = sim_new (5);
  c->kind_a = sim_register (sim, "a", on_a, c);
  c->kind_b = sim_register (sim, "b", on_b, c);
  return sim;
}

static void
test_dispatch_and_until (void **state)
{
  Ctx c;
  Sim *sim = make (&c);
  assert_string_equal (sim_kind_name (sim, c.kind_b), "b");
  assert_int_equal (sim_seed (sim), 5);
  RngStream s;
  rng_stream_init (&s, 1, "test-sim", "times");
  for (int i = 0; i < 500; i++)
    sim_at (sim, (SimTime) rng_below (&s, 1000), c.kind_a, 0, 0);
  sim_at (sim, 0, c.kind_b, 0, 0);
  uint64_t n = sim_run (sim, 999);
  /* b fires at 0, 7, ..., 994: 143 times; all 500 a's are <= 999. */
  assert_int_equal (c.count_a, 500);
  assert_int_equal (c.count_b, 999 / 7 + 1);
  assert_int_equal (n, (uint64_t) (c.count_a + c.count_b));
  assert_int_equal (sim_events_handled (sim), n);
  assert_int_equal (sim_now (sim), 999);
  assert_int_equal (sim_pending (sim), 1); /* the b at 1001 */
  /* A second run resumes from the clock. */
  sim_run (sim, 1001);
  assert_int_equal (c.count_b, 999 / 7 + 2);
  g_array_free (c.log, TRUE);
  sim_free (sim);
  sim_free (NULL);
}

static void
test_ticks_before_events (void **state)
{
  Ctx c;
  Sim *sim = make (&c);
  sim_set_tick (sim, 100, on_tick, &c);
  for (SimTime t = 0; t <= 450; t += 50)
    sim_at (sim, t, c.kind_a, 0, 0);
  sim_run (sim, 520);
  /* Expected log: tick 0, a 0, a 50, tick 100, a 100, a 150, ... a 450,
   * tick 500 (queue dry, until 520 still reached). */
  int ticks = 0, events = 0;
  SimTime prev_tick = -100;
  for (guint i = 0; i < c.log->len; i++)
    {
      SimTime v = g_array_index (c.log, SimTime, i);
      if (v < 0)
        {
          SimTime t = -v - 1;
          assert_int_equal (t % 100, 0);
          assert_int_equal (t, prev_tick + 100);
          prev_tick = t;
          ticks++;
          /* Every event at the tick's instant comes after it. */
          for (guint j = 0; j < i; j++)
            assert_true (g_array_index (c.log, SimTime, j) < 0
                         || g_array_index (c.log, SimTime, j) < t);
        }
      else
        events++;
    }
  assert_int_equal (ticks, 6); /* 0, 100, ..., 500 */
  assert_int_equal (events, 10);
  assert_int_equal (sim_now (sim), 520);
  g_array_free (c.log, TRUE);
  sim_free (sim);
}

static void
test_tick_stops_run (void **state)
{
  Ctx c;
  Sim *sim = make (&c);
  c.ticks_left = 3; /* ticks at 0, 10, 20: the third returns false */
  sim_set_tick (sim, 10, on_tick, &c);
  for (SimTime t = 0; t < 100; t++)
    sim_at (sim, t, c.kind_a, 0, 0);
  sim_run (sim, 1000);
  assert_true (sim_stopped (sim));
  assert_int_equal (sim_now (sim), 20);
  assert_int_equal (c.count_a, 20); /* 0..19, not the one at 20 */
  g_array_free (c.log, TRUE);
  sim_free (sim);
}

static void
test_stop_and_cancel (void **state)
{
  Ctx c;
  Sim *sim = make (&c);
  c.stop_after = 5;
  EvqHandle h[10];
  for (int i = 0; i < 10; i++)
    h[i] = sim_at (sim, 10 * i, c.kind_a, 0, 0);
  assert_true (sim_cancel (sim, h[2]));
  EvqHandle moved = sim_reschedule (sim, h[3], 1000);
  assert_int_not_equal (moved, EVQ_NONE);
  assert_int_equal (sim_run (sim, SIM_NEVER), 5);
  assert_true (sim_stopped (sim));
  assert_int_equal (sim_now (sim), 60); /* 0, 10, 40, 50, 60 */
  assert_false (sim_cancel (sim, h[0]));
  assert_int_equal (sim_run (sim, SIM_NEVER), 4);
  assert_int_equal (sim_now (sim), 1000);
  assert_int_equal (sim_pending (sim), 0);
  g_array_free (c.log, TRUE);
  sim_free (sim);
}

int
main (void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test (test_dispatch_and_until),
    cmocka_unit_test (test_ticks_before_events),
    cmocka_unit_test (test_tick_stops_run),
    cmocka_unit_test (test_stop_and_cancel),
  };
  return cmocka_run_group_tests (tests, NULL, NULL);
}
