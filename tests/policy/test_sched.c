/* tests/policy/test_sched.c - the batch scheduler (policy/sched.h).
 *
 * Asserts the scheduling rules on small hand-built clusters: gang
 * allocation is all-or-nothing, FIFO order, EASY backfill (a short job
 * backfills, a long one that would delay the head's reservation does not),
 * priority preemption (which victim, PREEMPT before START), topology vs
 * first-fit placement (groups used), hot spares (idle for fresh jobs, used
 * by restarts), spare refill policies, configuration keys; and, on a
 * seeded random event stream, invariants after every step (no node held
 * twice, node accounting balances) and determinism (two runs give the
 * same decisions); topology's best fit against a model of the rule on
 * many small groups (the per-count index) and on few (the scan). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>
#include <glib.h>

#include "sched.h"
#include "sched_test.h"

static void
submit (Sched *s, uint32_t id, uint32_t nodes, int32_t prio,
        SchedTimeMs submit_t, SchedTimeMs est, bool preemptible)
{
  SchedJob j = { id, nodes, prio, submit_t, est, preemptible, 0 };
  assert_true (sched_submit (s, &j));
}

static void
test_gang_all_or_nothing (void **state)
{
  Sched *s = new_sched ("fifo", 8, NULL, 0);
  submit (s, 1, 6, 0, 0, 100, false);
  submit (s, 2, 4, 0, 1, 100, false);
  GArray *d = run (s, 0);
  assert_int_equal (d->len, 1);
  SchedDecision *x = &g_array_index (d, SchedDecision, 0);
  assert_int_equal (x->kind, SCHED_DECISION_START);
  assert_int_equal (x->job, 1);
  assert_int_equal (x->n, 6);
  /* Job 2 gets nothing: not 2 of its 4 nodes. */
  assert_int_equal (sched_free_nodes (s), 2);
  assert_int_equal (sched_job_state (s, 2), SCHED_JOB_QUEUED);
  uint32_t n = 99;
  assert_null (sched_job_nodes (s, 2, &n));
  assert_int_equal (n, 0);
  g_array_unref (d);

  sched_job_finished (s, 1);
  d = run (s, 100);
  assert_true (started (d, 2));
  const uint32_t *nodes = sched_job_nodes (s, 2, &n);
  assert_int_equal (n, 4);
  for (uint32_t i = 1; i < n; i++)
    assert_true (nodes[i - 1] < nodes[i]);
  assert_int_equal (sched_free_nodes (s), 4);
  /* A job larger than the cluster is refused at submit. */
  SchedJob big = { 9, 9, 0, 0, 0, false, 0 };
  assert_false (sched_submit (s, &big));
  assert_int_equal (sched_job_state (s, 9), SCHED_JOB_UNKNOWN);
  g_array_unref (d);
  sched_free (s);
}

static void
test_fifo_order (void **state)
{
  SchedConfig cfg;
  sched_config_init (&cfg);
  cfg.backfill = false;
  Sched *s = sched_new (&cfg, 8, NULL, NULL);
  /* Submitted out of order; the queue follows submit time. */
  submit (s, 3, 4, 0, 30, 10, false);
  submit (s, 1, 4, 0, 10, 10, false);
  submit (s, 4, 1, 0, 40, 10, false);
  submit (s, 2, 4, 0, 20, 10, false);
  GArray *d = run (s, 50);
  assert_int_equal (d->len, 2);
  assert_int_equal (g_array_index (d, SchedDecision, 0).job, 1);
  assert_int_equal (g_array_index (d, SchedDecision, 1).job, 2);
  /* Without backfill the 1-node job waits behind job 3. */
  assert_int_equal (sched_queue_length (s), 2);
  g_array_unref (d);
  sched_job_finished (s, 1);
  sched_job_finished (s, 2);
  d = run (s, 60);
  assert_int_equal (d->len, 2);
  assert_int_equal (g_array_index (d, SchedDecision, 0).job, 3);
  assert_int_equal (g_array_index (d, SchedDecision, 1).job, 4);
  g_array_unref (d);
  sched_free (s);
}

