/* models/world.h - one simulated cluster over time: the hardware, its
 * failures, the health and scheduling policies, the jobs, and the metrics.
 *
 * Two phases:
 *  1. configuration: a WorldConfig is filled key by key (every key is
 *     declared once, in models/config.c, with its type, unit, default and
 *     help; the Lua API, --set and the docs all read that table), plus jobs,
 *     failure-mode overrides and scripted-event registrations;
 *  2. the run: world_new() builds the cluster, world_run() drives sim/.
 * Script callbacks (at/every/on in Lua) are opaque integer ids here: the
 * world calls WorldHooks with the id, the Lua layer keeps the function. */
#pragma once

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>

#include "health.h"
#include "metrics.h"
#include "simtime.h"

#define WORLD_ERROR (world_error_quark ())
GQuark world_error_quark (void);
typedef enum
{
  WORLD_ERROR_INVALID,  /* bad key, value or name: exit status 2 */
  WORLD_ERROR_SCRIPT,   /* a script callback failed: exit status 2 */
  WORLD_ERROR_INTERNAL, /* exit status 3 */
} WorldError;

/* ---- configuration ---- */

typedef enum
{
  WORLD_VAL_NUMBER, /* a double; durations are in seconds */
  WORLD_VAL_STRING,
  WORLD_VAL_BOOL,
} WorldValType;

typedef struct
{
  WorldValType type;
  double num;
  const char *str;
  bool b;
} WorldValue;

typedef struct WorldConfig WorldConfig;

WorldConfig *world_config_new (void); /* (transfer full), every default set */
void world_config_free (WorldConfig *cfg);
/* (transfer full) a deep copy of cfg. */
WorldConfig *world_config_copy (const WorldConfig *cfg);

/* Sets "section.key" (e.g. "cluster.nodes", "policy.health",
 * "failures.scale", "run.length"). Errors name the key, the expected type
 * and unit, and for an unknown key suggest the closest one. */
bool world_config_set (WorldConfig *cfg, const char *key, const WorldValue *v,
                       GError **error);
/* Parses a --set style string value for key ("64", "2h", "true", "name"). */
bool world_config_set_string (WorldConfig *cfg, const char *key,
                              const char *value, GError **error);
/* Current value of a key formatted as JSON (for the params echo); a
 * health.* or sched.* key gives the value it was set to (a number or
 * boolean bare, other text as a string). Returns: (transfer full). NULL
 * for an unknown key, or a health or sched key never set. */
char *world_config_get_json (const WorldConfig *cfg, const char *key);
/* The value of a string config key ("failure_trace.file"), or NULL for an
 * unknown or non-string key. (transfer none): valid until the key is set
 * again or cfg is freed. */
const char *world_config_get_string (const WorldConfig *cfg, const char *key);

/* What a key holds, beyond its WorldValType. */
typedef enum
{
  WORLD_KIND_NUMBER,   /* a plain number (a fraction, a factor, a rate) */
  WORLD_KIND_COUNT,    /* a whole number */
  WORLD_KIND_DURATION, /* seconds; --set also takes 90s 30m 2h 54d 1w */
  WORLD_KIND_STRING,   /* free text */
  WORLD_KIND_PATH,     /* a data file ("" = none); a scenario's relative
                        * path is tried beside the scenario first */
  WORLD_KIND_ENUM,     /* one of a list of names (WorldKeyInfo.values) */
  WORLD_KIND_BOOL,
} WorldKeyKind;

/* One declared key, for docs, `faultline help options` and the Lua API. */
typedef struct
{
  const char *key;
  WorldValType type;
  WorldKeyKind kind;
  const char *unit;
  const char *def;                /* the default, as text */
  const char *help;
  const char *const *values;      /* ENUM: NULL-terminated names; else NULL */
  const struct WorldRange *range; /* numbers: the valid range; else NULL */
} WorldKeyInfo;
/* Fills *info for a declared key; false for an unknown one (the health.*
 * and sched.* keys are the policies' own: policy/health.h, sched.h). */
bool world_config_key_info (const char *key, WorldKeyInfo *info);

