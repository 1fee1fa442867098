/* faultline.h - the public C API of libfaultline (pkg-config: faultline).
 *
 * Embeds the simulator in-process: load a scenario, set parameters and a
 * seed, run it, read the metrics, write the usual output folder. The
 * `faultline` binary is a client of exactly this API. docs/embedding.md has
 * a complete example.
 *
 *   FlRunOptions o;
 *   fl_run_options_init (&o);
 *   o.scenario = "scenarios/llama3-16k.lua";
 *   o.seed = 7;
 *   FlRun *run = fl_run_new (&o, &error);
 *   if (run && fl_run_execute (run, &error))
 *     printf ("ettr %.3f\n", fl_run_metric (run, "ettr"));
 *   fl_run_free (run);
 *
 * Errors are GErrors in the FL_ERROR domain; fl_error_exit_status() maps
 * them to the exit statuses of the command line (2 bad input, 3 internal). */
#pragma once

#include <glib.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

G_BEGIN_DECLS

#define FAULTLINE_API_VERSION 1

/* Marks the public API: libfaultline.so is built with hidden visibility
 * and exports exactly the functions declared FL_API (tests/test_exports.sh
 * checks it with nm -D). */
#if defined(__GNUC__) || defined(__clang__)
#define FL_API __attribute__ ((visibility ("default")))
#else
#define FL_API
#endif

#define FL_ERROR (fl_error_quark ())
FL_API GQuark fl_error_quark (void);
typedef enum
{
  FL_ERROR_INPUT,    /* bad scenario, option, file: exit status 2 */
  FL_ERROR_INTERNAL, /* exit status 3 */
} FlError;

/* Progress callback: simulated seconds done and total, events so far. */
typedef void (*FlProgressFn) (double sim_s, double total_s, uint64_t events,
                              void *user_data);

typedef struct
{
  const char *scenario;        /* path of the scenario (.lua); required */
  uint64_t seed;               /* default 1 */
  const char *const *sets;     /* NULL-terminated "NAME=VALUE" overrides */
  const char *output_dir;      /* NULL: write nothing (metrics in memory) */
  bool events;                 /* write events.jsonl */
  const char *trace_path;      /* write a Perfetto trace here (NULL: none) */
  bool pcap;                   /* write fabric.pcap (default true) */
  bool plots;                  /* render plots with gnuplot (default true) */
  bool write_wall_seconds;     /* default true; false: byte-identical summaries */
  size_t lua_mem_limit;        /* bytes; 0 = default (256 MiB) */
  uint64_t lua_budget;         /* Lua VM instructions; 0 = default */
  FlProgressFn progress;       /* NULL: none */
  void *progress_data;
  bool health_events;          /* write health_events.jsonl */
  const char *metrics_path;    /* write OpenMetrics here (NULL: none) */
  double metrics_interval_s;   /* its scrape interval; 0 = 240 s */
  bool allow_plugins;          /* the scenario may load native code (its
                                * policy{plugin=}); default false: only a
                                * policy.health_plugin in sets is loaded */
} FlRunOptions;

FL_API void fl_run_options_init (FlRunOptions *opt);

typedef struct FlRun FlRun;

/* Loads the scenario and builds the cluster. Returns: (transfer full), or
 * NULL with an FL_ERROR naming the file and line, the option or value. */
FL_API FlRun *fl_run_new (const FlRunOptions *opt, GError **error);
FL_API void fl_run_free (FlRun *run); /* NULL is a no-op */

/* Runs to the scenario's end and writes the output folder, if any,
 * atomically: on failure nothing is left behind. */
FL_API bool fl_run_execute (FlRun *run, GError **error);

/* A headline metric of summary.json's "metrics" by key ("ettr", "goodput",
 * "interruptions", "mtti_hours", ...). NaN for an unknown key or before
 * fl_run_execute. */
