/* lib/sweep-db.c - DIR/results.sqlite: a sweep's replicas and point
 * statistics in tables a planner can query (libsqlite3). The schema is
 * documented in docs/sweep.md ("results.sqlite").
 *
 * Every change is one transaction (a replica's row is one INSERT in
 * autocommit mode; the point statistics are replaced in one explicit
 * transaction), so a sweep killed at any instant leaves a consistent
 * database: a replica is in it whole or not at all. Rollback journal (not
 * WAL, which needs shared memory and fails on the network file systems
 * cluster jobs write to), synchronous=NORMAL: a killed process loses
 * nothing, a power cut may lose the last rows, which a resume adds back
 * from the replica folders. One connection per sweep, serialised by our
 * own pthread mutex (visible to ThreadSanitizer). Not here: the JSON and
 * CSV outputs (sweep-aggregate.c). */
#include "sweep-int.h"

#include <math.h>
#include <pthread.h>
#include <string.h>

#include <sqlite3.h>

#include "faultline.h"

struct SweepDb
{
  sqlite3 *db;
  char *path;
  pthread_mutex_t lock;
  char **param_cols;    /* column name per grid axis */
  GPtrArray *metric_cols; /* replicas' metric columns, in order */
  sqlite3_stmt *insert; /* INSERT OR REPLACE INTO replicas, once known */
  bool have_replicas;   /* the replicas table exists */
};

/* ---- helpers ---- */

static bool
sweep_db_fail (SweepDb *db, const char *what, GError **error)
{
  g_set_error (error, FL_ERROR, FL_ERROR_INPUT, "%s: %s: %s", db->path,
               what, sqlite3_errmsg (db->db));
  return false;
}

static bool
sweep_db_exec (SweepDb *db, const char *sql, GError **error)
{
  char *msg = NULL;
  if (sqlite3_exec (db->db, sql, NULL, NULL, &msg) == SQLITE_OK)
    return true;
  g_set_error (error, FL_ERROR, FL_ERROR_INPUT, "%s: %s", db->path,
               msg ? msg : sqlite3_errmsg (db->db));
  sqlite3_free (msg);
  return false;
}

/* "name" with '"' doubled: an SQL identifier. */
static void
sweep_db_ident (GString *s, const char *name)
{
  g_string_append_c (s, '"');
  for (const char *p = name; *p; p++)
    {
      if (*p == '"')
        g_string_append_c (s, '"');
      g_string_append_c (s, *p);
    }
  g_string_append_c (s, '"');
}

/* A grid value as a number when it is one (so `WHERE spares = 64` works),
 * else as text. */
static void
sweep_db_bind_value (sqlite3_stmt *st, int k, const char *v)
{
  char *end;
  gint64 n = g_ascii_strtoll (v, &end, 10);
  if (end != v && *end == '\0')
    {
      sqlite3_bind_int64 (st, k, n);
      return;
    }
  double d = g_ascii_strtod (v, &end);
  if (end != v && *end == '\0' && isfinite (d))
    sqlite3_bind_double (st, k, d);
  else
    sqlite3_bind_text (st, k, v, -1, SQLITE_TRANSIENT);
}

static const char *const sweep_db_fixed[] = {
  "point", "idx", "seed", "dir", "metrics", NULL,
};

/* The column of grid key `key`: the key itself, or "param.KEY" when it
 * would clash (case-insensitively, as SQLite compares) with a fixed
 * column. */
static char *
sweep_db_param_col (const char *key)
{
  for (size_t k = 0; sweep_db_fixed[k] != NULL; k++)
    if (g_ascii_strcasecmp (key, sweep_db_fixed[k]) == 0)
      return g_strconcat ("param.", key, NULL);
  return g_strdup (key);
}

static bool
sweep_db_is_param_col (const SweepDb *db, const SweepPlan *plan,
                       const char *name)
{
  for (size_t a = 0; a < plan->n_axes; a++)
    if (g_ascii_strcasecmp (db->param_cols[a], name) == 0)
      return true;
  return false;
}

