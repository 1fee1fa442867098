/* lib/sweep-plan.c - the plan of a sweep (points x seeds, the shard), its
 * id, and the shard record DIR/shard.json that lets a sweep be resumed and
 * shards be merged. See sweep-int.h and docs/sweep.md ("Shards", "Resume").
 *
 * Nothing here runs a replica. The id is a GChecksum SHA-256 over
 * length-prefixed fields, so no two different field lists hash the same
 * text. Not here: the output folder's locking and the runs (sweep.c). */
#include "sweep-int.h"

#include <math.h>
#include <string.h>

#include "atomicfile.h"
#include "faultline.h"
#include "fl-config.h"
#include "infile.h"
#include "results.h"

/* ---- points ---- */

static void
sweep_point_free (gpointer p)
{
  SweepPoint *pt = p;
  g_free (pt->name);
  g_strfreev (pt->values);
  g_strfreev (pt->sets);
  g_free (pt);
}

/* Points in row-major order: the first axis varies slowest. */
static GPtrArray *
sweep_points (const SweepPlan *plan)
{
  GPtrArray *points = g_ptr_array_new_with_free_func (sweep_point_free);
  size_t n_points = 1;
  for (size_t a = 0; a < plan->n_axes; a++)
    n_points *= g_strv_length ((char **) plan->axes[a].values);
  g_autoptr (GHashTable) names = g_hash_table_new (g_str_hash, g_str_equal);
  for (size_t p = 0; p < n_points; p++)
    {
      SweepPoint *pt = g_new0 (SweepPoint, 1);
      pt->values = g_new0 (char *, plan->n_axes + 1);
      size_t rest = p;
      for (size_t a = plan->n_axes; a-- > 0;)
        {
          size_t k = g_strv_length ((char **) plan->axes[a].values);
          pt->values[a] = g_strdup (plan->axes[a].values[rest % k]);
          rest /= k;
        }
      GPtrArray *sets = g_ptr_array_new ();
      for (size_t i = 0; plan->sets[i] != NULL; i++)
        g_ptr_array_add (sets, g_strdup (plan->sets[i]));
      for (size_t a = 0; a < plan->n_axes; a++)
        g_ptr_array_add (sets, g_strconcat (plan->axes[a].key, "=",
                                            pt->values[a], NULL));
      g_ptr_array_add (sets, NULL);
      pt->sets = (char **) g_ptr_array_free (sets, FALSE);
      pt->name = sweep_point_name (plan->axes, plan->n_axes,
                                   (const char *const *) pt->values);
      /* Two values that differ only in replaced bytes: keep names unique. */
      for (int k = 2; g_hash_table_contains (names, pt->name); k++)
        {
          char *n = g_strdup_printf ("%s~%d", pt->name, k);
          if (!g_hash_table_contains (names, n))
            {
              g_free (pt->name);
              pt->name = n;
              break;
            }
          g_free (n);
        }
      g_hash_table_add (names, pt->name);
      g_ptr_array_add (points, pt);
    }
  return points;
}

char *
sweep_replica_dir (const char *root, const SweepPoint *pt, uint64_t seed)
{
  g_autofree char *s = g_strdup_printf ("seed-%" G_GUINT64_FORMAT, seed);
  return root != NULL ? g_build_filename (root, pt->name, s, NULL)
                      : g_build_filename (pt->name, s, NULL);
}

/* ---- the plan ---- */

void
sweep_plan_free (SweepPlan *plan)
{
  if (plan == NULL)
    return;
  g_free (plan->version);
  g_free (plan->scenario);
  g_free (plan->scenario_sha256);
  g_strfreev (plan->sets);
  for (size_t a = 0; a < plan->n_axes; a++)
    {
      g_free ((char *) plan->axes[a].key);
      g_strfreev ((char **) plan->axes[a].values);
    }
  g_free (plan->axes);
  g_free (plan->seeds);
  g_free (plan->id);
  if (plan->points != NULL)
    g_ptr_array_unref (plan->points);
  g_free (plan);
}

