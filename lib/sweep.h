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
 * Determinism: the aggregates are computed after every replica finished,
 * in (point, seed) order, never in completion order, so they are
 * byte-identical whatever the number of threads (with write_wall_seconds
 * false). Output is atomic: everything is staged in OUT.partial-<pid>
 * (lib/atomicfile.h) and moved into place at the end; on any failure
 * nothing is left. Not here: option parsing of the command line (cli/),
 * progress display (the caller's callback). Errors are in the FL_ERROR
 * domain (faultline.h): fl_error_exit_status() maps them to 2 or 3. */
#pragma once

#include <glib.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The most seeds one --seeds spec may expand to. */
#define SWEEP_MAX_SEEDS 100000

/* One grid axis: a --set key and the values it takes. */
typedef struct
{
  const char *key;
  const char *const *values; /* NULL-terminated, at least one */
} SweepAxis;

/* Called from the thread that called sweep_run() (never from a worker),
 * after each replica finishes: done of total replicas. */
typedef void (*SweepProgressFn) (unsigned done, unsigned total,
                                 void *user_data);

typedef struct
{
  const char *scenario;      /* path of the .lua; required */
  const char *const *sets;   /* NULL-terminated NAME=VALUE for every point */
  const SweepAxis *axes;     /* n_axes grid axes (0: one point, "base") */
  size_t n_axes;
  const uint64_t *seeds;     /* n_seeds >= 1, distinct, ascending */
  size_t n_seeds;
  const char *output_dir;    /* required; must not exist, or be empty */
  unsigned threads;          /* worker threads, >= 1 */
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

/* Checks the options (output folder, every grid point loads: an unknown
 * key or a bad value is FL_ERROR_INPUT naming the point), runs every
 * replica on a pool of opt->threads threads, aggregates and moves the
 * output folder into place. On failure (the first failed replica in
 * (point, seed) order is reported, naming its point and seed) nothing is
 * left behind. */
bool sweep_run (const SweepOptions *opt, GError **error);
