/* tests/policy/test_sched_standby.c - warm standbys in the batch scheduler
 * (policy/sched.h, "Warm standbys").
 *
 * Asserts on small hand-built clusters: a job with standbys = N starts only
 * when nodes + N are free (first start, and a restart that also counts
 * the hot-spare pool); it holds the N idle, outside its decision's nodes
 * and unavailable to other jobs; sched_job_swap() replaces a gang node by
 * a standby (same group first) until none is left; a standby that goes
 * down leaves its job; everything is released with the job; EASY
 * reservation and preemption count the standbys. Then a seeded random
 * stream with standbys, swaps and node flips checks that no node is held
 * twice and every node is accounted for after every step. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>
#include <glib.h>

#include "sched.h"
#include "sched_test.h"

static bool
job_submit (Sched *s, uint32_t id, uint32_t nodes, uint32_t standbys,
            int32_t prio, SchedTimeMs est, bool preemptible)
{
  SchedJob j = { .id = id, .nodes = nodes, .priority = prio,
                 .submit = id, .est_runtime = est,
                 .preemptible = preemptible, .standbys = standbys };
  return sched_submit (s, &j);
}

static bool
contains (const uint32_t *v, uint32_t n, uint32_t x)
{
  for (uint32_t i = 0; i < n; i++)
    if (v[i] == x)
      return true;
  return false;
}

/* 8 nodes; a 4-node job with 2 standbys waits for 6 free nodes. */
static void
test_start_needs_standbys (void **state)
{
  Sched *s = new_sched ("fifo", 8, NULL, 0);
  for (uint32_t i = 0; i < 3; i++)
    sched_node_set_available (s, i, false);
  assert_true (job_submit (s, 1, 4, 2, 0, 0, false));
  GArray *d = run (s, 0);
  assert_false (started (d, 1)); /* 5 free < 4 + 2 */
  g_array_unref (d);

  sched_node_set_available (s, 0, true);
  d = run (s, 1);
  assert_true (started (d, 1));
  SchedDecision *x = &g_array_index (d, SchedDecision, 0);
  assert_int_equal (x->n, 4); /* the decision is the gang only */
  uint32_t ns, ng;
  const uint32_t *sb = sched_job_standbys (s, 1, &ns);
  const uint32_t *gang = sched_job_nodes (s, 1, &ng);
  assert_int_equal (ns, 2);
  assert_int_equal (ng, 4);
  for (uint32_t i = 0; i < ns; i++)
    {
      assert_false (contains (gang, ng, sb[i]));
      assert_true (sb[i] != 1 && sb[i] != 2); /* down nodes are no standbys */
      if (i > 0)
        assert_true (sb[i - 1] < sb[i]);
    }
  g_array_unref (d);

  /* The standbys are not free for others: 8 - 2 down - 6 held = 0. */
  assert_int_equal (sched_free_nodes (s), 0);
  assert_true (job_submit (s, 2, 1, 0, 0, 0, false));
  d = run (s, 2);
  assert_false (started (d, 2));
  g_array_unref (d);

  /* A job that can never hold its gang and its standbys is refused. */
  assert_false (job_submit (s, 3, 5, 4, 0, 0, false));
  assert_int_equal (sched_job_state (s, 3), SCHED_JOB_UNKNOWN);

  /* Finishing releases the standbys too: job 2 starts. */
  sched_job_finished (s, 1);
  d = run (s, 3);
  assert_true (started (d, 2));
  assert_int_equal (sched_free_nodes (s), 8 - 2 - 1);
  g_array_unref (d);
  sched_free (s);
}