FL_API double fl_run_metric (const FlRun *run, const char *key);
/* The interruption count of one cause ("Faulty GPU"), 0 if none. */
FL_API uint64_t fl_run_interruptions_by_cause (const FlRun *run, const char *cause);
/* The text of summary.json (after fl_run_execute). Returns: (transfer
 * none), valid until fl_run_free. */
FL_API const char *fl_run_summary_json (FlRun *run);
/* The output folder actually written (after fl_run_execute), or NULL. */
FL_API const char *fl_run_output_dir (const FlRun *run);
/* The scenario's short name (file stem). */
FL_API const char *fl_run_scenario_name (const FlRun *run);
/* The scenario's i-th param() in declaration order: its name, the value
 * in effect as JSON text (after --set), its help text ("" when none).
 * Returns false past the last one. All (transfer none), valid until
 * fl_run_free. */
FL_API bool fl_run_param (const FlRun *run, size_t i, const char **name,
                   const char **value_json, const char **help);

/* One row of the metric table (lib/metrictab.h): what a key of
 * summary.json's "metrics" means and how it is shown and judged. */
typedef struct
{
  const char *name;        /* "ettr" */
  const char *label;       /* "ETTR" */
  const char *unit;        /* "0..1", "count", "h", "min", "GPU-h" */
  const char *better;      /* "higher", "lower" or "info" (never judged) */
  double tolerance_pct;    /* default compare tolerance (NaN for info) */
  bool headline;           /* one of the few numbers a summary shows */
  const char *description; /* one line */
} FlMetricInfo;

/* The i-th metric of summary.json's "metrics", in file order. Returns
 * false past the last. Strings are static. */
FL_API bool fl_metric_info (size_t i, FlMetricInfo *info);
/* Metric NAME's value v rounded for a person with its unit ("91.23 %",
 * "3.10 h", "1,234 GPU-h"; "-" when not measured). NULL for an unknown
 * name. Returns: (transfer full). */
FL_API char *fl_metric_format (const char *name, double v);

/* Exit status for an error: 2 for FL_ERROR_INPUT, 3 otherwise. */
FL_API int fl_error_exit_status (const GError *error);

/* The library's version ("0.1.0"). */
FL_API const char *fl_version (void);

/* The folder of the shipped scenarios (scenarios/) and the Lua library
 * (lua/): $FAULTLINE_DATADIR if set; the source tree for a library run
 * from its build folder; otherwise the installed data folder, found
 * relative to the library itself (so a relocated prefix works), else the
 * configured $prefix/share/faultline. An installed faultline never reads a
 * source checkout. Returns: (transfer none), static. */
FL_API const char *fl_data_dir (void);
/* The default scenario, llama3-16k.lua of fl_data_dir(). Returns:
 * (transfer full). */
FL_API char *fl_default_scenario (void);
/* Finds a scenario: an existing file as given; else a shipped scenario of
 * that name ("spares.lua" or "spares") in fl_data_dir()/scenarios. A
 * folder, or a name found nowhere, is FL_ERROR_INPUT naming where it
 * looked. Returns: (transfer full) the path, or NULL. */
FL_API char *fl_scenario_find (const char *name, GError **error);

/* ---- Topology: what `faultline topo` prints ---- */

/* A fabric built from parameters, a scenario's cluster{} or an
 * ibnetdiscover file (models/topo.h, docs/models.md). */
typedef struct FlTopology FlTopology;

typedef struct
{
  uint32_t nodes;           /* > 0 */
  uint32_t gpus_per_node;   /* default 8 */
  uint32_t rails;           /* NICs per node = leaves per SU; default 8 */
  uint32_t su_size;         /* nodes per scalable unit; default 32 */
  uint32_t radix;           /* switch ports, even, >= 4; default 64 */
  double oversubscription;  /* leaf down/up ratio, >= 1; default 1 */
  uint32_t tiers;           /* 0 automatic, or 2 or 3 */
  uint32_t planes;          /* 0 automatic, 1 one fabric, rails: per rail */
} FlTopologyParams;

