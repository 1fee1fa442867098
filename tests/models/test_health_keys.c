/* tests/models/test_health_keys.c - every health.* and sched.* key changes
 * the run under every built-in policy that reads it (issue #13 item 2;
 * tests/models/test_config_keys.c does the world's own keys).
 *
 * The world: 64 nodes, 30 days, Llama 3 failures at 40x (the IO board's
 * PCIe errors at 4,000x and GPU thermal faults at 800x, so that the DCGM
 * watch has something to report) with 10% lemons and precursors, research
 * jobs of up to 8 nodes (preemptible, 4 an hour) beside a 32-node
 * priority-10 training job on a priority queue without preemption and
 * without hot spares (so a restart may find its nodes taken), and
 * node0000's rail-3 cable flapping: down for 5 minutes every 2 hours
 * (shorter than the 10-minute grace). The fingerprint of a run is its
 * summary's figures, each interruption's detection minutes and the node
 * states of the hourly timeseries.
 *
 * The table below says, per key, which policies read it (as they are
 * configured by default: a precursor threshold under proactive, the only
 * policy with precursors on) and the values to move it to. Each move must
 * change the fingerprint. The rate and temperature thresholds move both
 * up and down: the world draws each degrading part's level, so a threshold
 * matters across its range. A bool is tested as on/off.
 *
 * A key that acts only in a situation the base run lacks names it in the
 * row (`with`, set in both runs): false alarms for the reference policies'
 * drain timeout, more cable faults for the symbol-error threshold, cooling
 * loops for the heartbeat keys.
 *
 * nvsentinel's windows bind only when their counts can be reached: at its
 * defaults (a breaker at 50% of the nodes, 5 repeats of one Xid on one
 * GPU in 24 h) no 64-node month reaches them, whatever the window: they
 * are not dead code, but no shipped scenario reaches them. Its base run
 * is the fragment that does (base_config): a breaker at 5% (4 cordons),
 * CONTACT_SUPPORT after 2 repeats or 2 remediations, and a bad GPU that
 * falls off the bus every 8 hours whatever is done to it; then
 * breaker_window_s, support_xid_window_h, xid_burst_s and
 * support_remediation_window_h each decide what the policy does.
 * sched.preempt acts only with sched.queue=priority (docs/scheduling.md),
 * which the base run has.
 *
 * `test-health-keys` checks a few keys (the quick suite);
 * `test-health-keys --all` every row of the table (the slow suite: ~110
 * runs, 35 CPU-s). Every health.* and sched.* key must be in the table: a
 * key added later fails the test until it is. */
#include <glib.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "health.h"
#include "sched.h"
#include "world.h"
#include "world_test.h"

#define ALL "reactive standard proactive nvsentinel eks-auto-repair slurm-nhc"

typedef struct
{
  const char *key;
  const char *policies; /* space-separated; the policies that read it */
  const char *to[2];    /* values to move it to; each must change the run */
  bool quick;           /* also in the quick suite */
  const char *with;     /* "key=value" set in both runs: the situation the
                           key acts in, when the base run lacks it */
} KeyMove;

/* A drain waits for a running job only on a node that has not failed: a
 * precursor (proactive) or a false alarm of a check (the reference
 * policies drain on it). */
#define FALSE_ALARMS "health.false_positive_prob=1e-3"
#define COOLING "mode:cooling_loop.rate_scale=300"