/* Swaps use the standbys up, then refuse; a standby going down leaves. */
static void
test_swap (void **state)
{
  Sched *s = new_sched ("fifo", 8, NULL, 0);
  assert_true (job_submit (s, 1, 4, 2, 0, 0, false));
  g_array_unref (run (s, 0));
  uint32_t n, ns;
  const uint32_t *gang = sched_job_nodes (s, 1, &n);
  assert_int_equal (n, 4);
  uint32_t victim = gang[1], repl = UINT32_MAX;
  const uint32_t *sb = sched_job_standbys (s, 1, &ns);
  uint32_t first_standby = sb[0];

  /* The caller marks the node down, then swaps it out. */
  sched_node_set_available (s, victim, false);
  assert_true (sched_job_swap (s, 1, victim, &repl));
  assert_int_equal (repl, first_standby);
  gang = sched_job_nodes (s, 1, &n);
  assert_int_equal (n, 4);
  assert_true (contains (gang, n, repl));
  assert_false (contains (gang, n, victim));
  for (uint32_t i = 1; i < n; i++)
    assert_true (gang[i - 1] < gang[i]);
  sched_job_standbys (s, 1, &ns);
  assert_int_equal (ns, 1);
  assert_int_equal (sched_job_state (s, 1), SCHED_JOB_RUNNING);
  /* The swapped-out node, repaired, is free for anyone. */
  assert_int_equal (sched_free_nodes (s), 2);
  sched_node_set_available (s, victim, true);
  assert_int_equal (sched_free_nodes (s), 3);

  /* Not one of its gang (a free node, a standby): refused. */
  assert_false (sched_job_swap (s, 1, victim, &repl));
  sb = sched_job_standbys (s, 1, &ns);
  assert_false (sched_job_swap (s, 1, sb[0], &repl));

  /* The last standby goes down: it leaves the job, which keeps running. */
  uint32_t last = sb[0];
  sched_node_set_available (s, last, false);
  assert_null (sched_job_standbys (s, 1, &ns));
  assert_int_equal (ns, 0);
  assert_int_equal (sched_job_state (s, 1), SCHED_JOB_RUNNING);
  /* ... and comes back as a free node, not the job's. */
  sched_node_set_available (s, last, true);
  assert_int_equal (sched_free_nodes (s), 4);
  assert_null (sched_job_standbys (s, 1, &ns));

  /* No standby left: a swap is refused and nothing changes. */
  gang = sched_job_nodes (s, 1, &n);
  uint32_t before[4];
  memcpy (before, gang, sizeof before);
  assert_false (sched_job_swap (s, 1, gang[0], &repl));
  gang = sched_job_nodes (s, 1, &n);
  assert_memory_equal (before, gang, sizeof before);
  sched_free (s);
}

/* An interrupted job releases its standbys and restarts only when
 * nodes + standbys are free, counting the hot-spare pool. */
static void
test_restart_counts_spares (void **state)
{
  Sched *s = new_sched ("fifo", 10, NULL, 2); /* spares: 8 and 9 */
  assert_false (job_submit (s, 9, 6, 3, 0, 0, false)); /* 9 > 8 general */
  assert_true (job_submit (s, 1, 4, 3, 0, 0, false));
  GArray *d = run (s, 0);
  assert_true (started (d, 1));
  g_array_unref (d);
  assert_int_equal (sched_spares_free (s), 2); /* a first start: general only */
  uint32_t n;
  const uint32_t *gang = sched_job_nodes (s, 1, &n);
  uint32_t dead[2] = { gang[0], gang[1] };
  sched_node_set_available (s, dead[0], false);
  sched_node_set_available (s, dead[1], false);
  sched_job_interrupted (s, 1);
  /* 6 general + 2 spares = 8 >= 7: it restarts, one node from the spares
   * at least (the general pool has 6). */
  d = run (s, 1);
  assert_true (started (d, 1));
  g_array_unref (d);
  uint32_t ns;
  sched_job_standbys (s, 1, &ns);
  assert_int_equal (ns, 3);
  assert_int_equal (sched_free_nodes (s) + sched_spares_free (s), 1);

  /* Interrupted again with two more nodes down: 6 up < 7, it waits. */
  gang = sched_job_nodes (s, 1, &n);
  uint32_t g0 = gang[0], g1 = gang[1];
  sched_node_set_available (s, g0, false);
  sched_node_set_available (s, g1, false);
  sched_job_interrupted (s, 1);
  d = run (s, 2);
  assert_false (started (d, 1));
  g_array_unref (d);
  assert_int_equal (sched_job_state (s, 1), SCHED_JOB_QUEUED);
  sched_node_set_available (s, dead[0], true);
  d = run (s, 3);
  assert_true (started (d, 1));
  g_array_unref (d);
  sched_free (s);
}

/* A swap takes the standby in the failed node's group when there is one.
 * Groups striped (node i in group i % 2), first-fit: the gang is 0-3, the
 * standbys 4 (group 0) and 5 (group 1). */
