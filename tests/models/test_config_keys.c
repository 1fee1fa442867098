/* tests/models/test_config_keys.c - every numeric configuration key
 * changes the run (issue #13 item 2: `cluster.burnin_time` had no effect,
 * 1 minute and 23 days gave the same results).
 *
 * The keys come from the configuration table itself
 * (world_config_foreach_key), not from a list here, so a key added later
 * is checked too. A small cluster that exercises them all: 64 nodes in 4
 * rows, Llama 3 failures at 40x (so that tickets queue for the technicians
 * and the spare parts run out), frequent rack, row and cooling-loop
 * failures, 10% lemons, research jobs of up to 4 nodes beside a 32-node
 * training job, 4 hot spares; for the keys of a trace, the same with an
 * SWF trace replayed. Each key is moved from its value there (doubled, or
 * to a value its range allows) and the run's results (the summary's
 * figures and its cluster) must differ from the unchanged run's. No key is
 * exempt. */
#include <glib.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "world.h"
#include "world_test.h"

/* Keys that only a run with a workload.trace can notice: checked on the
 * base run plus a hand-written SWF trace (tests/fuzz/corpus/swf/sample.swf:
 * nine jobs of 1-64 nodes submitted in the first 80 s). */
static const char *const needs_trace[] = { "workload.trace_time_scale" };

static bool
key_needs_trace (const char *key)
{
  for (size_t i = 0; i < G_N_ELEMENTS (needs_trace); i++)
    if (strcmp (needs_trace[i], key) == 0)
      return true;
  return false;
}

static WorldConfig *
base_config (bool trace)
{
  WorldConfig *cfg = world_config_new ();
  if (trace)
    {
      const char *src = g_getenv ("FL_SOURCE_DIR");
      if (src == NULL)
        fail_msg ("FL_SOURCE_DIR is not set (meson test sets it)");
      g_autofree char *swf
        = g_build_filename (src, "tests", "fuzz", "corpus", "swf", "sample.swf", NULL);
      wt_set_str (cfg, "workload.trace", swf);
    }
  wt_set_num (cfg, "cluster.nodes", 64);
  wt_set_num (cfg, "cluster.spares", 4);
  wt_set_num (cfg, "cluster.technicians", 2);
  wt_set_num (cfg, "cluster.spare_parts", 4);
  wt_set_num (cfg, "cluster.racks_per_row", 4);   /* 4 rows, 2 cooling loops */
  wt_set_num (cfg, "failures.scale", 40);
  wt_set_num (cfg, "failures.lemon_fraction", 0.1);
  wt_set_num (cfg, "workload.research_rate", 2);
  wt_set_num (cfg, "workload.research_max_nodes", 4);
  wt_set_num (cfg, "run.length", 30 * 24 * 3600);
  wt_mode_num (cfg, "rack_pdu", "rate_scale", 20);
  wt_mode_num (cfg, "row_power", "rate_scale", 200);
  wt_mode_num (cfg, "cooling_loop", "rate_scale", 200);
  WorldJobSpec j = { .name = "train", .nodes = 32, .checkpoint_every_s = 1800,
                     .checkpoint_cost_s = 30, .restart_s = 300, .comm_share = 0.2 };
  assert_true (world_config_add_job (cfg, &j, NULL));
  return cfg;
}

static void
add (GString *s, const char *name, double x)
{
  g_string_append_printf (s, "%s=%.17g\n", name, x);
}

/* What the summary would show: the cluster and every figure of the run
 * (not the event count, which any change moves). NULL when the world
 * refused the configuration. */
static char *
fingerprint (WorldConfig *cfg, char **why)
{
  g_autoptr (GError) error = NULL;
  World *w = world_new (cfg, 7, &error);
  if (w == NULL || !world_run (w, &error))
    {
      *why = g_strdup (error->message);
      if (w != NULL)
        world_free (w);
      return NULL;
    }
  const Metrics *m = world_metrics (w);
  GString *s = g_string_new (NULL);
  add (s, "sim_hours", m->sim_hours);
  add (s, "nodes", m->nodes);
  add (s, "gpus", m->gpus);
  add (s, "switches", m->switches);
  add (s, "links", m->links);
  add (s, "ettr", m->ettr);
  add (s, "goodput", m->goodput);
  add (s, "gpu_availability", m->gpu_availability);
  add (s, "interruptions", m->interruptions);
  add (s, "failures", m->failures);
  add (s, "mttr", m->mttr_hours);
  add (s, "lost_gpu_hours", m->lost_gpu_hours);
  add (s, "jobs_completed", m->jobs_completed);
  add (s, "jobs_submitted", m->jobs_submitted);
  add (s, "queue_p50", m->queue_wait_hours_p50);
  add (s, "queue_p99", m->queue_wait_hours_p99);
  add (s, "detect_p50", m->detection_latency_minutes_p50);
  add (s, "spares_exhausted", m->spares_exhausted_hours);
  add (s, "fabric_slowdown", m->fabric_slowdown_gpu_hours);
  add (s, "averted", m->failures_averted);
  add (s, "policy_actions", m->policy_actions);
  add (s, "tickets", m->tickets);
  add (s, "timeseries", m->timeseries->len);
  world_free (w);
  return g_string_free (s, FALSE);
}