static void
sweep_hash_field (GChecksum *c, const char *s, size_t len)
{
  char n[32];
  int k = g_snprintf (n, sizeof n, "%zu:", len);
  g_checksum_update (c, (const guchar *) n, k);
  g_checksum_update (c, (const guchar *) s, (gssize) len);
}

static void
sweep_hash_str (GChecksum *c, const char *s)
{
  sweep_hash_field (c, s, strlen (s));
}

static void
sweep_hash_count (GChecksum *c, size_t n)
{
  char buf[32];
  g_snprintf (buf, sizeof buf, "%zu", n);
  sweep_hash_str (c, buf);
}

char *
sweep_plan_id (const SweepPlan *plan)
{
  GChecksum *c = g_checksum_new (G_CHECKSUM_SHA256);
  sweep_hash_str (c, "faultline sweep id 1");
  sweep_hash_str (c, plan->version);
  sweep_hash_str (c, plan->scenario);
  sweep_hash_str (c, plan->scenario_sha256);
  sweep_hash_count (c, g_strv_length (plan->sets));
  for (size_t i = 0; plan->sets[i] != NULL; i++)
    sweep_hash_str (c, plan->sets[i]);
  sweep_hash_count (c, plan->n_axes);
  for (size_t a = 0; a < plan->n_axes; a++)
    {
      sweep_hash_str (c, plan->axes[a].key);
      sweep_hash_count (c, g_strv_length ((char **) plan->axes[a].values));
      for (size_t v = 0; plan->axes[a].values[v] != NULL; v++)
        sweep_hash_str (c, plan->axes[a].values[v]);
    }
  sweep_hash_count (c, plan->n_seeds);
  for (size_t s = 0; s < plan->n_seeds; s++)
    {
      char buf[32];
      g_snprintf (buf, sizeof buf, "%" G_GUINT64_FORMAT, plan->seeds[s]);
      sweep_hash_str (c, buf);
    }
  char *id = g_strdup (g_checksum_get_string (c));
  g_checksum_free (c);
  return id;
}

/* Builds points and total; false when there are too many replicas. */
static bool
sweep_plan_finish (SweepPlan *plan, GError **error)
{
  plan->points = sweep_points (plan);
  /* at most G_MAXINT / 2: the workers' claim counter may run past the
   * total by the number of threads (sweep.c) */
  if ((guint64) plan->points->len * plan->n_seeds > G_MAXINT / 2)
    {
      g_set_error (error, FL_ERROR, FL_ERROR_INPUT,
                   "%u grid points x %zu seeds: too many replicas (at most "
                   "%d)", plan->points->len, plan->n_seeds, G_MAXINT / 2);
      return false;
    }
  plan->total = plan->points->len * (unsigned) plan->n_seeds;
  return true;
}

SweepPlan *
sweep_plan_new (const SweepOptions *opt, GError **error)
{
  g_return_val_if_fail (opt != NULL && opt->scenario != NULL, NULL);
  g_autofree char *text = NULL;
  gsize len = 0;
  GError *err = NULL;
  if (!infile_read (opt->scenario, "scenario", INFILE_MAX_SCENARIO, &text,
                    &len, &err))
    {
      g_set_error (error, FL_ERROR, FL_ERROR_INPUT, "%s", err->message);
      g_error_free (err);
      return NULL;
    }
  g_autoptr (SweepPlan) plan = g_new0 (SweepPlan, 1);
  plan->version = g_strdup (FL_VERSION);
  plan->scenario = g_strdup (opt->scenario);
  plan->scenario_sha256 = g_compute_checksum_for_data (
      G_CHECKSUM_SHA256, (const guchar *) text, len);
  plan->sets = opt->sets != NULL ? g_strdupv ((char **) opt->sets)
                                 : g_new0 (char *, 1);
  plan->n_axes = opt->n_axes;
  plan->axes = g_new0 (SweepAxis, MAX (opt->n_axes, 1));
  for (size_t a = 0; a < opt->n_axes; a++)
    {
      plan->axes[a].key = g_strdup (opt->axes[a].key);
      plan->axes[a].values = (const char *const *) g_strdupv (
          (char **) opt->axes[a].values);
    }
  plan->seeds = g_memdup2 (opt->seeds, opt->n_seeds * sizeof (uint64_t));
  plan->n_seeds = opt->n_seeds;
  plan->plots = opt->plots;
  plan->pcap = opt->pcap;
  plan->write_wall_seconds = opt->write_wall_seconds;
  plan->shard = opt->shards == 0 ? 1 : opt->shard;
  plan->shards = opt->shards == 0 ? 1 : opt->shards;
  plan->id = sweep_plan_id (plan);
  if (!sweep_plan_finish (plan, error))
    return NULL;
  return g_steal_pointer (&plan);
}