/* Fills the defaults above (nodes 0: set it). */
FL_API void fl_topology_params_init (FlTopologyParams *p);
/* A rail-optimised fat tree; an impossible one is FL_ERROR_INPUT. */
FL_API FlTopology *fl_topology_new (const FlTopologyParams *p, GError **error);
/* The cluster{} of a scenario, with its param() defaults. */
FL_API FlTopology *fl_topology_from_scenario (const char *scenario, GError **error);
/* An ibnetdiscover dump; gpus_per_node 0 = the default. */
FL_API FlTopology *fl_topology_from_ibnet (const char *path, uint32_t gpus_per_node,
                                           GError **error);
/* Writes the fabric in FORMAT "text" (an aligned table), "json", "dot"
 * (graphviz) or "ibnetdiscover"; inventory adds every component's name
 * (text and json). A write error (a full disk, a closed pipe) or an
 * unknown format is FL_ERROR_INPUT. */
FL_API bool fl_topology_write (const FlTopology *t, const char *format, bool inventory,
                               FILE *out, GError **error);
FL_API void fl_topology_free (FlTopology *t); /* NULL is a no-op */

/* ---- Benchmarks: what `faultline bench` measures (docs/performance.md) ---- */

typedef struct
{
  uint32_t lps;             /* L, default 10,000 */
  uint32_t population;      /* M, events per LP at start; default 16 */
  double end;               /* T in mean delays; default 100 */
  uint64_t seed;            /* default 1 */
  const char *queue;        /* "radix" (NULL: default), "heap", or
                             * "reference" (a plain binary heap) */
} FlPholdParams;

typedef struct
{
  const char *queue;        /* the queue's name (static) */
  uint64_t events;          /* events handled */
  double seconds;           /* wall time of the event loop */
  double cpu_seconds;       /* user + sys CPU time of the event loop */
  double events_per_s;
  long maxrss_kb;           /* peak resident set after the run */
} FlPholdResult;

FL_API void fl_phold_params_init (FlPholdParams *p);
/* Runs PHOLD (Fujimoto) on the kernel; bad parameters are FL_ERROR_INPUT. */
FL_API bool fl_bench_phold (const FlPholdParams *p, FlPholdResult *r, GError **error);

typedef struct
{
  uint32_t gpus, nodes, radix, switches;
  uint64_t links;
  double seconds;           /* building the topology and its fabric state */
  size_t bytes;             /* their memory */
  long maxrss_kb;
} FlTopoBenchResult;

/* Times building a fat tree of GPUS and its fabric state; radix 0 picks
 * 64, doubled up to 256 until the cluster fits. */
FL_API bool fl_bench_topo (uint32_t gpus, uint32_t gpus_per_node, uint32_t radix,
                           FlTopoBenchResult *r, GError **error);

/* ---- Progress lines: what long commands print on stderr ----
 * (docs/cli.md, "Progress"). On a terminal one line rewritten in place at
 * most once a second; in a log (not a terminal) a full line at most every
 * 5 s, and always the last one. The wall clock is read here, never by the
 * simulation. */

typedef struct FlProgress FlProgress;

/* TTY: stderr is a terminal (isatty). Returns: (transfer full). */
FL_API FlProgress *fl_progress_new (bool tty);
FL_API void fl_progress_free (FlProgress *p); /* NULL is a no-op */
G_DEFINE_AUTOPTR_CLEANUP_FUNC (FlProgress, fl_progress_free)
/* An FlProgressFn for FlRunOptions.progress (PROGRESS: the FlProgress):
 * "run: 12.3 / 54.0 simulated days (23%), 412,345 events, elapsed 4 s,
 * eta 13 s". */
FL_API void fl_progress_run (double sim_s, double total_s, uint64_t events,
                             void *progress);
/* Ends the line rewritten on a terminal (a newline, if a line was
 * printed); nothing in a log. NULL is a no-op. */
FL_API void fl_progress_end (FlProgress *p);