/* Iterates over every declared key: name, type, unit ("s", "h", "" ...),
 * default as text, help. For docs and `faultline help options`. */
typedef void (*WorldKeyFn) (const char *key, WorldValType type,
                            const char *unit, const char *def,
                            const char *help, void *user_data);
void world_config_foreach_key (WorldKeyFn fn, void *user_data);

/* The valid range of every number a run reads, from a scenario, --set or
 * a plugin: the config keys above ("cluster.spares") and the numbers that
 * are not config keys ("job.checkpoint_every", "failure_mode.shape",
 * "maintenance.duration", "lua_policy.every", ...).
 * Declared once in models/config.c, checked where each value is read,
 * listed by `faultline help options` and docs/scenario-api.md. */
typedef struct WorldRange
{
  const char *key;
  const char *unit;  /* "s" (a duration: --set takes 90s 30m 2h 54d 1w),
                      * "1/h", or "" (a plain number) */
  double min, max;   /* inclusive */
  bool whole;        /* a count: whole numbers only */
  bool zero_off;     /* 0 is also accepted (it means none/off/automatic) */
  const char *help;  /* what the number is */
  bool is_key;       /* a config key (world_config_set), not one of the
                      * other numbers */
} WorldRange;
/* The range of key, or NULL when it has none. */
const WorldRange *world_range (const char *key);
/* Every range: config keys first (table order), then the others. */
void world_range_foreach (void (*fn) (const WorldRange *r, void *user_data),
                          void *user_data);
/* Checks x against key's range: "KEY = X is out of range [MIN, MAX] UNIT"
 * (NaN and infinities too), "... is not a whole number". */
bool world_range_check (const char *key, double x, GError **error);
/* Parses a number written on the command line (--set, a param): decimal
 * only ("64", "-2", "1.5", "2e3"), no spaces, no hex, no inf/nan; a unit
 * suffix (s, m or min, h, d, w, giving seconds) only when unit is "s".
 * Errors name the text and say which units the key takes. */
bool world_parse_number (const char *text, const char *unit, double *out,
                         GError **error);

/* failure_mode()'s keys: the one table (models/world-catalog.c owns it).
 * world_config_failure_set checks a setting against it, the Lua API reads
 * its keys and types from it and applies a table's keys in its order
 * (class first: a new mode needs it), `faultline help options` lists it
 * and docs/scenario-api.md's failure_mode() table is checked against it
 * (tests/cli/test_cli.sh). A number key's valid range is world_range
 * ("failure_mode.KEY"). */
typedef struct
{
  const char *key;             /* "mtbf" */
  WorldValType type;
  const char *unit;            /* "s" for a duration, else "" */
  const char *what;            /* a name key: what a name is, for errors
                                * ("component class"); else NULL */
  const char *const *values;   /* a name key: its NULL-terminated names */
  const char *help;
} WorldModeKey;
/* Every failure_mode() key in the order they are applied; *n its count.
 * (transfer none) */
const WorldModeKey *world_mode_keys (guint *n);
/* The key named key, or NULL. */
const WorldModeKey *world_mode_key (const char *key);

/* A failure-mode override: mode is a default mode name ("hbm3") or a new
 * one; key one of world_mode_keys (a new mode needs "class" set first).
 * Errors ("failure mode 'hbm3': ...") name an unknown key (with a
 * suggestion), a wrong type, an unknown name (with a suggestion and the
 * valid names) and a number out of its range. */
bool world_config_failure_set (WorldConfig *cfg, const char *mode,
                               const char *key, const WorldValue *v,
                               GError **error);
/* Checks the failure modes cfg describes (failures.source and every
 * world_config_failure_set so far) the way world_new will, without
 * building a world: for reporting a bad failure_mode() where it is
 * written. */
bool world_config_check_failure_modes (const WorldConfig *cfg, GError **error);

