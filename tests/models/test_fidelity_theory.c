/* tests/models/test_fidelity_theory.c - the world against closed forms
 * (issue #13 item 6; docs/validation.md §6-8):
 *
 *  6. availability of a node class = MTTF / (MTTF + MTTR), with the
 *     documented repair time of its path (cluster.reboot_time,
 *     cluster.reset_gpu_time);
 *  7. a domain failure is one incident: interruptions per domain failure
 *     that hits the job = 1;
 *  8. a flap shorter than the policy's grace period (link_down_grace_s,
 *     600 s) never disables the port, a longer one always does, and
 *     exponential flaps of mean m are disabled with probability
 *     exp(-grace / m).
 *
 * Every expected value is computed here from the theory and the
 * configuration; tolerances come from the estimator's standard error
 * (t(0.9995, n-1) over replicas, 4 sigma for binomial counts). */
#include <glib.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "failure.h"
#include "topo.h"
#include "world.h"
#include "world_test.h"

/* t(0.9995, n-1) for n = 8 replicas (two-sided 99.9%) */
#define T_8 5.408
#define REPLICAS 8

/* Turns every default mode off but `keep`. */
static void
only_mode (WorldConfig *cfg, const char *keep)
{
  g_autoptr (FlFailureCatalog) cat = fl_failure_catalog_new_default ();
  for (size_t i = 0; i < fl_failure_catalog_count (cat); i++)
    {
      const FlFailureMode *m = fl_failure_catalog_get (cat, i);
      if (strcmp (m->name, keep) == 0)
        continue;
      WorldValue off = { .type = WORLD_VAL_BOOL, .b = false };
      assert_true (world_config_failure_set (cfg, m->name, "enabled", &off, NULL));
    }
}

static void
mean_sd (const double *x, int n, double *mean, double *sd)
{
  double s = 0, ss = 0;
  for (int i = 0; i < n; i++)
    s += x[i];
  *mean = s / n;
  for (int i = 0; i < n; i++)
    ss += (x[i] - *mean) * (x[i] - *mean);
  *sd = sqrt (ss / (n - 1));
}

/* ---- 6. availability = MTTF / (MTTF + MTTR) ---- */

/* 256 one-GPU nodes, one failure mode whose MTTF per node is 100 h, no
 * jobs, unlimited technicians, 2,000 h. A fault is seen at once (an Xid)
 * and the policy's remedy of the mode's path takes the path's documented
 * time, so a node alternates Exp(MTTF) up and MTTR down (a failure that
 * strikes a node already down is dropped: the up time is memoryless). */
static void
check_availability (const char *mode, FlRepair path, const char *label)
{
  const double mttf_h = 100, hours = 2000;
  g_autoptr (FlFailureCatalog) cat = fl_failure_catalog_new_default ();
  const FlFailureMode *fm = fl_failure_catalog_find (cat, mode);
  WorldConfig *probe = world_config_new ();
  g_autofree char *key_json = world_config_get_json (
    probe, path == FL_REPAIR_REBOOT ? "cluster.reboot_time" : "cluster.reset_gpu_time");
  world_config_free (probe);
  double mttr_h = g_ascii_strtod (key_json, NULL) / 3600;
  Dist d = fl_failure_repair_default (path, NULL);
  assert_true (fabs (mttr_h - dist_mean (&d)) < 1e-9); /* the documented time */
  double theory = mttf_h / (mttf_h + mttr_h);
  double a[REPLICAS];
  for (int r = 0; r < REPLICAS; r++)
    {
      WorldConfig *cfg = world_config_new ();
      wt_set_num (cfg, "cluster.nodes", 256);
      wt_set_num (cfg, "cluster.gpus_per_node", 1);
      wt_set_num (cfg, "cluster.rails", 1);
      wt_set_num (cfg, "cluster.technicians", 0);
      wt_set_num (cfg, "failures.lemon_fraction", 0);
      wt_set_num (cfg, "failures.precursor_fraction", 0);
      wt_set_num (cfg, "run.length", hours * 3600);
      only_mode (cfg, mode);
      wt_mode_num (cfg, mode, "rate_scale", dist_mean (&fm->ttf) / mttf_h);
      g_autoptr (GError) error = NULL;
      World *w = world_new (cfg, 100 + r, &error);
      if (w == NULL || !world_run (w, &error))
        fail_msg ("%s", error->message);
      a[r] = world_metrics (w)->gpu_availability;
      world_free (w);
      world_config_free (cfg);
    }
  double m, sd;
  mean_sd (a, REPLICAS, &m, &sd);
  double half = T_8 * sd / sqrt (REPLICAS);
  print_message ("# availability, %s: theory %.5f (MTTF %.0f h, MTTR %.2f h), "
                 "simulated %.5f +- %.5f (t = %+.2f)\n",
                 label, theory, mttf_h, mttr_h, m, half, (m - theory) / (sd / sqrt (REPLICAS)));
  assert_true (fabs (m - theory) <= half);
}

static void
test_availability_reboot_class (void **state)
{
  check_availability ("faulty_gpu", FL_REPAIR_REBOOT, "Xid 79 -> reboot (2 h)");
}