/* ---- Sweeps: what `faultline sweep`, `merge`, `slurm` and `k8s` do ----
 *
 * Many replicas of one scenario: seeds times a grid of --set values, run
 * in parallel threads (each an ordinary run writing OUT/<point>/seed-N/),
 * then aggregated into OUT/sweep.json, sweep.csv, results.sqlite and
 * <point>/summary.json; byte-identical whatever the threads, shards or
 * resumes. A sweep run again into the same folder resumes. docs/sweep.md
 * is the contract of every file; docs/cluster.md the cluster jobs. */

/* The most shards a sweep may be cut into. */
#define FL_SWEEP_MAX_SHARDS 100000

typedef struct
{
  const char *scenario;      /* a file, or a shipped scenario's name
                              * (fl_scenario_find); NULL: the default */
  const char *seeds;         /* "N", "A-B" or a list ("1-4,10"); NULL: "1" */
  const char *const *sets;   /* NULL-terminated NAME=VALUE for every point */
  const char *const *grid;   /* NULL-terminated axes "NAME=V1,V2,...": the
                              * points are their product */
  const char *shard;         /* "K/N": only shard K of N; NULL: all */
  const char *output_dir;    /* NULL: results/SCENARIO-sweep */
  unsigned threads;          /* replicas run at once; 0: the CPUs */
  bool fresh;                /* remove an earlier sweep's replicas first */
  bool plots;                /* each replica's plots (default off) */
  bool pcap;                 /* each replica's fabric.pcap (default off) */
  bool write_wall_seconds;   /* default true; false: byte-identical files */
} FlSweepOptions;

/* Fills the defaults above. */
FL_API void fl_sweep_options_init (FlSweepOptions *opt);

typedef struct FlSweep FlSweep;

/* Checks the options: the seed spec, the shard, every NAME=VALUE, every
 * axis (a key given twice, or both fixed and swept, is refused), and finds
 * the scenario. Nothing is run or written. Returns: (transfer full), or
 * NULL with FL_ERROR_INPUT naming the option and the text at fault. */
FL_API FlSweep *fl_sweep_new (const FlSweepOptions *opt, GError **error);
FL_API void fl_sweep_free (FlSweep *s); /* NULL is a no-op */
G_DEFINE_AUTOPTR_CLEANUP_FUNC (FlSweep, fl_sweep_free)
/* The scenario found and the output folder in effect. Returns: (transfer
 * none), valid until fl_sweep_free. */
FL_API const char *fl_sweep_scenario (const FlSweep *s);
FL_API const char *fl_sweep_output_dir (const FlSweep *s);
/* Replicas of the whole sweep (all shards): seeds x grid points. */
FL_API unsigned long fl_sweep_replicas (const FlSweep *s);
/* The shard this sweep runs: *shard of *shards (1 of 1 unsharded). */
FL_API void fl_sweep_shard (const FlSweep *s, unsigned *shard,
                            unsigned *shards);
/* Runs the replicas of the shard not yet done and (unsharded) aggregates.
 * Every grid point is loaded first: an unknown key or a bad value is
 * FL_ERROR_INPUT naming the point. A replica that fails stops the sweep
 * (the first failed one in (point, seed) order is reported); a folder
 * this call created is removed, finished replicas in an older one stay
 * for a resume. PROGRESS: lines on stderr, or NULL. */
FL_API bool fl_sweep_execute (FlSweep *s, FlProgress *progress,
                              GError **error);
/* After fl_sweep_execute: a table of each point's mean ETTR and its 95%
 * CI, then where the results are. NULL when the sweep has no sweep.json
 * (a shard). Returns: (transfer full). */
FL_API char *fl_sweep_format_summary (const FlSweep *s);

/* Merges the folders of shards 1..N of one sweep (each complete) into
 * OUTPUT_DIR (new or empty), byte-identical to an unsharded sweep's but
 * for wall times, whole or not at all. Shards of another sweep, missing,
 * duplicated or unfinished are FL_ERROR_INPUT naming them. WAIT_S > 0:
 * while a shard is missing or unfinished, poll for up to WAIT_S seconds
 * before failing. */
