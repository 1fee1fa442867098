/* policy/sched.h - the batch scheduler: gang allocation, EASY backfill,
 * priorities with preemption, topology-aware placement and hot spares.
 *
 * Production-shaped: it sees jobs, node availability and time, and answers
 * with decisions (start job J on these nodes, preempt job K). It does not
 * run jobs, detect failures or move any clock: the caller (the simulator,
 * or a real controller) tells it what happened and calls sched_schedule().
 * Includes nothing of faultline's other layers; GLib only.
 *
 * Time is the scheduler's own unit: SchedTimeMs, integer milliseconds on
 * whatever epoch the caller uses. Everything is deterministic: jobs are
 * kept in explicit orders, never iterated in hash order.
 *
 * Node pools. Each node is either in the general pool or in the hot-spare
 * pool (target size cfg->spares). Fresh jobs only ever use general nodes.
 * A job that was interrupted (sched_job_interrupted) restarts with the free
 * general nodes first and takes the shortfall from the spare pool. Spare
 * nodes so used become general nodes; the pool is topped up again from
 * nodes left idle at the end of a scheduling pass, and, with
 * SCHED_REFILL_SPARES_FIRST, directly by repaired nodes (a node coming
 * back up). The initial spares are the cfg->spares highest-index nodes.
 * See docs/scheduling.md. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <glib.h>

G_BEGIN_DECLS

/* Milliseconds, on the caller's epoch. */
typedef int64_t SchedTimeMs;
#define SCHED_TIME_NEVER INT64_MAX

#define SCHED_ERROR (sched_error_quark ())
GQuark sched_error_quark (void);
typedef enum
{
  SCHED_ERROR_INVALID, /* bad configuration key, value or argument */
} SchedError;

/* ---- configuration ---- */

typedef enum
{
  SCHED_QUEUE_FIFO,     /* submit order */
  SCHED_QUEUE_PRIORITY, /* priority (higher first), then submit order */
} SchedQueuePolicy;

typedef enum
{
  SCHED_PLACE_FIRST_FIT, /* the lowest free node indices */
  SCHED_PLACE_TOPOLOGY,  /* fewest groups, best fit on group free counts */
} SchedPlacement;

typedef enum
{
  SCHED_REFILL_SPARES_FIRST,  /* a repaired node refills the spare pool */
  SCHED_REFILL_GENERAL_FIRST, /* a repaired node goes to the general pool;
                                 the spare pool refills from nodes left idle */
} SchedRefill;

typedef struct
{
  SchedQueuePolicy queue;
  SchedPlacement placement;
  bool backfill;      /* EASY backfill behind a blocked head job */
  bool preempt;       /* with SCHED_QUEUE_PRIORITY: preempt lower-priority
                         preemptible jobs for a blocked head job */
  uint32_t spares;    /* hot-spare pool target, in nodes */
  SchedRefill refill;
} SchedConfig;

/* The "fifo" preset: FIFO + EASY backfill + first-fit, no spares,
 * refill spares-first. */
void sched_config_init (SchedConfig *cfg);

/* Applies a named preset over *cfg (keeps cfg->spares and cfg->refill):
 * "fifo", "first-fit" (= fifo), "topology" (FIFO + EASY backfill +
 * topology placement), "priority" (priority + preemption + EASY backfill +
 * topology placement). Unknown name -> SCHED_ERROR_INVALID listing them. */
bool sched_config_named (SchedConfig *cfg, const char *name, GError **error);

/* Sets one key from a string, as in `--set sched.spares=64`; the "sched."
 * prefix is optional. Keys: policy (a preset name), queue (fifo|priority),
 * placement (first-fit|topology), backfill (true|false), preempt
 * (true|false), spares (integer >= 0), refill (spares-first|general-first).
 * Unknown key -> error suggesting the closest key; bad value -> error
 * naming the value and the accepted ones. *cfg is unchanged on error. */
bool sched_config_set (SchedConfig *cfg, const char *key, const char *value,
                       GError **error);

typedef struct
{
  const char *key;    /* without the "sched." prefix */
  const char *values; /* accepted values, e.g. "fifo|priority" */
  const char *def;    /* default (the "fifo" preset) */
  const char *help;   /* one line */
} SchedConfigKey;

/* The table of keys (static storage), for help output and docs. */
const SchedConfigKey *sched_config_keys (size_t *n_keys);

/* "queue=fifo placement=first-fit backfill=true preempt=false spares=0
 * refill=spares-first". Returns: (transfer full) */
char *sched_config_describe (const SchedConfig *cfg);

/* ---- the scheduler ---- */

typedef struct Sched Sched;

typedef struct
{
  uint32_t id;             /* unique among jobs known to the Sched */
  uint32_t nodes;          /* gang size, > 0 */
  int32_t priority;        /* higher runs first (SCHED_QUEUE_PRIORITY) */
  SchedTimeMs submit;      /* submit time; the FIFO order */
  SchedTimeMs est_runtime; /* user estimate for backfill; <= 0 = unknown */
  bool preemptible;
  uint32_t standbys;       /* warm standbys: idle nodes held beside the gang
                              (see "Warm standbys" below); 0 = none */
} SchedJob;

