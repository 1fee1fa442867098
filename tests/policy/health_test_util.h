/* tests/policy/health_test_util.h - helpers shared by the policy tests:
 * build an observation, feed it, and look for an action in the output. */
#pragma once

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include "health.h"

static inline HealthObs
obs_node (HealthObsKind kind, HealthTimeMs t, uint32_t node)
{
  HealthObs o;
  health_obs_init (&o, kind, t);
  o.node = node;
  return o;
}

static inline HealthObs
obs_link (HealthObsKind kind, HealthTimeMs t, uint32_t link)
{
  HealthObs o;
  health_obs_init (&o, kind, t);
  o.link = link;
  return o;
}

/* Feeds o and returns the new actions (fresh array, caller frees). */
static inline GArray *
feed (HealthPolicy *p, const HealthObs *o)
{
  GArray *a = g_array_new (FALSE, FALSE, sizeof (HealthAction));
  health_policy_observe (p, o, a);
  return a;
}

static inline GArray *
wake (HealthPolicy *p, HealthTimeMs now)
{
  GArray *a = g_array_new (FALSE, FALSE, sizeof (HealthAction));
  health_policy_wakeup (p, now, a);
  return a;
}

static inline int
count_action (GArray *a, HealthActionKind kind)
{
  int n = 0;
  for (guint i = 0; i < a->len; i++)
    if (g_array_index (a, HealthAction, i).kind == kind)
      n++;
  return n;
}

static inline const HealthAction *
find_action (GArray *a, HealthActionKind kind)
{
  for (guint i = 0; i < a->len; i++)
    if (g_array_index (a, HealthAction, i).kind == kind)
      return &g_array_index (a, HealthAction, i);
  return NULL;
}

/* Feeds o, asserts that exactly the given actions came out (any order,
 * with multiplicity), frees the array. List ends with HEALTH_ACTION_NONE. */
static inline void
expect_actions (HealthPolicy *p, const HealthObs *o, ...)
{
  GArray *a = feed (p, o);
  int expected[HEALTH_ACTION_N_KINDS] = { 0 };
  va_list ap;
  int k;

  va_start (ap, o);
  while ((k = va_arg (ap, int)) != HEALTH_ACTION_NONE)
    expected[k]++;
  va_end (ap);
  for (k = 0; k < HEALTH_ACTION_N_KINDS; k++)
    {
      if (count_action (a, k) != expected[k])
        print_error ("action %s: got %d, expected %d (obs %s)\n",
                     health_action_name (k), count_action (a, k), expected[k],
                     health_obs_kind_name (o->kind));
      assert_int_equal (count_action (a, k), expected[k]);
    }
  g_array_free (a, TRUE);
}