static void
test_availability_reset_class (void **state)
{
  check_availability ("hbm3", FL_REPAIR_RESET_GPU, "Xid 48 -> GPU reset (0.25 h)");
}

/* ---- 7. one incident per domain failure ---- */

typedef struct
{
  int domain_events;      /* rack failures that interrupted the job */
  bool pending;           /* a rack failed and has not interrupted it yet */
} DomainWatch;

static void
domain_listener (const WorldEvent *ev, void *ud)
{
  DomainWatch *d = ud;
  if (ev->kind == WEV_COMPONENT_FAILED && ev->fault.mode != NULL
      && strcmp (ev->fault.mode, "rack_pdu") == 0)
    d->pending = true;
  else if (ev->kind == WEV_JOB_INTERRUPTED && d->pending
           && ev->interrupt.cause != NULL
           && strstr (ev->interrupt.cause, "Rack power") != NULL)
    {
      d->domain_events++;
      d->pending = false;
    }
}

/* 64 nodes in racks of 4, one 48-node job, 16 spares; only rack power
 * fails, often (MTBF 400 h a rack), and is repaired in ~1 h. Every rack
 * failure that strikes the job must cost exactly one interruption: the
 * job's interruptions by "Rack power" = rack failures that interrupted it,
 * and every interruption row of the domain is named by the rack. */
static void
test_domain_one_incident (void **state)
{
  double ratio[REPLICAS];
  int total = 0;
  for (int r = 0; r < REPLICAS; r++)
    {
      WorldConfig *cfg = world_config_new ();
      wt_set_num (cfg, "cluster.nodes", 64);
      wt_set_num (cfg, "cluster.gpus_per_node", 2);
      wt_set_num (cfg, "cluster.rails", 2);
      wt_set_num (cfg, "cluster.spares", 16);
      wt_set_num (cfg, "cluster.technicians", 0);
      wt_set_num (cfg, "failures.lemon_fraction", 0);
      wt_set_num (cfg, "run.length", 2000 * 3600.0);
      only_mode (cfg, "rack_pdu");
      wt_mode_num (cfg, "rack_pdu", "mtbf", 400 * 3600.0);
      wt_mode_num (cfg, "rack_pdu", "repair_time", 3600);
      WorldJobSpec j = { .name = "train", .nodes = 48, .checkpoint_every_s = 1800,
                         .checkpoint_cost_s = 30, .restart_s = 300, .comm_share = 0.2 };
      assert_true (world_config_add_job (cfg, &j, NULL));
      DomainWatch dw = { 0 };
      g_autoptr (GError) error = NULL;
      World *w = world_new (cfg, 200 + r, &error);
      if (w == NULL)
        fail_msg ("%s", error->message);
      world_add_listener (w, domain_listener, &dw);
      if (!world_run (w, &error))
        fail_msg ("%s", error->message);
      const Metrics *m = world_metrics (w);
      uint64_t rack_int = 0;
      for (guint i = 0; i < m->interruptions_by_cause->len; i++)
        {
          const MetricsCause *c = &g_array_index (m->interruptions_by_cause, MetricsCause, i);
          if (strstr (c->cause, "Rack power") != NULL)
            rack_int += c->count;
        }
      for (guint i = 0; i < m->interruption_rows->len; i++)
        {
          const MetricsInterruption *row
            = &g_array_index (m->interruption_rows, MetricsInterruption, i);
          if (strstr (row->cause, "Rack power") != NULL)
            assert_true (g_str_has_prefix (row->component, "rack-"));
        }
      assert_true (dw.domain_events > 0);
      ratio[r] = (double) rack_int / dw.domain_events;
      total += dw.domain_events;
      world_free (w);
      world_config_free (cfg);
    }
  double m, sd;
  mean_sd (ratio, REPLICAS, &m, &sd);
  print_message ("# interruptions per rack failure that hit the job: theory 1, simulated "
                 "%.4f +- %.4f over %d failures\n",
                 m, T_8 * sd / sqrt (REPLICAS), total);
  for (int r = 0; r < REPLICAS; r++)
    assert_true (ratio[r] == 1.0);
}

/* ---- 8. flaps against the policy's grace period ---- */

typedef struct
{
  double flap_s;      /* scripted flap length; 0: the mode's random flaps */
  int flaps, disabled;
  uint32_t next;      /* next cable to flap */
  char pending[128];
} FlapWatch;

static WorldTimerResult
flap_timer (void *user_data, World *w, uint64_t cb, GError **error)
{
  FlapWatch *f = user_data;
  if (cb == 1)
    {
      /* node k's rail-0 cable */
      char nb[64];
      topo_name (world_topo (w), TOPO_NODE, f->next++ % 64, nb, sizeof nb);
      g_snprintf (f->pending, sizeof f->pending, "%s/nic0<->*", nb);
      if (world_fail (w, f->pending, "cable", error) <= 0)
        return WORLD_TIMER_FAILED;
      f->flaps++;
      world_at (w, world_now (w) + simtime_from_s (f->flap_s), 2);
      return WORLD_TIMER_CONTINUE;
    }
  if (world_repair (w, f->pending, error) > 0)
    return WORLD_TIMER_CONTINUE;
  if (*error == NULL)
    g_set_error (error, WORLD_ERROR, WORLD_ERROR_INVALID, "repair %s: nothing to repair",
                 f->pending);
  return WORLD_TIMER_FAILED;
}

