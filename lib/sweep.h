/* lib/sweep.h - many replicas of one scenario: a grid of --set values
 * times a set of seeds, run in parallel threads, then aggregated.
 *
 * Each replica is an ordinary run (fl_run_new + fl_run_execute, the code
 * path of `faultline run`) writing OUT/<point>/seed-N/; the aggregates are
 * OUT/sweep.json (per grid point and numeric metric: n, mean, sd, min, max,
 * 95% CI of the mean, Student t), OUT/sweep.csv (one row per replica),
 * OUT/<point>/summary.json (metrics = means, plus "replicas", the form
 * `faultline compare` reads, docs/ci.md) and, with a grid, a gnuplot plot
 * of ETTR against the first grid key. The contract of every file is
 * docs/sweep.md.
 *
 * Shards: shard K of N runs the replicas i with i % N == K - 1 (i in
 * (point, seed) order) and writes only them, OUT/shard.json and
 * OUT/results.sqlite; sweep_merge() gathers N shards into the folder one
 * unsharded sweep writes. A sweep id (SHA-256 of the scenario, its --set
 * values, grid, seeds and the faultline version) in shard.json tells the
 * sweeps apart.
 *
 * Determinism: the aggregates are computed after every replica finished,
 * in (point, seed) order, never in completion order, from the replicas'
 * summary.json files, so they are byte-identical whatever the number of
 * threads, the sharding or the resumes (with write_wall_seconds false).
 *
 * Crash safety and resume: each replica folder appears whole or not at
 * all (fl_run_execute's atomic folder), and its results.sqlite row is one
 * transaction; a sweep run again into the same OUT skips the replicas
 * whose folder exists. sweep.json is written last: its presence marks a
 * finished sweep. Not here: option parsing of the command line (cli/),
 * progress display (the caller's callback). Errors are in the FL_ERROR
 * domain (faultline.h): fl_error_exit_status() maps them to 2 or 3. */
#pragma once

#include <glib.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "faultline.h"

/* The most seeds one --seeds spec may expand to. */
#define SWEEP_MAX_SEEDS 100000

/* One grid axis: a --set key and the values it takes. */
typedef struct
{
  const char *key;
  const char *const *values; /* NULL-terminated, at least one */
} SweepAxis;

/* Where a sweep (or shard) stands, for a progress display. */
typedef struct
{
  unsigned done;         /* replicas finished, those resumed included */
  unsigned total;        /* replicas of this shard */
  unsigned resumed;      /* replicas found finished before this run */
  unsigned points_done;  /* points whose replicas (in this shard) are done */
  unsigned points;       /* points with a replica in this shard */
  unsigned threads;      /* worker threads running */
  double busy_seconds;   /* summed wall time of the replicas run so far */
} SweepProgressInfo;

/* Called from the thread that called sweep_run() (never from a worker):
 * once before the first replica, then after each replica finishes. */
typedef void (*SweepProgressFn) (const SweepProgressInfo *info,
                                 void *user_data);

typedef struct
{
  const char *scenario;      /* path of the .lua; required */
  const char *const *sets;   /* NULL-terminated NAME=VALUE for every point */
  const SweepAxis *axes;     /* n_axes grid axes (0: one point, "base") */
  size_t n_axes;
  const uint64_t *seeds;     /* n_seeds >= 1, distinct, ascending */
  size_t n_seeds;
  const char *output_dir;    /* required: absent, empty, or this sweep's
                                (resumed) */
  unsigned threads;          /* worker threads, >= 1 */
  unsigned shard, shards;    /* run shard `shard` of `shards` (1-based);
                                0/0 means 1/1, the whole sweep */
  bool fresh;                /* start over: remove the replicas of an
                                earlier sweep in output_dir first */
  bool plots;                /* per-replica plots (off in sweeps) */
  bool pcap;                 /* per-replica fabric.pcap (off in sweeps) */
  bool write_wall_seconds;   /* false: byte-identical outputs */
  SweepProgressFn progress;  /* NULL: none */
  void *progress_data;
} SweepOptions;

/* Statistics of one metric over the replicas of a point: NaN values (null
 * in summary.json: not measured) are left out and n counts the rest. sd is
 * the sample standard deviation (n - 1); sd and the CI are NaN when n < 2,
 * everything is NaN when n == 0. ci95 = mean -+ t(0.975, n-1) sd / sqrt(n). */
typedef struct
{
  size_t n;
  double mean, sd, min, max, ci95_low, ci95_high;
} SweepStats;

void sweep_stats (const double *x, size_t n, SweepStats *out);

/* Parses a seed spec: "N", "A-B" (inclusive, A <= B) or a comma-separated
 * list of those ("1-4,10"). Appends the seeds (guint64) to `seeds` sorted
 * ascending. Errors (FL_ERROR_INPUT) name the spec and the bad part: not a
 * number, a backward range (5-1), a duplicate, more than SWEEP_MAX_SEEDS,
 * a seed above INT64_MAX. */
bool sweep_parse_seeds (const char *spec, GArray *seeds, GError **error);

/* Parses a grid spec "KEY=V1,V2,...". Returns: (transfer full) the key in
 * *key and the values in *values. Errors (FL_ERROR_INPUT) name the spec: no
 * '=', an empty key, an empty list or an empty value, a duplicate value. */
bool sweep_parse_axis (const char *spec, char **key, char ***values,
                       GError **error);

/* The folder name of a grid point: "KEY=VALUE" pairs joined by ',', bytes
 * other than [A-Za-z0-9._+=-] replaced by '_'; "base" without axes.
 * values[i] is the value of axes[i]. Returns: (transfer full). */
char *sweep_point_name (const SweepAxis *axes, size_t n_axes,
                        const char *const *values);

/* Parses "K/N" (1 <= K <= N <= SWEEP_MAX_SHARDS) into *shard, *shards.
 * Errors (FL_ERROR_INPUT) name the text. */
#define SWEEP_MAX_SHARDS FL_SWEEP_MAX_SHARDS
bool sweep_parse_shard (const char *spec, unsigned *shard, unsigned *shards,
                        GError **error);

/* Checks the options (the output folder: absent, empty or holding this
 * very sweep and shard; every grid point of the shard loads: an unknown
 * key or a bad value is FL_ERROR_INPUT naming the point), runs the
 * replicas of the shard not yet done on opt->threads threads, recording
 * each as it ends, then (unsharded) aggregates. A replica that fails stops
 * the sweep (the first failed one in (point, seed) order is reported,
 * naming its point and seed); if this call created the output folder, it
 * is removed, otherwise the finished replicas stay for a resume. */
bool sweep_run (const SweepOptions *opt, GError **error);

/* Merges shard folders (each written by sweep_run with --shard K/N, all of
 * one sweep, every K from 1 to N exactly once, each complete) into out,
 * which must not exist or be empty: the replica folders (hard links where
 * possible, else copies), shard.json (as 1/1), results.sqlite and the
 * aggregates, byte-identical to an unsharded sweep's but for wall times.
 * out appears whole or not at all. Errors (FL_ERROR_INPUT) name the shard
 * folders and numbers: of another sweep, missing, duplicated, unfinished.
 * wait_s > 0: while a shard is missing or unfinished, poll every few
 * seconds for up to wait_s seconds before failing. */
bool sweep_merge (const char *out, const char *const *shard_dirs,
                  size_t n_dirs, double wait_s, GError **error);