static double
current_value (const WorldConfig *cfg, const char *key)
{
  g_autofree char *json = world_config_get_json (cfg, key);
  assert_non_null (json);
  return g_ascii_strtod (json, NULL);
}

/* Different values to try, in order: twice the current one, then halfway
 * down to the range's minimum (a cluster may refuse the first: an SU too
 * large for the switch radix); from 0, the first value above it that
 * means something for that kind of key. */
static int
moved_values (const char *key, double v, const WorldRange *r, const WorldConfig *cfg,
              double out[2])
{
  if (strcmp (key, "cluster.gpus") == 0) /* 0 = use cluster.nodes: 8 nodes more */
    {
      out[0] = (current_value (cfg, "cluster.nodes") + 8)
               * current_value (cfg, "cluster.gpus_per_node");
      return 1;
    }
  if (strcmp (key, "cluster.tiers") == 0) /* automatic (2 here) -> 3 */
    {
      out[0] = 3;
      return 1;
    }
  int n = 0;
  if (v == 0)
    out[n++] = MIN (r->max, 1.0);
  else if (v * 2 <= r->max)
    out[n++] = v * 2;
  double down = r->whole ? floor ((v + r->min) / 2) : (v + r->min) / 2;
  if (down != v && v != 0)
    out[n++] = down;
  return n;
}

typedef struct
{
  GPtrArray *keys;
} Keys;

static void
collect (const char *key, WorldValType type, const char *unit, const char *def,
         const char *help, void *user_data)
{
  Keys *k = user_data;
  if (type == WORLD_VAL_NUMBER)
    g_ptr_array_add (k->keys, g_strdup (key));
}

static void
test_every_numeric_key_changes_the_run (void **state)
{
  Keys k = { g_ptr_array_new_with_free_func (g_free) };
  world_config_foreach_key (collect, &k);
  assert_true (k.keys->len >= 20);

  char *base[2], *why = NULL;
  for (int t = 0; t < 2; t++)
    {
      WorldConfig *cfg = base_config (t);
      base[t] = fingerprint (cfg, &why);
      if (base[t] == NULL)
        fail_msg ("the base run%s: %s", t ? " with a trace" : "", why);
      world_config_free (cfg);
    }
  assert_true (strcmp (base[0], base[1]) != 0); /* the trace is replayed */

  WorldConfig *cfg, *cfg_probe = base_config (false);
  int silent = 0, checked = 0;
  for (guint i = 0; i < k.keys->len; i++)
    {
      const char *key = g_ptr_array_index (k.keys, i);
      const WorldRange *r = world_range (key);
      assert_non_null (r);
      bool trace = key_needs_trace (key);
      cfg = base_config (trace);
      double v = current_value (cfg, key), xs[2], x = NAN;
      world_config_free (cfg);
      int nx = moved_values (key, v, r, cfg_probe, xs);
      char *fp = NULL;
      GString *refused = g_string_new (NULL);
      for (int c = 0; c < nx && fp == NULL; c++)
        {
          x = xs[c];
          assert_true (x != v);
          cfg = base_config (trace);
          wt_set_num (cfg, key, x);
          fp = fingerprint (cfg, &why);
          world_config_free (cfg);
          if (fp == NULL)
            {
              g_string_append_printf (refused, " %g: %s;", x, why);
              g_clear_pointer (&why, g_free);
            }
        }
      if (fp == NULL)
        fail_msg ("%s: no value the run accepts:%s", key, refused->str);
      g_string_free (refused, TRUE);
      bool same = strcmp (fp, base[trace]) == 0;
      g_free (fp);
      print_message ("# %-34s %g -> %g: %s%s\n", key, v, x, same ? "no change" : "changes",
                     trace ? " (with a trace)" : "");
      checked++;
      silent += same;
    }
  world_config_free (cfg_probe);
  print_message ("# %d keys changed the run, %d did not\n", checked - silent, silent);
  assert_int_equal (silent, 0);
  /* the keys that need a trace are numeric keys of the table */
  for (size_t e = 0; e < G_N_ELEMENTS (needs_trace); e++)
    {
      bool found = false;
      for (guint i = 0; i < k.keys->len && !found; i++)
        found = strcmp (g_ptr_array_index (k.keys, i), needs_trace[e]) == 0;
      assert_true (found);
    }
  g_free (base[0]);
  g_free (base[1]);
  g_ptr_array_unref (k.keys);
}

int
main (void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test (test_every_numeric_key_changes_the_run),
  };
  return cmocka_run_group_tests (tests, NULL, NULL);
}