static const KeyMove moves[] = {
  /* read by the world's sensor model, whatever the policy */
  /* The heartbeat keys time only a heartbeat loss without a detection
   * delay of its own: every heartbeat-loss mode of the catalogue has one
   * (300 s, docs/failure-modes.md), so here only the dark nodes of a
   * failed cooling loop (one a month at this rate) go by them. proactive
   * acts on the loop's temperature alarm before they go dark; eks pauses
   * its repairs when a loop takes half the cluster, so how much later its
   * nodes are declared lost changes nothing there. */
  { "health.heartbeat_period_s", "reactive standard nvsentinel eks-auto-repair slurm-nhc",
    { "120" }, false, COOLING },
  { "health.heartbeat_misses", "reactive standard nvsentinel slurm-nhc", { "8" }, false,
    COOLING },
  { "health.dcgm_watch_period_s", ALL, { "120", "1" }, true, NULL },
  { "health.check_period_s", ALL, { "3600" }, false, NULL },
  { "health.false_positive_prob", "standard proactive nvsentinel eks-auto-repair slurm-nhc",
    { "1e-3" }, false, NULL },
  { "health.false_negative_prob", "standard proactive nvsentinel eks-auto-repair slurm-nhc",
    { "0.6" }, false, NULL },
  /* the built-in policies' own keys */
  { "health.diag_duration_s", "standard proactive", { "7200" }, false, NULL },
  { "health.diag_after_job_failure", "standard proactive", { "false" }, false, NULL },
  { "health.escalation", "standard proactive", { "false" }, false, NULL },
  { "health.escalation", "reactive", { "true" }, false, NULL },
  { "health.drain_timeout_h", "proactive", { "0.1" }, false, NULL },
  { "health.drain_timeout_h", "standard", { "0.1" }, false, "health.precursors=true" },
  { "health.drain_timeout_h", "nvsentinel eks-auto-repair slurm-nhc", { "0.1" }, false,
    FALSE_ALARMS },
  { "health.flap_count", "standard proactive", { "2" }, false, NULL },
  { "health.flap_count", "reactive", { "2" }, false, NULL },
  { "health.flap_window_s", "standard proactive", { "86400" }, false, NULL },
  { "health.link_down_grace_s", ALL, { "120" }, false, NULL },
  { "health.lemon_failures", "reactive standard", { "2" }, false, NULL },
  { "health.lemon_failures", "proactive", { "6" }, false, NULL },
  { "health.lemon_window_h", "proactive", { "24" }, false, NULL },
  { "health.precursors", "standard", { "true" }, false, NULL },
  { "health.precursors", "proactive", { "false" }, false, NULL },
  { "health.precursor_window_h", "proactive", { "0.5" }, false, NULL },
  { "health.ecc_xid_count", "proactive", { "1", "6" }, false, NULL },
  { "health.ecc_ce_per_h", "proactive", { "10", "1000" }, true, NULL },
  { "health.symbol_errors_per_h", "proactive", { "100", "10000" }, false,
    "mode:cable.rate_scale=5" },
  { "health.thermal_limit_c", "proactive", { "82", "92" }, true, NULL },
  { "health.breaker_pct", "nvsentinel", { "1" }, false, NULL },
  { "health.breaker_window_s", "nvsentinel", { "86400" }, true, NULL },
  { "health.support_remediations", "nvsentinel", { "0" }, false, NULL },
  { "health.support_remediation_window_h", "nvsentinel", { "6" }, false, NULL },
  { "health.support_xid_repeats", "nvsentinel", { "0" }, false, NULL },
  { "health.support_xid_window_h", "nvsentinel", { "720" }, false, NULL },
  { "health.xid_burst_s", "nvsentinel", { "604800" }, false, NULL },
  { "health.repair_after_s", "eks-auto-repair", { "7200" }, false, NULL },
  { "health.node_repair_after_s", "eks-auto-repair", { "7200" }, false, NULL },
  { "health.repair_pause_pct", "eks-auto-repair", { "1" }, false, NULL },
  { "health.node_group_size", "eks-auto-repair", { "4" }, false, NULL },
  /* the scheduler's keys (no health policy reads them) */
  { "sched.preempt", "standard", { "true" }, true, NULL },
  { "sched.backfill", "standard", { "false" }, false, NULL },
  /* fifo turns preemption off; without it the order alone seldom differs
   * here (the training job comes first in either order) */
  { "sched.queue", "standard", { "fifo" }, false, "sched.preempt=true" },
  { "sched.placement", "standard", { "first-fit" }, false, NULL },
  { "sched.spares", "standard", { "2" }, false, NULL },
  { "sched.refill", "standard", { "general-first" }, false, "cluster.spares=4" },
  { "sched.policy", "standard", { "first-fit" }, false, NULL }, /* policy.sched is topology */
};

/* A flap: node0000's rail-3 cable down for 5 minutes every 2 hours (cb 1
 * and 2); a bad GPU: node0002's gpu0 falls off the bus (Xid 79) every 8
 * hours whatever is done to it (cb 3, nvsentinel's runs only). */
static WorldTimerResult
flap_timer (void *user_data, World *w, uint64_t cb, GError **error)
{
  const char *cable = "node0000/nic3<->*";
  if (cb == 1)
    {
      if (world_fail (w, cable, "cable", error) < 0)
        return WORLD_TIMER_FAILED;
      world_at (w, world_now (w) + SIM_MIN (5), 2);
      return WORLD_TIMER_CONTINUE;
    }
  if (cb == 3)
    return world_fail (w, "node0002/gpu0", "faulty_gpu", error) < 0 ? WORLD_TIMER_FAILED
                                                                   : WORLD_TIMER_CONTINUE;
  return world_repair (w, cable, error) < 0 ? WORLD_TIMER_FAILED : WORLD_TIMER_CONTINUE;
}

