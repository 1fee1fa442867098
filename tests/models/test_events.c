/* tests/models/test_events.c - the world's event contract (models/world.h):
 * every kind fills its own payload, node_state and link_state carry the
 * world's own states, world_event_record() maps a payload to the fields of
 * events.jsonl and on() tables, and every string an event points to stays
 * valid and unchanged until world_free(). Run under ASan (build-asan), a
 * listener that keeps the pointers reads freed memory if the world frees
 * a string early; in any build it reads another name if a string lived in
 * a reused buffer. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>
#include <math.h>
#include <string.h>

#include "world_test.h"

typedef struct
{
  const char *kept; /* the pointer the event gave */
  char *copy;       /* its text at the time */
} Kept;

typedef struct
{
  GArray *kept;                  /* Kept */
  guint count[WEV_COUNT];
  GHashTable *by_name;           /* component text -> first pointer seen */
  guint same_name_other_pointer; /* one name, two pointers */
  int8_t node_state[16];         /* last node_state.to per node, -1 none */
  guint chain_breaks;            /* node_state.from != the last .to */
  guint bad_payload;
  char why[256];
} Watch;

static void
keep (Watch *s, const char *p)
{
  if (p == NULL)
    return;
  Kept k = { p, g_strdup (p) };
  g_array_append_val (s->kept, k);
}

static void
bad (Watch *s, const WorldEvent *ev, const char *what)
{
  if (s->bad_payload++ == 0)
    g_snprintf (s->why, sizeof s->why, "%s: %s", world_event_kind_name (ev->kind), what);
}

static void
listener (const WorldEvent *ev, void *ud)
{
  Watch *s = ud;
  s->count[ev->kind]++;
  if (ev->component != NULL)
    {
      const char *first = g_hash_table_lookup (s->by_name, ev->component);
      if (first == NULL)
        g_hash_table_insert (s->by_name, g_strdup (ev->component),
                             (gpointer) ev->component);
      else if (first != ev->component)
        s->same_name_other_pointer++;
    }
  keep (s, ev->component);
  WorldEventRecord r;
  world_event_record (ev, &r);
  const char *strs[] = { r.job, r.mode, r.cause, r.detail, r.reason };
  for (guint i = 0; i < G_N_ELEMENTS (strs); i++)
    keep (s, strs[i]);

  switch (ev->kind)
    {
    case WEV_NODE_FAILED:
      if (ev->node < 0 || ev->fault.mode == NULL || ev->component == NULL)
        bad (s, ev, "no node, mode or name");
      if (r.mode != ev->fault.mode || r.xid != ev->fault.xid)
        bad (s, ev, "record");
      break;
    case WEV_NODE_STATE:
      {
        if (ev->node < 0 || ev->node >= 16)
          {
            bad (s, ev, "node out of range");
            break;
          }
        int8_t last = s->node_state[ev->node];
        if ((int) ev->node_state.from != (last < 0 ? (int) WORLD_NODE_HEALTHY : last))
          s->chain_breaks++;
        if (ev->node_state.to == ev->node_state.from)
          bad (s, ev, "no change");
        s->node_state[ev->node] = (int8_t) ev->node_state.to;
        if (r.old_state != (int32_t) ev->node_state.from
            || r.new_state != (int32_t) ev->node_state.to
            || strcmp (r.detail, world_node_state_name (ev->node_state.to)) != 0)
          bad (s, ev, "record");
        break;
      }
    case WEV_LINK_STATE:
      if (ev->link.to != WORLD_PORT_DOWN && ev->link.to != WORLD_PORT_ACTIVE)
        bad (s, ev, "port state");
      if (ev->link.sw < 0 || ev->link.sw_port <= 0)
        bad (s, ev, "no reporting switch");
      if ((ev->node >= 0) != (ev->link.rail >= 0))
        bad (s, ev, "a node cable has a rail, a switch link none");
      if (r.port != ev->link.rail || r.old_state != ev->link.sw_port
          || r.new_state != (int32_t) ev->link.to || r.value != ev->link.sw)
        bad (s, ev, "record");
      break;
    case WEV_POLICY_ACTION:
      if (ev->action.action == NULL || r.detail != ev->action.action
          || r.reason != ev->action.reason)
        bad (s, ev, "action");
      break;
    case WEV_JOB_SUBMITTED:
    case WEV_JOB_STARTED:
      if (ev->job.name == NULL || strcmp (ev->job.name, "a") != 0
          || ev->job.nodes != 12 || r.value != 12)
        bad (s, ev, "job");
      break;
    case WEV_JOB_INTERRUPTED:
      if (ev->interrupt.job == NULL || ev->interrupt.cause == NULL
          || !(ev->interrupt.lost_gpu_hours > 0)
          || r.lost_gpu_hours != ev->interrupt.lost_gpu_hours)
        bad (s, ev, "interrupt");
      break;
    case WEV_JOB_CHECKPOINT:
      if (ev->checkpoint.job == NULL || !(ev->checkpoint.saved_h > 0)
          || r.value != ev->checkpoint.saved_h)
        bad (s, ev, "checkpoint");
      break;
    case WEV_FABRIC_DEGRADED:
      if (!(ev->fabric.lost_fraction >= 0 && ev->fabric.lost_fraction <= 1))
        bad (s, ev, "fraction");
      break;
    default:
      if (!isnan (r.value) || !isnan (r.lost_gpu_hours))
        bad (s, ev, "a number that does not apply is not NAN");
      break;
    }
}

