/* models/world-int.h - the world's private state, shared by its modules.
 *
 * Like Lua's lstate.h: one struct World made of one sub-struct per module,
 * every field documented where it is defined, read and written by the
 * modules world*.c (and tests) and by nobody else: everything outside
 * models/world*.c goes through world.h. Each module owns its sub-struct
 * (it initialises, changes and frees it); another module may read it, and
 * changes it only through the owner's functions declared at the end.
 *
 *   core   world.c          new/free/run, the module table, the clock of the run
 *   bus    world-bus.c      listeners, script hooks, notes: the event stream
 *   faults world-faults.c   failure streams, lemons, precursors, effects on
 *                           nodes/rails/links/switches/domains, hardware repair
 *   sensor world-sensor.c   what a fault shows the policy (observations, checks)
 *   care   world-care.c     the health policy: observations in, actions out,
 *                           their durations, tickets, technicians, parts, RMA
 *   jobs   world-jobs.c     the scheduler: jobs, phases, checkpoints,
 *                           interruptions, maintenance drains, spares
 *          world-workload.c where the jobs come from: scenario jobs, SWF
 *                           traces, the research workload
 *   nodes  world-nodes.c    node availability: hardware state + policy state
 *                           -> the scheduler's pool
 *   meter  world-meter.c    metrics, samples, the summary
 *   script world-script.c   the scenario API: fail, repair, degrade, at, every...
 *
 * Units: SimTime is microseconds of simulated time; *_h fields are hours,
 * *_s seconds, *_ms milliseconds (the policies' clock). docs/architecture.md
 * draws who may call whom. */
#pragma once

#include "world.h"

#include "fabric.h"
#include "failure.h"
#include "faulttrace.h"
#include "metrics.h"
#include "names.h"
#include "rng.h"
#include "sim.h"
#include "stats.h"
#include "topo.h"
#include "workload.h"

/* ==== the configuration (config.c fills it; world_new copies it) ==== */

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
  double cluster_rows_per_cooling_loop;
  char *cluster_ibnet;
  char *cluster_inventory;          /* kubectl get nodes -o json, or "" */
  char *cluster_inventory_su_label, *cluster_inventory_rack_label;
  char *cluster_inventory_zone_label;
  double cluster_spares, cluster_technicians, cluster_spare_parts;
  double cluster_rma_lead_time;   /* s */
  double cluster_restock_time;    /* s */
  double cluster_burnin_time;     /* s */
  double cluster_reset_gpu_time, cluster_reboot_time, cluster_reimage_time; /* s, means */
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
  /* a published fault trace injected as failures (world-faults.c) */
  char *failure_trace_file;          /* "" = none */
  char *failure_trace_repair;        /* trace, policy */
  GArray *failure_trace_map;         /* WorldKV: trace node id -> node name */
  GArray *failure_trace_classes;     /* WorldKV: Class text -> failure mode */
  double workload_trace_time_scale;
  /* run */
  double run_length, run_sample_every;
  bool run_events; /* deliver checkpoint events */
  /* jobs and scripted events */
  GArray *jobs;                   /* WorldJobSpec, name owned */
  GArray *timers;                 /* WorldTimerReg */
  GArray *ons;                    /* WorldOnReg */
  /* a repair pipeline (world-repair.c); empty: the built-in path */
  GArray *repair_stages;          /* WorldRepairStage, strings owned */
  double repair_misdiagnosis;     /* probability the wrong node is repaired */
};

/* The nodes of the generated fat tree: ceil(cluster.gpus / gpus_per_node)
 * when cluster.gpus > 0, else cluster.nodes. */
guint config_fattree_nodes (const WorldConfig *cfg);
/* Whether the nodes come from a file (cluster.ibnet or cluster.inventory);
 * sets error (and returns true) when both are given. */
bool config_nodes_from_file (const WorldConfig *cfg, GError **error);
/* The index of value in names (NULL-terminated), G_MAXUINT when absent:
 * an ENUM key's value as the module that owns its names maps it. */
guint config_name_index (const char *const *names, const char *value);
/* Suggests the closest of `candidates` (NULL-terminated) to `word`, or NULL
 * when nothing is close. */
const char *world_suggest (const char *word, const char *const *candidates);

/* ==== the run's state ==== */

#define NO_JOB UINT32_MAX   /* jobs_on_node of an idle node; WorldJobs.main_job when none */
#define NO_FAULT UINT32_MAX /* "no mode / no group / always" in fault fields */
#define NO_NODE UINT32_MAX  /* jobs_interrupt_node: no node named */