/* What world_config_check checks. */
typedef enum
{
  /* cluster.ibnet and cluster.inventory are not both given, cluster.spares
   * leaves a node of the generated cluster for jobs, and every job fits it
   * with cluster.spares held back (nodes read from a file are counted when
   * world_new reads it) */
  WORLD_CHECK_CLUSTER = 1 << 0,
  /* world_config_check_failure_modes */
  WORLD_CHECK_FAILURE_MODES = 1 << 1,
  /* workload.research_sizes is "NODES[:WEIGHT],..." (checked whatever
   * workload.research_rate) */
  WORLD_CHECK_WORKLOAD = 1 << 2,
  WORLD_CHECK_ALL = WORLD_CHECK_CLUSTER | WORLD_CHECK_FAILURE_MODES
                    | WORLD_CHECK_WORKLOAD,
} WorldCheck;
/* The checks world_new makes of cfg that need no world and no file read,
 * with world_new's messages (the same code: the modules that own each
 * check). For reporting bad input where it is written (lua/api.c) before
 * the world is built. */
bool world_config_check (const WorldConfig *cfg, WorldCheck what,
                         GError **error);

/* A job (training run or any fixed job). Durations in seconds. */
typedef struct
{
  const char *name;      /* unique */
  uint32_t nodes;
  double work_s;         /* failure-free runtime; 0 = until the run ends */
  double submit_s;       /* submit time */
  double checkpoint_every_s; /* 0 = Young/Daly from the observed rate */
  double checkpoint_cost_s;  /* blocking part of a checkpoint */
  double checkpoint_write_s; /* background persist after the blocking part;
                                0 = the checkpoint is durable at once */
  double restart_s;      /* re-init + checkpoint load after an interruption */
  double comm_share;     /* fraction of step time in collectives, 0..1 */
  int32_t priority;
  bool preemptible;
  bool main;             /* the summary's main job (at most one job{});
                            none marked: the largest */
  bool keep_work;        /* job{ lose_work = false }: an interruption keeps
                            the work done (in-memory redundancy); the
                            job only pays its restart */
  uint32_t standbys;     /* warm standby nodes held beside the job: it
                            starts only when nodes + standbys are free, and
                            a failed node of its own is swapped for one */
  double standby_swap_s; /* added to the restart when standbys replace
                            failed nodes (bringing a standby in) */
  double host_selection_s; /* added to a restart through the scheduler
                              (choosing new hosts) */
} WorldJobSpec;

bool world_config_add_job (WorldConfig *cfg, const WorldJobSpec *job,
                           GError **error);

/* One stage of a repair pipeline (repair_pipeline{}, docs/scenario-api.md). */
typedef struct
{
  const char *name;  /* unique in the pipeline */
  const char *dist;  /* exponential (NULL), constant, lognormal, weibull */
  double mean_s;     /* mean duration (s) */
  double sd_s;       /* lognormal: standard deviation (s); 0 = the mean */
  double shape;      /* weibull: shape k (the mean kept); 0 = 1 */
  double success;    /* probability the stage repairs the fault, else the
                        next stage takes over; the last stage's must be 1 */
} WorldRepairStage;

#define WORLD_REPAIR_MAX_STAGES 16

/* Replaces the built-in hardware repair path (policy actions, tickets,
 * technicians, RMA) of GPU and host faults by stages[0..n) in order, with
 * probability `misdiagnosis` of sending a healthy node to repair instead.
 * The arrays and strings are copied. Errors: no stage or more than
 * WORLD_REPAIR_MAX_STAGES, a missing or repeated name, an unknown dist, a
 * number out of its range (repair_pipeline.*), a last stage with success
 * below 1. */
bool world_config_set_repair_pipeline (WorldConfig *cfg, const WorldRepairStage *stages,
                                       guint n, double misdiagnosis, GError **error);

/* Scripted-event registrations made while the scenario is loaded. */
void world_config_at (WorldConfig *cfg, SimTime when, uint64_t cb);
void world_config_every (WorldConfig *cfg, SimTime first, SimTime period,
                         uint64_t cb);
/* Event names: see world_event_kind_name(); unknown name -> error listing
 * the valid ones. */
bool world_config_on (WorldConfig *cfg, const char *event, uint64_t cb,
                      GError **error);

/* The names of every event kind, NULL-terminated (for errors and docs). */
const char *const *world_event_names (void);