static WorldTimerResult
timer_cb (void *user_data, World *w, uint64_t cb, GError **error)
{
  (void) user_data;
  switch (cb)
    {
    case 0: world_fail (w, "node0001/nic1<->*", "cable", error); break;
    case 1: world_repair (w, "node0001/nic1<->*", error); break;
    case 2: world_fail (w, "spine-00", NULL, error); break;
    case 3: world_repair (w, "spine-00", error); break;
    default: break;
    }
  return *error == NULL ? WORLD_TIMER_CONTINUE : WORLD_TIMER_FAILED;
}

static void
test_payloads_and_string_lifetime (void **state)
{
  (void) state;
  /* 16 nodes, failures 200 times the catalogue's rate over 4 days: every
   * node-side kind many times; a cable and a spine fail and come back */
  WorldConfig *cfg = wt_small_cluster (16, 8, 2, 8, 16, 96);
  wt_set_num (cfg, "failures.scale", 200);
  assert_true (world_config_set_string (cfg, "run.checkpoint_events", "true",
                                        NULL));
  WorldJobSpec j = { .name = "a", .nodes = 12, .checkpoint_every_s = 1800,
                     .checkpoint_cost_s = 60, .restart_s = 300 };
  assert_true (world_config_add_job (cfg, &j, NULL));
  const double at_h[] = { 5, 5.5, 30, 31 };
  for (guint i = 0; i < G_N_ELEMENTS (at_h); i++)
    world_config_at (cfg, simtime_from_s (at_h[i] * 3600), i);

  Watch s = { .kept = g_array_new (FALSE, FALSE, sizeof (Kept)),
              .by_name = g_hash_table_new_full (g_str_hash, g_str_equal,
                                                g_free, NULL) };
  memset (s.node_state, -1, sizeof s.node_state);
  World *w = wt_run (cfg, 11, timer_cb, NULL, listener, &s);

  if (s.bad_payload > 0)
    print_error ("%u bad payloads, the first %s\n", s.bad_payload, s.why);
  assert_int_equal (s.bad_payload, 0);
  assert_int_equal (s.chain_breaks, 0);
  const WorldEventKind seen[] = {
    WEV_COMPONENT_FAILED, WEV_COMPONENT_REPAIRED, WEV_NODE_FAILED,
    WEV_NODE_STATE, WEV_LINK_STATE, WEV_POLICY_ACTION, WEV_JOB_SUBMITTED,
    WEV_JOB_STARTED, WEV_JOB_INTERRUPTED, WEV_JOB_CHECKPOINT,
    WEV_FABRIC_DEGRADED,
  };
  for (guint i = 0; i < G_N_ELEMENTS (seen); i++)
    {
      if (s.count[seen[i]] == 0)
        print_error ("no %s event\n", world_event_kind_name (seen[i]));
      assert_true (s.count[seen[i]] > 0);
    }
  assert_true (s.count[WEV_NODE_FAILED] >= 10);

  /* one component, one string, for the run */
  assert_int_equal (s.same_name_other_pointer, 0);
  /* after the run, before world_free: every string still reads as it did */
  guint changed = 0;
  for (guint i = 0; i < s.kept->len; i++)
    {
      Kept *k = &g_array_index (s.kept, Kept, i);
      if (strcmp (k->kept, k->copy) != 0 && changed++ == 0)
        print_error ("'%s' now reads '%s'\n", k->copy, k->kept);
    }
  assert_int_equal (changed, 0);
  assert_true (s.kept->len > 100);

  world_free (w);
  for (guint i = 0; i < s.kept->len; i++)
    g_free (g_array_index (s.kept, Kept, i).copy);
  g_array_unref (s.kept);
  g_hash_table_destroy (s.by_name);
  world_config_free (cfg);
}

/* The world's node states are the policy's, in the same order, under the
 * names events.jsonl and state() use; an unknown one is "?". */
static void
test_node_state_names (void **state)
{
  (void) state;
  const char *want[] = { "healthy", "suspect", "cordoned", "draining",
                         "remediating", "in_repair", "burn_in", "quarantined" };
  assert_int_equal (G_N_ELEMENTS (want), WORLD_NODE_N_STATES);
  for (int i = 0; i < WORLD_NODE_N_STATES; i++)
    {
      assert_string_equal (world_node_state_name (i), want[i]);
      assert_string_equal (world_node_state_name (i),
                           health_node_state_name ((HealthNodeState) i));
    }
  assert_string_equal (world_node_state_name (WORLD_NODE_N_STATES), "?");
}

int
main (void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test (test_payloads_and_string_lifetime),
    cmocka_unit_test (test_node_state_names),
  };
  return cmocka_run_group_tests (tests, NULL, NULL);
}