/* Sets a key from its text, as --set does. */
static void
set_text (WorldConfig *cfg, const char *key, const char *value)
{
  g_autoptr (GError) e = NULL;
  if (!world_config_set_string (cfg, key, value, &e))
    fail_msg ("%s=%s: %s", key, value, e->message);
}

static WorldConfig *
base_config (const char *policy, const char *with)
{
  WorldConfig *cfg = world_config_new ();
  wt_set_str (cfg, "policy.health", policy);
  wt_set_num (cfg, "cluster.nodes", 64);
  wt_set_num (cfg, "cluster.technicians", 2);
  wt_set_num (cfg, "cluster.racks_per_row", 4);
  wt_set_num (cfg, "failures.scale", 40);
  wt_set_num (cfg, "failures.lemon_fraction", 0.1);
  wt_set_num (cfg, "workload.research_rate", 4);
  wt_set_num (cfg, "workload.research_max_nodes", 8);
  wt_set_num (cfg, "run.length", 30 * 24 * 3600);
  wt_set_num (cfg, "run.sample_every", 3600);
  /* enough of the rare modes whose signals the DCGM watch carries */
  wt_mode_num (cfg, "io_board", "rate_scale", 100); /* PCIe AER */
  wt_mode_num (cfg, "thermal", "rate_scale", 20);
  wt_set_str (cfg, "sched.queue", "priority");
  wt_set_str (cfg, "sched.preempt", "false");
  if (strcmp (policy, "nvsentinel") == 0)
    {
      /* the fragment that lets nvsentinel's windows bind (see the top) */
      wt_set_str (cfg, "health.breaker_pct", "5");
      wt_set_str (cfg, "health.support_xid_repeats", "2");
      wt_set_str (cfg, "health.support_remediations", "2");
      world_config_every (cfg, SIM_H (3), SIM_H (8), 3);
    }
  if (with != NULL)
    {
      g_auto (GStrv) kv = g_strsplit (with, "=", 2);
      if (g_str_has_prefix (kv[0], "mode:")) /* mode:NAME.KEY=number */
        {
          g_auto (GStrv) mk = g_strsplit (kv[0] + strlen ("mode:"), ".", 2);
          wt_mode_num (cfg, mk[0], mk[1], g_ascii_strtod (kv[1], NULL));
        }
      else
        set_text (cfg, kv[0], kv[1]);
    }
  WorldJobSpec j = { .name = "train", .nodes = 32, .priority = 10,
                     .checkpoint_every_s = 1800, .checkpoint_cost_s = 30,
                     .restart_s = 300, .comm_share = 0.2 };
  assert_true (world_config_add_job (cfg, &j, NULL));
  world_config_every (cfg, SIM_H (1), SIM_H (2), 1);
  return cfg;
}

static void
add (GString *s, const char *name, double x)
{
  g_string_append_printf (s, "%s=%.17g\n", name, x);
}

/* The run's fingerprint; NULL (and *why) when the world refused it. */
static char *
fingerprint (WorldConfig *cfg, char **why)
{
  g_autoptr (GError) error = NULL;
  World *w = world_new (cfg, 7, &error);
  if (w != NULL)
    {
      WorldHooks hooks = { .timer = flap_timer };
      world_set_hooks (w, &hooks);
    }
  if (w == NULL || !world_run (w, &error))
    {
      *why = g_strdup (error->message);
      if (w != NULL)
        world_free (w);
      return NULL;
    }
  const Metrics *m = world_metrics (w);
  GString *s = g_string_new (NULL);
  add (s, "ettr", m->ettr);
  add (s, "goodput", m->goodput);
  add (s, "gpu_availability", m->gpu_availability);
  add (s, "interruptions", m->interruptions);
  add (s, "failures", m->failures);
  add (s, "mttr", m->mttr_hours);
  add (s, "lost_gpu_hours", m->lost_gpu_hours);
  add (s, "jobs_completed", m->jobs_completed);
  add (s, "queue_p50", m->queue_wait_hours_p50);
  add (s, "queue_p99", m->queue_wait_hours_p99);
  add (s, "detect_p50", m->detection_latency_minutes_p50);
  add (s, "averted", m->failures_averted);
  add (s, "policy_actions", m->policy_actions);
  add (s, "tickets", m->tickets);
  for (guint i = 0; i < m->interruption_rows->len; i++)
    add (s, "detect", g_array_index (m->interruption_rows, MetricsInterruption, i).detect_minutes);
  for (guint i = 0; i < m->timeseries->len; i++)
    {
      const MetricsSample *x = &g_array_index (m->timeseries, MetricsSample, i);
      for (int k = 0; k < METRICS_NODE_STATES; k++)
        g_string_append_printf (s, "%u%c", x->nodes[k], k + 1 < METRICS_NODE_STATES ? ' ' : '\n');
    }
  world_free (w);
  return g_string_free (s, FALSE);
}

