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

/* A small hand-checkable cluster: `nodes` nodes of `gpn` GPUs on `rails`
 * rails, scalable units of `su_size` nodes, switches of `radix` ports, no
 * random failures (failures.scale 0, no lemons), `hours` long. */
static inline WorldConfig *
wt_small_cluster (uint32_t nodes, uint32_t gpn, uint32_t rails,
                  uint32_t su_size, uint32_t radix, double hours)
{
  WorldConfig *cfg = world_config_new ();
  wt_set_num (cfg, "cluster.nodes", nodes);
  wt_set_num (cfg, "cluster.gpus_per_node", gpn);
  wt_set_num (cfg, "cluster.rails", rails);
  wt_set_num (cfg, "cluster.su_size", su_size);
  wt_set_num (cfg, "cluster.radix", radix);
  wt_set_num (cfg, "failures.scale", 0);
  wt_set_num (cfg, "failures.lemon_fraction", 0);
  wt_set_num (cfg, "run.length", hours * 3600);
  return cfg;
}

/* Builds the world of cfg with `seed`, installs the timer hook and the
 * listener (either may be NULL), runs it to the end; fails the test on an
 * error. Returns the world (the caller frees it). */
static inline World *
wt_run (WorldConfig *cfg, uint64_t seed,
        WorldTimerResult (*timer) (void *, World *, uint64_t, GError **),
        void *timer_data, WorldListenerFn listener, void *listener_data)
{
  g_autoptr (GError) error = NULL;
  World *w = world_new (cfg, seed, &error);
  if (w == NULL)
    fail_msg ("world_new: %s", error->message);
  if (timer != NULL)
    {
      WorldHooks hooks = { .timer = timer, .user_data = timer_data };
      world_set_hooks (w, &hooks);
    }
  if (listener != NULL)
    world_add_listener (w, listener, listener_data);
  if (!world_run (w, &error))
    fail_msg ("world_run: %s", error->message);
  return w;
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