/* 10 nodes; A (6 nodes, est 100) runs from t=0. At t=10 the head H needs 8:
 * it is reserved for t=100 (4 free + A's 6 = 10, 2 spare at that time).
 * S (4 nodes, est 50) ends at 60 <= 100: backfills. L (4 nodes, est 500)
 * would still hold 4 nodes at t=100, when only 2 are not needed: waits.
 * T (2 nodes, est 500) fits the 2 nodes the reservation does not need. */
static void
test_easy_backfill (void **state)
{
  for (int with_backfill = 0; with_backfill <= 1; with_backfill++)
    {
      SchedConfig cfg;
      sched_config_init (&cfg);
      cfg.backfill = with_backfill;
      Sched *s = sched_new (&cfg, 10, NULL, NULL);
      submit (s, 1, 6, 0, 0, 100, false);
      GArray *d = run (s, 0);
      assert_true (started (d, 1));
      g_array_unref (d);
      submit (s, 2, 8, 0, 5, 100, false);  /* H */
      submit (s, 3, 4, 0, 6, 500, false);  /* L */
      submit (s, 4, 4, 0, 7, 50, false);   /* S */
      d = run (s, 10);
      assert_false (started (d, 2));
      assert_false (started (d, 3));
      assert_int_equal (started (d, 4), with_backfill);
      g_array_unref (d);
      if (with_backfill)
        {
          /* S took 4, leaving 0 free: T must wait for now. */
          submit (s, 5, 2, 0, 8, 500, false);
          d = run (s, 20);
          assert_int_equal (d->len, 0);
          g_array_unref (d);
          sched_job_finished (s, 4); /* S ends at 60 */
          d = run (s, 60);
          /* Now 4 free: T (2 nodes beyond the reservation) backfills,
           * L (4 nodes, ends after t=100) still does not. */
          assert_true (started (d, 5));
          assert_false (started (d, 3));
          g_array_unref (d);
        }
      /* The head's reservation held: when A ends, H starts at once. */
      sched_job_finished (s, 1);
      d = run (s, 100);
      assert_true (started (d, 2));
      g_array_unref (d);
      sched_free (s);
    }
}

static void
test_priority_preemption (void **state)
{
  Sched *s = new_sched ("priority", 8, NULL, 0);
  submit (s, 1, 4, 1, 0, 0, true);   /* low, preemptible */
  submit (s, 2, 4, 5, 0, 0, false);  /* mid, not preemptible */
  GArray *d = run (s, 0);
  assert_int_equal (d->len, 2);
  g_array_unref (d);
  uint32_t n1;
  const uint32_t *a = sched_job_nodes (s, 1, &n1);
  uint32_t low_nodes[4];
  memcpy (low_nodes, a, sizeof low_nodes);

  /* Same priority as job 1: no preemption. */
  submit (s, 3, 4, 1, 10, 0, false);
  d = run (s, 10);
  assert_int_equal (d->len, 0);
  g_array_unref (d);

  submit (s, 4, 4, 10, 20, 0, false);
  d = run (s, 100);
  assert_int_equal (d->len, 2);
  SchedDecision *p = &g_array_index (d, SchedDecision, 0);
  SchedDecision *st = &g_array_index (d, SchedDecision, 1);
  assert_int_equal (p->kind, SCHED_DECISION_PREEMPT);
  assert_int_equal (p->job, 1);
  assert_int_equal (p->n, 4);
  assert_memory_equal (p->nodes, low_nodes, sizeof low_nodes);
  assert_int_equal (st->kind, SCHED_DECISION_START);
  assert_int_equal (st->job, 4);
  assert_memory_equal (st->nodes, low_nodes, sizeof low_nodes);
  /* The victim is queued again, ahead of job 3 (head of its class). */
  assert_int_equal (sched_job_state (s, 1), SCHED_JOB_QUEUED);
  assert_int_equal (sched_job_state (s, 2), SCHED_JOB_RUNNING);
  g_array_unref (d);
  sched_job_finished (s, 4);
  d = run (s, 200);
  assert_true (started (d, 1));
  assert_false (started (d, 3));
  g_array_unref (d);
  sched_free (s);

  /* Two lower-priority victims: the one that loses fewer node-hours. */
  s = new_sched ("priority", 8, NULL, 0);
  submit (s, 1, 4, 1, 0, 0, true);
  d = run (s, 0);
  g_array_unref (d);
  submit (s, 2, 4, 2, 0, 0, true);
  d = run (s, 80);
  g_array_unref (d);
  submit (s, 3, 3, 10, 90, 0, false);
  d = run (s, 100);
  /* job 1: 4 nodes x 100 ms; job 2: 4 x 20 ms. */
  assert_int_equal (d->len, 2);
  assert_int_equal (g_array_index (d, SchedDecision, 0).job, 2);
  assert_true (started (d, 3));
  assert_int_equal (sched_job_state (s, 1), SCHED_JOB_RUNNING);
  g_array_unref (d);
  sched_free (s);
}