static void
test_swap_same_group (void **state)
{
  uint32_t groups[8];
  for (uint32_t i = 0; i < 8; i++)
    groups[i] = i % 2;
  Sched *s = new_sched ("fifo", 8, groups, 0);
  assert_true (job_submit (s, 1, 4, 2, 0, 0, false));
  g_array_unref (run (s, 0));
  uint32_t ns, repl;
  const uint32_t *sb = sched_job_standbys (s, 1, &ns);
  assert_int_equal (ns, 2);
  assert_int_equal (sb[0], 4);
  assert_int_equal (sb[1], 5);
  sched_node_set_available (s, 1, false);
  assert_true (sched_job_swap (s, 1, 1, &repl));
  assert_int_equal (repl, 5); /* group 1's, not the lower index 4 */
  /* Node 3 (group 1): none left there, it takes 4. */
  sched_node_set_available (s, 3, false);
  assert_true (sched_job_swap (s, 1, 3, &repl));
  assert_int_equal (repl, 4);
  uint32_t n;
  const uint32_t *gang = sched_job_nodes (s, 1, &n);
  static const uint32_t expect[] = { 0, 2, 4, 5 };
  assert_memory_equal (gang, expect, sizeof expect);
  sched_free (s);
}

/* The blocked head's EASY reservation needs its standbys too. */
static void
test_backfill_counts_standbys (void **state)
{
  Sched *s = new_sched ("fifo", 8, NULL, 0);
  assert_true (job_submit (s, 1, 4, 0, 0, 100, false)); /* ends at 100 */
  g_array_unref (run (s, 0));
  /* Head: 2 nodes + 3 standbys = 5 > 4 free: reserved at 100, with
   * 8 - 5 = 3 nodes to spare then. */
  assert_true (job_submit (s, 2, 2, 3, 0, 50, false));
  assert_true (job_submit (s, 3, 3, 0, 0, 1000, false));
  assert_true (job_submit (s, 4, 1, 0, 0, 1000, false));
  GArray *d = run (s, 1);
  assert_false (started (d, 2));
  assert_true (started (d, 3));  /* 3 <= 3 spare at the reservation */
  assert_false (started (d, 4)); /* it would delay the head */
  g_array_unref (d);
  sched_free (s);
}

/* Preemption frees a victim's standbys with its gang. */
static void
test_preempt_counts_standbys (void **state)
{
  Sched *s = new_sched ("priority", 8, NULL, 0);
  assert_true (job_submit (s, 1, 4, 2, 0, 0, true));
  g_array_unref (run (s, 0));
  assert_true (job_submit (s, 2, 8, 0, 5, 0, false));
  GArray *d = run (s, 1);
  assert_true (d->len == 2);
  SchedDecision *p = &g_array_index (d, SchedDecision, 0);
  assert_int_equal (p->kind, SCHED_DECISION_PREEMPT);
  assert_int_equal (p->job, 1);
  assert_true (started (d, 2));
  g_array_unref (d);
  uint32_t ns;
  assert_null (sched_job_standbys (s, 1, &ns));
  sched_free (s);
}

/* ---- seeded random stream ---- */

