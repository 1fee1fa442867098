/* lib/sweep-merge.c - `faultline merge`: N shard folders of one sweep into
 * the folder one unsharded sweep writes (sweep.h, docs/sweep.md "Shards").
 *
 * The shards are checked first (one sweep, each number 1..N exactly once,
 * each complete, each replica present), then the replica folders are hard
 * linked (copied across file systems) into a staging folder, which gets
 * shard.json as 1/1, results.sqlite and the aggregates of
 * sweep-aggregate.c, and is moved into place whole (lib/atomicfile.h). Not
 * here: running replicas (sweep.c). */
#include "sweep-int.h"

#include <errno.h>
#include <math.h>
#include <string.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "atomicfile.h"
#include "faultline.h"
#include "infile.h"

/* ---- linking replica folders ---- */

static bool
sweep_copy_file (const char *src, const char *dst, GError **error)
{
  g_autofree char *text = NULL;
  gsize len = 0;
  GError *err = NULL;
  if (!g_file_get_contents (src, &text, &len, &err)
      || !g_file_set_contents (dst, text, (gssize) len, &err))
    {
      g_set_error (error, FL_ERROR, FL_ERROR_INPUT, "%s", err->message);
      g_error_free (err);
      return false;
    }
  return true;
}

/* dst (new) gets src's files as hard links, or copies where linking is not
 * possible (another file system); subfolders recursively. */
static bool
sweep_link_tree (const char *src, const char *dst, GError **error)
{
  if (g_mkdir_with_parents (dst, 0755) != 0)
    {
      g_set_error (error, FL_ERROR, FL_ERROR_INPUT, "%s: cannot create: %s",
                   dst, g_strerror (errno));
      return false;
    }
  GError *err = NULL;
  GDir *d = g_dir_open (src, 0, &err);
  if (d == NULL)
    {
      g_set_error (error, FL_ERROR, FL_ERROR_INPUT, "%s", err->message);
      g_error_free (err);
      return false;
    }
  bool ok = true;
  const char *name;
  while (ok && (name = g_dir_read_name (d)) != NULL)
    {
      g_autofree char *s = g_build_filename (src, name, NULL);
      g_autofree char *t = g_build_filename (dst, name, NULL);
      if (g_file_test (s, G_FILE_TEST_IS_DIR))
        ok = sweep_link_tree (s, t, error);
      else if (link (s, t) != 0)
        ok = sweep_copy_file (s, t, error);
    }
  g_dir_close (d);
  return ok;
}

/* ---- checking the shards ---- */

typedef struct
{
  const char *dir;
  SweepPlan *plan;
  SweepShardState st;
} SweepShard;

/* "2, 5, 7" */
static void
sweep_list_add (GString *s, unsigned k)
{
  g_string_append_printf (s, "%s%u", s->len ? ", " : "", k);
}

/* What differs between two plans of different ids, for the message. */
static const char *
sweep_merge_what_differs (const SweepPlan *a, const SweepPlan *b)
{
  if (strcmp (a->version, b->version) != 0)
    return "faultline version";
  if (strcmp (a->scenario, b->scenario) != 0)
    return "scenario path";
  if (strcmp (a->scenario_sha256, b->scenario_sha256) != 0)
    return "scenario text";
  if (!g_strv_equal ((const char *const *) a->sets,
                     (const char *const *) b->sets))
    return "--set values";
  if (a->n_seeds != b->n_seeds
      || memcmp (a->seeds, b->seeds, a->n_seeds * sizeof *a->seeds) != 0)
    return "seeds";
  return "grid";
}

/* Reads every shard record. Returns false with error for what waiting
 * cannot fix (another sweep, a duplicate, a corrupt record); *retry is set
 * when only missing or unfinished shards stand in the way (error says
 * which). */