static uint32_t
groups_used (const uint32_t *groups, const uint32_t *nodes, uint32_t n)
{
  uint32_t seen = 0, mask = 0;
  for (uint32_t i = 0; i < n; i++)
    if (!(mask & (1u << groups[nodes[i]])))
      {
        mask |= 1u << groups[nodes[i]];
        seen++;
      }
  return seen;
}

/* 4 groups of 4 nodes; nodes down so that the free counts per group are
 * 1, 3, 4, 2. */
static void
test_topology_placement (void **state)
{
  uint32_t groups[16];
  for (uint32_t i = 0; i < 16; i++)
    groups[i] = i / 4;
  static const uint32_t down[] = { 0, 1, 2, 4, 14, 15 };
  const char *presets[] = { "first-fit", "topology" };
  uint32_t used[2][3];
  for (int p = 0; p < 2; p++)
    {
      Sched *s = new_sched (presets[p], 16, groups, 0);
      for (size_t i = 0; i < G_N_ELEMENTS (down); i++)
        sched_node_set_available (s, down[i], false);
      assert_int_equal (sched_free_nodes (s), 10);
      static const uint32_t sizes[] = { 4, 2, 4 };
      for (uint32_t k = 0; k < 3; k++)
        {
          submit (s, k + 1, sizes[k], 0, k, 0, false);
          GArray *d = run (s, 0);
          assert_true (started (d, k + 1));
          uint32_t n;
          const uint32_t *nodes = sched_job_nodes (s, k + 1, &n);
          for (uint32_t i = 0; i < n; i++)
            for (size_t j = 0; j < G_N_ELEMENTS (down); j++)
              assert_int_not_equal (nodes[i], down[j]);
          used[p][k] = groups_used (groups, nodes, n);
          g_array_unref (d);
        }
      sched_free (s);
    }
  /* First-fit: 4 nodes = group 0 (1) + group 1 (3); then 2 in group 2;
   * then 4 = group 2 (2) + group 3 (2). Topology: 4 in group 2 (the only
   * group holding 4); 2 in group 3 (exact fit, keeps group 1's 3); 4 =
   * group 1 (3) + group 0 (1). */
  assert_int_equal (used[0][0], 2);
  assert_int_equal (used[1][0], 1);
  assert_int_equal (used[1][1], 1);
  assert_true (used[1][0] + used[1][1] + used[1][2]
               < used[0][0] + used[0][1] + used[0][2]);
}

/* 10 nodes, 2 hot spares (nodes 8 and 9). */
/* How many of nodes[0..n) are in set[0..m). */
static uint32_t
common (const uint32_t *nodes, uint32_t n, const uint32_t *set, uint32_t m)
{
  uint32_t k = 0;
  for (uint32_t i = 0; i < n; i++)
    for (uint32_t j = 0; j < m; j++)
      k += nodes[i] == set[j];
  return k;
}

/* The one-node swap: a job interrupted by one failed node restarts on its
 * other nodes plus one replacement; with topology placement the
 * replacement comes from a group the job already spans even when another
 * group fits one node better (a full re-placement would instead take the
 * fullest groups: 4-7 and 1-2 here); with first-fit, the lowest free
 * node. When no replacement is free, the kept nodes go back to the pool
 * and the job waits as before. */
