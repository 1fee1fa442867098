/* lib/results.h - writes a run's results: summary.json, the CSV tables,
 * events.jsonl and trace.json.
 *
 * The contract of every file (keys, columns, units) is docs/results.md; the
 * schema of summary.json is docs/summary.schema.json. Every file is written
 * atomically (lib/atomicfile.h). This module formats; it computes no metric
 * (the world fills Metrics) and it does not choose the output folder (the
 * caller passes the staging folder of an AtomicDir). */
#pragma once

#include <glib.h>
#include <json-glib/json-glib.h>
#include <stdbool.h>
#include <stdint.h>

#include "metrics.h"
#include "simtime.h"
#include "world.h"

#define RESULTS_ERROR (results_error_quark ())
GQuark results_error_quark (void);
typedef enum
{
  RESULTS_ERROR_INVALID, /* a bad ResultsRunInfo field (names it) */
  RESULTS_ERROR_IO,      /* a file could not be written */
} ResultsError;

/* One --set / param() value of the run, echoed in summary.json "params". */
typedef struct
{
  const char *name;  /* e.g. "spares" or "cluster.nodes" */
  const char *json;  /* the value as JSON text: "64", "\"topology\"", "true" */
} ResultsParam;

typedef struct
{
  const char *faultline_version; /* FL_VERSION */
  const char *scenario;          /* path of the scenario as given */
  const char *scenario_name;     /* short name (trace title); NULL: basename */
  uint64_t seed;                 /* <= INT64_MAX (JSON integers are int64) */
  const ResultsParam *params;    /* n_params entries, in the order to write */
  size_t n_params;
  /* wall_seconds is the one field that differs between two identical runs:
   * false writes "wall_seconds": null so the file is byte-identical across
   * runs (golden files); `faultline compare` ignores it either way. */
  bool write_wall_seconds;
  double wall_seconds;           /* wall-clock seconds of the run (lib/ measures it) */
  /* summary.json "remediation" (lib/sla.h), written after "metrics";
   * NULL: not written. (transfer none) */
  JsonNode *remediation;
  /* The scenario's defaults of the params that a --set changed, written as
   * "param_defaults" after "params" when n_param_defaults > 0 (so a run
   * without --set keeps the same file). */
  const ResultsParam *param_defaults;
  size_t n_param_defaults;
  /* summary.json "workload_trace" (what an SWF trace gave: jobs, skipped
   * records), written last; NULL: not written (no trace). (transfer none) */
  JsonNode *workload_trace;
  /* jobs.csv was written as the run went (results_jobs_open with
   * world_set_job_rows): results_write leaves it alone. */
  bool jobs_streamed;
} ResultsRunInfo;

/* Writes summary.json, timeseries.csv, interruptions.csv, jobs.csv (from
 * m->job_rows, unless info->jobs_streamed) and interruptions_by_cause.csv
 * into dir (created if needed), each atomically. Same info + Metrics ->
 * byte-identical files. */
bool results_write (const char *dir, const ResultsRunInfo *info,
                    const Metrics *m, GError **error);

/* The text of summary.json. Returns: (transfer full) or NULL with
 * RESULTS_ERROR_INVALID (a param that is not JSON, a seed above
 * INT64_MAX). */
char *results_summary_json (const ResultsRunInfo *info, const Metrics *m,
                            GError **error);

/* Serialises a JSON tree with fixed formatting: members in insertion order,
 * two-space indentation when pretty (one line otherwise), doubles in the
 * shortest form that reads back to the same double ("%.15g", else "%.16g",
 * else "%.17g"), non-finite doubles as null. json-glib 1.6's own generator
 * prints 1e-300 as "1e-300.0" (not JSON), hence this. Returns: (transfer
 * full), with a final newline when pretty. */
char *results_json_to_string (JsonNode *node, bool pretty);
/* Adds member `name` = v to the object being built; NaN/inf become null. */
void results_json_add_number (JsonBuilder *b, const char *name, double v);

/* Formats a double as results_json_to_string does, into buf (>= 32 bytes);
 * non-finite values give "" (the CSV convention: empty = not measured). */
const char *results_format_double (double v, char *buf, size_t len);
/* Room results_num_put() needs at p: it touches at most this many bytes
 * (the text itself is at most 24). */
#define RESULTS_NUM_ROOM 40
/* Writes the text results_format_double() gives for v at p, with no
 * final NUL, and returns its end (p itself for a non-finite v): the row
 * writers format straight into their output buffer. */
char *results_num_put (char *p, double v);
/* Writes the decimal digits of v at p (at most 20) and returns the end. */
char *results_num_put_u64 (char *p, uint64_t v);
/* The same text by printf and strtod (up to three of each): the definition
 * results_format_double computes faster (lib/results-num.c), kept as the
 * reference its test compares against. */
const char *results_format_double_slow (double v, char *buf, size_t len);

/* ---- jobs.csv, a row per job as the jobs end ---- */

typedef struct ResultsJobs ResultsJobs;

/* Starts dir/jobs.csv (written to a temporary name: nothing appears at
 * that name before results_jobs_close) with its header. Returns:
 * (transfer full) or NULL with error. */
ResultsJobs *results_jobs_open (const char *dir, GError **error);
/* A WorldJobRowFn (world_set_job_rows); user_data is the ResultsJobs. A
 * write error is kept and reported by results_jobs_close(). */
void results_jobs_row (const MetricsJob *row, void *user_data);
/* Commits the file into place and frees j (in every case). */
bool results_jobs_close (ResultsJobs *j, GError **error);
/* Discards the file and frees j. NULL is a no-op. */
void results_jobs_abort (ResultsJobs *j);

/* ---- events.jsonl: one JSON object per world event ---- */

typedef struct ResultsEvents ResultsEvents;

/* Starts dir/events.jsonl (written to a temporary name). Returns: (transfer
 * full) or NULL with error. */
ResultsEvents *results_events_open (const char *dir, GError **error);
/* A WorldListenerFn; user_data is the ResultsEvents. A write error is kept
 * and reported by results_events_close(). */
void results_events_listener (const WorldEvent *ev, void *user_data);
/* Commits the file into place and frees e (in every case). */
bool results_events_close (ResultsEvents *e, GError **error);
/* Discards the file and frees e. NULL is a no-op. */
void results_events_abort (ResultsEvents *e);

/* ---- trace.json: Chrome / Perfetto trace-event format ---- */

typedef struct ResultsTrace ResultsTrace;

/* Starts the trace at path; title names the run in the viewer (NULL:
 * "faultline"). Returns: (transfer full) or NULL with error. */
ResultsTrace *results_trace_open (const char *path, const char *title,
                                  GError **error);
/* A WorldListenerFn; user_data is the ResultsTrace. */
void results_trace_listener (const WorldEvent *ev, void *user_data);
/* Closes the spans still open at `end` (the run length), commits the file
 * into place and frees t (in every case). */
bool results_trace_close (ResultsTrace *t, SimTime end, GError **error);
/* Discards the trace and frees t. NULL is a no-op. */
void results_trace_abort (ResultsTrace *t);