static bool
sweep_merge_check (const char *const *dirs, size_t n_dirs,
                   SweepShard *shards, bool *retry, GError **error)
{
  *retry = false;
  const SweepShard *ref = NULL;
  g_autoptr (GString) absent = g_string_new (NULL);
  for (size_t k = 0; k < n_dirs; k++)
    {
      SweepShard *s = &shards[k];
      g_clear_pointer (&s->plan, sweep_plan_free);
      s->dir = dirs[k];
      bool no_file = false;
      GError *err = NULL;
      s->plan = sweep_shard_read (dirs[k], &s->st, &no_file, &err);
      if (s->plan == NULL)
        {
          if (!no_file)
            {
              g_propagate_error (error, err);
              return false;
            }
          g_error_free (err);
          g_string_append_printf (absent, "%s%s", absent->len ? ", " : "",
                                  dirs[k]);
          continue;
        }
      if (ref == NULL)
        {
          ref = s;
          continue;
        }
      if (strcmp (s->plan->id, ref->plan->id) != 0)
        {
          g_set_error (error, FL_ERROR, FL_ERROR_INPUT,
                       "%s and %s are shards of different sweeps (sweep id "
                       "%.12s vs %.12s: their %s differ)", ref->dir, s->dir,
                       ref->plan->id, s->plan->id,
                       sweep_merge_what_differs (ref->plan, s->plan));
          return false;
        }
      if (s->plan->shards != ref->plan->shards)
        {
          g_set_error (error, FL_ERROR, FL_ERROR_INPUT,
                       "%s is shard %u of %u but %s is shard %u of %u: the "
                       "sweep was split in two ways", ref->dir,
                       ref->plan->shard, ref->plan->shards, s->dir,
                       s->plan->shard, s->plan->shards);
          return false;
        }
      if (s->plan->plots != ref->plan->plots || s->plan->pcap != ref->plan->pcap
          || s->plan->write_wall_seconds != ref->plan->write_wall_seconds)
        {
          g_set_error (error, FL_ERROR, FL_ERROR_INPUT,
                       "%s and %s ran with different --plots, --pcap or "
                       "--no-wall-seconds options", ref->dir, s->dir);
          return false;
        }
    }
  if (ref == NULL)
    {
      *retry = true;
      g_set_error (error, FL_ERROR, FL_ERROR_INPUT, "no shard record (%s) in "
                   "%s", SWEEP_SHARD_FILE, absent->str);
      return false;
    }
  unsigned n = ref->plan->shards;
  g_autofree const SweepShard **by = g_new0 (const SweepShard *, n + 1);
  g_autoptr (GString) dup = g_string_new (NULL);
  for (size_t k = 0; k < n_dirs; k++)
    {
      const SweepShard *s = &shards[k];
      if (s->plan == NULL)
        continue;
      if (by[s->plan->shard] != NULL)
        g_string_append_printf (dup, "%sshard %u (%s and %s)",
                                dup->len ? ", " : "", s->plan->shard,
                                by[s->plan->shard]->dir, s->dir);
      else
        by[s->plan->shard] = s;
    }
  if (dup->len > 0)
    {
      g_set_error (error, FL_ERROR, FL_ERROR_INPUT, "duplicated shards of "
                   "%u: %s", n, dup->str);
      return false;
    }
  g_autoptr (GString) missing = g_string_new (NULL);
  g_autoptr (GString) unfinished = g_string_new (NULL);
  for (unsigned k = 1; k <= n; k++)
    if (by[k] == NULL)
      sweep_list_add (missing, k);
    else if (!by[k]->st.complete)
      sweep_list_add (unfinished, k);
  if (missing->len > 0 || unfinished->len > 0 || absent->len > 0)
    {
      *retry = true;
      GString *m = g_string_new (NULL);
      if (missing->len > 0)
        g_string_append_printf (m, "missing shards of %u: %s", n,
                                missing->str);
      if (unfinished->len > 0)
        g_string_append_printf (m, "%sunfinished shards (rerun their sweep "
                                "command to resume them): %s",
                                m->len ? "; " : "", unfinished->str);
      if (absent->len > 0)
        g_string_append_printf (m, "%sno %s in %s", m->len ? "; " : "",
                                SWEEP_SHARD_FILE, absent->str);
      g_set_error_literal (error, FL_ERROR, FL_ERROR_INPUT, m->str);
      g_string_free (m, TRUE);
      return false;
    }
  return true;
}

/* ---- merge ---- */