static void
test_one_node_swap (void **state)
{
  uint32_t groups[16];
  for (uint32_t i = 0; i < 16; i++)
    groups[i] = i / 4;
  const char *presets[] = { "topology", "first-fit" };
  for (int p = 0; p < 2; p++)
    {
      Sched *s = new_sched (presets[p], 16, groups, 0);
      for (uint32_t i = 13; i < 16; i++) /* group 3 keeps one free node */
        sched_node_set_available (s, i, false);
      submit (s, 1, 6, 0, 0, 0, false);
      GArray *d = run (s, 0);
      assert_true (started (d, 1));
      g_array_unref (d);
      uint32_t n;
      const uint32_t *nodes = sched_job_nodes (s, 1, &n);
      assert_int_equal (n, 6);
      uint32_t before[6];
      memcpy (before, nodes, sizeof before);
      static const uint32_t first[] = { 0, 1, 2, 3, 4, 5 };
      assert_memory_equal (before, first, sizeof first);

      sched_node_set_available (s, 0, false);
      sched_job_interrupted (s, 1);
      d = run (s, 10);
      assert_int_equal (d->len, 1);
      SchedDecision *x = &g_array_index (d, SchedDecision, 0);
      assert_int_equal (x->kind, SCHED_DECISION_START);
      assert_int_equal (x->n, 6);
      assert_int_equal (x->from_spares, 0);
      assert_int_equal (common (x->nodes, x->n, before, 6), 5);
      for (uint32_t i = 1; i < x->n; i++)
        assert_true (x->nodes[i - 1] < x->nodes[i]);
      /* Topology: group 1 (the job's) over group 3's single free node 12,
       * the best fit elsewhere; first-fit: the lowest free node. Both 6. */
      static const uint32_t after[] = { 1, 2, 3, 4, 5, 6 };
      assert_memory_equal (x->nodes, after, sizeof after);
      assert_int_equal (sched_free_nodes (s), 16 - 3 - 1 - 6);
      g_array_unref (d);

      /* A node of a job in a cluster with nothing free: no swap; the kept
       * nodes are released by the pass and the job waits. */
      submit (s, 2, sched_free_nodes (s), 0, 20, 0, false);
      d = run (s, 20);
      assert_true (started (d, 2));
      g_array_unref (d);
      assert_int_equal (sched_free_nodes (s), 0);
      sched_node_set_available (s, 3, false);
      sched_job_interrupted (s, 1);
      d = run (s, 30);
      assert_int_equal (d->len, 0);
      assert_int_equal (sched_job_state (s, 1), SCHED_JOB_QUEUED);
      assert_int_equal (sched_free_nodes (s), 5);
      g_array_unref (d);
      /* A node comes back: the job restarts on a fresh placement. */
      sched_node_set_available (s, 0, true);
      d = run (s, 40);
      assert_true (started (d, 1));
      g_array_unref (d);
      assert_int_equal (sched_free_nodes (s), 0);
      sched_free (s);
    }

  /* The scheduler follows a job's down nodes as they change, not at the
   * restart: a kept node that went down and came back before the pass
   * stays in the job; only the one still down is swapped. */
  for (int p = 0; p < 2; p++)
    {
      Sched *s = new_sched (presets[p], 16, groups, 0);
      submit (s, 1, 6, 0, 0, 0, false);
      GArray *d = run (s, 0);
      g_array_unref (d);
      sched_node_set_available (s, 1, false);
      sched_node_set_available (s, 4, false);
      sched_job_interrupted (s, 1);
      sched_node_set_available (s, 1, true);
      d = run (s, 10);
      assert_int_equal (d->len, 1);
      static const uint32_t kept_back[] = { 0, 1, 2, 3, 5, 6 };
      assert_memory_equal (g_array_index (d, SchedDecision, 0).nodes,
                           kept_back, sizeof kept_back);
      g_array_unref (d);
      /* Down while running, up again, then a failure elsewhere: the same. */
      sched_node_set_available (s, 2, false);
      sched_node_set_available (s, 2, true);
      sched_node_set_available (s, 6, false);
      sched_job_interrupted (s, 1);
      d = run (s, 20);
      assert_int_equal (d->len, 1);
      static const uint32_t again[] = { 0, 1, 2, 3, 5, 7 };
      assert_memory_equal (g_array_index (d, SchedDecision, 0).nodes, again,
                           sizeof again);
      g_array_unref (d);
      sched_free (s);
    }

  /* Topology, a job alone in its group: a swap would spread it over two
   * groups while another group holds it whole, so it is re-placed. */
  Sched *s = new_sched ("topology", 8, groups, 0);
  submit (s, 1, 4, 0, 0, 0, false);
  GArray *d = run (s, 0);
  g_array_unref (d);
  sched_node_set_available (s, 1, false);
  sched_job_interrupted (s, 1);
  d = run (s, 10);
  assert_int_equal (d->len, 1);
  static const uint32_t whole[] = { 4, 5, 6, 7 };
  assert_memory_equal (g_array_index (d, SchedDecision, 0).nodes, whole,
                       sizeof whole);
  g_array_unref (d);
  sched_free (s);
}