FL_API bool fl_sweep_merge (const char *output_dir,
                            const char *const *shard_dirs, size_t n_dirs,
                            double wait_s, GError **error);

/* A sweep as cluster jobs: shards `faultline sweep ... --shard K/N -o
 * SHARDS/shard-K` and a merge job. Only the text: nothing is submitted. */
typedef struct
{
  unsigned shards;          /* N; 0: min(replicas, 100) */
  const char *shards_dir;   /* NULL: OUT.shards */
  const char *name;         /* job name; NULL: faultline-SCENARIO */
  const char *faultline;    /* the binary the jobs run; NULL: faultline */
  const char *workdir;      /* the jobs' folder; NULL: the current one
                             * (Slurm), /results (Kubernetes) */
  unsigned parallel;        /* shards at once; 0: no limit */
  const char *partition;    /* Slurm; NULL: the cluster's default */
  const char *time_limit;   /* Slurm, as sbatch --time; NULL: default */
  const char *image;        /* Kubernetes: required */
  const char *claim;        /* Kubernetes; NULL: faultline-results */
  double merge_wait_s;      /* Kubernetes: merge --wait; default 7 days */
} FlClusterOptions;

/* Fills the defaults above. */
FL_API void fl_cluster_options_init (FlClusterOptions *c);
/* A POSIX sh script that, run on a Slurm login node, submits a job array
 * of the shards and the merge job (--dependency=afterok). Paths and names
 * that would go into the script unsafely (blanks, quotes, '$'...), or more
 * shards than replicas, are FL_ERROR_INPUT. Returns: (transfer full). */
FL_API char *fl_sweep_slurm (const FlSweep *s, const FlClusterOptions *c,
                             GError **error);
/* Two Kubernetes Jobs (YAML): an Indexed Job of the shards and a merge Job
 * that waits for them, both mounting the claim at workdir. Errors as
 * fl_sweep_slurm. Returns: (transfer full). */
FL_API char *fl_sweep_k8s (const FlSweep *s, const FlClusterOptions *c,
                           GError **error);

/* ---- Options: what `faultline help options` lists ----
 * Every value a scenario or --set gives, from the one table of each owner
 * (the world's config, failure_mode(), the health policy, the scheduler).
 */

typedef enum
{
  FL_OPTION_CONFIG,       /* a config key: --set KEY=VALUE, or cluster{},
                           * failures{}, policy{}, workload{}, run{} */
  FL_OPTION_NUMBER,       /* another number a scenario gives: job{KEY},
                           * at(t), every(dt, ...), ... */
  FL_OPTION_FAILURE_MODE, /* a key of failure_mode(name, {KEY = VALUE}) */
  FL_OPTION_HEALTH,       /* --set health.KEY=VALUE */
  FL_OPTION_SCHED,        /* --set sched.KEY=VALUE */
} FlOptionGroup;

typedef struct
{
  FlOptionGroup group;
  const char *key;           /* "cluster.spares", "mtbf", "health.KEY" */
  const char *type;          /* "number", "string", "bool"; "" for health
                              * and sched keys (their unit says) */
  const char *unit;          /* "s" (a duration), "h", "count"...; "" */
  const char *default_value; /* as text; NULL: none */
  const char *help;          /* a paragraph */
  const char *accepts;       /* what it takes, as a sentence ("whole
                              * [0, 1e+07] s (or 0); --set takes ...",
                              * "one of: a, b"); NULL: not stated */
} FlOptionInfo;

/* The i-th option: config keys (their table's order), the other numbers,
 * the failure_mode() keys (in the order they are applied), the health
 * parameters (defaults of the standard policy), the scheduler's. Returns
 * false past the last. Strings are static. */
FL_API bool fl_option_info (size_t i, FlOptionInfo *info);