/* ---- files ---- */

bool
sweep_write_file (const char *dir, const char *name, const char *text,
                  size_t len, GError **error)
{
  g_autofree char *path = g_build_filename (dir, name, NULL);
  GError *err = NULL;
  if (!atomicfile_write (path, text, len, &err))
    {
      g_set_error_literal (error, FL_ERROR, FL_ERROR_INPUT, err->message);
      g_error_free (err);
      return false;
    }
  return true;
}

/* ---- shard.json ---- */

bool
sweep_shard_write (const char *dir, const SweepPlan *plan,
                   const SweepShardState *st, GError **error)
{
  g_autoptr (JsonBuilder) b = json_builder_new ();
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "sweep_id");
  json_builder_add_string_value (b, plan->id);
  json_builder_set_member_name (b, "faultline_version");
  json_builder_add_string_value (b, plan->version);
  json_builder_set_member_name (b, "scenario");
  json_builder_add_string_value (b, plan->scenario);
  json_builder_set_member_name (b, "scenario_sha256");
  json_builder_add_string_value (b, plan->scenario_sha256);
  json_builder_set_member_name (b, "sets");
  json_builder_begin_array (b);
  for (size_t i = 0; plan->sets[i] != NULL; i++)
    json_builder_add_string_value (b, plan->sets[i]);
  json_builder_end_array (b);
  json_builder_set_member_name (b, "grid");
  json_builder_begin_array (b);
  for (size_t a = 0; a < plan->n_axes; a++)
    {
      json_builder_begin_object (b);
      json_builder_set_member_name (b, "key");
      json_builder_add_string_value (b, plan->axes[a].key);
      json_builder_set_member_name (b, "values");
      json_builder_begin_array (b);
      for (size_t v = 0; plan->axes[a].values[v] != NULL; v++)
        json_builder_add_string_value (b, plan->axes[a].values[v]);
      json_builder_end_array (b);
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
  json_builder_set_member_name (b, "seeds");
  json_builder_begin_array (b);
  for (size_t s = 0; s < plan->n_seeds; s++)
    json_builder_add_int_value (b, (gint64) plan->seeds[s]);
  json_builder_end_array (b);
  json_builder_set_member_name (b, "plots");
  json_builder_add_boolean_value (b, plan->plots);
  json_builder_set_member_name (b, "pcap");
  json_builder_add_boolean_value (b, plan->pcap);
  json_builder_set_member_name (b, "write_wall_seconds");
  json_builder_add_boolean_value (b, plan->write_wall_seconds);
  json_builder_set_member_name (b, "shard");
  json_builder_add_int_value (b, plan->shard);
  json_builder_set_member_name (b, "shards");
  json_builder_add_int_value (b, plan->shards);
  json_builder_set_member_name (b, "complete");
  json_builder_add_boolean_value (b, st->complete);
  results_json_add_number (b, "wall_seconds", st->wall_seconds);
  json_builder_end_object (b);
  g_autoptr (JsonNode) root = json_builder_get_root (b);
  g_autofree char *text = results_json_to_string (root, true);
  return sweep_write_file (dir, SWEEP_SHARD_FILE, text, strlen (text),
                           error);
}

