/* tests/policy/sched_test.h - small helpers the scheduler's tests share:
 * one scheduling pass, whether a pass started a job, and a scheduler from
 * a preset. Header-only, static; include after <cmocka.h>. */
#pragma once

#include <glib.h>

#include "sched.h"

/* One pass at `now`; the caller frees the decisions. */
static inline GArray *
run (Sched *s, SchedTimeMs now)
{
  GArray *d = g_array_new (FALSE, FALSE, sizeof (SchedDecision));
  sched_schedule (s, now, d);
  return d;
}

/* Whether the decisions d start job id. */
static inline bool
started (GArray *d, uint32_t id)
{
  for (guint i = 0; i < d->len; i++)
    {
      SchedDecision *x = &g_array_index (d, SchedDecision, i);
      if (x->kind == SCHED_DECISION_START && x->job == id)
        return true;
    }
  return false;
}

/* A scheduler of n nodes (groups: NULL = one group) with a named preset
 * and `spares` hot spares; fails the test when it cannot be built. */
static inline Sched *
new_sched (const char *preset, uint32_t n, const uint32_t *groups,
           uint32_t spares)
{
  SchedConfig cfg;
  sched_config_init (&cfg);
  assert_true (sched_config_named (&cfg, preset, NULL));
  cfg.spares = spares;
  Sched *s = sched_new (&cfg, n, groups, NULL);
  assert_non_null (s);
  return s;
}