static void
test_spares (void **state)
{
  for (int refill = 0; refill <= 1; refill++)
    {
      SchedConfig cfg;
      sched_config_init (&cfg);
      cfg.spares = 2;
      cfg.refill = refill ? SCHED_REFILL_GENERAL_FIRST
                          : SCHED_REFILL_SPARES_FIRST;
      Sched *s = sched_new (&cfg, 10, NULL, NULL);
      assert_true (sched_node_is_spare (s, 8) && sched_node_is_spare (s, 9));
      assert_int_equal (sched_spares_free (s), 2);
      SchedJob nine = { 99, 9, 0, 0, 0, false, 0 };
      assert_false (sched_submit (s, &nine)); /* only 8 general nodes */
      submit (s, 1, 8, 0, 0, 0, false);
      submit (s, 2, 1, 0, 1, 0, false);
      GArray *d = run (s, 0);
      assert_true (started (d, 1));
      assert_false (started (d, 2)); /* spares stay idle for fresh jobs */
      assert_int_equal (sched_spares_free (s), 2);
      g_array_unref (d);

      /* Node 3 fails and interrupts job 1: its restart takes the 7 idle
       * general nodes plus one spare, ahead of job 2. */
      sched_node_set_available (s, 3, false);
      sched_job_interrupted (s, 1);
      assert_int_equal (sched_job_state (s, 1), SCHED_JOB_QUEUED);
      /* Its 7 nodes still up are kept for its restart (the swap). */
      assert_int_equal (sched_free_nodes (s), 0);
      d = run (s, 10);
      assert_int_equal (d->len, 1);
      SchedDecision *x = &g_array_index (d, SchedDecision, 0);
      assert_int_equal (x->job, 1);
      assert_int_equal (x->from_spares, 1);
      for (uint32_t i = 0; i < x->n; i++)
        assert_int_not_equal (x->nodes[i], 3);
      assert_int_equal (sched_spares_free (s), 1);
      g_array_unref (d);

      /* Node 3 is repaired. */
      sched_node_set_available (s, 3, true);
      d = run (s, 20);
      if (!refill)
        {
          /* spares-first: it refills the pool; job 2 keeps waiting. */
          assert_int_equal (d->len, 0);
          assert_true (sched_node_is_spare (s, 3));
          assert_int_equal (sched_spares_free (s), 2);
        }
      else
        {
          /* general-first: job 2 gets it; the pool stays short. */
          assert_true (started (d, 2));
          assert_int_equal (sched_spares_free (s), 1);
        }
      g_array_unref (d);

      /* Job 1 ends: the pool is topped up to 2 from the idle nodes. */
      sched_job_finished (s, 1);
      d = run (s, 30);
      assert_int_equal (sched_spares_free (s), 2);
      if (!refill)
        assert_true (started (d, 2));
      g_array_unref (d);
      assert_int_equal (sched_free_nodes (s) + sched_spares_free (s) + 1, 10);
      sched_free (s);
    }
}

