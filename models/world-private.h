/* models/world-private.h - the WorldConfig layout, shared by config.c and
 * world.c only (and tests). Everything else goes through world.h. */
#pragma once

#include "world.h"

typedef struct
{
  uint64_t cb;
  SimTime first;
  SimTime period; /* 0 for at() */
} WorldTimerReg;

typedef struct
{
  WorldEventKind kind;
  uint64_t cb;
} WorldOnReg;

typedef struct
{
  char *mode;
  char *key;
  WorldValue v; /* v.str owned */
} WorldFailureOverride;

typedef struct
{
  char *key;   /* "check_period_s" (without the "health." prefix) */
  char *value; /* as text */
} WorldKV;

struct WorldConfig
{
  /* cluster */
  char *cluster_preset;
  double cluster_gpus, cluster_nodes, cluster_gpus_per_node, cluster_rails;
  double cluster_su_size, cluster_radix, cluster_oversubscription;
  double cluster_tiers, cluster_nodes_per_rack, cluster_racks_per_row;
  char *cluster_ibnet;
  double cluster_spares, cluster_technicians, cluster_spare_parts;
  double cluster_rma_lead_time;   /* s */
  double cluster_restock_time;    /* s */
  double cluster_burnin_time;     /* s */
  /* failures */
  char *failures_source;
  double failures_scale, failures_lemon_fraction, failures_lemon_multiplier;
  double failures_precursor_fraction, failures_precursor_lead;
  GArray *failure_overrides;      /* WorldFailureOverride */
  /* policy */
  char *policy_health, *policy_sched, *policy_health_plugin;
  char *policy_degraded_nodes;    /* drain, use, when-short */
  GArray *health_kv, *sched_kv;   /* WorldKV */
  WorldHealthFactoryFn health_factory; /* NULL: by name or plugin */
  void *health_factory_data;      /* borrowed */
  /* workload */
  double workload_research_rate, workload_research_max_nodes;
  char *workload_research_sizes;      /* "NODES[:WEIGHT],..." or "" */
  char *workload_research_duration;   /* distribution name */
  double workload_research_mean;      /* s */
  double workload_research_sd;        /* s, lognormal only */
  char *workload_trace;
  bool workload_trace_lenient;
  double workload_trace_time_scale;
  /* run */
  double run_length, run_sample_every;
  bool run_events; /* deliver checkpoint events */
  /* jobs and scripted events */
  GArray *jobs;                   /* WorldJobSpec, name owned */
  GArray *timers;                 /* WorldTimerReg */
  GArray *ons;                    /* WorldOnReg */
};

WorldConfig *world_config_copy (const WorldConfig *cfg);
/* Suggests the closest of `candidates` (NULL-terminated) to `word`, or NULL
 * when nothing is close. */
const char *world_suggest (const char *word, const char *const *candidates);