/* Reads the metric columns of an existing replicas table. */
static bool
sweep_db_load_columns (SweepDb *db, const SweepPlan *plan, GError **error)
{
  sqlite3_stmt *st = NULL;
  if (sqlite3_prepare_v2 (db->db, "PRAGMA table_info(replicas)", -1, &st,
                          NULL) != SQLITE_OK)
    return sweep_db_fail (db, "reading the replicas table", error);
  int rc;
  while ((rc = sqlite3_step (st)) == SQLITE_ROW)
    {
      const char *name = (const char *) sqlite3_column_text (st, 1);
      db->have_replicas = true;
      bool fixed = false;
      for (size_t k = 0; sweep_db_fixed[k] != NULL; k++)
        fixed = fixed || strcmp (name, sweep_db_fixed[k]) == 0;
      if (!fixed && !sweep_db_is_param_col (db, plan, name))
        g_ptr_array_add (db->metric_cols, g_strdup (name));
    }
  sqlite3_finalize (st);
  if (rc != SQLITE_DONE)
    return sweep_db_fail (db, "reading the replicas table", error);
  return true;
}

/* ---- public ---- */

SweepDb *
sweep_db_open (const char *dir, const SweepPlan *plan, GError **error)
{
  SweepDb *db = g_new0 (SweepDb, 1);
  db->path = g_build_filename (dir, "results.sqlite", NULL);
  pthread_mutex_init (&db->lock, NULL);
  db->metric_cols = g_ptr_array_new_with_free_func (g_free);
  db->param_cols = g_new0 (char *, plan->n_axes + 1);
  for (size_t a = 0; a < plan->n_axes; a++)
    db->param_cols[a] = sweep_db_param_col (plan->axes[a].key);
  if (sqlite3_open_v2 (db->path, &db->db,
                       SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE
                       | SQLITE_OPEN_FULLMUTEX, NULL) != SQLITE_OK)
    {
      sweep_db_fail (db, "cannot open", error);
      sweep_db_close (db);
      return NULL;
    }
  sqlite3_busy_timeout (db->db, 10000);
  g_autoptr (GString) sql = g_string_new (
      "PRAGMA synchronous = NORMAL;\n"
      "BEGIN;\n"
      "CREATE TABLE IF NOT EXISTS sweep (sweep_id TEXT NOT NULL, "
      "faultline_version TEXT NOT NULL, scenario TEXT NOT NULL, "
      "shard INTEGER NOT NULL, shards INTEGER NOT NULL, "
      "seeds INTEGER NOT NULL, points INTEGER NOT NULL);\n"
      "CREATE TABLE IF NOT EXISTS point_stats (point TEXT NOT NULL, "
      "metric TEXT NOT NULL, n INTEGER NOT NULL, mean REAL, sd REAL, "
      "min REAL, max REAL, ci95_low REAL, ci95_high REAL, "
      "PRIMARY KEY (point, metric));\n"
      "CREATE TABLE IF NOT EXISTS points (point TEXT PRIMARY KEY, "
      "idx INTEGER NOT NULL UNIQUE");
  for (size_t a = 0; a < plan->n_axes; a++)
    {
      g_string_append (sql, ", ");
      sweep_db_ident (sql, db->param_cols[a]);
    }
  g_string_append (sql, ");\nDELETE FROM sweep;\nDELETE FROM points;\n");
  sqlite3_stmt *st = NULL;
  bool ok = sweep_db_exec (db, sql->str, error);
  if (ok)
    {
      /* the sweep row */
      ok = sqlite3_prepare_v2 (db->db, "INSERT INTO sweep VALUES "
                               "(?, ?, ?, ?, ?, ?, ?)", -1, &st, NULL)
           == SQLITE_OK;
      if (ok)
        {
          sqlite3_bind_text (st, 1, plan->id, -1, SQLITE_STATIC);
          sqlite3_bind_text (st, 2, plan->version, -1, SQLITE_STATIC);
          sqlite3_bind_text (st, 3, plan->scenario, -1, SQLITE_STATIC);
          sqlite3_bind_int (st, 4, (int) plan->shard);
          sqlite3_bind_int (st, 5, (int) plan->shards);
          sqlite3_bind_int64 (st, 6, (sqlite3_int64) plan->n_seeds);
          sqlite3_bind_int (st, 7, (int) plan->points->len);
          ok = sqlite3_step (st) == SQLITE_DONE;
        }
      sqlite3_finalize (st);
      st = NULL;
    }
  if (ok)
    {
      /* one row per point */
      g_string_assign (sql, "INSERT INTO points VALUES (?, ?");
      for (size_t a = 0; a < plan->n_axes; a++)
        g_string_append (sql, ", ?");
      g_string_append (sql, ")");
      ok = sqlite3_prepare_v2 (db->db, sql->str, -1, &st, NULL) == SQLITE_OK;
      for (guint p = 0; ok && p < plan->points->len; p++)
        {
          const SweepPoint *pt = g_ptr_array_index (plan->points, p);
          sqlite3_reset (st);
          sqlite3_bind_text (st, 1, pt->name, -1, SQLITE_STATIC);
          sqlite3_bind_int (st, 2, (int) p);
          for (size_t a = 0; a < plan->n_axes; a++)
            sweep_db_bind_value (st, (int) a + 3, pt->values[a]);
          ok = sqlite3_step (st) == SQLITE_DONE;
        }
      sqlite3_finalize (st);
    }
  if (ok && !sweep_db_exec (db, "COMMIT;", error))
    ok = false;
  else if (!ok)
    {
      if (error == NULL || *error == NULL)
        sweep_db_fail (db, "writing the sweep and points tables", error);
      sqlite3_exec (db->db, "ROLLBACK;", NULL, NULL, NULL);
    }
  if (ok)
    ok = sweep_db_load_columns (db, plan, error);
  if (!ok)
    {
      sweep_db_close (db);
      return NULL;
    }
  return db;
}