static void
test_config (void **state)
{
  SchedConfig cfg;
  sched_config_init (&cfg);
  GError *err = NULL;
  assert_true (sched_config_set (&cfg, "sched.spares", "64", &err));
  assert_int_equal (cfg.spares, 64);
  assert_true (sched_config_set (&cfg, "policy", "priority", &err));
  assert_int_equal (cfg.queue, SCHED_QUEUE_PRIORITY);
  assert_int_equal (cfg.placement, SCHED_PLACE_TOPOLOGY);
  assert_true (cfg.preempt);
  assert_int_equal (cfg.spares, 64); /* a preset keeps spares */
  assert_true (sched_config_set (&cfg, "refill", "general-first", &err));
  assert_true (sched_config_set (&cfg, "backfill", "false", &err));
  char *desc = sched_config_describe (&cfg);
  assert_non_null (strstr (desc, "refill=general-first"));
  assert_non_null (strstr (desc, "backfill=false"));
  g_free (desc);

  SchedConfig before = cfg;
  assert_false (sched_config_set (&cfg, "sched.spars", "3", &err));
  assert_non_null (strstr (err->message, "sched.spares"));
  g_clear_error (&err);
  assert_false (sched_config_set (&cfg, "spares", "-1", &err));
  assert_non_null (strstr (err->message, "'-1'"));
  g_clear_error (&err);
  assert_false (sched_config_set (&cfg, "placement", "random", &err));
  assert_non_null (strstr (err->message, "'random'"));
  g_clear_error (&err);
  assert_false (sched_config_named (&cfg, "lifo", &err));
  assert_non_null (strstr (err->message, "topology"));
  g_clear_error (&err);
  assert_memory_equal (&before, &cfg, sizeof cfg);

  size_t nk;
  const SchedConfigKey *keys = sched_config_keys (&nk);
  assert_true (nk >= 7);
  for (size_t i = 0; i < nk; i++)
    {
      /* Every listed default is accepted by its own key. */
      SchedConfig c;
      sched_config_init (&c);
      assert_true (sched_config_set (&c, keys[i].key, keys[i].def, NULL));
      assert_true (strlen (keys[i].help) > 10);
    }

  cfg.spares = 10;
  assert_null (sched_new (&cfg, 10, NULL, &err));
  assert_non_null (strstr (err->message, "sched.spares=10"));
  g_clear_error (&err);
}

/* ---- seeded random stream: invariants and determinism ---- */

static uint64_t
mix (uint64_t *x)
{
  /* SplitMix64: a test-local deterministic sequence. */
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
  uint32_t running = 0, held_n = 0;
  for (guint i = 0; i < live->len; i++)
    {
      uint32_t id = g_array_index (live, uint32_t, i), n;
      const uint32_t *nodes = sched_job_nodes (s, id, &n);
      if (nodes == NULL)
        continue;
      running++;
      for (uint32_t k = 0; k < n; k++)
        {
          assert_true (nodes[k] < n_nodes);
          if (k > 0)
            assert_true (nodes[k - 1] < nodes[k]); /* ascending (sched.h) */
          assert_int_equal (held[nodes[k]], 0); /* never held twice */
          held[nodes[k]] = 1;
          held_n++;
        }
    }
  uint32_t idle_down = 0, spares = 0;
  for (uint32_t i = 0; i < n_nodes; i++)
    {
      if (down[i] && !held[i])
        idle_down++;
      if (sched_node_is_spare (s, i))
        {
          assert_false (held[i]);
          assert_false (down[i]);
          spares++;
        }
    }
  assert_int_equal (running, sched_running_count (s));
  assert_int_equal (spares, sched_spares_free (s));
  assert_int_equal (held_n + idle_down + sched_free_nodes (s)
                    + sched_spares_free (s), n_nodes);
  g_free (held);
}

/* Runs 400 random steps; appends every decision (kind, job, nodes) to
 * trace. Groups are 8 blocks of 8 consecutive nodes, or with `striped`
 * node i is in group i % 8, so that a placement over several groups
 * comes out of the groups in an order that is not ascending. */
