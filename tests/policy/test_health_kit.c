/* tests/policy/test_health_kit.c - what the built-in health policies share
 * (policy/health_kit.h): the k-in-a-window ring against a brute-force
 * count over a random event stream, and the timer heap against a sorted
 * list, with lazy deletion of entries their owner gave up. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "health_kit.h"

/* The ring says "hit" exactly when the last k events span <= window. */
static void
test_ring_window (void **state)
{
  for (uint32_t k = 1; k <= 5; k++)
    {
      HealthKitRing r = { 0 };
      GArray *all = g_array_new (FALSE, FALSE, sizeof (HealthTimeMs));
      GRand *rnd = g_rand_new_with_seed (k);
      HealthTimeMs now = 0, window = 1000;
      for (int i = 0; i < 2000; i++)
        {
          now += g_rand_int_range (rnd, 0, 700);
          g_array_append_val (all, now);
          bool hit = health_kit_ring_push_hits (&r, k, now, window);
          bool want = all->len >= k
                      && now - g_array_index (all, HealthTimeMs, all->len - k) <= window;
          assert_int_equal (hit, want);
          assert_int_equal (health_kit_ring_hits (&r, k, now, window), want);
          if (i == 1000)
            {
              health_kit_ring_clear (&r);
              g_array_set_size (all, 0);
            }
        }
      health_kit_ring_free (&r);
      assert_null (r.t);
      g_rand_free (rnd);
      g_array_unref (all);
    }
  HealthKitRing r = { 0 };
  assert_false (health_kit_ring_push_hits (&r, 0, 5, 10));
  assert_null (r.t);
}

typedef struct
{
  HealthTimeMs want[64]; /* owner id -> the time it waits for, or NEVER */
} Owners;

static bool
live (void *owner, const HealthKitTimer *t)
{
  Owners *o = owner;
  return o->want[t->id & ~HEALTH_KIT_TIMER_LINK] == t->time;
}

static int
time_cmp (gconstpointer a, gconstpointer b)
{
  HealthTimeMs x = *(const HealthTimeMs *) a, y = *(const HealthTimeMs *) b;
  return (x > y) - (x < y);
}

/* Timers pop in time order; an owner's superseded entries never surface. */
static void
test_timers (void **state)
{
  GArray *heap = health_kit_timers_new ();
  Owners o;
  GRand *rnd = g_rand_new_with_seed (7);
  for (int i = 0; i < 64; i++)
    o.want[i] = HEALTH_TIME_NEVER;
  for (int i = 0; i < 500; i++)
    {
      uint32_t id = (uint32_t) g_rand_int_range (rnd, 0, 64);
      HealthTimeMs t = g_rand_int_range (rnd, 0, 100000);
      o.want[id] = t; /* re-arming leaves the old entry behind */
      health_kit_timers_push (heap, t, id | (i % 2 ? HEALTH_KIT_TIMER_LINK : 0));
    }
  GArray *sorted = g_array_new (FALSE, FALSE, sizeof (HealthTimeMs));
  for (int i = 0; i < 64; i++)
    if (o.want[i] != HEALTH_TIME_NEVER)
      g_array_append_val (sorted, o.want[i]);
  g_array_sort (sorted, time_cmp);
  guint k = 0;
  HealthTimeMs t;
  while ((t = health_kit_timers_next (heap, live, &o)) != HEALTH_TIME_NEVER)
    {
      HealthKitTimer top = health_kit_timers_pop (heap);
      assert_int_equal (top.time, t);
      assert_true (k < sorted->len);
      assert_int_equal (t, g_array_index (sorted, HealthTimeMs, k));
      o.want[top.id & ~HEALTH_KIT_TIMER_LINK] = HEALTH_TIME_NEVER;
      k++;
    }
  assert_int_equal (k, sorted->len);
  assert_int_equal (heap->len, 0);
  g_array_unref (sorted);
  g_array_unref (heap);
  g_rand_free (rnd);
}

int
main (void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test (test_ring_window),
    cmocka_unit_test (test_timers),
  };
  return cmocka_run_group_tests (tests, NULL, NULL);
}