/* ---- Comparing runs: what `faultline compare` does (docs/ci.md) ----
 *
 * Two runs (summary.json files or run folders) metric by metric, or two
 * sweep folders point by point, each metric judged against its tolerance
 * (the metric table's defaults, `faultline help metrics`); with replicas
 * a regression is a whole 95% Welch interval worse than the tolerance.
 * Reads files and formats text; prints nothing. Errors are FL_ERROR_INPUT
 * naming the file or the text at fault. */

typedef enum
{
  FL_COMPARE_TABLE,    /* aligned columns, then the regressions named */
  FL_COMPARE_JSON,     /* every row, machine-readable */
  FL_COMPARE_MARKDOWN, /* tables to post as a pull-request comment */
  FL_COMPARE_JUNIT,    /* JUnit XML: one test case per metric */
} FlCompareFormat;

/* Parses "table", "json", "markdown" (or "md"), "junit"; anything else is
 * FL_ERROR_INPUT listing them. */
FL_API bool fl_compare_format_parse (const char *name, FlCompareFormat *out,
                                     GError **error);

/* The tolerances of a comparison: the metric table's defaults until set. */
typedef struct FlCompareOptions FlCompareOptions;

/* Returns: (transfer full), never NULL. */
FL_API FlCompareOptions *fl_compare_options_new (void);
FL_API void fl_compare_options_free (FlCompareOptions *opt); /* NULL: no-op */
/* Sets one tolerance from "METRIC=PCT" (PCT a non-negative number, an
 * optional '%'): the allowed worsening in % of the baseline. A bad text or
 * an unknown metric (the valid ones listed) is FL_ERROR_INPUT. */
FL_API bool fl_compare_options_set_tolerance (FlCompareOptions *opt,
                                              const char *spec,
                                              GError **error);

typedef struct FlComparison FlComparison;

/* Compares CANDIDATE with BASELINE: two runs, or two sweep folders when
 * either path holds a sweep.json (docs/sweep.md, "Comparing two sweeps").
 * OPT NULL: default tolerances. Returns: (transfer full), or NULL with
 * FL_ERROR_INPUT (a missing or malformed file, a sweep compared with a
 * run, two sweeps without a point in common). */
FL_API FlComparison *fl_compare (const char *baseline, const char *candidate,
                                 const FlCompareOptions *opt, GError **error);
/* Whether a metric (of a point) got worse than its tolerance: the exit
 * status 1 of `faultline compare`. */
FL_API bool fl_comparison_regression (const FlComparison *c);
/* Warnings about two runs that differ in scenario or params (none for two
 * sweeps): the count, and the i-th one. Returns: (transfer none), valid
 * until fl_comparison_free; NULL past the last. Every format carries
 * them too. */
FL_API size_t fl_comparison_n_warnings (const FlComparison *c);
FL_API const char *fl_comparison_warning (const FlComparison *c, size_t i);
/* The comparison as text in FORMAT (docs/ci.md shows each). Returns:
 * (transfer full). */
FL_API char *fl_comparison_format (const FlComparison *c,
                                   FlCompareFormat format);
FL_API void fl_comparison_free (FlComparison *c); /* NULL is a no-op */
G_DEFINE_AUTOPTR_CLEANUP_FUNC (FlComparison, fl_comparison_free)

/* ---- Plots and reports: `faultline plot` and `faultline report` ----
 * (docs/plots-and-report.md). gnuplot is run as a program, found at run
 * time: without it the data files and scripts are still written and the
 * result says so (a warning, not an error). */

typedef struct
{
  const char *gnuplot; /* the program; NULL: $FAULTLINE_GNUPLOT if set,
                        * else gnuplot on PATH */
  bool no_png;         /* skip the PNG files */
  bool no_svg;         /* skip the SVG files */
} FlPlotOptions;

typedef struct
{
  unsigned gnuplot_missing; /* renders that found no gnuplot (data files
                             * and scripts only) */
  unsigned rendered;        /* plots rendered */
} FlPlotResult;

