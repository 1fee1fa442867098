/* models/workload.h - synthetic workloads: a few fixed big training jobs
 * plus a Poisson stream of research jobs.
 *
 * A Workload turns a WorkloadSpec and a seed into jobs, in submit order.
 * Draws use sim/rng.h streams keyed by ("workload", purpose), so the same
 * (spec, seed) always gives the same jobs, whatever else the run draws.
 * Not a scheduler (policy/sched.h) and not a job executor (models/world):
 * it only says what is submitted, when, and how much work it carries.
 * SWF traces (models/swf.h) produce the same WorkloadJob records.
 * Defaults and their derivation: docs/scheduling.md. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <glib.h>

#include "dist.h"

G_BEGIN_DECLS

#define WORKLOAD_ERROR (workload_error_quark ())
GQuark workload_error_quark (void);
typedef enum
{
  WORKLOAD_ERROR_INVALID,
} WorkloadError;

typedef struct Workload Workload;

/* One job as submitted. Units are in the field names. */
typedef struct
{
  uint32_t id;               /* unique, in submit order (big jobs first) */
  const char *name;          /* interned (g_intern_string): never freed */
  double submit_s;           /* seconds since run start */
  uint32_t nodes;            /* gang size */
  double work_h;             /* failure-free runtime, hours */
  double est_runtime_s;      /* user's estimate (backfill); <= 0 unknown */
  int32_t priority;          /* higher first */
  bool preemptible;
  double checkpoint_every_s; /* compute time between checkpoints; 0 none */
  double checkpoint_cost_s;  /* blocking save time */
  double restart_s;          /* restart overhead (re-init, load) */
  double comm_share;         /* fraction of step time in communication */
} WorkloadJob;

/* A fixed big job (pre-training run). */
typedef struct
{
  const char *name; /* copied */
  uint32_t nodes;
  double work_h;
  double submit_s;
  double checkpoint_every_s;
  double checkpoint_cost_s;
  double restart_s;
  double comm_share;
  int32_t priority;
  bool preemptible;
} WorkloadBigJob;

/* The research-job stream. */
typedef struct
{
  double rate_per_h;          /* Poisson arrival rate; 0 = no stream */
  double start_s, horizon_s;  /* arrivals in [start_s, horizon_s);
                                 horizon INFINITY = unbounded (lazy) */
  size_t n_sizes;             /* empirical size table: node counts */
  const uint32_t *size_nodes; /* (copied) */
  const double *size_weight;  /* relative weights, > 0 (copied) */
  Dist duration_h;            /* failure-free runtime, hours (copied) */
  double est_factor;          /* est_runtime = factor * work; <= 0 none */
  uint32_t max_nodes;         /* sizes above are clipped; 0 = no cap */
  int32_t priority;
  bool preemptible;
  double checkpoint_every_s, checkpoint_cost_s, restart_s, comm_share;
} WorkloadResearch;

typedef struct
{
  const WorkloadBigJob *big; /* (copied) */
  size_t n_big;
  WorkloadResearch research;
} WorkloadSpec;

/* Fills the research stream with the documented defaults (field-data.md
 * §2.1: RSC-1 arrival rate and size mix; see docs/scheduling.md) and no
 * big jobs. The size table points at static storage; duration_h is a
 * lognormal (no table, so no dist_clear needed). */
void workload_spec_init (WorkloadSpec *spec);

/* The default size table (static storage). */
void workload_default_sizes (const uint32_t **nodes, const double **weight,
                             size_t *n);

/* Returns: (transfer full) or NULL with *error set naming the bad field
 * (a big job with 0 nodes, a negative rate, an empty or negative size
 * table, a bad comm_share, horizon before start...). */
Workload *workload_new (const WorkloadSpec *spec, uint64_t seed,
                        GError **error);
void workload_free (Workload *w);

/* The next job in submit order (ties: big jobs first, then by id).
 * Returns false when there are no more. */
bool workload_next (Workload *w, WorkloadJob *out);

G_END_DECLS