static void
random_run (const char *preset, uint64_t seed, bool striped, GArray *trace)
{
  enum { N = 64 };
  uint32_t groups[N];
  for (uint32_t i = 0; i < N; i++)
    groups[i] = striped ? i % 8 : i / 8;
  SchedConfig cfg;
  sched_config_init (&cfg);
  assert_true (sched_config_named (&cfg, preset, NULL));
  cfg.spares = 4;
  Sched *s = sched_new (&cfg, N, groups, NULL);
  GArray *live = g_array_new (FALSE, FALSE, sizeof (uint32_t));
  bool down[N] = { false };
  uint64_t x = seed;
  uint32_t next_id = 1;
  SchedTimeMs now = 0;
  for (int step = 0; step < 400; step++)
    {
      now += (SchedTimeMs) (mix (&x) % 50);
      uint64_t what = mix (&x) % 10;
      if (what < 4)
        {
          SchedJob j = { next_id, 1 + (uint32_t) (mix (&x) % 24),
                         (int32_t) (mix (&x) % 3), now,
                         (SchedTimeMs) (mix (&x) % 400), mix (&x) % 2, 0 };
          if (sched_submit (s, &j))
            g_array_append_val (live, next_id);
          next_id++;
        }
      else if (what < 7 && live->len > 0)
        {
          guint k = (guint) (mix (&x) % live->len);
          uint32_t id = g_array_index (live, uint32_t, k);
          if (what == 6 && sched_job_state (s, id) == SCHED_JOB_RUNNING)
            sched_job_interrupted (s, id);
          else
            {
              sched_job_finished (s, id);
              g_array_remove_index (live, k);
            }
        }
      else
        {
          uint32_t node = (uint32_t) (mix (&x) % N);
          down[node] = !down[node];
          sched_node_set_available (s, node, !down[node]);
        }
      GArray *d = run (s, now);
      for (guint i = 0; i < d->len; i++)
        {
          SchedDecision *dd = &g_array_index (d, SchedDecision, i);
          uint32_t rec[2] = { dd->kind, dd->job };
          g_array_append_vals (trace, rec, 2);
          g_array_append_vals (trace, dd->nodes, dd->n);
          for (uint32_t k = 1; k < dd->n; k++)
            assert_true (dd->nodes[k - 1] < dd->nodes[k]);
          if (dd->kind == SCHED_DECISION_START)
            for (uint32_t k = 0; k < dd->n; k++)
              assert_false (down[dd->nodes[k]]);
        }
      g_array_unref (d);
      check_invariants (s, N, live, down);
    }
  g_array_unref (live);
  sched_free (s);
}

/* Topology placement of a job that fits in one group, against a model of
 * the rule kept by the test: the group with the fewest free nodes that
 * hold the job (the lowest group id among equals), its lowest free nodes.
 * The scheduler finds that group through per-count group bitmaps when the
 * cluster has many small groups and by a scan of the groups otherwise:
 * `n_groups` = 96 uses the bitmaps, 12 the scan, and both must follow the
 * model on the same random stream of submits, finishes, node failures
 * and repairs (with preemption under "priority"). Groups have 1 to 8
 * nodes and interleave in node order, and group ids are sparse. */