void
sweep_db_close (SweepDb *db)
{
  if (db == NULL)
    return;
  sqlite3_finalize (db->insert);
  sqlite3_close (db->db);
  pthread_mutex_destroy (&db->lock);
  g_strfreev (db->param_cols);
  g_ptr_array_unref (db->metric_cols);
  g_free (db->path);
  g_free (db);
}

/* Whether a metric member is stored as a column: a number or null. */
static bool
sweep_db_numeric (JsonNode *n)
{
  if (JSON_NODE_HOLDS_NULL (n))
    return true;
  if (!JSON_NODE_HOLDS_VALUE (n))
    return false;
  GType t = json_node_get_value_type (n);
  return t == G_TYPE_INT64 || t == G_TYPE_DOUBLE;
}

/* Creates the replicas table from the first replica's metrics and
 * prepares the insert. Called under the lock. */
static bool
sweep_db_prepare_insert (SweepDb *db, const SweepPlan *plan, JsonObject *m,
                         GError **error)
{
  if (!db->have_replicas)
    {
      GList *names = json_object_get_members (m);
      for (GList *l = names; l != NULL; l = l->next)
        {
          const char *k = l->data;
          bool fixed = false;
          for (size_t f = 0; sweep_db_fixed[f] != NULL; f++)
            fixed = fixed || g_ascii_strcasecmp (k, sweep_db_fixed[f]) == 0;
          if (!fixed && !sweep_db_is_param_col (db, plan, k)
              && sweep_db_numeric (json_object_get_member (m, k)))
            g_ptr_array_add (db->metric_cols, g_strdup (k));
        }
      g_list_free (names);
      g_autoptr (GString) sql = g_string_new (
          "CREATE TABLE IF NOT EXISTS replicas (point TEXT NOT NULL "
          "REFERENCES points (point), seed INTEGER NOT NULL, "
          "dir TEXT NOT NULL");
      for (size_t a = 0; a < plan->n_axes; a++)
        {
          g_string_append (sql, ", ");
          sweep_db_ident (sql, db->param_cols[a]);
        }
      for (guint k = 0; k < db->metric_cols->len; k++)
        {
          g_string_append (sql, ", ");
          sweep_db_ident (sql, db->metric_cols->pdata[k]);
          g_string_append (sql, " REAL");
        }
      g_string_append (sql, ", metrics TEXT NOT NULL, "
                       "PRIMARY KEY (point, seed))");
      if (!sweep_db_exec (db, sql->str, error))
        return false;
      db->have_replicas = true;
    }
  g_autoptr (GString) sql = g_string_new ("INSERT OR REPLACE INTO replicas "
                                          "(point, seed, dir");
  for (size_t a = 0; a < plan->n_axes; a++)
    {
      g_string_append (sql, ", ");
      sweep_db_ident (sql, db->param_cols[a]);
    }
  for (guint k = 0; k < db->metric_cols->len; k++)
    {
      g_string_append (sql, ", ");
      sweep_db_ident (sql, db->metric_cols->pdata[k]);
    }
  g_string_append (sql, ", metrics) VALUES (?, ?, ?");
  for (size_t k = 0; k < plan->n_axes + db->metric_cols->len + 1; k++)
    g_string_append (sql, ", ?");
  g_string_append (sql, ")");
  if (sqlite3_prepare_v2 (db->db, sql->str, -1, &db->insert, NULL)
      != SQLITE_OK)
    return sweep_db_fail (db, "preparing the replica insert", error);
  return true;
}

