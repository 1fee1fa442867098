/* lib/sweep-int.h - what the lib/sweep*.c files share and nothing else
 * includes: the plan of a sweep (its points, seeds and shard), the sweep
 * id, the shard record (shard.json), the aggregation and the results
 * database. The contract of every file is docs/sweep.md.
 *
 * A replica is an index i in [0, plan->total): point i / n_seeds, seed
 * seeds[i % n_seeds] ((point, seed) order, the first axis slowest). Shard
 * k of N (1-based) owns the replicas with i % N == k - 1: round-robin, so
 * every shard gets a share of every point. */
#pragma once

#include <glib.h>
#include <json-glib/json-glib.h>
#include <stdbool.h>
#include <stdint.h>

#include "sweep.h"

/* The name of the shard record in a sweep or shard folder. */
#define SWEEP_SHARD_FILE "shard.json"

typedef struct
{
  char *name;     /* folder name, unique */
  char **values;  /* one per axis, NULL-terminated */
  char **sets;    /* plan sets then KEY=VALUE per axis, NULL-terminated */
} SweepPoint;

/* Everything that decides which replicas a sweep has and how they run.
 * Owns all its memory. */
typedef struct
{
  char *version;          /* faultline version that planned it */
  char *scenario;         /* the path as given */
  char *scenario_sha256;  /* hex SHA-256 of the scenario file's bytes */
  char **sets;            /* NULL-terminated, never NULL */
  SweepAxis *axes;        /* n_axes, keys and values owned */
  size_t n_axes;
  uint64_t *seeds;        /* n_seeds, ascending */
  size_t n_seeds;
  bool plots, pcap, write_wall_seconds;
  unsigned shard, shards; /* 1 <= shard <= shards */
  char *id;               /* hex SHA-256, see sweep_plan_id() */
  GPtrArray *points;      /* SweepPoint *, row-major */
  unsigned total;         /* replicas of the whole sweep */
} SweepPlan;

/* ---- lib/sweep-plan.c ---- */

/* Plans the sweep of opt: reads the scenario file (for its hash), builds
 * the points. Errors: FL_ERROR_INPUT (unreadable scenario, too many
 * replicas). Returns: (transfer full). */
SweepPlan *sweep_plan_new (const SweepOptions *opt, GError **error);
void sweep_plan_free (SweepPlan *plan);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (SweepPlan, sweep_plan_free)

/* The sweep id: hex SHA-256 (GChecksum) of the faultline version, the
 * scenario path and the SHA-256 of its text, the --set values, the grid and
 * the seeds, each length-prefixed. Independent of the shard, the threads
 * and the output options. Returns: (transfer full). */
char *sweep_plan_id (const SweepPlan *plan);

static inline SweepPoint *
sweep_plan_point (const SweepPlan *plan, unsigned i)
{
  return g_ptr_array_index (plan->points, i / plan->n_seeds);
}

static inline uint64_t
sweep_plan_seed (const SweepPlan *plan, unsigned i)
{
  return plan->seeds[i % plan->n_seeds];
}

/* Whether replica i belongs to the plan's shard. */
static inline bool
sweep_plan_owns (const SweepPlan *plan, unsigned i)
{
  return i % plan->shards == plan->shard - 1;
}

/* root/<point>/seed-N, or <point>/seed-N when root is NULL. Returns:
 * (transfer full). */
char *sweep_replica_dir (const char *root, const SweepPoint *pt,
                         uint64_t seed);

/* The shard record, DIR/shard.json: the plan plus how far the shard got. */
typedef struct
{
  bool complete;        /* every replica of the shard is done */
  double wall_seconds;  /* spent running it, over every resume; NaN: not
                           recorded (--no-wall-seconds) */
} SweepShardState;

/* Writes DIR/shard.json atomically. */
bool sweep_shard_write (const char *dir, const SweepPlan *plan,
                        const SweepShardState *st, GError **error);
/* Reads DIR/shard.json and checks that its id matches its fields.
 * Returns: (transfer full) the plan (points built), or NULL with
 * FL_ERROR_INPUT naming the file: absent (*absent set to true when given),
 * not JSON, a field missing or of the wrong type, an id that does not
 * match. */
SweepPlan *sweep_shard_read (const char *dir, SweepShardState *st,
                             bool *absent, GError **error);

/* Writes text to dir/name atomically; errors as FL_ERROR_INPUT. */
bool sweep_write_file (const char *dir, const char *name, const char *text,
                       size_t len, GError **error);

/* ---- lib/sweep-db.c: DIR/results.sqlite ---- */

typedef struct SweepDb SweepDb;

/* Opens (creates) dir/results.sqlite and its tables for the plan: the
 * sweep row, one row per point with its params. Returns: (transfer full). */
SweepDb *sweep_db_open (const char *dir, const SweepPlan *plan,
                        GError **error);
/* Closes; NULL is a no-op. */
void sweep_db_close (SweepDb *db);
/* Records replica i from its summary.json text, in one transaction;
 * INSERT OR REPLACE, so recording a replica twice leaves one row.
 * Thread-safe (one lock per database). */
bool sweep_db_add_replica (SweepDb *db, const SweepPlan *plan, unsigned i,
                           const char *summary_json, GError **error);
/* Opens (commit false) or commits one transaction around many calls. */
bool sweep_db_transaction (SweepDb *db, bool commit, GError **error);
/* Whether replica i has its row. */
bool sweep_db_has_replica (SweepDb *db, const SweepPlan *plan, unsigned i);
/* Replaces the point_stats rows, in one transaction. stats[k] is the
 * statistic of metrics[k] at point p (n_metrics per point). */
bool sweep_db_set_point_stats (SweepDb *db, const SweepPlan *plan,
                               const char *const *metrics, size_t n_metrics,
                               const SweepStats *stats, GError **error);

/* ---- lib/sweep.c: sweep_stats as a stream ---- */

/* sweep_stats (sweep.h) over values that arrive one at a time, in two
 * passes: sweep_acc_add1 for each value, then sweep_acc_add2 for each of
 * the same values in the same order, then sweep_acc_stats. The same
 * operations in the same order as sweep_stats (which is built on these),
 * so the same bits. Non-finite values are skipped. sweep_acc_mean is
 * valid after the first pass. Zero-initialise. */
typedef struct
{
  size_t n;
  double sum, ss, min, max;
} SweepAcc;

void sweep_acc_add1 (SweepAcc *a, double x);
double sweep_acc_mean (const SweepAcc *a);
void sweep_acc_add2 (SweepAcc *a, double x);
void sweep_acc_stats (const SweepAcc *a, SweepStats *out);

/* ---- lib/sweep-aggregate.c ---- */

/* Reads every replica's root/<point>/seed-N/summary.json and writes into
 * root: sweep.csv, each <point>/summary.json, plots/ettr.* (with a grid),
 * the point rows of db (when not NULL) and sweep.json last. wall_s is
 * written as wall_seconds (null when the plan does not record it). */
bool sweep_aggregate (const SweepPlan *plan, const char *root, SweepDb *db,
                      double wall_s, GError **error);