bool
sweep_merge (const char *out, const char *const *dirs, size_t n_dirs,
             double wait_s, GError **error)
{
  g_return_val_if_fail (out != NULL && (n_dirs == 0 || dirs != NULL), false);
  if (n_dirs == 0)
    {
      g_set_error (error, FL_ERROR, FL_ERROR_INPUT, "no shard folder given");
      return false;
    }
  if (g_file_test (out, G_FILE_TEST_EXISTS))
    {
      GDir *d = g_dir_open (out, 0, NULL);
      bool empty = d != NULL && g_dir_read_name (d) == NULL;
      if (d != NULL)
        g_dir_close (d);
      if (!empty)
        {
          g_set_error (error, FL_ERROR, FL_ERROR_INPUT, "output folder '%s' "
                       "exists and is not empty: choose another -o", out);
          return false;
        }
    }
  SweepShard *shards = g_new0 (SweepShard, n_dirs);
  gint64 deadline = g_get_monotonic_time () + (gint64) (wait_s * 1e6);
  bool retry = false, ok;
  GError *err = NULL;
  while (!(ok = sweep_merge_check (dirs, n_dirs, shards, &retry, &err))
         && retry && g_get_monotonic_time () < deadline)
    {
      g_clear_error (&err);
      g_usleep (MIN (5 * G_USEC_PER_SEC,
                     MAX (deadline - g_get_monotonic_time (), 0)));
    }
  if (!ok)
    g_propagate_error (error, err);

  /* the plan of the merged folder: the sweep as one shard */
  SweepPlan *plan = NULL;
  SweepShard **by = NULL;
  double wall = 0.0;
  if (ok)
    {
      plan = shards[0].plan;
      by = g_new0 (SweepShard *, plan->shards + 1);
      for (size_t k = 0; k < n_dirs; k++)
        {
          by[shards[k].plan->shard] = &shards[k];
          wall += shards[k].st.wall_seconds;
        }
      /* every replica of every shard is there */
      for (unsigned i = 0; ok && i < plan->total; i++)
        {
          const SweepShard *s = by[i % plan->shards + 1];
          g_autofree char *dir = sweep_replica_dir (
              s->dir, sweep_plan_point (plan, i), sweep_plan_seed (plan, i));
          g_autofree char *sum = g_build_filename (dir, "summary.json", NULL);
          if (!g_file_test (sum, G_FILE_TEST_IS_REGULAR))
            {
              g_set_error (error, FL_ERROR, FL_ERROR_INPUT, "shard %u (%s) "
                           "says it is complete but %s is missing",
                           s->plan->shard, s->dir, sum);
              ok = false;
            }
        }
    }
  AtomicDir *ad = NULL;
  if (ok)
    {
      ad = atomicfile_dir_begin (out, &err);
      if (ad == NULL)
        {
          g_set_error_literal (error, FL_ERROR, FL_ERROR_INPUT, err->message);
          g_clear_error (&err);
          ok = false;
        }
    }
  const char *staging = ad ? atomicfile_dir_staging (ad) : NULL;
  for (unsigned i = 0; ok && i < plan->total; i++)
    {
      const SweepShard *s = by[i % plan->shards + 1];
      const SweepPoint *pt = sweep_plan_point (plan, i);
      g_autofree char *src = sweep_replica_dir (s->dir, pt,
                                                sweep_plan_seed (plan, i));
      g_autofree char *dst = sweep_replica_dir (staging, pt,
                                                sweep_plan_seed (plan, i));
      ok = sweep_link_tree (src, dst, error);
    }
  SweepDb *db = NULL;
  if (ok)
    {
      plan->shard = plan->shards = 1;
      if (!plan->write_wall_seconds)
        wall = NAN;
      db = sweep_db_open (staging, plan, error);
      ok = db != NULL && sweep_db_transaction (db, false, error);
      for (unsigned i = 0; ok && i < plan->total; i++)
        {
          g_autofree char *dir = sweep_replica_dir (
              staging, sweep_plan_point (plan, i), sweep_plan_seed (plan, i));
          g_autofree char *sum = g_build_filename (dir, "summary.json", NULL);
          g_autofree char *text = NULL;
          if (!infile_read (sum, "summary.json", INFILE_MAX_JSON, &text, NULL,
                            &err))
            {
              g_set_error_literal (error, FL_ERROR, FL_ERROR_INPUT,
                                   err->message);
              g_clear_error (&err);
              ok = false;
            }
          else
            ok = sweep_db_add_replica (db, plan, i, text, error);
        }
      ok = ok && sweep_db_transaction (db, true, error)
           && sweep_aggregate (plan, staging, db, wall, error);
      SweepShardState st = { true, wall };
      ok = ok && sweep_shard_write (staging, plan, &st, error);
    }
  sweep_db_close (db);
  if (ok)
    {
      /* an empty out: replaced whole by the staging folder */
      g_rmdir (out);
      AtomicDir *d = g_steal_pointer (&ad);
      if (!atomicfile_dir_commit (d, &err))
        {
          g_set_error_literal (error, FL_ERROR, FL_ERROR_INPUT, err->message);
          g_clear_error (&err);
          ok = false;
        }
    }
  if (ad != NULL)
    atomicfile_remove_tree (atomicfile_dir_staging (ad));
  atomicfile_dir_abort (ad);
  for (size_t k = 0; k < n_dirs; k++)
    sweep_plan_free (shards[k].plan);
  g_free (shards);
  g_free (by);
  return ok;
}
