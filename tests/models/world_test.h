/* tests/models/world_test.h - small helpers the world's tests share:
 * setting configuration keys and failure-mode keys (failing the test on
 * a refused value) and finding a job's metrics row. Header-only, static;
 * include after <cmocka.h>. Not a fixture: each test builds its own
 * cluster. */
#pragma once

#include <glib.h>
#include <string.h>

#include "world.h"

static inline void
wt_set_num (WorldConfig *cfg, const char *key, double x)
{
  WorldValue v = { .type = WORLD_VAL_NUMBER, .num = x };
  g_autoptr (GError) e = NULL;
  if (!world_config_set (cfg, key, &v, &e))
    fail_msg ("%s: %s", key, e->message);
}

static inline void
wt_set_str (WorldConfig *cfg, const char *key, const char *s)
{
  WorldValue v = { .type = WORLD_VAL_STRING, .str = s };
  g_autoptr (GError) e = NULL;
  if (!world_config_set (cfg, key, &v, &e))
    fail_msg ("%s: %s", key, e->message);
}

static inline void
wt_mode_num (WorldConfig *cfg, const char *mode, const char *key, double x)
{
  WorldValue v = { .type = WORLD_VAL_NUMBER, .num = x };
  g_autoptr (GError) e = NULL;
  if (!world_config_failure_set (cfg, mode, key, &v, &e))
    fail_msg ("%s.%s: %s", mode, key, e->message);
}

static inline void
wt_mode_str (WorldConfig *cfg, const char *mode, const char *key,
             const char *s)
{
  WorldValue v = { .type = WORLD_VAL_STRING, .str = s };
  g_autoptr (GError) e = NULL;
  if (!world_config_failure_set (cfg, mode, key, &v, &e))
    fail_msg ("%s.%s: %s", mode, key, e->message);
}

/* The metrics row of job `name`; fails the test when there is none. */
static inline const MetricsJob *
wt_job_row (const Metrics *m, const char *name)
{
  for (guint i = 0; i < m->job_rows->len; i++)
    {
      const MetricsJob *j = &g_array_index (m->job_rows, MetricsJob, i);
      if (strcmp (j->name, name) == 0)
        return j;
    }
  fail_msg ("no job row '%s'", name);
  return NULL;
}