typedef struct Sched Sched; /* policy/sched.h: only world-jobs.c calls it */

/* Event kinds registered with sim/. Each module registers its own in its
 * init (WorldModule.init) and stores the id in WorldCore.kinds. */
enum
{
  EV_FAIL_AGG,     /* faults: target = mode, data = 0 normal / 1 lemon */
  EV_FAIL_INST,    /* faults: target = mode, data = instance << 20 | draw counter */
  EV_OBSERVE,      /* care: target = slot in pending-observation slab */
  EV_ACTION_DONE,  /* care: target = slot in action slab */
  EV_WAKEUP,       /* care: policy wakeup */
  EV_SCHED,        /* jobs: scheduling pass */
  EV_JOB_PHASE,    /* jobs: target = job */
  EV_JOB_WRITTEN,  /* jobs: target = job: its background checkpoint write ends */
  EV_ARRIVAL,      /* workload: target = job, data = 1 for a research job */
  EV_TIMER,        /* script: target = script timer slot */
  EV_RESTOCK,      /* care: a spare part arrives */
  EV_FALSE_POS,    /* sensor: false-positive check stream */
  EV_HARD_FAIL,    /* faults: a degrading part fails: target = mode, data = instance */
  EV_TRACE,        /* faults: a fault trace's start (data 0) or end (data 1) of
                    * outage or event `target` */
  EV_NODE_RATE,    /* faults: an excess failure of node `target` (set_node_rate) */
  EV_REPAIR_DIAGNOSE, /* repair: node `target`'s fault is diagnosed */
  EV_REPAIR_STAGE, /* repair: a stage on node `target` ends; data = stage |
                    * wrong << 16 | faulty node << 32 */
  EV_N
};

/* The index classes of the world's keyed streams, rng_key_index (seed,
 * class, index, purpose): draws made per component without keeping a
 * stream per component. The values are part of every result: changing one
 * changes the draws (tests/golden). Named streams (rng_stream_init with a
 * component and a purpose: "world"/"misc", a mode's name/"ttf", ...) are
 * named where they are made, in each module's init. */
enum
{
  RNG_CLASS_CHECK_PHASE = 7, /* sensor: node -> its periodic check's phase */
  RNG_CLASS_CHECK_MISS = 8,  /* sensor: node -> a key, ^ the fault time -> missed checks */
  RNG_CLASS_DCGM_PHASE = 9,  /* sensor: node -> its DCGM health watch's poll phase */
  RNG_CLASS_MODE_BASE = 16,  /* faults: + mode index; instance << 20 | k -> k-th ttf */
};

typedef enum
{
  JOB_PENDING, /* not yet submitted */
  JOB_QUEUED,
  JOB_RUNNING,
  JOB_DONE,
} JobState;

typedef enum
{
  PHASE_RESTART,
  PHASE_COMPUTE,
  PHASE_CHECKPOINT,
} JobPhase;

/* policy.degraded_nodes: what happens to a node whose ports the health
 * policy disabled while it still has working rails. */
typedef enum
{
  DEGRADED_DRAIN,      /* never scheduled until repaired */
  DEGRADED_USE,        /* scheduled: jobs run at the remaining rails' bandwidth */
  DEGRADED_WHEN_SHORT, /* scheduled only while a failed job waits for nodes */
} DegradedMode;

/* A job as the world runs it (owned by the jobs module). Its record lives
 * from its creation (PENDING) until it ends (JOB_DONE: completed, or
 * dropped at submission): then its final row goes to the meter
 * (meter_job_row), what the run still needs of it stays in WorldJobs
 * (tally, ended) and the record is freed (jobs.all's slot becomes NULL),
 * except the main job's, which the meter reads to the end. */