/* Builds the topology a configuration describes (a fat tree, or the
 * ibnetdiscover file of cluster.ibnet), as world_new() would, for
 * `faultline topo SCENARIO`. Returns: (transfer full) a Topo (models/topo.h)
 * or NULL with error. */
struct Topo;
struct Topo *world_config_build_topology (const WorldConfig *cfg,
                                          GError **error);

/* ---- events (callbacks, events.jsonl, trace, pcap) ---- */

/* A node's state as the world keeps it: the health policy's view of the
 * node, converted from the policy's own states in one place (world-care.c).
 * The values are events.jsonl's node_state old_state/new_state and the
 * indices of metrics_node_state_names (which adds "down" after them). */
typedef enum
{
  WORLD_NODE_HEALTHY,     /* in service */
  WORLD_NODE_SUSPECT,     /* a soft signal; still in service */
  WORLD_NODE_CORDONED,    /* no new jobs */
  WORLD_NODE_DRAINING,    /* running jobs may finish */
  WORLD_NODE_REMEDIATING, /* reset / reboot / reimage in progress */
  WORLD_NODE_IN_REPAIR,   /* ticket or RMA open */
  WORLD_NODE_BURN_IN,
  WORLD_NODE_QUARANTINED, /* lemon: repeated failures */
  WORLD_NODE_N_STATES
} WorldNodeState;
/* "healthy", "suspect", ..., "quarantined" (static) */
const char *world_node_state_name (WorldNodeState s);

/* A link's state as a link_state event reports it: the InfiniBand
 * PortState the subnet manager reads (1 Down, 4 Active). */
typedef enum
{
  WORLD_PORT_DOWN = 1,
  WORLD_PORT_ACTIVE = 4,
} WorldPortState;

/* Each kind: the payload (WorldEvent's union member) it fills, and the
 * head's component and node. */
typedef enum
{
  WEV_COMPONENT_FAILED,   /* .fault; component */
  WEV_COMPONENT_REPAIRED, /* .repair; component, node (a node's own repair) */
  WEV_NODE_FAILED,        /* .fault; component, node: a node went down */
  WEV_NODE_STATE,         /* .node_state; component, node */
  WEV_LINK_STATE,         /* .link; component = the link, node (a node cable) */
  WEV_POLICY_ACTION,      /* .action; component and node (or -1) acted on */
  WEV_JOB_SUBMITTED,      /* .job (nodes asked for) */
  WEV_JOB_STARTED,        /* .job (nodes it got) */
  WEV_JOB_INTERRUPTED,    /* .interrupt; component that failed, or NULL */
  WEV_JOB_PREEMPTED,      /* .job (nodes 0) */
  WEV_JOB_COMPLETED,      /* .job (nodes 0) */
  WEV_JOB_CHECKPOINT,     /* .checkpoint (only delivered to listeners that ask) */
  WEV_FABRIC_DEGRADED,    /* .fabric */
  WEV_COUNT
} WorldEventKind;

/* What happened, as the world's listeners and the script's on() callbacks
 * see it: a head every kind has, and the payload of its kind (the union
 * member WorldEventKind names; the other members are not set).
 *
 * Lifetime: every string an event points to is owned by the world and
 * stays valid, unchanged, until world_free(): a listener may keep the
 * pointers for the run (component names are the world's, each made once
 * per run; job names, failure modes, causes and repair_pipeline{} stage
 * names belong to the world; the policy's action names, state names and
 * reasons are static, as HealthAction.reason must be). The event itself
 * (the struct) is valid only during the call: copy it to keep it. */