typedef enum
{
  SCHED_DECISION_START,   /* job starts now on nodes[0..n) */
  SCHED_DECISION_PREEMPT, /* job is stopped now and requeued; nodes[0..n)
                             are the nodes it held */
} SchedDecisionKind;

typedef struct
{
  SchedDecisionKind kind;
  uint32_t job;
  uint32_t n;
  uint32_t *nodes;      /* owned by the Sched, valid until the next call
                           into it; ascending node index; do not modify */
  uint32_t from_spares; /* START: how many of the nodes came from the spare
                           pool (only for a restart after an interruption) */
} SchedDecision;

typedef enum
{
  SCHED_JOB_UNKNOWN, /* never submitted, or finished */
  SCHED_JOB_QUEUED,
  SCHED_JOB_RUNNING,
} SchedJobState;

/* n_nodes > 0 nodes; node_group[i] is the scalable unit (leaf group) of
 * node i, used by topology placement (NULL = one group). The array is
 * copied. cfg->spares must be < n_nodes. Returns: (transfer full) or NULL
 * with *error set. */
Sched *sched_new (const SchedConfig *cfg, uint32_t n_nodes,
                  const uint32_t *node_group, GError **error);
void sched_free (Sched *s);

/* Queues a job. Returns false (and queues nothing) if the job can never
 * start: more nodes (with its standbys) than the general pool has
 * (n_nodes - spares). A duplicate id or nodes == 0 is a caller bug. */
bool sched_submit (Sched *s, const SchedJob *j);

/* A node going down is no longer placed; if a job runs on it, the job keeps
 * it until the caller reports sched_job_interrupted() or _finished(); if
 * it is a job's standby, it leaves the job at once (the job has one
 * standby fewer). A node coming back up (repaired) joins the spare pool
 * first if it is short and cfg->refill is SCHED_REFILL_SPARES_FIRST, else
 * the general pool. */
void sched_node_set_available (Sched *s, uint32_t node, bool up);

/* A running job completed, or a queued job was cancelled: it is forgotten
 * and its nodes are released. */
void sched_job_finished (Sched *s, uint32_t id);

/* A running job was interrupted (a failure): it goes back to the queue at
 * the head of its priority class, keeping its submit time; its restart
 * may use hot spares. It keeps holding its nodes until the next pass,
 * which restarts it on those still up plus replacements for the others
 * (the one-node swap, docs/scheduling.md) or, if it cannot, releases
 * them and places the job afresh. A job with warm standbys releases
 * its nodes at once (it swaps in place through sched_job_swap). */
void sched_job_interrupted (Sched *s, uint32_t id);

/* Warm standbys. A job with standbys = N starts (first start or restart)
 * only when nodes + N free nodes exist (a restart after an interruption
 * counts the hot-spare pool too, as for its gang); the pass places the
 * nodes + N together (the same placement rule) and keeps the N it placed
 * last as the job's standbys: held, idle, not available to other jobs,
 * not in its decision's nodes. They are released with the job (finished,
 * interrupted, preempted). When one of the job's nodes fails, the caller
 * may swap it for a standby instead of interrupting the job through the
 * queue: */

/* Replaces `node` of running job `id` by one of its standbys (the first,
 * ascending, in the node's group, else the first): the standby joins the
 * job's nodes (kept ascending), `node` leaves the job and, if up, joins
 * the general pool. Returns false (nothing changed) when the job is not
 * running, `node` is not one of its nodes, or it holds no standby. */
bool sched_job_swap (Sched *s, uint32_t id, uint32_t node,
                     uint32_t *replacement);

/* One scheduling pass at `now`: appends SchedDecision's to decisions_out (a
 * GArray of SchedDecision), PREEMPTs before the START they make room for.
 * Started jobs are running when this returns; preempted jobs are queued. */
void sched_schedule (Sched *s, SchedTimeMs now, GArray *decisions_out);

/* ---- queries ---- */

/* The nodes of a running job (ascending), or NULL (n = 0) if it is not
 * running. Valid until the next call that changes the job. */
const uint32_t *sched_job_nodes (Sched *s, uint32_t id, uint32_t *n);
/* The standbys a running job holds (ascending), or NULL (n = 0). Valid
 * until the next call that changes the job. */
const uint32_t *sched_job_standbys (Sched *s, uint32_t id, uint32_t *n);
SchedJobState sched_job_state (Sched *s, uint32_t id);
uint32_t sched_spares_free (Sched *s);  /* idle, up nodes in the spare pool */
uint32_t sched_queue_length (Sched *s);
uint32_t sched_running_count (Sched *s);
uint32_t sched_free_nodes (Sched *s);   /* idle, up nodes in the general pool */
uint32_t sched_node_count (Sched *s);
bool sched_node_is_spare (Sched *s, uint32_t node);

G_END_DECLS