bool
sweep_db_add_replica (SweepDb *db, const SweepPlan *plan, unsigned i,
                      const char *summary_json, GError **error)
{
  g_return_val_if_fail (db != NULL && summary_json != NULL, false);
  /* parse outside the lock */
  g_autoptr (JsonParser) p = json_parser_new ();
  JsonNode *root = NULL, *m = NULL;
  if (json_parser_load_from_data (p, summary_json, -1, NULL))
    root = json_parser_get_root (p);
  if (root != NULL && JSON_NODE_HOLDS_OBJECT (root))
    m = json_object_get_member (json_node_get_object (root), "metrics");
  if (m == NULL || !JSON_NODE_HOLDS_OBJECT (m))
    {
      g_set_error (error, FL_ERROR, FL_ERROR_INTERNAL, "replica %u: its "
                   "summary.json has no metrics object", i);
      return false;
    }
  JsonObject *mo = json_node_get_object (m);
  g_autoptr (JsonGenerator) gen = json_generator_new ();
  json_generator_set_root (gen, m);
  g_autofree char *metrics = json_generator_to_data (gen, NULL);
  const SweepPoint *pt = sweep_plan_point (plan, i);
  uint64_t seed = sweep_plan_seed (plan, i);
  g_autofree char *dir = sweep_replica_dir (NULL, pt, seed);

  pthread_mutex_lock (&db->lock);
  bool ok = db->insert != NULL
            || sweep_db_prepare_insert (db, plan, mo, error);
  if (ok)
    {
      sqlite3_stmt *st = db->insert;
      int k = 1;
      sqlite3_reset (st);
      sqlite3_clear_bindings (st);
      sqlite3_bind_text (st, k++, pt->name, -1, SQLITE_TRANSIENT);
      sqlite3_bind_int64 (st, k++, (sqlite3_int64) seed);
      sqlite3_bind_text (st, k++, dir, -1, SQLITE_TRANSIENT);
      for (size_t a = 0; a < plan->n_axes; a++)
        sweep_db_bind_value (st, k++, pt->values[a]);
      for (guint c = 0; c < db->metric_cols->len; c++, k++)
        {
          JsonNode *n = json_object_get_member (mo, db->metric_cols->pdata[c]);
          if (n != NULL && JSON_NODE_HOLDS_VALUE (n)
              && (json_node_get_value_type (n) == G_TYPE_INT64
                  || json_node_get_value_type (n) == G_TYPE_DOUBLE))
            sqlite3_bind_double (st, k, json_node_get_double (n));
          else
            sqlite3_bind_null (st, k);
        }
      sqlite3_bind_text (st, k, metrics, -1, SQLITE_TRANSIENT);
      if (sqlite3_step (st) != SQLITE_DONE)
        ok = sweep_db_fail (db, "recording a replica", error);
      sqlite3_reset (st);
    }
  pthread_mutex_unlock (&db->lock);
  return ok;
}