typedef struct
{
  WorldEventKind kind;
  SimTime time;
  const char *component; /* operator name (node0003/gpu1, leaf-0002), or NULL */
  int32_t node;          /* node index, or -1 */
  union
  {
    struct
    {
      const char *mode;  /* failure mode */
      const char *cause; /* field-data cause, or NULL */
      int32_t xid;       /* the Xid it logs, 0 when none */
    } fault;             /* COMPONENT_FAILED, NODE_FAILED */
    struct
    {
      const char *mode; /* the mode of the fault cleared, or NULL */
    } repair;           /* COMPONENT_REPAIRED */
    struct
    {
      WorldNodeState from, to;
    } node_state;       /* NODE_STATE */
    struct
    {
      int32_t rail;      /* the node's rail for a node cable, else -1 */
      WorldPortState to; /* the link's new state */
      int32_t sw;        /* topology index of the switch at the link's lower
                            end (the leaf of a node cable), -1 unknown */
      int32_t sw_port;   /* that switch's port of the link, 0 unknown */
    } link;              /* LINK_STATE */
    struct
    {
      const char *action; /* health_action_name(), or a repair_pipeline{}
                             stage's name */
      const char *reason; /* the policy's, or NULL */
    } action;             /* POLICY_ACTION */
    struct
    {
      const char *name;
      uint32_t nodes; /* SUBMITTED: asked for; STARTED: got; else 0 */
    } job;            /* JOB_SUBMITTED, JOB_STARTED, JOB_PREEMPTED,
                         JOB_COMPLETED */
    struct
    {
      const char *job;
      const char *cause; /* what failed, or NULL */
      const char *mode;  /* its failure mode, or NULL */
      double lost_gpu_hours;
    } interrupt;         /* JOB_INTERRUPTED */
    struct
    {
      const char *job;
      double saved_h; /* the job's checkpointed work, hours */
    } checkpoint;     /* JOB_CHECKPOINT */
    struct
    {
      double lost_fraction; /* of the fabric's uplink bandwidth, 0..1 */
    } fabric;               /* FABRIC_DEGRADED */
  };
} WorldEvent;

/* The flat record events.jsonl's lines and the script's on() tables show
 * (docs/results.md, docs/scenario-api.md): their field names, filled from
 * an event's payload. One owner for that mapping; the strings are the
 * event's. */
typedef struct
{
  const char *component, *job, *mode, *cause;
  const char *detail;  /* policy_action: the action; node_state: the state */
  const char *reason;
  int32_t xid;         /* 0 when none */
  int32_t node, port;  /* -1 when none; port: a link_state's rail */
  int32_t old_state, new_state; /* node_state: WorldNodeState from, to;
                                   link_state: the switch's port, PortState */
  double lost_gpu_hours; /* job_interrupted; NAN otherwise */
  double value;          /* job_submitted/started: nodes; job_checkpoint:
                            saved_h; fabric_degraded: lost fraction;
                            link_state: the switch's index; NAN otherwise */
} WorldEventRecord;
void world_event_record (const WorldEvent *ev, WorldEventRecord *out);

const char *world_event_kind_name (WorldEventKind k); /* "node_failed", ... */

/* ---- the run ---- */

typedef struct World World;

/* What a timer callback asks of the kernel. */
typedef enum
{
  WORLD_TIMER_FAILED,   /* *error is set: the run stops (WORLD_ERROR_SCRIPT) */
  WORLD_TIMER_CONTINUE, /* a periodic timer fires again one period later */
  WORLD_TIMER_DONE,     /* a periodic timer stops: it is not scheduled again */
} WorldTimerResult;

typedef struct
{
  /* A scripted timer (at) or periodic callback (every) fired. For a one-shot
   * timer CONTINUE and DONE mean the same. */
  WorldTimerResult (*timer) (void *user_data, World *w, uint64_t cb,
                             GError **error);
  /* An event that a script registered for with world_config_on(). */
  bool (*event) (void *user_data, World *w, uint64_t cb,
                 const WorldEvent *ev, GError **error);
  void *user_data;
} WorldHooks;

/* A health policy the caller builds itself instead of one named by
 * policy.health or loaded from policy.health_plugin (the Lua layer's
 * lua_policy{}). world_new() calls it once with the HealthParams it derived
 * (the "standard" defaults plus the health.* keys) and the world being
 * built, which the policy may keep for world_now()/world_stop_with_error()
 * while it lives. Returns: (transfer full), or NULL with error. */
typedef HealthPolicy *(*WorldHealthFactoryFn) (World *w,
                                               const HealthParams *params,
                                               uint32_t n_nodes,
                                               uint32_t n_links, void *data,
                                               GError **error);
/* Installs (fn non-NULL) or removes (fn NULL) the factory. data is
 * borrowed: it must outlive every world_new() with this configuration (and
 * its copies). Setting both a factory and policy.health_plugin makes
 * world_new() fail. */