static void
flap_listener (const WorldEvent *ev, void *ud)
{
  FlapWatch *f = ud;
  if (ev->kind == WEV_POLICY_ACTION && ev->action.action != NULL
      && strcmp (ev->action.action, "disable_port") == 0)
    f->disabled++;
  else if (f->flap_s == 0 && ev->kind == WEV_COMPONENT_FAILED
           && ev->fault.mode != NULL && strcmp (ev->fault.mode, "cable") == 0)
    f->flaps++;
}

/* 64 nodes of 2 GPUs and 2 rails (a node keeps a rail while one flaps) */
static WorldConfig *
flap_config (void)
{
  WorldConfig *cfg = world_config_new ();
  wt_set_num (cfg, "cluster.nodes", 64);
  wt_set_num (cfg, "cluster.gpus_per_node", 2);
  wt_set_num (cfg, "cluster.rails", 2);
  wt_set_num (cfg, "cluster.technicians", 0);
  wt_set_num (cfg, "failures.lemon_fraction", 0);
  wt_set_num (cfg, "failures.precursor_fraction", 0);
  return cfg;
}

static FlapWatch
run_flaps (WorldConfig *cfg, double flap_s, uint64_t seed)
{
  FlapWatch f = { .flap_s = flap_s };
  g_autoptr (GError) error = NULL;
  World *w = world_new (cfg, seed, &error);
  if (w == NULL)
    fail_msg ("%s", error->message);
  WorldHooks hooks = { .timer = flap_timer, .user_data = &f };
  world_set_hooks (w, &hooks);
  world_add_listener (w, flap_listener, &f);
  if (!world_run (w, &error))
    fail_msg ("%s", error->message);
  world_free (w);
  world_config_free (cfg);
  return f;
}

/* Scripted flaps of one length, one an hour on the rail-0 cable of each of
 * the 64 nodes in turn (each flaps once: a disabled port stays disabled
 * until its ticket is done): 5 min (below the 10-min grace) never
 * disables a port; 15 min always does. */
static void
test_flap_against_grace (void **state)
{
  const double len[2] = { 300, 900 };
  for (int k = 0; k < 2; k++)
    {
      WorldConfig *cfg = flap_config ();
      wt_set_num (cfg, "failures.scale", 0);
      wt_set_num (cfg, "run.length", 64.5 * 3600);
      world_config_every (cfg, SIM_H (1), SIM_H (1), 1);
      FlapWatch f = run_flaps (cfg, len[k], 7);
      print_message ("# %.0f s flaps (grace 600 s): %d flaps, %d ports disabled\n", len[k],
                     f.flaps, f.disabled);
      assert_int_equal (f.flaps, 64);
      assert_int_equal (f.disabled, len[k] < 600 ? 0 : f.flaps);
    }
}

/* Random flaps: the cable mode made transient (repair "none") with an
 * exponential flap length of mean m = 600 s; a flap is disabled iff it
 * outlasts the grace g = 600 s, with probability exp(-g/m) = e^-1. */
static void
test_flap_probability (void **state)
{
  const double m_s = 600, g_s = 600;
  int flaps = 0, disabled = 0;
  for (int r = 0; r < REPLICAS; r++)
    {
      WorldConfig *cfg = flap_config ();
      wt_set_num (cfg, "run.length", 1000 * 3600.0);
      only_mode (cfg, "cable");
      WorldValue none = { .type = WORLD_VAL_STRING, .str = "none" };
      assert_true (world_config_failure_set (cfg, "cable", "repair", &none, NULL));
      wt_mode_num (cfg, "cable", "repair_time", m_s);
      /* ~250 flaps a replica: each of the 64 cables flaps every ~256 h */
      wt_mode_num (cfg, "cable", "mtbf", 256 * 3600.0);
      FlapWatch f = run_flaps (cfg, 0, 300 + r);
      flaps += f.flaps;
      disabled += f.disabled;
    }
  double p = exp (-g_s / m_s), expect = flaps * p, sd = sqrt (flaps * p * (1 - p));
  double phat = (double) disabled / flaps, se = sqrt (phat * (1 - phat) / flaps);
  print_message ("# exponential flaps, mean %.0f s, grace %.0f s: P(disabled) theory %.4f, "
                 "simulated %.4f +- %.4f (%d of %d)\n",
                 m_s, g_s, p, phat, 1.96 * se, disabled, flaps);
  assert_true (flaps > 1000);
  assert_true (fabs (disabled - expect) <= 4 * sd);
}

int
main (void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test (test_availability_reboot_class),
    cmocka_unit_test (test_availability_reset_class),
    cmocka_unit_test (test_domain_one_incident),
    cmocka_unit_test (test_flap_against_grace),
    cmocka_unit_test (test_flap_probability),
  };
  return cmocka_run_group_tests (tests, NULL, NULL);
}
