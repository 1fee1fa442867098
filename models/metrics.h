/* models/metrics.h - what a run measures, as plain data.
 *
 * The world (world.c) fills a Metrics while it runs; lib/results.c writes it
 * out (summary.json, timeseries.csv, interruptions.csv, jobs.csv). Times are
 * in hours unless a field's name says otherwise. Strings are owned by the
 * Metrics (freed by metrics_free). */
#pragma once

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>

/* Node states as an operator sees them (the health policy's states). The
 * order is the column order of timeseries.csv. */
#define METRICS_NODE_STATES 9
extern const char *const metrics_node_state_names[METRICS_NODE_STATES];
/* "healthy", "suspect", "cordoned", "draining", "remediating", "in_repair",
 * "burn_in", "quarantined", "down" ("down": failed, not yet noticed) */

typedef struct
{
  double t_h;                  /* simulated hours since start */
  uint32_t healthy_gpus;       /* GPUs on nodes that are up and schedulable */
  uint32_t nodes[METRICS_NODE_STATES];
  uint32_t running_jobs;
  uint32_t queued_jobs;
  uint32_t spares_free;        /* hot spares idle */
  double fabric_bw_lost;       /* fraction of uplink bandwidth lost, 0..1 */
  double main_job_progress;    /* largest job: work done / work, 0..1 (NaN: none) */
  double main_job_ettr;        /* largest job: ETTR so far (NaN: not started) */
} MetricsSample;

typedef struct
{
  double t_h;            /* when the job was interrupted */
  char *job;             /* job name */
  char *component;       /* operator name of the failed component */
  char *cause;           /* field-data category, e.g. "Faulty GPU" */
  char *mode;            /* failure mode, e.g. "faulty_gpu" */
  double lost_gpu_hours; /* work since the last checkpoint x GPUs + restart */
  double detect_minutes; /* failure to first policy action, NaN if none */
} MetricsInterruption;

typedef struct
{
  char *name;
  uint32_t id;
  uint32_t nodes;
  uint32_t gpus;
  double submit_h;
  double first_start_h;  /* NaN when it never started */
  double end_h;          /* NaN when it did not complete */
  double work_h;         /* failure-free runtime it needs */
  double productive_h;   /* work done and kept (checkpointed or final) */
  double lost_h;         /* work lost to interruptions */
  double restart_h;      /* restart overhead paid */
  double checkpoint_h;   /* blocking checkpoint time paid */
  double queue_h;        /* waiting after submit and after interruptions */
  double slowdown_h;     /* extra step time from a degraded fabric */
  uint32_t interruptions;
  uint32_t preemptions;
  bool completed;
  double ettr;           /* productive / wall since first start, NaN if never started */
} MetricsJob;

typedef struct
{
  char *cause;
  uint64_t count;
} MetricsCause;

/* A scenario job's completion time (summary.json job_completion_hours). */
typedef struct
{
  char *job;             /* job{} name */
  double hours;          /* submit -> completion; NaN when it did not complete */
} MetricsJobTime;

typedef struct
{
  /* the run */
  double sim_hours;
  uint64_t events;
  /* the cluster */
  uint32_t nodes, gpus, switches, links;
  /* headline metrics (docs/results.md defines each) */
  double ettr;                 /* mean over jobs that started, weighted by GPUs */
  double goodput;              /* productive GPU-hours / (GPUs x sim_hours) */
  double gpu_availability;     /* time-average of healthy_gpus / gpus */
  uint64_t interruptions;      /* job interruptions by failures (not preemption) */
  GArray *interruptions_by_cause; /* MetricsCause, in field-data order */
  uint64_t failures;           /* component failures the failure model drew
                                * (interrupting or not); not a script's fail() */
  GArray *failures_by_cause;   /* MetricsCause, of the same failures */
  uint64_t failures_scripted;  /* component failures a script's fail() caused */
  /* the main job: the job{} marked main = true, else the largest job{}
   * (most nodes, the first on a tie); none without job{} */
  char *main_job;              /* its name, or NULL */
  double main_job_ettr;        /* its ETTR, NaN when none or never started */
  uint64_t main_job_interruptions;
  double main_job_lost_hours;  /* its work lost + restart overhead paid, hours */
  double main_job_completion_hours; /* submit -> completion, NaN when not done */
  GArray *job_completion_hours; /* MetricsJobTime per job{}, in scenario order */
  double mtti_hours;           /* the main job's running hours / its interruptions, or NaN */
  double mttr_hours;           /* mean failure -> back in service */
  double lost_gpu_hours;
  uint64_t jobs_completed;
  uint64_t jobs_submitted;
  double queue_wait_hours_p50;
  double queue_wait_hours_p99;
  double detection_latency_minutes_p50;
  double spares_exhausted_hours; /* time with no hot spare left */
  double fabric_slowdown_gpu_hours; /* GPU-hours lost to slow steps */
  uint64_t failures_averted;   /* degrading parts repaired before they failed */
  uint64_t policy_actions;
  uint64_t tickets;
  /* series and tables */
  GArray *timeseries;          /* MetricsSample */
  GArray *interruption_rows;   /* MetricsInterruption */
  GArray *job_rows;            /* MetricsJob */
} Metrics;

Metrics *metrics_new (void); /* (transfer full) */
void metrics_free (Metrics *m);
/* Adds one to the count of `cause` in a MetricsCause array. */
void metrics_cause_add (GArray *causes, const char *cause, uint64_t n);