void world_config_set_health_factory (WorldConfig *cfg,
                                      WorldHealthFactoryFn fn, void *data);

/* The built-in health policy a world built from cfg uses, for callers that
 * feed one without a world (lib/replay.c): policy.health's class, its
 * defaults and then the health.* keys, in *params. name (not NULL) takes
 * that built-in policy's class and defaults instead, with the same
 * health.* keys. Returns: the class, or NULL with error (WORLD_ERROR_INVALID)
 * for an unknown name, a bad health.* key, or a policy that needs a world
 * or native code (a Lua health policy, policy.health_plugin) when name is
 * NULL. */
const HealthPolicyClass *world_config_health_policy (const WorldConfig *cfg,
                                                     const char *name,
                                                     HealthParams *params,
                                                     GError **error);

/* For code the world calls that cannot return an error (a health policy
 * written in a script): stops world_run() after the current event, which
 * then fails with error (transfer full; should be WORLD_ERROR_SCRIPT).
 * Only the first error stands; later ones are freed. */
void world_stop_with_error (World *w, GError *error);

/* Every event, for writers (events.jsonl, trace, pcap). Not allowed to
 * fail. */
typedef void (*WorldListenerFn) (const WorldEvent *ev, void *user_data);

/* Builds the cluster and schedules the first failures. The config is
 * copied. Returns: (transfer full) or NULL with WORLD_ERROR_INVALID (an
 * impossible topology, an unreadable ibnetdiscover file, an unknown policy,
 * a job larger than the cluster). */
World *world_new (const WorldConfig *cfg, uint64_t seed, GError **error);

/* The policies a world runs that the world cannot resolve itself: models/
 * never loads a shared object, so the caller (lib/, the composition root)
 * loads policy.health_plugin (policy/plugin.h) and passes its class. */
typedef struct
{
  const HealthPolicyClass *health_plugin; /* (transfer none) must outlive
                                           * the world; NULL: none */
} WorldPolicies;
/* world_new() with resolved policies (policies may be NULL). Without a
 * plugin class, a configuration that names policy.health_plugin fails. */
World *world_new_with (const WorldConfig *cfg, uint64_t seed,
                       const WorldPolicies *policies, GError **error);
/* policy.health_plugin's path, or NULL when unset. (transfer none) */
const char *world_config_health_plugin (const WorldConfig *cfg);
void world_free (World *w);

void world_set_hooks (World *w, const WorldHooks *hooks);
void world_add_listener (World *w, WorldListenerFn fn, void *user_data);
/* Called at every sample tick (run.sample_every of simulated time) while
 * the run goes; NULL to disable. The world never reads the wall clock: a
 * caller that reports to a person rate-limits (lib/faultline.c does). */
typedef void (*WorldProgressFn) (World *w, SimTime now, SimTime end,
                                 void *user_data);
void world_set_progress (World *w, WorldProgressFn fn, void *user_data);

/* Where the jobs' final rows (jobs.csv) go: fn is called once per job,
 * when it ends (completed, or dropped at submission), and at the end of
 * the run for each job still queued or running, in id order; row->name is
 * borrowed for the call. Without it (fn NULL) the rows are kept in
 * world_metrics()'s job_rows, in the same order. Set before world_run. */
typedef void (*WorldJobRowFn) (const MetricsJob *row, void *user_data);
void world_set_job_rows (World *w, WorldJobRowFn fn, void *user_data);

/* Runs to the configured length. Returns false with *error when a script
 * callback failed or the policy misbehaved. */
bool world_run (World *w, GError **error);

SimTime world_now (const World *w);
SimTime world_length (const World *w);
uint64_t world_events (const World *w);
const Metrics *world_metrics (const World *w); /* valid after world_run */
/* What the workload trace (workload{ trace = }, an SWF file, models/swf.h)
 * gave the run: the records that became jobs, those skipped and why, and
 * the usable ones submitted after the run's end (never run). */