typedef struct
{
  const char *name;     /* in WorldJobs.names: outlives the record */
  uint32_t nodes;
  double work_h;        /* INFINITY: until the run ends */
  double submit_h;
  double tau_h;         /* checkpoint interval (compute hours); 0 = Daly */
  double delta_h;       /* checkpoint cost: the blocking part */
  double write_h;       /* background write after it; 0 = durable at once */
  double restart_h;
  double comm_share;
  int32_t priority;
  bool preemptible;
  bool from_scenario;   /* a job{} (summary.json job_completion_hours) */
  bool keep_work;       /* lose_work = false: an interruption keeps the work
                         * done; without checkpoint_every it never checkpoints */
  uint32_t standbys;    /* warm standbys it holds beside its nodes (sched.h) */
  double swap_h;        /* added to a restart on standbys */
  double host_select_h; /* added to a restart through the scheduler */
  double est_runtime_h;
  /* run state */
  JobState state;
  JobPhase phase;
  SimTime phase_start;
  double phase_work0;   /* compute work done in this interval at phase_start */
  double interval_h;    /* work of the current compute interval */
  double slowdown;      /* step-time multiplier, >= 1 */
  double saved_h;       /* work in durable checkpoints */
  bool draining;        /* a graceful checkpoint before planned maintenance */
  SimTime drain_end;    /* when it ends */
  bool writing;         /* a checkpoint is being written in the background */
  double writing_h;     /* the work in it */
  SimTime written_at;   /* when its write ends */
  EvqHandle ev;         /* the pending phase-end event */
  EvqHandle ev_write;   /* the write-end event (EVQ_NONE past the run's end) */
  SimTime queued_since;
  double restart_extra_h; /* added to restart_h in the current restart phase */
  bool restarting;      /* next start is a restart */
  bool waiting_restart; /* stopped by a failure or planned maintenance,
                         * queued for nodes */
  uint32_t *nodes_held; /* copy of the allocation: n_held valid; room for
                         * `nodes` (kept from the first start to the end) */
  uint32_t n_held;
  bool multi_su;        /* spans scalable units: uplink faults slow it */
  FabricTenant *fab;    /* its nodes as the fabric keeps them (fabric.h):
                         * kept across a restart, which changes only the
                         * swapped nodes; NULL before the first start */
  uint32_t n_fab;       /* fab was last given nodes_held[0..n_fab) */
  bool bw_stale;        /* a fabric change may have changed its bandwidth
                         * since it was last computed (WorldJobs.bw_stale) */
  guint run_idx;        /* index in WorldJobs.running while running */
  /* metrics */
  MetricsJob m;
  SimTime running_since;
  double running_h;     /* wall time while allocated */
} Job;

/* One node: its hardware fault (faults), the remediation under way (care),
 * its job (jobs) and its availability (nodes). */
typedef struct
{
  uint32_t fault_mode;  /* index in WorldFaults.modes; NO_FAULT when the hardware is fine */
  int32_t fault_gpu;    /* the GPU at fault, or HEALTH_NO_GPU */
  uint32_t fault_group; /* domain instance for correlated faults, or NO_FAULT */
  SimTime fault_time;   /* when the fault happened */
  bool detected;        /* the policy acted on it */
  bool busy_action;     /* a remediation/diag/burn-in in progress */
  bool in_maintenance;  /* planned maintenance (world_maintenance) */
  bool lemon;           /* drawn once at build: fails failures.lemon_multiplier times as often */
  bool blamed;          /* a job failure pointed at it: excluded until fixed */
  bool avail;           /* schedulable, as last told to the scheduler */
  bool in_service_ok;   /* counted in healthy GPUs */
  uint8_t state;        /* WorldNodeState: the policy's state last seen */
  bool unnoticed;       /* counted in WorldMeter.unnoticed: a fault while
                         * the state last seen is HEALTHY */
  uint8_t rails_disabled; /* ports disabled by the policy (not schedulable) */
  bool may_drain;       /* the policy asked to drain it (a DRAIN action) and
                         * was not yet seen out of DRAINING: only such a node
                         * is asked for its state when its job leaves it
                         * (health.h: ACTION_DONE(DRAIN) answers a DRAIN) */
  EvqHandle pending_fail; /* a degrading part's hard failure (precursors) */
  uint32_t pending_mode;  /* its mode, or NO_FAULT */
  SimTime down_since;   /* for MTTR; -1 while in service */
} NodeRt;

/* A failure mode as the world runs it. */
typedef struct
{
  FlFailureMode *fm;    /* in the world's catalogue */
  TopoKind kind;        /* the kind of instance */
  uint32_t instances;   /* how many components the mode can hit */
  bool aggregated;      /* exponential: one stream per population */
  RngStream rng, pick;  /* aggregated draws: time to failure, which instance */
  RngStream lemon_rng, lemon_pick; /* the same for the lemon population */
  double rate_per_h;    /* per instance; 0 when disabled */
  uint32_t idx;         /* its index in WorldFaults.modes */
} ModeRt;

/* An observation on its way to the policy (care's slab). */
typedef struct
{
  HealthObs obs;
  uint32_t fault_check_node; /* deliver only if this node still has the fault; NO_FAULT: always */
  SimTime fault_time;        /* the fault it reports (NodeRt.fault_time then) */
} PendingObs;