/* Renders the plots of run folder DIR (its CSV files) into DIR/plots/:
 * NAME.dat, NAME.gp, NAME.png and NAME.svg, each written to a temporary
 * name and renamed into place. OPT NULL: PNG and SVG with the default
 * gnuplot. RES (may be NULL) is filled even on failure. A folder without
 * timeseries.csv, a malformed CSV (named with its line), an unwritable
 * DIR/plots or a failing gnuplot is FL_ERROR_INPUT. */
FL_API bool fl_plot_render (const char *dir, const FlPlotOptions *opt,
                            FlPlotResult *res, GError **error);

typedef struct
{
  const char *output;  /* the page to write; NULL: DIR/report.html, or
                        * compare.html in CANDIDATE's folder */
  bool plots;          /* render each run folder's plots first (PNG, as
                        * fl_plot_render); false: inline those already in
                        * DIR/plots. Default true */
} FlReportOptions;

/* Fills the defaults above. */
FL_API void fl_report_options_init (FlReportOptions *opt);
/* Writes the self-contained HTML page (no external resource of any kind)
 * of run folder DIR (its headline numbers, changed params, plots and
 * details) or of sweep folder DIR (every point's metrics with 95% CIs and
 * the sweep's plots), atomically. An existing output that is not a
 * faultline report is never replaced. A missing or malformed
 * summary.json, sweep.json or CSV, a failing gnuplot or an unwritable
 * output is FL_ERROR_INPUT. RES (may be NULL) is filled even on failure. */
FL_API bool fl_report_write (const char *dir, const FlReportOptions *opt,
                             FlPlotResult *res, GError **error);
/* The page of fl_compare (BASELINE, CANDIDATE) with default tolerances:
 * the verdicts, the warnings, both sides' plots side by side. Written
 * whatever the verdict. Errors as fl_report_write. */
FL_API bool fl_report_write_compare (const char *baseline,
                                     const char *candidate,
                                     const FlReportOptions *opt,
                                     FlPlotResult *res, GError **error);

/* ---- Replay: what `faultline replay` does (docs/fabric-data.md) ----
 *
 * A packet capture of a fabric's subnet-management traffic (ibdump's ERF
 * pcap, raw InfiniBand pcap, or a run's fabric.pcap) fed to a health
 * policy in simulated time: each change of a link's state becomes the
 * observation the simulator would give the policy, traps 129-131 become
 * IB_TRAP observations, and the policy's timers run in the same time.
 * What cannot be used is counted, never fatal; nothing usable at all is
 * FL_ERROR_INPUT. The mapping rules are lib/replay.h's. */

typedef struct
{
  const char *capture;        /* the pcap file */
  const char *fabric;         /* ibnetdiscover file, or NULL */
  const char *scenario;       /* scenario (its fabric, policy, length), or NULL */
  const char *const *sets;    /* NAME=VALUE for the scenario, NULL-terminated,
                                 or NULL */
  const char *policy;         /* a built-in health policy instead of the
                                 scenario's, or NULL */
  const char *compare_policy; /* a second built-in policy, or NULL */
  double until_s;             /* run the policies' timers until this time
                                 (s); < 0: the scenario's run length, or the
                                 last record's time without a scenario */
} FlReplayOptions;

/* One decision of a policy. */
typedef struct
{
  double time_s;
  const char *policy;    /* the policy's name (owned by the replay) */
  const char *action;    /* "disable_port", "open_ticket", ... (static) */
  const char *component; /* link or node name (owned by the replay) */
  const char *reason;    /* static */
} FlReplayDecision;