/* The member `name` of o if it has the JSON type t (and, for values, the
 * GType vt), else NULL. */
static JsonNode *
sweep_member (JsonObject *o, const char *name, JsonNodeType t, GType vt)
{
  JsonNode *n = json_object_get_member (o, name);
  if (n == NULL || JSON_NODE_TYPE (n) != t)
    return NULL;
  if (t == JSON_NODE_VALUE && json_node_get_value_type (n) != vt)
    return NULL;
  return n;
}

/* An array of strings as a NULL-terminated vector; NULL if any element is
 * not a string. */
static char **
sweep_strv (JsonArray *a)
{
  guint n = json_array_get_length (a);
  char **v = g_new0 (char *, n + 1);
  for (guint i = 0; i < n; i++)
    {
      JsonNode *e = json_array_get_element (a, i);
      if (!JSON_NODE_HOLDS_VALUE (e)
          || json_node_get_value_type (e) != G_TYPE_STRING)
        {
          g_strfreev (v);
          return NULL;
        }
      v[i] = g_strdup (json_node_get_string (e));
    }
  return v;
}

SweepPlan *
sweep_shard_read (const char *dir, SweepShardState *st, bool *absent,
                  GError **error)
{
  g_autofree char *path = g_build_filename (dir, SWEEP_SHARD_FILE, NULL);
  if (absent != NULL)
    *absent = false;
  if (!g_file_test (path, G_FILE_TEST_EXISTS))
    {
      if (absent != NULL)
        *absent = true;
      g_set_error (error, FL_ERROR, FL_ERROR_INPUT, "%s: not a sweep or "
                   "shard folder (no %s)", dir, SWEEP_SHARD_FILE);
      return NULL;
    }
  g_autoptr (JsonParser) p = json_parser_new ();
  GError *err = NULL;
  if (!infile_load_json (p, path, SWEEP_SHARD_FILE, &err))
    {
      g_set_error_literal (error, FL_ERROR, FL_ERROR_INPUT, err->message);
      g_error_free (err);
      return NULL;
    }
  JsonNode *root = json_parser_get_root (p);
  JsonObject *o = root && JSON_NODE_HOLDS_OBJECT (root)
                  ? json_node_get_object (root) : NULL;
  const GType S = G_TYPE_STRING, I = G_TYPE_INT64, B = G_TYPE_BOOLEAN;
  const char *bad = NULL;
#define NEED(var, name, t, vt)                                                \
  JsonNode *var = o ? sweep_member (o, name, t, vt) : NULL;                   \
  if (var == NULL && bad == NULL)                                             \
    bad = name;
  NEED (n_id, "sweep_id", JSON_NODE_VALUE, S);
  NEED (n_ver, "faultline_version", JSON_NODE_VALUE, S);
  NEED (n_scn, "scenario", JSON_NODE_VALUE, S);
  NEED (n_sha, "scenario_sha256", JSON_NODE_VALUE, S);
  NEED (n_sets, "sets", JSON_NODE_ARRAY, 0);
  NEED (n_grid, "grid", JSON_NODE_ARRAY, 0);
  NEED (n_seeds, "seeds", JSON_NODE_ARRAY, 0);
  NEED (n_plots, "plots", JSON_NODE_VALUE, B);
  NEED (n_pcap, "pcap", JSON_NODE_VALUE, B);
  NEED (n_wall, "write_wall_seconds", JSON_NODE_VALUE, B);
  NEED (n_shard, "shard", JSON_NODE_VALUE, I);
  NEED (n_shards, "shards", JSON_NODE_VALUE, I);
  NEED (n_done, "complete", JSON_NODE_VALUE, B);
#undef NEED
  if (bad != NULL)
    {
      g_set_error (error, FL_ERROR, FL_ERROR_INPUT, "%s: not a shard record "
                   "(\"%s\" missing or of the wrong type)", path, bad);
      return NULL;
    }
  g_autoptr (SweepPlan) plan = g_new0 (SweepPlan, 1);
  plan->id = g_strdup (json_node_get_string (n_id));
  plan->version = g_strdup (json_node_get_string (n_ver));
  plan->scenario = g_strdup (json_node_get_string (n_scn));
  plan->scenario_sha256 = g_strdup (json_node_get_string (n_sha));
  plan->sets = sweep_strv (json_node_get_array (n_sets));
  plan->plots = json_node_get_boolean (n_plots);
  plan->pcap = json_node_get_boolean (n_pcap);
  plan->write_wall_seconds = json_node_get_boolean (n_wall);
  gint64 k = json_node_get_int (n_shard), n = json_node_get_int (n_shards);
  JsonArray *grid = json_node_get_array (n_grid);
  JsonArray *seeds = json_node_get_array (n_seeds);
  plan->n_axes = json_array_get_length (grid);
  plan->axes = g_new0 (SweepAxis, MAX (plan->n_axes, 1));
  plan->n_seeds = json_array_get_length (seeds);
  plan->seeds = g_new0 (uint64_t, MAX (plan->n_seeds, 1));
  bool ok = plan->sets != NULL && n >= 1 && n <= SWEEP_MAX_SHARDS && k >= 1
            && k <= n && plan->n_seeds > 0;
  for (size_t a = 0; ok && a < plan->n_axes; a++)
    {
      JsonNode *e = json_array_get_element (grid, a);
      JsonObject *ao = JSON_NODE_HOLDS_OBJECT (e) ? json_node_get_object (e)
                                                  : NULL;
      JsonNode *key = ao ? sweep_member (ao, "key", JSON_NODE_VALUE, S) : NULL;
      JsonNode *vals = ao ? sweep_member (ao, "values", JSON_NODE_ARRAY, 0)
                          : NULL;
      char **v = vals ? sweep_strv (json_node_get_array (vals)) : NULL;
      ok = key != NULL && v != NULL && v[0] != NULL;
      plan->axes[a].key = key ? g_strdup (json_node_get_string (key)) : NULL;
      plan->axes[a].values = (const char *const *) v;
    }
  for (size_t s = 0; ok && s < plan->n_seeds; s++)
    {
      JsonNode *e = json_array_get_element (seeds, s);
      ok = JSON_NODE_HOLDS_VALUE (e) && json_node_get_value_type (e) == I
           && json_node_get_int (e) >= 0
           && (s == 0 || (uint64_t) json_node_get_int (e) > plan->seeds[s - 1]);
      if (ok)
        plan->seeds[s] = (uint64_t) json_node_get_int (e);
    }
  if (!ok)
    {
      g_set_error (error, FL_ERROR, FL_ERROR_INPUT, "%s: not a shard record "
                   "(bad sets, grid, seeds or shard number)", path);
      return NULL;
    }
  plan->shard = (unsigned) k;
  plan->shards = (unsigned) n;
  g_autofree char *id = sweep_plan_id (plan);
  if (strcmp (id, plan->id) != 0)
    {
      g_set_error (error, FL_ERROR, FL_ERROR_INPUT, "%s: its sweep_id does "
                   "not match its fields (edited or corrupt)", path);
      return NULL;
    }
  if (!sweep_plan_finish (plan, error))
    return NULL;
  if (st != NULL)
    {
      JsonNode *w = json_object_get_member (o, "wall_seconds");
      st->complete = json_node_get_boolean (n_done);
      st->wall_seconds = w && JSON_NODE_HOLDS_VALUE (w)
                         ? json_node_get_double (w) : NAN;
    }
  return g_steal_pointer (&plan);
}