/* An action taking its time (care's slab). */
typedef struct
{
  HealthAction act;
  bool needs_part;
  bool waiting_part;
  bool done_early;  /* a switch ticket whose switch another repair fixed */
} PendingAction;

/* A scripted timer (at/every). */
typedef struct
{
  uint64_t cb;          /* the script's callback id */
  SimTime period;       /* 0 for at() */
} TimerRt;

typedef struct
{
  WorldListenerFn fn;
  void *ud;
} Listener;

/* ---- the sub-structs, one per module ---- */

/* core (world.c): what every module reads. */
typedef struct
{
  WorldConfig *cfg;     /* a copy, owned; read-only after world_new */
  uint64_t seed;        /* the run seed */
  Sim *sim;             /* the kernel: the clock and the event queue */
  uint32_t kinds[EV_N]; /* event kind ids, registered by each module's init */
} WorldCore;

/* The hardware as built (core builds it; faults and care change the
 * per-node and per-link state through their functions). */
typedef struct
{
  Topo *topo;           /* names, adjacency */
  Names *names;         /* the names made so far (core_comp_name) */
  FabricState *fabric;  /* which links and switches are up; bandwidth */
  NodeRt *nodes;        /* n_nodes */
  uint32_t n_nodes;     /* nodes in the cluster */
  uint32_t gpn;         /* GPUs per node */
  uint32_t rails;       /* rails (NICs, node cables) per node */
  uint32_t n_cables, n_uplinks, n_corelinks; /* index limits of the link kinds;
                         * a "health link" index runs over all three in that order */
  uint8_t *link_admin;  /* per node cable: 1 when the policy disabled it */
} WorldHw;

/* faults (world-faults.c): failure streams and the links' hardware state. */
typedef struct
{
  FlFailureCatalog *cat;   /* the catalogue, scaled and overridden (owned) */
  ModeRt *modes;           /* one per catalogue mode, same order */
  uint32_t n_modes;
  uint32_t n_lemons;       /* lemon nodes */
  uint32_t *lemons;        /* the lemon nodes, ascending (n_lemons) */
  uint8_t *link_down;      /* per health link index: 1 when failed (hardware) */
  EvqHandle *link_pending; /* per node cable: a degrading cable's failure */
  uint32_t *link_fault_mode; /* per health link: the mode that failed it, or NO_FAULT */
  SimTime *link_fault_time; /* per health link: when it failed (valid while link_down) */
  SimTime *link_seen_at;    /* per health link: when the policy is told it is down */
  uint8_t *link_detected;   /* per health link: the policy acted on its fault */
  RngStream rng_misc;      /* heartbeat phases and repair times ("world", "misc");
                            * care draws ticket durations from it too */
  RngStream rng_precursor; /* which failures degrade first, and their lead */
  /* a published fault trace (failure_trace{}), or NULL */
  FaultTrace *trace;       /* models/faulttrace.h (owned) */
  uint32_t *trace_node;    /* per trace node: the cluster node */
  uint32_t *trace_mode;    /* repair = trace: per outage; policy: per event:
                            * the failure mode it injects */
  bool trace_repair;       /* repair = "trace": the trace ends the outages */
  uint8_t *trace_down;     /* per node: down by a trace outage now */
  RngStream rng_trace;     /* the GPU or rail a policy-repaired trace fault hits */
  /* per-node rate multipliers set during the run (set_node_rate); all
   * NULL until the first call */
  double *rate_mult;       /* per node: multiplier of its GPU and host modes' rates */
  double *rate_reset_p;    /* per node: probability a repair resets it to 1 */
  EvqHandle *rate_ev;      /* per node: its pending excess failure (multiplier > 1) */
  RngStream rng_rates;     /* thinning, excess failures, resets ("world", "node-rates") */
} WorldFaults;

/* care (world-care.c): the health policy and the work it orders. */
typedef struct
{
  const HealthPolicyClass *plugin_class; /* resolved by the caller (world_new_with), or NULL */
  HealthPolicy *health;    /* the policy (owned) */
  const HealthParams *hp;  /* its parameters (owned by the policy) */
  GArray *pobs;            /* PendingObs slab */
  GArray *pobs_free;       /* free slots of pobs (guint) */
  GArray *pact;            /* PendingAction slab */
  GArray *pact_free;       /* free slots of pact (guint) */
  uint32_t techs_busy;     /* technicians on a ticket now */
  GQueue tickets;          /* tickets waiting for a technician (pact slots) */
  GQueue parts_wait;       /* tickets waiting for a spare part (pact slots) */
  GHashTable *switch_tickets; /* switch key -> GArray of waiting action slots */
  double parts_stock;      /* spare parts in stock; INFINITY when unlimited */
  GArray *actions;         /* HealthAction scratch for the policy's answers */
  GArray *running;         /* HealthAction: the answers being carried out,
                            * a nested call's above its caller's */
  EvqHandle wakeup_ev;     /* the pending policy wakeup */
  SimTime wakeup_at;       /* its time, SIM_NEVER when none */
  RngStream rng_diag;      /* diagnostics' outcomes ("health", "diag") */
} WorldCare;