static uint64_t
mix (uint64_t *x)
{
  uint64_t z = (*x += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

static void
check_invariants (Sched *s, uint32_t n_nodes, const GArray *live,
                  const bool *down)
{
  uint8_t *held = g_new0 (uint8_t, n_nodes);
  uint32_t held_n = 0;
  for (guint i = 0; i < live->len; i++)
    {
      uint32_t id = g_array_index (live, uint32_t, i), n, ns;
      const uint32_t *nodes = sched_job_nodes (s, id, &n);
      const uint32_t *sb = sched_job_standbys (s, id, &ns);
      for (uint32_t k = 0; k < n; k++)
        {
          if (k > 0)
            assert_true (nodes[k - 1] < nodes[k]);
          assert_int_equal (held[nodes[k]], 0);
          held[nodes[k]] = 1;
          held_n++;
        }
      for (uint32_t k = 0; k < ns; k++)
        {
          if (k > 0)
            assert_true (sb[k - 1] < sb[k]);
          assert_int_equal (held[sb[k]], 0);
          assert_false (down[sb[k]]); /* a standby is always up */
          assert_false (sched_node_is_spare (s, sb[k]));
          held[sb[k]] = 2;
          held_n++;
        }
    }
  uint32_t idle_down = 0;
  for (uint32_t i = 0; i < n_nodes; i++)
    if (down[i] && !held[i])
      idle_down++;
  assert_int_equal (held_n + idle_down + sched_free_nodes (s)
                    + sched_spares_free (s), n_nodes);
  g_free (held);
}

static void
random_run (const char *preset, uint64_t seed, GArray *trace)
{
  enum { N = 48 };
  uint32_t groups[N];
  for (uint32_t i = 0; i < N; i++)
    groups[i] = i / 8;
  Sched *s = new_sched (preset, N, groups, 3);
  GArray *live = g_array_new (FALSE, FALSE, sizeof (uint32_t));
  bool down[N] = { false };
  uint64_t x = seed;
  uint32_t next_id = 1, swaps = 0;
  SchedTimeMs now = 0;
  for (int step = 0; step < 500; step++)
    {
      now += (SchedTimeMs) (mix (&x) % 50);
      uint64_t what = mix (&x) % 10;
      if (what < 3)
        {
          SchedJob j = { .id = next_id,
                         .nodes = 1 + (uint32_t) (mix (&x) % 12),
                         .priority = (int32_t) (mix (&x) % 3),
                         .submit = now,
                         .est_runtime = (SchedTimeMs) (mix (&x) % 400),
                         .preemptible = mix (&x) % 2,
                         .standbys = (uint32_t) (mix (&x) % 4) };
          if (sched_submit (s, &j))
            g_array_append_val (live, next_id);
          next_id++;
        }
      else if (what < 5 && live->len > 0)
        {
          guint k = (guint) (mix (&x) % live->len);
          uint32_t id = g_array_index (live, uint32_t, k);
          if (what == 4 && sched_job_state (s, id) == SCHED_JOB_RUNNING)
            sched_job_interrupted (s, id);
          else
            {
              sched_job_finished (s, id);
              g_array_remove_index (live, k);
            }
        }
      else
        {
          /* A node flips; one of a running job's nodes going down is
           * swapped for a standby when it has one, else interrupts it. */
          uint32_t node = (uint32_t) (mix (&x) % N);
          down[node] = !down[node];
          sched_node_set_available (s, node, !down[node]);
          for (guint i = 0; down[node] && i < live->len; i++)
            {
              uint32_t id = g_array_index (live, uint32_t, i), n, repl;
              const uint32_t *g = sched_job_nodes (s, id, &n);
              if (!contains (g, n, node))
                continue;
              if (sched_job_swap (s, id, node, &repl))
                {
                  assert_false (down[repl]);
                  swaps++;
                }
              else
                sched_job_interrupted (s, id);
            }
        }
      GArray *d = run (s, now);
      for (guint i = 0; i < d->len; i++)
        {
          SchedDecision *dd = &g_array_index (d, SchedDecision, i);
          uint32_t rec[2] = { dd->kind, dd->job };
          g_array_append_vals (trace, rec, 2);
          g_array_append_vals (trace, dd->nodes, dd->n);
          if (dd->kind == SCHED_DECISION_START)
            for (uint32_t k = 0; k < dd->n; k++)
              assert_false (down[dd->nodes[k]]);
        }
      g_array_unref (d);
      check_invariants (s, N, live, down);
    }
  assert_true (swaps > 5); /* the stream did exercise swaps */
  g_array_unref (live);
  sched_free (s);
}

static void
test_random_invariants (void **state)
{
  const char *presets[] = { "fifo", "topology", "priority" };
  for (size_t p = 0; p < G_N_ELEMENTS (presets); p++)
    {
      GArray *a = g_array_new (FALSE, FALSE, sizeof (uint32_t));
      GArray *b = g_array_new (FALSE, FALSE, sizeof (uint32_t));
      random_run (presets[p], 7 + p, a);
      random_run (presets[p], 7 + p, b);
      assert_true (a->len > 100);
      assert_int_equal (a->len, b->len);
      assert_memory_equal (a->data, b->data, a->len * sizeof (uint32_t));
      g_array_unref (a);
      g_array_unref (b);
    }
}

int
main (void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test (test_start_needs_standbys),
    cmocka_unit_test (test_swap),
    cmocka_unit_test (test_restart_counts_spares),
    cmocka_unit_test (test_swap_same_group),
    cmocka_unit_test (test_backfill_counts_standbys),
    cmocka_unit_test (test_preempt_counts_standbys),
    cmocka_unit_test (test_random_invariants),
  };
  return cmocka_run_group_tests (tests, NULL, NULL);
}