bool
sweep_db_has_replica (SweepDb *db, const SweepPlan *plan, unsigned i)
{
  pthread_mutex_lock (&db->lock);
  bool found = false;
  sqlite3_stmt *st = NULL;
  if (db->have_replicas
      && sqlite3_prepare_v2 (db->db, "SELECT 1 FROM replicas WHERE point = ? "
                             "AND seed = ?", -1, &st, NULL) == SQLITE_OK)
    {
      sqlite3_bind_text (st, 1, sweep_plan_point (plan, i)->name, -1,
                         SQLITE_STATIC);
      sqlite3_bind_int64 (st, 2, (sqlite3_int64) sweep_plan_seed (plan, i));
      found = sqlite3_step (st) == SQLITE_ROW;
    }
  sqlite3_finalize (st);
  pthread_mutex_unlock (&db->lock);
  return found;
}

bool
sweep_db_transaction (SweepDb *db, bool commit, GError **error)
{
  pthread_mutex_lock (&db->lock);
  bool ok = sweep_db_exec (db, commit ? "COMMIT;" : "BEGIN;", error);
  pthread_mutex_unlock (&db->lock);
  return ok;
}

static void
sweep_db_bind_number (sqlite3_stmt *st, int k, double v)
{
  if (isfinite (v))
    sqlite3_bind_double (st, k, v);
  else
    sqlite3_bind_null (st, k);
}

bool
sweep_db_set_point_stats (SweepDb *db, const SweepPlan *plan,
                          const char *const *metrics, size_t n_metrics,
                          const SweepStats *stats, GError **error)
{
  pthread_mutex_lock (&db->lock);
  sqlite3_stmt *st = NULL;
  bool ok = sweep_db_exec (db, "BEGIN; DELETE FROM point_stats;", error);
  if (ok && sqlite3_prepare_v2 (db->db, "INSERT INTO point_stats VALUES "
                                "(?, ?, ?, ?, ?, ?, ?, ?, ?)", -1, &st, NULL)
            != SQLITE_OK)
    ok = sweep_db_fail (db, "preparing the point statistics", error);
  for (guint p = 0; ok && p < plan->points->len; p++)
    for (size_t k = 0; ok && k < n_metrics; k++)
      {
        const SweepPoint *pt = g_ptr_array_index (plan->points, p);
        const SweepStats *s = &stats[p * n_metrics + k];
        sqlite3_reset (st);
        sqlite3_bind_text (st, 1, pt->name, -1, SQLITE_STATIC);
        sqlite3_bind_text (st, 2, metrics[k], -1, SQLITE_STATIC);
        sqlite3_bind_int64 (st, 3, (sqlite3_int64) s->n);
        sweep_db_bind_number (st, 4, s->mean);
        sweep_db_bind_number (st, 5, s->sd);
        sweep_db_bind_number (st, 6, s->min);
        sweep_db_bind_number (st, 7, s->max);
        sweep_db_bind_number (st, 8, s->ci95_low);
        sweep_db_bind_number (st, 9, s->ci95_high);
        if (sqlite3_step (st) != SQLITE_DONE)
          ok = sweep_db_fail (db, "writing the point statistics", error);
      }
  sqlite3_finalize (st);
  if (ok)
    ok = sweep_db_exec (db, "COMMIT;", error);
  else
    sqlite3_exec (db->db, "ROLLBACK;", NULL, NULL, NULL);
  pthread_mutex_unlock (&db->lock);
  return ok;
}