/* repair (world-repair.c): a repair pipeline given as data; all zero
 * when the scenario gives none (the built-in path of care). */
typedef struct
{
  uint32_t n_stages;       /* 0: no pipeline */
  Dist *dist;              /* per stage: its duration (hours) */
  double *success;         /* per stage: probability it repairs the fault */
  const char **names;      /* per stage: its name (the config's) */
  double misdiagnosis;     /* probability a diagnosis picks a healthy node */
  uint64_t misdiagnosed;   /* wrong nodes sent to repair so far */
  RngStream rng;           /* diagnoses and stage outcomes ("world", "repair-pipeline") */
} WorldRepair;

/* sensor (world-sensor.c): the checks' false positives, the precursors'
 * signal levels. */
typedef struct
{
  RngStream rng_fp;        /* false-positive checks ("health", "false-positive") */
  RngStream rng_precursor; /* precursor rates and temperatures ("sensor", "precursor-signal") */
  double fp_rate_per_h;    /* cluster-wide false-positive check rate (per hour) */
} WorldSensor;

/* What the run keeps of a job that ended (WorldJobs.tally): its shares of
 * summary.json's GPU-weighted sums. finalize adds them up in job-id order,
 * as it always did, so the floating-point sums keep their bits. */
typedef struct
{
  double productive_gpu_h; /* saved_h x GPUs */
  double ettr_gpu;         /* ETTR x GPUs; NaN when it never started */
  double slowdown_gpu_h;   /* slowdown_h x GPUs */
} JobTally;

/* WorldJobs.ended: per job id, 0 while it has not ended, else what
 * world_job_progress answers for it (a job ends with all its work kept,
 * or dropped with none). */
enum
{
  JOB_ENDED_NOT = 0,
  JOB_ENDED_ONE,           /* progress 1 (completed) */
  JOB_ENDED_ZERO,          /* progress 0 (dropped: nothing done) */
  JOB_ENDED_NAN,           /* progress NaN (no finite work) */
};

/* The names of every job made so far, in id order, each '\0'-terminated,
 * in blocks that never move (Job.name points into them), so a name
 * outlives its job's record (lookups by name scan them in id order). */
typedef struct
{
  size_t used, size;
  char data[];
} JobNameBlock;

/* jobs (world-jobs.c): the scheduler and the jobs. */
typedef struct
{
  Sched *sched;            /* the scheduler (owned) */
  Workload *research;      /* the research-job generator, or NULL */
  GPtrArray *all;          /* Job* by id (owned); NULL once the job ended
                            * (Job), except the main job */
  GArray *tally;           /* JobTally by id: set when the job ends (ended) */
  GArray *ended;           /* uint8_t by id: JOB_ENDED_*; shorter than all
                            * when the last jobs have not ended */
  double ended_ettr_gpus;  /* the GPUs of the ended jobs with an ETTR: a sum
                            * of whole numbers, exact in any order */
  GPtrArray *names;        /* JobNameBlock*: every job's name, by id */
  uint32_t live;           /* job records allocated now (jobs.all's non-NULL) */
  GPtrArray *running;      /* Job* running now (unordered; for fabric updates) */
  uint32_t main_job;       /* the job{} marked main, else the largest; or NO_JOB */
  bool sched_pending;      /* a scheduling pass is queued */
  GArray *decisions;       /* SchedDecision scratch */
  uint32_t restarts_waiting; /* jobs with waiting_restart */
  GArray *bw_stale;        /* ids (uint32_t) of jobs marked bw_stale (and
                            * some no longer marked, or ended) */
  GPtrArray *bw_apply;     /* scratch of jobs_update_all_bandwidth */
  GArray *bw_touched;      /* scratch: fabric_tenants_touched's ids */
  uint8_t *attn;           /* per node: JOB_ATTN_* bits (jobs_node_attn), so
                            * a job starting or leaving looks at NodeRt only
                            * for the nodes that need it */
} WorldJobs;

