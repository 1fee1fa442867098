/* tests/models/test_linkstate.c - what the health policy sees of a link is
 * what happened to it (issue #13 item 1): a port that comes back reports
 * PORT_STATE Active, so a flap shorter than the policy's grace period never
 * disables the port, flaps in a burst are damped, and a link fault's
 * interruption row carries its detection latency.
 *
 * The cluster is test_world.c's hand-checkable one (8 nodes of 2 GPUs, 2
 * rails), random failures off, the "standard" policy (link_down_grace_s =
 * 600, flap_count = 5 in flap_window_s = 600). A script fails and repairs
 * node0001's rail-1 cable at fixed times. */
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

#define CABLE "node0001/nic1<->*"

/* Timer callback ids: even = fail the cable, odd = repair it. */
typedef struct
{
  int fails, repairs;
  int disables, tickets; /* policy actions on links */
  char last_reason[128];
  char cable[128];       /* the cable's operator name, from its failure */
} Watch;

static WorldTimerResult
timer_cb (void *user_data, World *w, uint64_t cb, GError **error)
{
  Watch *s = user_data;
  if (cb % 2 == 0)
    s->fails += world_fail (w, CABLE, "cable", error);
  else
    s->repairs += world_repair (w, CABLE, error);
  return *error == NULL ? WORLD_TIMER_CONTINUE : WORLD_TIMER_FAILED;
}

static void
listener (const WorldEvent *ev, void *ud)
{
  Watch *s = ud;
  if (ev->kind == WEV_COMPONENT_FAILED && ev->component != NULL)
    g_strlcpy (s->cable, ev->component, sizeof s->cable);
  if (ev->kind != WEV_POLICY_ACTION || ev->node >= 0 || ev->action.action == NULL)
    return;
  if (strcmp (ev->action.action, "disable_port") == 0)
    {
      s->disables++;
      g_strlcpy (s->last_reason, ev->action.reason ? ev->action.reason : "", sizeof s->last_reason);
    }
  else if (strcmp (ev->action.action, "open_ticket") == 0)
    s->tickets++;
}

static WorldConfig *
cluster (void)
{
  WorldConfig *cfg = wt_small_cluster (8, 2, 2, 4, 8, 10);
  wt_set_num (cfg, "cluster.spares", 0);
  WorldJobSpec j = { .name = "a", .nodes = 8, .checkpoint_every_s = 3600,
                     .restart_s = 60, .comm_share = 0.2 };
  assert_true (world_config_add_job (cfg, &j, NULL));
  return cfg;
}

/* Runs cfg; `times` are the scripted instants in seconds, alternately a
 * failure and a repair of the cable. */
static const Metrics *
run (WorldConfig *cfg, const double *times, size_t n, Watch *s, World **out)
{
  for (size_t i = 0; i < n; i++)
    world_config_at (cfg, simtime_from_s (times[i]), i);
  World *w = wt_run (cfg, 7, timer_cb, s, listener, s);
  *out = w;
  return world_metrics (w);
}

static const char *
cable_state (World *w, const Watch *s)
{
  const char *st = NULL;
  g_autoptr (GError) error = NULL;
  if (!world_component_state (w, s->cable, &st, &error))
    fail_msg ("state: %s", error->message);
  return st;
}

/* Reseated after 2 minutes, well inside the 10-minute grace: the port is
 * never disabled and no technician is called. */
static void
test_flap_shorter_than_grace (void **state)
{
  WorldConfig *cfg = cluster ();
  const double t[] = { 3600, 3600 + 120 };
  Watch s = { 0 };
  World *w;
  const Metrics *m = run (cfg, t, G_N_ELEMENTS (t), &s, &w);
  assert_int_equal (s.fails, 1);
  assert_int_equal (s.repairs, 1);
  assert_int_equal (m->interruptions, 1);
  assert_int_equal (s.disables, 0);
  assert_int_equal (s.tickets, 0);
  assert_int_equal (m->tickets, 0);
  assert_string_equal (cable_state (w, &s), "active");
  world_free (w);
  world_config_free (cfg);
}

/* Down for 20 minutes: at the end of the grace the port is disabled and
 * ticketed, and the interruption's detection latency is that grace. */