/* What the capture held and what was done with it. */
typedef struct
{
  uint64_t records;       /* records in the capture */
  uint64_t traps;         /* traps read (any number) */
  uint64_t portinfo;      /* PortInfo responses read */
  uint64_t changes;       /* link state changes fed to the policy */
  uint64_t repeated;      /* PortInfo repeating its link's state (the
                             other end, a re-sweep) */
  uint64_t trap_obs;      /* traps 129-131 fed to the policy */
  uint64_t unknown_lid;   /* records from a LID the fabric does not have */
  uint64_t unknown_port;  /* a known switch, a port with no link */
  uint64_t wrong_type;    /* ERF records that are not InfiniBand */
  uint64_t corrupt;       /* bad packets (length, CRC) */
  uint64_t other;         /* other packets (data, other MADs) */
  uint64_t directed;      /* directed-route responses (no LID) */
  uint64_t out_of_order;  /* records earlier than the one before (fed at
                             the later time) */
  bool truncated;         /* the file ends inside a record */
  double first_s, last_s; /* time of the first and last record used */
  double until_s;         /* timers ran until this time */
  uint32_t links, nodes;  /* of the fabric */
} FlReplayCounts;

typedef struct FlReplay FlReplay;

/* Reads, maps and replays. Returns: (transfer full), or NULL with error
 * (FL_ERROR domain, lib/faultline.h): FL_ERROR_INPUT for an unreadable or
 * foreign file, a bad scenario or fabric, an unknown policy, or a capture
 * with nothing usable (the message gives the counts). */
FL_API FlReplay *fl_replay_run (const FlReplayOptions *opt, GError **error);
FL_API void fl_replay_free (FlReplay *r); /* NULL is a no-op */
G_DEFINE_AUTOPTR_CLEANUP_FUNC (FlReplay, fl_replay_free)

/* What the capture held. Returns: (transfer none), valid until
 * fl_replay_free. */
FL_API const FlReplayCounts *fl_replay_counts (const FlReplay *r);
/* The policies replayed: [0] the main one, [1] the compared one or NULL. */
FL_API const char *fl_replay_policy (const FlReplay *r, int which);
/* Decisions of policy WHICH (0 or 1), in time order. Returns:
 * (transfer none) an array of FlReplayDecision. */
FL_API const GArray *fl_replay_decisions (const FlReplay *r, int which);

/* Human-readable report: counts, then the decisions (side by side
 * differences when two policies ran). Returns: (transfer full). */
FL_API char *fl_replay_format (const FlReplay *r);
/* Writes DIR/decisions.csv (policy,time_s,action,component,reason) and
 * DIR/replay.json (counts, policies, decisions per action), atomically
 * (the folder appears complete or not at all). */
FL_API bool fl_replay_write (const FlReplay *r, const char *dir,
                             GError **error);

/* ---- Alert-rule tests: what `faultline promtest` does ----
 *
 * A `promtool test rules` file whose input series are a simulated run's
 * OpenMetrics series and whose expected alerts are what the rules fire on
 * them, for a person to review and keep (docs/monitoring.md, "Testing
 * alert rules"). promtool is run (it must be installed); how the file is
 * made is lib/promtest.h's. */

typedef struct
{
  const char *rules;      /* the Prometheus rule file (YAML) */
  const char *run;        /* an OpenMetrics file, or a run folder holding
                             metrics.om (and summary.json, for the title) */
  const char *output;     /* the promtool test file to write */
  const char *promtool;   /* promtool's path; NULL: "promtool" on PATH */
  int64_t eval_every_ms;  /* probe step, a whole number of minutes;
                             0: 1 minute, the
                             rules' evaluation interval */
} FlPromtestOptions;

typedef struct
{
  uint64_t samples;       /* samples read from the OpenMetrics file */
  uint32_t series;        /* input series written */
  uint32_t alerts;        /* alerting rules */
  uint32_t cases;         /* alert_rule_test cases written */
  uint32_t firing_cases;  /* of which expect at least one alert */
  int64_t interval_ms;    /* the scrape interval found */
  int64_t span_ms;        /* first to last sample */
} FlPromtestResult;

/* Writes opt->output. FALSE with an FL_ERROR naming the file and line, the
 * option or the program when it cannot. */
FL_API bool fl_promtest (const FlPromtestOptions *opt, FlPromtestResult *res,
                         GError **error);

G_END_DECLS