/* nodes (world-nodes.c): the pool the scheduler may use. */
typedef struct
{
  DegradedMode degraded;   /* policy.degraded_nodes */
  bool degraded_released;  /* when-short: degraded nodes are in the pool */
} WorldPool;

/* meter (world-meter.c): metrics as the run goes. */
typedef struct
{
  Metrics *m;              /* the run's metrics (owned) */
  StatsTimeAvg avail;      /* healthy GPU fraction over time (hours) */
  uint32_t healthy_gpus;   /* GPUs on nodes in service without a fault */
  uint32_t unnoticed;      /* nodes down (fault_mode) that the policy still
                            * calls healthy (NodeRt.unnoticed) */
  StatsQuantile *queue_wait; /* queue waits (hours) */
  StatsQuantile *detect_lat; /* fault-to-first-action latency (minutes) */
  StatsOnline mttr;        /* node down times (hours) */
  StatsTimeAvg spares_empty; /* 1 while the hot spares are exhausted (hours) */
  WorldProgressFn progress; /* called at every sample tick, or NULL */
  void *progress_ud;
  WorldJobRowFn job_row;   /* where a job's final row goes, or NULL: kept
                            * in m->job_rows (world_set_job_rows) */
  void *job_row_ud;
} WorldMeter;

/* script (world-script.c): scripted timers. */
typedef struct
{
  GArray *timers;          /* TimerRt, indexed by EV_TIMER's target */
  GArray **history;        /* per node: its WorldNodeFailure records, or
                            * NULL before its first failure (n_nodes) */
} WorldScript;

/* bus (world-bus.c): who hears the run's events. */
typedef struct
{
  WorldHooks hooks;        /* the script's callbacks */
  GArray *listeners;       /* Listener: writers of outputs */
  GArray *ons[WEV_COUNT];  /* per event kind: script callback ids (uint64_t), or NULL */
  GError *script_error;    /* the first script failure: stops the run */
  GString *notes;          /* notes.txt */
} WorldBus;

/* The workload module's record of the trace it read (world-workload.c). */
typedef struct
{
  bool have_trace;        /* workload{ trace = } was read */
  WorldTraceStats trace;
} WorldWorkload;

struct World
{
  WorldCore core;
  WorldHw hw;
  WorldFaults faults;
  WorldCare care;
  WorldRepair repair;
  WorldSensor sensor;
  WorldJobs jobs;
  WorldWorkload workload;
  WorldPool pool;
  WorldMeter meter;
  WorldScript script;
  WorldBus bus;
};

/* ---- the module table ---- */

/* A module's part in the life of a world (ROSS's tw_lptype, Redis's
 * timers): world_new() calls every init in table order (world.c), then
 * every start in the order the first events were always scheduled (it
 * fixes the sequence numbers of simultaneous events, so it is part of
 * the results); world_run() calls finish after the last event;
 * world_free() calls fini, which must accept a module whose init failed
 * or never ran (its sub-struct is then all zero). Any hook may be NULL. */
typedef struct
{
  const char *name;
  /* Builds the sub-struct and registers the module's event kinds with
   * w->core.sim (the hardware is built; no event may be scheduled yet). */
  bool (*init) (World *w, GError **error);
  /* Schedules the module's first events. */
  bool (*start) (World *w, GError **error);
  /* The run is over (at sim_now): close accounts. */
  void (*finish) (World *w);
  void (*fini) (World *w);
} WorldModule;

extern const WorldModule world_faults_module;
extern const WorldModule world_care_module;
extern const WorldModule world_repair_module;
extern const WorldModule world_sensor_module;
extern const WorldModule world_nodes_module;
extern const WorldModule world_jobs_module;
extern const WorldModule world_workload_module;
extern const WorldModule world_meter_module;
extern const WorldModule world_script_module;
extern const WorldModule world_bus_module;

/* ---- small helpers every module uses ---- */

static inline double
now_h (const World *w)
{
  return simtime_to_h (sim_now (w->core.sim));
}

/* Simulated time in the policies' milliseconds. */
static inline HealthTimeMs
to_ms (SimTime t)
{
  return t / 1000;
}

static inline SimTime
h_to_sim (double h)
{
  return simtime_from_s (h * 3600.0);
}

/* ==== the modules' internal API (generated list; see each .c for the contract) ==== */

/* core (world.c) */
const char *core_comp_name (const World *w, TopoKind kind, uint32_t index);
const char *core_node_name (const World *w, uint32_t node);
const char *core_intern (const World *w, const char *text);
uint32_t core_health_link_of (const World *w, TopoKind kind, uint32_t index);
TopoKind core_topo_link_of (const World *w, uint32_t hlink, uint32_t *index);
guint core_slab_take (GArray *slab, GArray *free_list, const void *item);