static void
test_link_down_past_grace (void **state)
{
  WorldConfig *cfg = cluster ();
  const double t[] = { 3600, 3600 + 1200 };
  Watch s = { 0 };
  World *w;
  const Metrics *m = run (cfg, t, G_N_ELEMENTS (t), &s, &w);
  assert_int_equal (s.disables, 1);
  assert_non_null (strstr (s.last_reason, "grace"));
  assert_true (s.tickets >= 1);
  assert_int_equal (m->interruption_rows->len, 1);
  const MetricsInterruption *r = &g_array_index (m->interruption_rows, MetricsInterruption, 0);
  assert_non_null (strstr (r->component, "node0001/nic1"));
  assert_false (isnan (r->detect_minutes));
  assert_true (fabs (r->detect_minutes - 10.0) < 1e-6);
  world_free (w);
  world_config_free (cfg);
}

/* Three one-minute flaps within five minutes are six port state changes:
 * flap damping (5 in 10 min) disables the port. Only a policy that sees
 * the port come back can count them. */
static void
test_flaps_are_damped (void **state)
{
  WorldConfig *cfg = cluster ();
  const double t[] = { 3600, 3660, 3720, 3780, 3840, 3900 };
  Watch s = { 0 };
  World *w;
  run (cfg, t, G_N_ELEMENTS (t), &s, &w);
  assert_int_equal (s.fails, 3);
  assert_int_equal (s.repairs, 3);
  assert_int_equal (s.disables, 1);
  assert_non_null (strstr (s.last_reason, "flap damping"));
  world_free (w);
  world_config_free (cfg);
}

/* The same with the policy's detection delay: a link mode with a 5-minute
 * detect_delay is disabled at delay + grace, and a flap shorter than the
 * grace is still never disabled, although it is reported late. */
static void
test_link_detection_delay (void **state)
{
  WorldConfig *cfg = cluster ();
  wt_mode_num (cfg, "cable", "detect_delay", 300);
  const double t[] = { 3600, 3600 + 1800 };
  Watch s = { 0 };
  World *w;
  const Metrics *m = run (cfg, t, G_N_ELEMENTS (t), &s, &w);
  assert_int_equal (s.disables, 1);
  const MetricsInterruption *r = &g_array_index (m->interruption_rows, MetricsInterruption, 0);
  assert_true (fabs (r->detect_minutes - 15.0) < 1e-6);
  world_free (w);
  world_config_free (cfg);

  cfg = cluster ();
  wt_mode_num (cfg, "cable", "detect_delay", 300);
  const double t2[] = { 3600, 3600 + 60 };
  Watch s2 = { 0 };
  run (cfg, t2, G_N_ELEMENTS (t2), &s2, &w);
  assert_int_equal (s2.disables, 0);
  assert_string_equal (cable_state (w, &s2), "active");
  world_free (w);
  world_config_free (cfg);
}

/* A transient link mode (repair = none) comes back by itself after its
 * repair time, and the policy sees it come back: with a 1-minute mean,
 * no ticket. */
static void
test_transient_link_comes_back (void **state)
{
  WorldConfig *cfg = cluster ();
  wt_mode_str (cfg, "cable", "repair", "none");
  wt_mode_num (cfg, "cable", "repair_time", 60);
  const double t[] = { 3600 };
  Watch s = { 0 };
  World *w;
  const Metrics *m = run (cfg, t, G_N_ELEMENTS (t), &s, &w);
  assert_int_equal (s.fails, 1);
  assert_int_equal (m->interruptions, 1);
  assert_int_equal (s.disables, 0);
  assert_int_equal (m->tickets, 0);
  assert_string_equal (cable_state (w, &s), "active");
  world_free (w);
  world_config_free (cfg);
}

int
main (void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test (test_flap_shorter_than_grace),
    cmocka_unit_test (test_link_down_past_grace),
    cmocka_unit_test (test_flaps_are_damped),
    cmocka_unit_test (test_link_detection_delay),
    cmocka_unit_test (test_transient_link_comes_back),
  };
  return cmocka_run_group_tests (tests, NULL, NULL);
}