typedef struct
{
  bool all;
  GHashTable *base; /* policy -> its base fingerprint */
} Ctx;

static const char *
base_of (Ctx *c, const char *policy, const char *with)
{
  g_autofree char *id = g_strdup_printf ("%s|%s", policy, with ? with : "");
  const char *fp = g_hash_table_lookup (c->base, id);
  if (fp != NULL)
    return fp;
  char *why = NULL;
  WorldConfig *cfg = base_config (policy, with);
  char *made = fingerprint (cfg, &why);
  world_config_free (cfg);
  if (made == NULL)
    fail_msg ("the base run under %s %s: %s", policy, with ? with : "", why);
  g_hash_table_insert (c->base, g_steal_pointer (&id), made);
  return made;
}

static bool
is_policy (const char *name)
{
  WorldKeyInfo info;
  assert_true (world_config_key_info ("policy.health", &info));
  for (const char *const *v = info.values; v != NULL && *v != NULL; v++)
    if (strcmp (*v, name) == 0)
      return true;
  return false;
}

static void
test_keys_change_the_run (void **state)
{
  Ctx *c = *state;
  int checked = 0, silent = 0;
  for (size_t i = 0; i < G_N_ELEMENTS (moves); i++)
    {
      const KeyMove *mv = &moves[i];
      if (!c->all && !mv->quick)
        continue;
      g_auto (GStrv) pols = g_strsplit (mv->policies, " ", -1);
      for (char **p = pols; *p != NULL; p++)
        {
          assert_true (is_policy (*p));
          const char *base = base_of (c, *p, mv->with);
          for (int k = 0; k < 2 && mv->to[k] != NULL; k++)
            {
              char *why = NULL;
              WorldConfig *cfg = base_config (*p, mv->with);
              set_text (cfg, mv->key, mv->to[k]);
              char *fp = fingerprint (cfg, &why);
              world_config_free (cfg);
              if (fp == NULL)
                fail_msg ("%s=%s under %s: refused: %s", mv->key, mv->to[k], *p, why);
              bool same = strcmp (fp, base) == 0;
              g_free (fp);
              print_message ("# %-36s -> %-14s %-16s %s%s%s\n", mv->key, mv->to[k], *p,
                             same ? "NO CHANGE" : "changes", mv->with ? " with " : "",
                             mv->with ? mv->with : "");
              checked++;
              silent += same;
            }
        }
    }
  print_message ("# %d moves changed the run, %d did not\n", checked - silent, silent);
  assert_true (checked > 0);
  assert_int_equal (silent, 0);
}

static void
check_in_table (const char *prefix, const char *key)
{
  g_autofree char *full = g_strconcat (prefix, key, NULL);
  for (size_t i = 0; i < G_N_ELEMENTS (moves); i++)
    if (strcmp (moves[i].key, full) == 0)
      return;
  fail_msg ("%s is not in test_health_keys.c's table", full);
}

/* Every health.* and sched.* key is in the table, and every key of the
 * table exists. */
static void
test_table_covers_every_key (void **state)
{
  (void) state;
  for (const HealthParamInfo *k = health_params_keys (); k->key != NULL; k++)
    check_in_table ("health.", k->key);
  size_t n = 0;
  const SchedConfigKey *sk = sched_config_keys (&n);
  for (size_t i = 0; i < n; i++)
    check_in_table ("sched.", sk[i].key);
  for (size_t i = 0; i < G_N_ELEMENTS (moves); i++)
    {
      WorldConfig *cfg = world_config_new ();
      g_autoptr (GError) error = NULL;
      if (!world_config_set_string (cfg, moves[i].key, moves[i].to[0], &error))
        fail_msg ("%s: %s", moves[i].key, error->message);
      world_config_free (cfg);
    }
}

static int
setup (void **state)
{
  Ctx *c = g_new0 (Ctx, 1);
  c->all = g_strcmp0 (g_getenv ("FL_HEALTH_KEYS"), "all") == 0;
  c->base = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  *state = c;
  return 0;
}

static int
teardown (void **state)
{
  Ctx *c = *state;
  g_hash_table_unref (c->base);
  g_free (c);
  return 0;
}

int
main (int argc, char **argv)
{
  if (argc > 1 && strcmp (argv[1], "--all") == 0)
    g_setenv ("FL_HEALTH_KEYS", "all", TRUE);
  const struct CMUnitTest tests[] = {
    cmocka_unit_test (test_table_covers_every_key),
    cmocka_unit_test_setup_teardown (test_keys_change_the_run, setup, teardown),
  };
  return cmocka_run_group_tests (tests, NULL, NULL);
}