/* bus (world-bus.c) */
void bus_emit (World *w, WorldEvent *ev);
void bus_event_init (WorldEvent *ev, WorldEventKind kind);

/* catalog (world-catalog.c) */
const char *const *catalog_sources (void); /* failures.source: llama3, none */
FlFailureCatalog *catalog_from_config (const WorldConfig *cfg, GError **error);
Dist catalog_repair_dist (const WorldConfig *cfg, FlRepair path);
void catalog_add_scripted_modes (World *w);

/* faults (world-faults.c) */
const char *const *faults_trace_repair_names (void); /* failure_trace.repair: trace, policy */
/* The lemon normalisation of a mode's rate (world-faults.c) and one
 * failure draw of instance i of mode mi: a degradation with precursors, or
 * a failure at once */
double faults_lemon_norm (World *w, const ModeRt *mr);
void faults_degrade_or_fail (World *w, uint32_t mi, uint32_t i);
/* world-rates.c: per-node rate multipliers */
void faults_rates_init (World *w);
bool faults_rate_thinned (World *w, uint32_t mi, uint32_t i);
void faults_rate_on_repair (World *w, uint32_t node);
/* world-trace.c: the fault trace (the catalogue's modes must be in place) */
bool faults_trace_init (World *w, GError **error);
void faults_trace_schedule (World *w);
/* A node-level fault (world-faults.c): false when dropped */
bool faults_fail_node (World *w, uint32_t node, uint32_t mode, int gpu,
                       uint32_t group, const char *component, bool by_trace);
void faults_emit_component_failed (World *w, const char *name,
                                   const FlFailureMode *fm);
void faults_rail_down (World *w, uint32_t node, uint32_t rail, uint32_t hlink,
                       bool down, bool admin);
void faults_restore_link (World *w, uint32_t h);
/* Whether a switch at either end of a fabric link is down (its port cannot
 * come back while it is). */
bool faults_link_end_failed (World *w, TopoKind kind, uint32_t idx);
bool faults_fail_instance (World *w, uint32_t mi, uint32_t i);
bool faults_fail_scripted (World *w, uint32_t mi, uint32_t i);
int faults_repair_strength (FlRepair r);
void faults_avert_pending (World *w, uint32_t node, int strength);
void faults_avert_pending_link (World *w, uint32_t h);

/* repair (world-repair.c) */
bool repair_pipeline_takes (const World *w, const FlFailureMode *fm, uint32_t group,
                            bool by_trace);
void repair_pipeline_fault (World *w, uint32_t node, const FlFailureMode *fm);
GArray *repair_stages_new (void);
GArray *repair_stages_copy (const GArray *from);
void faults_clear_node (World *w, uint32_t node);
uint32_t faults_node_domain (const World *w, FlClass cls, uint32_t node);
void faults_domain_range (const World *w, FlClass cls, uint32_t d, uint32_t *lo,
                          uint32_t *hi);
const char *faults_domain_name (const World *w, FlClass cls, uint32_t d);
void faults_repair_link (World *w, uint32_t h);
guint faults_link_failed_switch (World *w, uint32_t h);
bool faults_link_detected (World *w, uint32_t h, SimTime *fault_time);
void faults_set_node_rate (World *w, uint32_t node, double multiplier,
                           double reset_p);
double faults_node_rate (const World *w, uint32_t node);

/* sensor (world-sensor.c) */
void sensor_node_observations (World *w, uint32_t node, const FlFailureMode *fm,
                               int gpu);
void sensor_domain_observations (World *w, const uint32_t *nodes, uint32_t n,
                                 const FlFailureMode *fm);
void sensor_link_down (World *w, uint32_t hlink, int32_t node, int32_t port,
                       SimTime at);
void sensor_ecc_precursor (World *w, uint32_t node, int32_t gpu, SimTime fail_at);
void sensor_thermal_precursor (World *w, uint32_t node, int32_t gpu);
void sensor_symbol_precursor (World *w, uint32_t hlink);
void sensor_link_up (World *w, uint32_t hlink, int32_t node, int32_t port,
                     SimTime at);

/* care (world-care.c) */
const char *const *care_health_names (void); /* policy.health's names */
/* Checks health.<key> = value as care_init applies it (HEALTH_ERROR). */
bool care_param_check (const char *key, const char *value, GError **error);
void care_observe_at (World *w, const HealthObs *obs, SimTime at,
                      uint32_t check_node);
