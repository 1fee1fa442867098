/* models/swf.h - reader of the Standard Workload Format (SWF) of the
 * Parallel Workloads Archive (Feitelson et al.), scaled onto the simulated
 * cluster as WorkloadJob records (models/workload.h).
 *
 * Format: ';' lines are header comments ("; MaxProcs: 1024" is parsed when
 * present); every other non-blank line holds 18 whitespace-separated
 * fields: 1 job number, 2 submit time (s), 3 wait time, 4 run time (s),
 * 5 allocated processors, 6 average CPU time, 7 used memory, 8 requested
 * processors, 9 requested time (s), 10 requested memory, 11 status, 12 user
 * id, 13 group id, 14 executable, 15 queue, 16 partition, 17 preceding job,
 * 18 think time. -1 means unknown. Not a writer, and it does not replay
 * the trace's own waits: the simulated scheduler decides those. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <glib.h>

G_BEGIN_DECLS

#define SWF_ERROR (swf_error_quark ())
GQuark swf_error_quark (void);
typedef enum
{
  SWF_ERROR_IO,        /* cannot read the file */
  SWF_ERROR_PARSE,     /* a malformed line (message: "file:LINE: ...") */
  SWF_ERROR_INVALID,   /* a bad option */
} SwfError;

typedef struct
{
  uint32_t processors_per_node; /* processors -> nodes: ceil (p / ppn); 8 */
  double time_scale;            /* multiplies submit, run, requested times */
  uint32_t max_nodes;           /* larger jobs are capped to it; 0 = none */
  bool keep_cancelled;          /* keep status 0 and 5 jobs (default skip) */
  bool lenient;                 /* skip (and count) malformed lines */
  int32_t priority;             /* given to every job */
  bool preemptible;
  double restart_s;             /* given to every job */
} SwfOptions;

void swf_options_init (SwfOptions *opt);

typedef struct
{
  uint32_t lines;             /* lines read, header included */
  uint32_t header_lines;
  uint32_t jobs;              /* jobs appended */
  uint32_t skipped_malformed; /* lenient mode only */
  uint32_t skipped_cancelled; /* status 0/5 without keep_cancelled */
  uint32_t skipped_unusable;  /* no run or requested time, no processors,
                                 or zero run time */
  uint32_t capped;            /* jobs whose nodes were capped to max_nodes */
  uint32_t first_malformed_line; /* 0 if none */
  int64_t max_procs;          /* header MaxProcs, -1 if absent */
  int64_t max_nodes;          /* header MaxNodes, -1 if absent */
} SwfStats;

/* Appends the jobs of `path` to jobs_out (a GArray of WorkloadJob), in file
 * order, with id = the SWF job number, submit_s = submit * time_scale,
 * work_h = run time (or, if unknown, requested time) * time_scale / 3600,
 * est_runtime_s = requested time (or run time) * time_scale, nodes from the
 * allocated (or requested) processors. stats may be NULL. On error nothing
 * is appended and *error says "file:LINE: expected 18 fields, found 7" or
 * "file:LINE: field 4 (run time): 'abc' is not a number". A file without
 * a single usable job (empty, header-only, all cancelled) is an error too;
 * swf_load_data() accepts it. */
bool swf_load (const char *path, const SwfOptions *opt, GArray *jobs_out,
               SwfStats *stats, GError **error);

/* Same, from memory; `name` is used in messages. */
bool swf_load_data (const char *data, size_t len, const char *name,
                    const SwfOptions *opt, GArray *jobs_out, SwfStats *stats,
                    GError **error);

G_END_DECLS