static void
best_fit_run (const char *preset, uint32_t n_groups, uint64_t seed)
{
  uint32_t size[96], n = 0;
  for (uint32_t g = 0; g < n_groups; g++)
    {
      size[g] = 1 + (g * 5) % 8;
      n += size[g];
    }
  uint32_t *groups = g_new (uint32_t, n), *gid = g_new (uint32_t, n);
  uint32_t k = 0;
  for (uint32_t round = 0; round < 8; round++)
    for (uint32_t g = 0; g < n_groups; g++)
      if (size[g] > round)
        {
          gid[k] = g;
          groups[k++] = 7 + 3 * g; /* sparse ids, same order as g */
        }
  assert_int_equal (k, n);
  Sched *s = new_sched (preset, n, groups, 0);
  uint32_t *held = g_new0 (uint32_t, n); /* node -> job id, 0 = idle */
  bool *down = g_new0 (bool, n);
  GArray *live = g_array_new (FALSE, FALSE, sizeof (uint32_t));
  uint32_t checked = 0, next_id = 1;
  uint64_t x = seed;
  for (int step = 0; step < 3000; step++)
    {
      uint64_t what = mix (&x) % 10;
      if (what < 3)
        {
          SchedJob j = { next_id, 1 + (uint32_t) (mix (&x) % 12),
                         (int32_t) (mix (&x) % 3), step,
                         (SchedTimeMs) (mix (&x) % 400), mix (&x) % 2, 0 };
          assert_true (sched_submit (s, &j));
          g_array_append_val (live, next_id);
          next_id++;
        }
      else if (what < 6 && live->len > 0)
        {
          guint i = (guint) (mix (&x) % live->len);
          uint32_t id = g_array_index (live, uint32_t, i);
          sched_job_finished (s, id);
          for (uint32_t v = 0; v < n; v++)
            if (held[v] == id)
              held[v] = 0;
          g_array_remove_index (live, i);
        }
      else
        {
          /* A failure (1 in 10 steps) or a repair (3 in 10, of a down
           * node if the draw hits one): about 1 node in 4 is down. */
          uint32_t v = (uint32_t) (mix (&x) % n);
          if (what == 6 || down[v])
            {
              down[v] = what == 6;
              sched_node_set_available (s, v, !down[v]);
            }
        }
      GArray *d = run (s, step);
      for (guint i = 0; i < d->len; i++)
        {
          SchedDecision *dd = &g_array_index (d, SchedDecision, i);
          if (dd->kind == SCHED_DECISION_PREEMPT)
            {
              for (uint32_t v = 0; v < dd->n; v++)
                held[dd->nodes[v]] = 0;
              continue;
            }
          uint32_t gfree[96] = { 0 }, best = UINT32_MAX;
          for (uint32_t v = 0; v < n; v++)
            gfree[gid[v]] += !down[v] && held[v] == 0;
          for (uint32_t g = 0; g < n_groups; g++)
            if (gfree[g] >= dd->n && (best == UINT32_MAX || gfree[g] < gfree[best]))
              best = g;
          if (best != UINT32_MAX)
            {
              uint32_t want[12], m = 0;
              for (uint32_t v = 0; v < n && m < dd->n; v++)
                if (gid[v] == best && !down[v] && held[v] == 0)
                  want[m++] = v;
              assert_int_equal (m, dd->n);
              assert_memory_equal (dd->nodes, want, m * sizeof (uint32_t));
              checked++;
            }
          for (uint32_t v = 0; v < dd->n; v++)
            {
              assert_false (down[dd->nodes[v]]);
              assert_int_equal (held[dd->nodes[v]], 0);
              held[dd->nodes[v]] = dd->job;
            }
        }
      g_array_unref (d);
    }
  printf ("best fit %s, %u groups: %u one-group placements checked\n",
          preset, n_groups, checked);
  assert_true (checked > 200); /* the stream did place one-group jobs */
  g_array_unref (live);
  g_free (down);
  g_free (held);
  g_free (gid);
  g_free (groups);
  sched_free (s);
}

static void
test_topology_best_fit (void **state)
{
  const char *presets[] = { "topology", "priority" };
  for (size_t p = 0; p < G_N_ELEMENTS (presets); p++)
    {
      best_fit_run (presets[p], 96, 11 + p);
      best_fit_run (presets[p], 12, 11 + p);
    }
}

static void
test_random_invariants_and_determinism (void **state)
{
  const char *presets[] = { "fifo", "topology", "priority" };
  for (size_t p = 0; p < 2 * G_N_ELEMENTS (presets); p++)
    {
      GArray *a = g_array_new (FALSE, FALSE, sizeof (uint32_t));
      GArray *b = g_array_new (FALSE, FALSE, sizeof (uint32_t));
      bool striped = p >= G_N_ELEMENTS (presets);
      const char *preset = presets[p % G_N_ELEMENTS (presets)];
      random_run (preset, 42, striped, a);
      random_run (preset, 42, striped, b);
      assert_true (a->len > 100); /* the stream did schedule things */
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
    cmocka_unit_test (test_gang_all_or_nothing),
    cmocka_unit_test (test_fifo_order),
    cmocka_unit_test (test_easy_backfill),
    cmocka_unit_test (test_priority_preemption),
    cmocka_unit_test (test_topology_placement),
    cmocka_unit_test (test_one_node_swap),
    cmocka_unit_test (test_spares),
    cmocka_unit_test (test_config),
    cmocka_unit_test (test_random_invariants_and_determinism),
    cmocka_unit_test (test_topology_best_fit),
  };
  return cmocka_run_group_tests (tests, NULL, NULL);
}