void care_reschedule_wakeup (World *w);
/* Stops the job on node (if any) as interrupted by the node's fault, or
 * by `cause` when the node has none. */
void care_kill_job (World *w, uint32_t node, const char *cause);
void care_mark_detected (World *w, uint32_t node, const char *name);
void care_feed (World *w, const HealthObs *obs);
void care_switch_tickets_release (World *w, guint key, guint except);
/* The policy's state of the node in the world's own terms (the one place
 * HealthNodeState becomes WorldNodeState). */
WorldNodeState care_node_state (const World *w, uint32_t node);
/* The number of nodes in each WorldNodeState, O(states), when the policy
 * keeps them (health_policy_node_state_counts); false otherwise. */
bool care_node_state_counts (const World *w, uint32_t counts[WORLD_NODE_N_STATES]);

/* jobs (world-jobs.c) */
const char *const *jobs_sched_names (void); /* policy.sched's names */
/* Checks sched.<key> = value as jobs_init applies it (SCHED_ERROR). */
bool jobs_param_check (const char *key, const char *value, GError **error);
double jobs_gpus (const World *w, const Job *j);
void jobs_account (World *w, Job *j, SimTime t);
void jobs_update_bandwidth (World *w, Job *j);
/* WorldJobs.attn: a job leaving the node has work to do (rails disabled,
 * may_drain); the node has a fault (a job coming up on it crashes). */
#define JOB_ATTN_LEAVE 1
#define JOB_ATTN_FAULT 2
/* The job running on node, or NO_JOB. */
uint32_t jobs_on_node (const World *w, uint32_t node);
/* Node's rails_disabled, may_drain or fault_mode changed. */
void jobs_node_attn (World *w, uint32_t node);
void jobs_interrupt (World *w, Job *j, const char *component,
                     const FlFailureMode *fm, const char *cause_override);
/* The same, naming the node the job lost (beside the ones the launcher
 * blamed): a job with standbys swaps it out. */
void jobs_interrupt_node (World *w, Job *j, uint32_t node, const char *component,
                          const FlFailureMode *fm, const char *cause_override);
void jobs_request_sched (World *w);
Job *jobs_new (World *w, const char *name, uint32_t nodes, double work_h,
               double submit_h);
void jobs_submit (World *w, Job *j);
void jobs_update_all_bandwidth (World *w);
double jobs_ettr_at (const World *w, const Job *j, SimTime t);
SimTime jobs_drain (World *w, Job *j);
uint32_t jobs_running_count (const World *w);
uint32_t jobs_queue_length (const World *w);
uint32_t jobs_spares_free (const World *w);
void jobs_node_set_available (World *w, uint32_t node, bool avail);

/* nodes (world-nodes.c) */
const char *const *nodes_degraded_names (void); /* DegradedMode's names, in order */
void nodes_degraded_update (World *w);
void nodes_update_avail (World *w, uint32_t node);

/* workload (world-workload.c) */
const char *const *workload_research_durations (void); /* lognormal, exponential, constant */
/* Checks that every job of cfg, with cluster.spares held back, fits
 * n_nodes nodes (world_config_check, build_jobs). */
bool workload_jobs_fit (const WorldConfig *cfg, uint32_t n_nodes, GError **error);
/* Checks that `spares` hot spares (cluster.spares; sched.spares when the
 * scheduler is built) leave at least one of n_nodes nodes for jobs
 * (world_config_check, jobs_init). */
bool workload_spares_fit (uint32_t spares, uint32_t n_nodes, GError **error);
/* Checks workload.research_sizes' syntax, whatever workload.research_rate
 * (world_config_check, build_jobs). */
bool workload_research_sizes_check (const WorldConfig *cfg, GError **error);

/* meter (world-meter.c) */
void meter_set_detect (World *w, const char *node, double fault_h,
                       double minutes);
void meter_sample (World *w, SimTime t);
/* A sample's node columns (metrics_node_state_names): the policy's
 * per-state counts and WorldMeter.unnoticed when the policy keeps counts
 * (O(states)), else one look at every node (meter_node_counts_scan). */
void meter_node_counts (const World *w, uint32_t nodes[METRICS_NODE_STATES]);
void meter_node_counts_scan (const World *w, uint32_t nodes[METRICS_NODE_STATES]);
/* A job's final row, handed off once: when it ends, or at the end of the
 * run for a job still queued or running (row->name borrowed). */
void meter_job_row (World *w, const MetricsJob *row);