typedef struct
{
  uint32_t jobs;              /* records that became jobs of the run */
  uint32_t skipped_malformed; /* workload{ trace_lenient = true } only */
  uint32_t skipped_cancelled; /* status 0 or 5 (cancelled before running) */
  uint32_t skipped_unusable;  /* no run or requested time, no processors */
  uint32_t after_end;         /* submitted after the run's end */
  uint32_t capped;            /* jobs whose size was capped to the cluster */
} WorldTraceStats;
/* Fills *out and returns true when the run read a workload trace; false
 * (and *out zeroed) otherwise. Valid once world_new() returned. */
bool world_trace_stats (const World *w, WorldTraceStats *out);
uint32_t world_nodes (const World *w);
/* The world's topology (models/topo.h), valid while w lives. */
const struct Topo *world_topo (const World *w);
uint32_t world_gpus (const World *w);

/* ---- actions a script may take while the run goes ---- */

/* Fails every component matching name or glob, with the given mode name
 * (NULL: the component's class default). Returns the number failed; 0 with
 * *error when nothing matches or the mode is unknown for that class. */
int world_fail (World *w, const char *pattern, const char *mode,
                GError **error);
/* Repairs (returns to service) every matching failed component. */
int world_repair (World *w, const char *pattern, GError **error);
/* Degrades matching links/switches to a bandwidth fraction in [0, 1]. */
int world_degrade (World *w, const char *pattern, double fraction,
                   GError **error);
/* Planned maintenance of matching nodes: jobs checkpoint, then the nodes
 * are out for `duration`. */
int world_maintenance (World *w, const char *pattern, SimTime duration,
                       GError **error);
/* From now on node `node` (an operator name) fails `multiplier` times as
 * often in its GPU and host failure modes (a "bad server"; 1 restores the
 * catalogue's rate, 0 stops them); each later repair of the node (one of
 * its faults cleared) resets the multiplier to 1 with probability
 * reset_p. Ranges: node_rate.multiplier, node_rate.reset_probability.
 * Returns false with *error for a name that is not a node or a value out
 * of range. */
bool world_set_node_rate (World *w, const char *node, double multiplier,
                          double reset_p, GError **error);
/* node's current rate multiplier (1 unless set); NaN with *error when no
 * node has that name. */
double world_node_rate (const World *w, const char *node, GError **error);
/* Schedules a timer/periodic callback during the run. */
void world_at (World *w, SimTime when, uint64_t cb);
void world_every (World *w, SimTime first, SimTime period, uint64_t cb);
/* A line in the run's notes (notes.txt), prefixed with simulated time. */
void world_note (World *w, const char *text);
/* Everything noted so far (notes.txt). */
const char *world_notes (const World *w);

/* Read-only queries for scripts. */
bool world_component_state (World *w, const char *name, const char **state,
                            GError **error);
uint32_t world_healthy_gpus (const World *w);
uint32_t world_running_jobs (const World *w);
double world_job_progress (const World *w, const char *job); /* 0..1, NaN */
/* The nodes job `job` holds now: *n node indices in *nodes (valid until
 * the next event), none while the job is queued, waiting or done. Returns
 * false (and *n = 0) when no job has that name. */
bool world_job_nodes (const World *w, const char *job, const uint32_t **nodes,
                      uint32_t *n);
/* Node `node`'s operator name ("node0412") in buf (96 bytes hold any). */
const char *world_node_name (const World *w, uint32_t node, char *buf,
                             size_t len);

/* One failure that took a node down (a GPU, host or power-domain fault;
 * not a link, switch or software fault), oldest first. */
typedef struct
{
  SimTime time;      /* when the fault hit */
  const char *mode;  /* its failure mode (valid while the world lives) */
  const char *cause; /* its field-data cause */
  SimTime repaired;  /* when the fault was cleared (a remedy, a repair, a
                      * transient ending), or -1 while it lasts */
} WorldNodeFailure;
/* The failure history of node `node` (an operator name: "node0003") so
 * far: *n entries, oldest first, valid until the next event. Returns NULL
 * with *n = 0 for a node that never failed; NULL with *error when no node
 * has that name. */
const WorldNodeFailure *world_node_history (const World *w, const char *node,
                                            guint *n, GError **error);
