/* models/config.c - every configuration key of a run, declared once.
 *
 * The table below drives world_config_set (the Lua API and --set), the
 * params echo in summary.json and `faultline help options`. Durations are
 * seconds; a --set string accepts unit suffixes (90s, 30m, 2h, 54d, 1w) for
 * a duration key only. The valid range of every other number a run reads
 * (job{}, failure_mode(), at/every/maintenance, lua_policy) is
 * declared here too (extra_ranges, world_range).
 * Keys "health.*" and "sched.*" are passed through to the policies' own
 * parameter tables (policy/health.h, policy/sched.h) when the world is
 * built. */
#include "world-int.h"
#include "params.h"
#include "suggest.h"

#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

G_DEFINE_QUARK (faultline-world-error-quark, world_error)

typedef struct
{
  const char *key;
  WorldValType type;
  WorldKeyKind kind;
  const char *unit;
  size_t offset;
  const char *def; /* default, as text */
  double min, max; /* numbers only */
  const char *help;
  const char *what; /* ENUM: what a value is, for errors ("health policy") */
  const char *const *(*values) (void); /* ENUM: the names, from their owner */
} ConfigKey;

#define KEY(k, type, kind, unit, field, def, lo, hi, help, what, values) \
  { k, type, kind, unit, offsetof (WorldConfig, field), def, lo, hi, help, \
    what, values }
/* A plain number in [lo, hi] (a fraction, a factor, a rate). */
#define NUM(k, field, unit, def, lo, hi, help) \
  KEY (k, WORLD_VAL_NUMBER, WORLD_KIND_NUMBER, unit, field, def, lo, hi, help, NULL, NULL)
/* A count (nodes, ports, people): a whole number in [lo, hi]. */
#define INT(k, field, unit, def, lo, hi, help) \
  KEY (k, WORLD_VAL_NUMBER, WORLD_KIND_COUNT, unit, field, def, lo, hi, help, NULL, NULL)
/* A duration in seconds in [lo, hi]; --set takes 90s 30m 2h 54d 1w. */
#define DUR(k, field, def, lo, hi, help) \
  KEY (k, WORLD_VAL_NUMBER, WORLD_KIND_DURATION, "s", field, def, lo, hi, help, NULL, NULL)
#define STR(k, field, def, help) \
  KEY (k, WORLD_VAL_STRING, WORLD_KIND_STRING, "", field, def, 0, 0, help, NULL, NULL)
/* A data file; "" = none. A scenario's relative path is tried beside it. */
#define PATH(k, field, help) \
  KEY (k, WORLD_VAL_STRING, WORLD_KIND_PATH, "", field, "", 0, 0, help, NULL, NULL)
/* One of the names values() gives (the module that reads the key owns
 * them); what names a value in errors. */
#define ENUM(k, field, def, what, values, help) \
  KEY (k, WORLD_VAL_STRING, WORLD_KIND_ENUM, "", field, def, 0, 0, help, what, values)
#define BOOL(k, field, def, help) \
  KEY (k, WORLD_VAL_BOOL, WORLD_KIND_BOOL, "", field, def, 0, 0, help, NULL, NULL)

/* cluster.preset: every preset is the same DGX H100 fat tree today
 * (world.c build_topology); "custom" says the cluster.* keys describe it. */
static const char *const *
preset_names (void)
{
  static const char *const names[] = { "h100-superpod", "custom", NULL };
  return names;
}

static const ConfigKey config_keys[] = {
  ENUM ("cluster.preset", cluster_preset, "h100-superpod", "preset", preset_names,
        "hardware preset: h100-superpod (DGX H100, 8 GPUs and 8 NDR rails per node)"),
  INT ("cluster.gpus", cluster_gpus, "", "0", 0, 1e8,
       "GPUs in the cluster (rounded up to whole nodes); 0: use cluster.nodes"),
  INT ("cluster.nodes", cluster_nodes, "", "2048", 1, 1e7, "nodes (hosts)"),
  INT ("cluster.gpus_per_node", cluster_gpus_per_node, "", "8", 1, 64, "GPUs per node"),
  INT ("cluster.rails", cluster_rails, "", "8", 1, 64, "backend NICs (rails) per node"),
  INT ("cluster.su_size", cluster_su_size, "", "32", 1, 4096,
       "nodes per scalable unit (one leaf per rail per SU)"),
  INT ("cluster.radix", cluster_radix, "", "64", 4, 1024, "switch ports"),
  NUM ("cluster.oversubscription", cluster_oversubscription, "", "1", 1, 64,
       "leaf down:up port ratio (1 = non-blocking)"),
  INT ("cluster.tiers", cluster_tiers, "", "0", 0, 3, "fabric tiers, 2 or 3; 0 = automatic"),
  INT ("cluster.nodes_per_rack", cluster_nodes_per_rack, "", "4", 1, 1024, "nodes per rack (power domain)"),
  INT ("cluster.racks_per_row", cluster_racks_per_row, "", "16", 1, 1024,
       "racks per row (power domain; docs/failure-modes.md: 32 rows of 2,048 nodes)"),
  INT ("cluster.rows_per_cooling_loop", cluster_rows_per_cooling_loop, "", "2", 1, 1024,
       "rows per cooling loop (docs/failure-modes.md: 16 loops of 2,048 nodes)"),
  PATH ("cluster.ibnet", cluster_ibnet,
       "read the fabric from this ibnetdiscover file instead of generating a fat tree"),
  PATH ("cluster.inventory", cluster_inventory,
       "take the nodes from this `kubectl get nodes -o json` file: names, GPUs "
       "per node, SU/rack/zone groups from labels (docs/scenario-api.md)"),
  STR ("cluster.inventory_su_label", cluster_inventory_su_label,
       "network.topology.nvidia.com/leaf",
       "inventory: the node label naming its scalable unit (\"\": not used)"),
  STR ("cluster.inventory_rack_label", cluster_inventory_rack_label,
       "topology.kubernetes.io/rack",
       "inventory: the node label naming its rack (\"\": not used)"),
  STR ("cluster.inventory_zone_label", cluster_inventory_zone_label,
       "topology.kubernetes.io/zone",
       "inventory: the node label naming its row or zone (\"\": not used)"),
  INT ("cluster.spares", cluster_spares, "", "0", 0, 1e7, "hot spare nodes kept idle for restarts"),
  INT ("cluster.technicians", cluster_technicians, "", "8", 0, 1e6,
       "technicians working hardware tickets in parallel (0 = unlimited)"),
  INT ("cluster.spare_parts", cluster_spare_parts, "", "0", 0, 1e7,
       "replacement parts in stock for tickets (0 = unlimited); an empty stock waits for restock"),
  DUR ("cluster.rma_lead_time", cluster_rma_lead_time, "345600", 0, 1e9,
       "mean vendor RMA turnaround, uniform over 0.75-1.25 of it: the rma repair path "
       "and the policy's RMA action (default 4 days = 3-5 days, field-data.md §12.3)"),
  DUR ("cluster.restock_time", cluster_restock_time, "604800", 0, 1e9,
       "time for a used spare part to be replaced in stock"),
  DUR ("cluster.burnin_time", cluster_burnin_time, "7200", 0, 1e8,
       "burn-in before a repaired node returns to service (assumption: 2 h)"),
  DUR ("cluster.reset_gpu_time", cluster_reset_gpu_time, "900", 0, 1e8,
       "mean time of a GPU reset + quick check, lognormal sd 40% "
       "(assumption: minutes, field-data.md §12.3)"),
  DUR ("cluster.reboot_time", cluster_reboot_time, "7200", 0, 1e8,
       "mean time of an automated reboot + checks, lognormal sd 50% "
       "(AIReSim 2 h, NCSA Delta 2.2 h: field-data.md §12.3)"),
  DUR ("cluster.reimage_time", cluster_reimage_time, "10800", 0, 1e8,
       "mean time of an automated reimage, lognormal sd 50% "
       "(assumption: the 2 h automated repair + 1 h install)"),
  ENUM ("failures.source", failures_source, "llama3", "failure source", catalog_sources,
       "default failure rates: llama3 (Llama 3 54-day table) or none"),
  NUM ("failures.scale", failures_scale, "", "1", 0, 1e6, "multiplies every failure rate"),
  NUM ("failures.lemon_fraction", failures_lemon_fraction, "", "0.012", 0, 1,
       "fraction of nodes that are lemons (Kokolis et al.: 1.2%)"),
  NUM ("failures.lemon_multiplier", failures_lemon_multiplier, "", "5", 1, 1e4,
       "failure-rate multiplier of a lemon node"),
  NUM ("failures.precursor_fraction", failures_precursor_fraction, "", "0.5", 0, 1,
       "share of HBM/SRAM, thermal, NIC and cable failures that show precursors first (assumption)"),
  DUR ("failures.precursor_lead", failures_precursor_lead, "86400", 0, 1e9,
       "mean time from the first precursor to the hard failure (assumption: 1 day)"),
  ENUM ("policy.health", policy_health, "standard", "health policy", care_health_names,
        "health policy: reactive, standard, proactive, nvsentinel, eks-auto-repair, slurm-nhc"),
  ENUM ("policy.sched", policy_sched, "topology", "scheduling policy", jobs_sched_names,
        "scheduling policy (docs/scheduling.md)"),
  ENUM ("policy.degraded_nodes", policy_degraded_nodes, "drain", "degraded_nodes value",
        nodes_degraded_names,
       "nodes whose ports the health policy disabled (a leaf, NIC or cable down): "
       "drain (never scheduled), use (scheduled while a rail works, at the bandwidth "
       "the working rails give), when-short (used only while a failed job waits for nodes)"),
  PATH ("policy.health_plugin", policy_health_plugin,
       "shared library with a health policy (replaces policy.health)"),
  NUM ("workload.research_rate", workload_research_rate, "1/h", "0", 0, 1e6,
       "research jobs submitted per hour (Poisson); 0 = none"),
  INT ("workload.research_max_nodes", workload_research_max_nodes, "", "64", 1, 1e7,
       "largest research job, in nodes"),
  STR ("workload.research_sizes", workload_research_sizes, "",
       "research job sizes as NODES:WEIGHT,... (e.g. 1:0.7,8:0.3; a bare NODES weighs 1); "
       "empty = the RSC-1 mix of docs/scheduling.md"),
  ENUM ("workload.research_duration", workload_research_duration, "lognormal",
        "distribution", workload_research_durations,
       "distribution of a research job's failure-free runtime: lognormal, exponential or constant"),
  DUR ("workload.research_mean", workload_research_mean, "5508", 1, 1e9,
       "mean failure-free runtime of a research job (default 1.53 h, RSC-1, field-data.md §2.1)"),
  DUR ("workload.research_sd", workload_research_sd, "16560", 0, 1e10,
       "standard deviation of that runtime, lognormal only (default 4.6 h: an assumption, CV 3)"),
  PATH ("workload.trace", workload_trace, "Standard Workload Format (.swf) trace to replay"),
  BOOL ("workload.trace_lenient", workload_trace_lenient, "false",
        "skip malformed trace lines (counted) instead of failing"),
  NUM ("workload.trace_time_scale", workload_trace_time_scale, "", "1", 1e-6, 1e6,
       "multiplies the trace's times"),
  PATH ("failure_trace.file", failure_trace_file,
        "per-node fault trace (JSON or CSV, docs/scenario-api.md) injected as failures"),
  ENUM ("failure_trace.repair", failure_trace_repair, "trace", "failure_trace repair",
        faults_trace_repair_names,
        "trace (a node is down from each fault_start to its fault_end) or policy "
        "(only the starts are injected; the health policy and technicians repair)"),
  DUR ("run.length", run_length, "4665600", 1, 1e11, "simulated time (default 54 days)"),
  DUR ("run.sample_every", run_sample_every, "3600", 1, 1e9,
       "time-series resolution (timeseries.csv)"),
  BOOL ("run.checkpoint_events", run_events, "false",
        "deliver job_checkpoint events to scripts and events.jsonl"),
};

/* The numbers a run reads that are not config keys: their valid ranges,
 * checked where they are read (lua/api.c, lua/luapolicy.c,
 * world_config_add_job and
 * world_config_failure_set below). Ceilings keep simulated times far from
 * int64 microseconds overflowing (2^63 us = 292,000 years: a run is at
 * most 1e11 s, a duration at most 1e9 s, ~32 years); floors keep a run
 * from becoming endless (a failure every 1e-300 s). */
static const WorldRange extra_ranges[] = {
  { "job.nodes", "", 1, 1e7, true, false, "nodes of a job", false },
  { "job.work", "s", 1, 1e11, false, true, "compute a job needs; 0 = runs to the end", false },
  { "job.submit", "s", 0, 1e11, false, false, "submission time", false },
  { "job.checkpoint_every", "s", 1, 1e9, false, true,
    "compute between checkpoints; 0 = Young/Daly", false },
  { "job.checkpoint_cost", "s", 0, 1e7, false, false, "blocking time of a checkpoint", false },
  { "job.checkpoint_write", "s", 0, 1e7, false, false,
    "background write of a checkpoint after its blocking part", false },
  { "job.restart", "s", 0, 1e7, false, false, "restart time after an interruption", false },
  { "job.comm_share", "", 0, 1, false, false, "share of a step spent communicating", false },
  { "job.priority", "", -1e9, 1e9, true, false, "priority (higher first)", false },
  { "job.standbys", "", 0, 1e7, true, false, "warm standby nodes a job holds", false },
  { "job.standby_swap", "s", 0, 1e7, false, false,
    "added to a restart on standbys (bringing a standby in)", false },
  { "job.host_selection", "s", 0, 1e7, false, false,
    "added to a restart through the scheduler (choosing new hosts)", false },
  { "failure_mode.mtbf", "s", 1, 1e13, false, false, "mean time between failures of one component", false },
  { "failure_mode.rate_scale", "", 1e-9, 1e6, false, true,
    "multiplies the mode's rate; 0 disables it", false },
  { "failure_mode.shape", "", 0.1, 20, false, false,
    "Weibull shape k (the mean is kept: scale = mtbf / Gamma(1 + 1/k))", false },
  { "failure_mode.sigma", "", 0.05, 4, false, false,
    "lognormal sigma (the mean is kept: mu = ln(mtbf) - sigma^2 / 2)", false },
  { "failure_mode.repair_time", "s", 0, 1e9, false, false, "hands-on repair time", false },
  { "failure_mode.xid", "", 0, 65535, true, false, "NVIDIA Xid code reported", false },
  { "failure_mode.detect_delay", "s", 0, 1e7, false, false, "time until the failure is observed", false },
  { "at.time", "s", 0, 1e11, false, false, "when at(t, fn) calls fn", false },
  { "every.period", "s", 1e-6, 1e11, false, false, "period of every(dt, fn)", false },
  { "every.first", "s", 0, 1e11, false, false, "first call of every(dt, fn, first)", false },
  { "maintenance.duration", "s", 1e-6, 1e9, false, false, "planned maintenance time", false },
  { "lua_policy.every", "s", 0.001, 1e9, false, false, "wake-up period of a lua_policy{}", false },
  { "node_rate.multiplier", "", 0, 1e6, false, false,
    "set_node_rate(): multiplier of a node's GPU and host failure rates", false },
  { "node_rate.reset_probability", "", 0, 1, false, false,
    "set_node_rate(): probability a repair of the node resets its multiplier to 1", false },
  { "repair_pipeline.mean", "s", 1, 1e9, false, false, "mean duration of a repair stage", false },
  { "repair_pipeline.sd", "s", 1, 1e10, false, false,
    "lognormal standard deviation of a repair stage", false },
  { "repair_pipeline.shape", "", 0.1, 20, false, false,
    "Weibull shape of a repair stage (the mean kept)", false },
  { "repair_pipeline.success", "", 0, 1, false, false,
    "probability a repair stage fixes the fault", false },
  { "repair_pipeline.misdiagnosis", "", 0, 0.99, false, false,
    "probability a diagnosis sends a healthy node to repair", false },
};

/* The ranges of the config keys, built from config_keys on first use. */
static const WorldRange *
key_ranges (void)
{
  static WorldRange r[G_N_ELEMENTS (config_keys)];
  static gsize done = 0;
  if (g_once_init_enter (&done))
    {
      for (size_t i = 0; i < G_N_ELEMENTS (config_keys); i++)
        {
          const ConfigKey *k = &config_keys[i];
          r[i] = (WorldRange) { k->key, k->unit, k->min, k->max,
                                k->kind == WORLD_KIND_COUNT,
                                false, k->help, true };
        }
      g_once_init_leave (&done, 1);
    }
  return r;
}

const WorldRange *
world_range (const char *key)
{
  g_return_val_if_fail (key != NULL, NULL);
  const WorldRange *kr = key_ranges ();
  for (size_t i = 0; i < G_N_ELEMENTS (config_keys); i++)
    if (config_keys[i].type == WORLD_VAL_NUMBER && strcmp (kr[i].key, key) == 0)
      return &kr[i];
  for (size_t i = 0; i < G_N_ELEMENTS (extra_ranges); i++)
    if (strcmp (extra_ranges[i].key, key) == 0)
      return &extra_ranges[i];
  return NULL;
}

void
world_range_foreach (void (*fn) (const WorldRange *r, void *user_data),
                     void *user_data)
{
  const WorldRange *kr = key_ranges ();
  for (size_t i = 0; i < G_N_ELEMENTS (config_keys); i++)
    if (config_keys[i].type == WORLD_VAL_NUMBER)
      fn (&kr[i], user_data);
  for (size_t i = 0; i < G_N_ELEMENTS (extra_ranges); i++)
    fn (&extra_ranges[i], user_data);
}

bool
world_range_check (const char *key, double x, GError **error)
{
  const WorldRange *r = world_range (key);
  g_return_val_if_fail (r != NULL, false);
  if (r->zero_off && x == 0)
    return true;
  if (!isfinite (x) || x < r->min || x > r->max)
    {
      g_set_error (error, WORLD_ERROR, WORLD_ERROR_INVALID,
                   "%s = %g is out of range [%g, %g]%s%s%s", key,
                   isnan (x) ? NAN : x, r->min, r->max,
                   *r->unit ? " " : "", r->unit,
                   r->zero_off ? " (or 0)" : "");
      return false;
    }
  if (r->whole && x != floor (x))
    {
      g_set_error (error, WORLD_ERROR, WORLD_ERROR_INVALID,
                   "%s = %g is not a whole number (a count: write e.g. %g)",
                   key, x, floor (x + 0.5));
      return false;
    }
  return true;
}

bool
world_parse_number (const char *text, const char *unit, double *out,
                    GError **error)
{
  g_return_val_if_fail (text != NULL && out != NULL, false);
  GError *e = NULL;
  bool duration = unit != NULL && strcmp (unit, "s") == 0;
  if (!params_parse_number (text, duration ? 1 : 0, out, &e))
    {
      g_set_error_literal (error, WORLD_ERROR, WORLD_ERROR_INVALID,
                           e->message);
      g_error_free (e);
      return false;
    }
  return true;
}

static const ConfigKey *
find_key (const char *key)
{
  for (size_t i = 0; i < G_N_ELEMENTS (config_keys); i++)
    if (strcmp (config_keys[i].key, key) == 0)
      return &config_keys[i];
  return NULL;
}

/* ---- suggestions ---- */

const char *
world_suggest (const char *word, const char *const *candidates)
{
  return policy_suggest (word, candidates, (size_t) -1);
}

/* ---- the config object ---- */

static void
set_default (WorldConfig *cfg, const ConfigKey *k)
{
  char *p = (char *) cfg + k->offset;
  switch (k->type)
    {
    case WORLD_VAL_NUMBER:
      *(double *) p = g_ascii_strtod (k->def, NULL);
      break;
    case WORLD_VAL_STRING:
      g_free (*(char **) p);
      *(char **) p = g_strdup (k->def);
      break;
    case WORLD_VAL_BOOL:
      *(bool *) p = strcmp (k->def, "true") == 0;
      break;
    }
}

static void
failure_override_clear (gpointer p)
{
  WorldFailureOverride *o = p;
  g_free (o->mode);
  g_free (o->key);
  g_free ((char *) o->v.str);
}

static void
kv_clear (gpointer p)
{
  WorldKV *kv = p;
  g_free (kv->key);
  g_free (kv->value);
}

static void
job_clear (gpointer p)
{
  WorldJobSpec *j = p;
  g_free ((char *) j->name);
}

WorldConfig *
world_config_new (void)
{
  WorldConfig *cfg = g_new0 (WorldConfig, 1);
  for (size_t i = 0; i < G_N_ELEMENTS (config_keys); i++)
    set_default (cfg, &config_keys[i]);
  cfg->failure_overrides = g_array_new (FALSE, TRUE, sizeof (WorldFailureOverride));
  g_array_set_clear_func (cfg->failure_overrides, failure_override_clear);
  cfg->health_kv = g_array_new (FALSE, TRUE, sizeof (WorldKV));
  g_array_set_clear_func (cfg->health_kv, kv_clear);
  cfg->sched_kv = g_array_new (FALSE, TRUE, sizeof (WorldKV));
  g_array_set_clear_func (cfg->sched_kv, kv_clear);
  cfg->failure_trace_map = g_array_new (FALSE, TRUE, sizeof (WorldKV));
  g_array_set_clear_func (cfg->failure_trace_map, kv_clear);
  cfg->failure_trace_classes = g_array_new (FALSE, TRUE, sizeof (WorldKV));
  g_array_set_clear_func (cfg->failure_trace_classes, kv_clear);
  cfg->jobs = g_array_new (FALSE, TRUE, sizeof (WorldJobSpec));
  g_array_set_clear_func (cfg->jobs, job_clear);
  cfg->timers = g_array_new (FALSE, TRUE, sizeof (WorldTimerReg));
  cfg->ons = g_array_new (FALSE, TRUE, sizeof (WorldOnReg));
  cfg->repair_stages = repair_stages_new ();
  return cfg;
}

void
world_config_free (WorldConfig *cfg)
{
  if (cfg == NULL)
    return;
  for (size_t i = 0; i < G_N_ELEMENTS (config_keys); i++)
    if (config_keys[i].type == WORLD_VAL_STRING)
      g_free (*(char **) ((char *) cfg + config_keys[i].offset));
  g_array_unref (cfg->failure_overrides);
  g_array_unref (cfg->health_kv);
  g_array_unref (cfg->sched_kv);
  g_array_unref (cfg->failure_trace_map);
  g_array_unref (cfg->failure_trace_classes);
  g_array_unref (cfg->jobs);
  g_array_unref (cfg->timers);
  g_array_unref (cfg->ons);
  g_array_unref (cfg->repair_stages);
  g_free (cfg);
}

WorldConfig *
world_config_copy (const WorldConfig *cfg)
{
  WorldConfig *c = g_new0 (WorldConfig, 1);
  *c = *cfg;
  for (size_t i = 0; i < G_N_ELEMENTS (config_keys); i++)
    if (config_keys[i].type == WORLD_VAL_STRING)
      {
        char **p = (char **) ((char *) c + config_keys[i].offset);
        *p = g_strdup (*p);
      }
  c->failure_overrides = g_array_new (FALSE, TRUE, sizeof (WorldFailureOverride));
  g_array_set_clear_func (c->failure_overrides, failure_override_clear);
  for (guint i = 0; i < cfg->failure_overrides->len; i++)
    {
      WorldFailureOverride o = g_array_index (cfg->failure_overrides, WorldFailureOverride, i);
      o.mode = g_strdup (o.mode);
      o.key = g_strdup (o.key);
      o.v.str = g_strdup (o.v.str);
      g_array_append_val (c->failure_overrides, o);
    }
  GArray *kvs[4] = { cfg->health_kv, cfg->sched_kv, cfg->failure_trace_map,
                     cfg->failure_trace_classes };
  GArray **dst[4] = { &c->health_kv, &c->sched_kv, &c->failure_trace_map,
                      &c->failure_trace_classes };
  for (int k = 0; k < 4; k++)
    {
      *dst[k] = g_array_new (FALSE, TRUE, sizeof (WorldKV));
      g_array_set_clear_func (*dst[k], kv_clear);
      for (guint i = 0; i < kvs[k]->len; i++)
        {
          WorldKV kv = g_array_index (kvs[k], WorldKV, i);
          kv.key = g_strdup (kv.key);
          kv.value = g_strdup (kv.value);
          g_array_append_val (*dst[k], kv);
        }
    }
  c->jobs = g_array_new (FALSE, TRUE, sizeof (WorldJobSpec));
  g_array_set_clear_func (c->jobs, job_clear);
  for (guint i = 0; i < cfg->jobs->len; i++)
    {
      WorldJobSpec j = g_array_index (cfg->jobs, WorldJobSpec, i);
      j.name = g_strdup (j.name);
      g_array_append_val (c->jobs, j);
    }
  c->timers = g_array_copy (cfg->timers);
  c->ons = g_array_copy (cfg->ons);
  c->repair_stages = repair_stages_copy (cfg->repair_stages);
  return c;
}

void
world_config_set_health_factory (WorldConfig *cfg, WorldHealthFactoryFn fn,
                                 void *data)
{
  g_return_if_fail (cfg != NULL);
  cfg->health_factory = fn;
  cfg->health_factory_data = fn != NULL ? data : NULL;
}

static const char *
type_name (WorldValType t)
{
  switch (t)
    {
    case WORLD_VAL_NUMBER: return "a number";
    case WORLD_VAL_STRING: return "a string";
    case WORLD_VAL_BOOL: return "a boolean";
    }
  return "?";
}

static void
unknown_key_error (const char *key, GError **error)
{
  const char *names[G_N_ELEMENTS (config_keys) + 1];
  for (size_t i = 0; i < G_N_ELEMENTS (config_keys); i++)
    names[i] = config_keys[i].key;
  names[G_N_ELEMENTS (config_keys)] = NULL;
  const char *s = world_suggest (key, names);
  if (s != NULL)
    g_set_error (error, WORLD_ERROR, WORLD_ERROR_INVALID,
                 "unknown key '%s' (did you mean '%s'?)", key, s);
  else
    g_set_error (error, WORLD_ERROR, WORLD_ERROR_INVALID,
                 "unknown key '%s' (see 'faultline help options')", key);
}

static void
kv_set (GArray *kvs, const char *key, const char *value)
{
  for (guint i = 0; i < kvs->len; i++)
    {
      WorldKV *kv = &g_array_index (kvs, WorldKV, i);
      if (strcmp (kv->key, key) == 0)
        {
          g_free (kv->value);
          kv->value = g_strdup (value);
          return;
        }
    }
  WorldKV kv = { g_strdup (key), g_strdup (value) };
  g_array_append_val (kvs, kv);
}

static char *
value_to_text (const WorldValue *v)
{
  switch (v->type)
    {
    case WORLD_VAL_NUMBER:
      {
        char buf[G_ASCII_DTOSTR_BUF_SIZE];
        return g_strdup (g_ascii_dtostr (buf, sizeof buf, v->num));
      }
    case WORLD_VAL_STRING:
      return g_strdup (v->str ? v->str : "");
    case WORLD_VAL_BOOL:
      return g_strdup (v->b ? "true" : "false");
    }
  return g_strdup ("");
}

guint
config_name_index (const char *const *names, const char *value)
{
  g_return_val_if_fail (names != NULL && value != NULL, G_MAXUINT);
  for (guint i = 0; names[i] != NULL; i++)
    if (strcmp (names[i], value) == 0)
      return i;
  return G_MAXUINT;
}

/* "unknown health policy 'x', did you mean 'y'? (valid: a, b)" */
static bool
enum_check (const ConfigKey *k, const char *value, GError **error)
{
  const char *const *names = k->values ();
  if (value != NULL && config_name_index (names, value) != G_MAXUINT)
    return true;
  g_autofree char *all = g_strjoinv (", ", (char **) names);
  const char *s = value != NULL ? world_suggest (value, names) : NULL;
  if (s != NULL)
    g_set_error (error, WORLD_ERROR, WORLD_ERROR_INVALID,
                 "unknown %s '%s', did you mean '%s'? (valid: %s)", k->what,
                 value, s, all);
  else
    g_set_error (error, WORLD_ERROR, WORLD_ERROR_INVALID,
                 "unknown %s '%s' (valid: %s)", k->what,
                 value != NULL ? value : "", all);
  return false;
}

bool
world_config_set (WorldConfig *cfg, const char *key, const WorldValue *v,
                  GError **error)
{
  g_return_val_if_fail (cfg != NULL && key != NULL && v != NULL, false);
  if (g_str_has_prefix (key, "health.") || g_str_has_prefix (key, "sched."))
    {
      const char *sub = strchr (key, '.') + 1;
      if (*sub == '\0')
        {
          unknown_key_error (key, error);
          return false;
        }
      g_autofree char *text = value_to_text (v);
      /* checked as the module that applies it will (care_init, jobs_init) */
      GError *e = NULL;
      if (!(key[0] == 'h' ? care_param_check (sub, text, &e)
                          : jobs_param_check (sub, text, &e)))
        {
          g_set_error_literal (error, WORLD_ERROR, WORLD_ERROR_INVALID,
                               e->message);
          g_error_free (e);
          return false;
        }
      kv_set (key[0] == 'h' ? cfg->health_kv : cfg->sched_kv, sub, text);
      return true;
    }
  /* failure_trace.map.<trace node id> = node name;
   * failure_trace.class.<Class text> = failure mode */
  if (g_str_has_prefix (key, "failure_trace.map.")
      || g_str_has_prefix (key, "failure_trace.class."))
    {
      bool map = g_str_has_prefix (key, "failure_trace.map.");
      const char *sub = key + (map ? strlen ("failure_trace.map.")
                                   : strlen ("failure_trace.class."));
      if (*sub == '\0' || v->type != WORLD_VAL_STRING || v->str == NULL
          || *v->str == '\0')
        {
          g_set_error (error, WORLD_ERROR, WORLD_ERROR_INVALID,
                       "%s: expected a non-empty %s name", key,
                       map ? "node" : "failure mode");
          return false;
        }
      kv_set (map ? cfg->failure_trace_map : cfg->failure_trace_classes, sub,
              v->str);
      return true;
    }
  const ConfigKey *k = find_key (key);
  if (k == NULL)
    {
      unknown_key_error (key, error);
      return false;
    }
  if (k->type != v->type)
    {
      g_set_error (error, WORLD_ERROR, WORLD_ERROR_INVALID,
                   "%s must be %s%s%s, got %s", key, type_name (k->type),
                   *k->unit ? " in " : "", k->unit, type_name (v->type));
      return false;
    }
  char *p = (char *) cfg + k->offset;
  switch (k->type)
    {
    case WORLD_VAL_NUMBER:
      if (!isfinite (v->num) || v->num < k->min || v->num > k->max)
        {
          g_set_error (error, WORLD_ERROR, WORLD_ERROR_INVALID,
                       "%s = %g is out of range [%g, %g]%s%s", key,
                       isnan (v->num) ? NAN : v->num,
                       k->min, k->max, *k->unit ? " " : "", k->unit);
          return false;
        }
      if (k->kind == WORLD_KIND_COUNT && v->num != floor (v->num))
        {
          g_set_error (error, WORLD_ERROR, WORLD_ERROR_INVALID,
                       "%s = %g is not a whole number (a count: write e.g. "
                       "%g)", key, v->num, floor (v->num + 0.5));
          return false;
        }
      *(double *) p = v->num;
      break;
    case WORLD_VAL_STRING:
      if (k->kind == WORLD_KIND_ENUM && !enum_check (k, v->str, error))
        return false;
      g_free (*(char **) p);
      *(char **) p = g_strdup (v->str ? v->str : "");
      break;
    case WORLD_VAL_BOOL:
      *(bool *) p = v->b;
      break;
    }
  return true;
}

bool
world_config_set_string (WorldConfig *cfg, const char *key, const char *value,
                         GError **error)
{
  g_return_val_if_fail (cfg != NULL && key != NULL && value != NULL, false);
  WorldValue v = { 0 };
  if (g_str_has_prefix (key, "health.") || g_str_has_prefix (key, "sched."))
    {
      v.type = WORLD_VAL_STRING;
      v.str = value;
      return world_config_set (cfg, key, &v, error);
    }
  const ConfigKey *k = find_key (key);
  if (k == NULL)
    {
      unknown_key_error (key, error);
      return false;
    }
  v.type = k->type;
  switch (k->type)
    {
    case WORLD_VAL_NUMBER:
      {
        GError *e = NULL;
        if (!world_parse_number (value, k->unit, &v.num, &e))
          {
            g_set_error (error, WORLD_ERROR, WORLD_ERROR_INVALID, "%s: %s",
                         key, e->message);
            g_error_free (e);
            return false;
          }
      }
      break;
    case WORLD_VAL_STRING:
      v.str = value;
      break;
    case WORLD_VAL_BOOL:
      if (!params_parse_bool (value, &v.b))
        {
          g_set_error (error, WORLD_ERROR, WORLD_ERROR_INVALID,
                       "%s: '%s' is not a boolean (" PARAMS_BOOL_WORDS ")",
                       key, value);
          return false;
        }
      break;
    }
  return world_config_set (cfg, key, &v, error);
}

/* A health.* or sched.* value as JSON: a number or a boolean bare, any
 * other text (a name, "5m") as a string. NULL when the key is unset. */
static char *
kv_get_json (const GArray *kvs, const char *sub)
{
  for (guint i = 0; i < kvs->len; i++)
    {
      const WorldKV *kv = &g_array_index (kvs, WorldKV, i);
      if (strcmp (kv->key, sub) != 0)
        continue;
      double x;
      if (strcmp (kv->value, "true") == 0 || strcmp (kv->value, "false") == 0
          || params_parse_number (kv->value, 0, &x, NULL))
        return g_strdup (kv->value);
      g_autofree char *esc = g_strescape (kv->value, NULL);
      return g_strdup_printf ("\"%s\"", esc);
    }
  return NULL;
}

char *
world_config_get_json (const WorldConfig *cfg, const char *key)
{
  if (g_str_has_prefix (key, "health.") || g_str_has_prefix (key, "sched."))
    return kv_get_json (key[0] == 'h' ? cfg->health_kv : cfg->sched_kv,
                        strchr (key, '.') + 1);
  const ConfigKey *k = find_key (key);
  if (k == NULL)
    return NULL;
  const char *p = (const char *) cfg + k->offset;
  switch (k->type)
    {
    case WORLD_VAL_NUMBER:
      {
        char buf[G_ASCII_DTOSTR_BUF_SIZE];
        return g_strdup (g_ascii_dtostr (buf, sizeof buf, *(const double *) p));
      }
    case WORLD_VAL_STRING:
      {
        g_autofree char *esc = g_strescape (*(char *const *) p, NULL);
        return g_strdup_printf ("\"%s\"", esc);
      }
    case WORLD_VAL_BOOL:
      return g_strdup (*(const bool *) p ? "true" : "false");
    }
  return NULL;
}

const char *
world_config_get_string (const WorldConfig *cfg, const char *key)
{
  g_return_val_if_fail (cfg != NULL && key != NULL, NULL);
  const ConfigKey *k = find_key (key);
  if (k == NULL || k->type != WORLD_VAL_STRING)
    return NULL;
  return *(char *const *) ((const char *) cfg + k->offset);
}

guint
config_fattree_nodes (const WorldConfig *cfg)
{
  return cfg->cluster_gpus > 0
           ? (guint) ceil (cfg->cluster_gpus / cfg->cluster_gpus_per_node)
           : (guint) cfg->cluster_nodes;
}

bool
config_nodes_from_file (const WorldConfig *cfg, GError **error)
{
  bool ibnet = cfg->cluster_ibnet != NULL && *cfg->cluster_ibnet;
  bool inventory = cfg->cluster_inventory != NULL && *cfg->cluster_inventory;
  if (ibnet && inventory)
    g_set_error (error, WORLD_ERROR, WORLD_ERROR_INVALID, "cluster.ibnet "
                 "and cluster.inventory both give the nodes: use one");
  return ibnet || inventory;
}

bool
world_config_check (const WorldConfig *cfg, WorldCheck what, GError **error)
{
  g_return_val_if_fail (cfg != NULL, false);
  if (what & WORLD_CHECK_CLUSTER)
    {
      GError *e = NULL;
      /* nodes read from a file are counted when world_new reads it */
      bool file = config_nodes_from_file (cfg, &e);
      if (e != NULL)
        {
          g_propagate_error (error, e);
          return false;
        }
      if (!file && (!workload_spares_fit ((uint32_t) cfg->cluster_spares,
                                         config_fattree_nodes (cfg), error)
                    || !workload_jobs_fit (cfg, config_fattree_nodes (cfg), error)))
        return false;
    }
  if ((what & WORLD_CHECK_WORKLOAD) && !workload_research_sizes_check (cfg, error))
    return false;
  if ((what & WORLD_CHECK_FAILURE_MODES)
      && !world_config_check_failure_modes (cfg, error))
    return false;
  return true;
}

bool
world_config_key_info (const char *key, WorldKeyInfo *info)
{
  g_return_val_if_fail (key != NULL && info != NULL, false);
  const ConfigKey *k = find_key (key);
  if (k == NULL)
    return false;
  *info = (WorldKeyInfo) {
    .key = k->key, .type = k->type, .kind = k->kind, .unit = k->unit,
    .def = k->def, .help = k->help,
    .values = k->kind == WORLD_KIND_ENUM ? k->values () : NULL,
    .range = k->type == WORLD_VAL_NUMBER ? world_range (k->key) : NULL,
  };
  return true;
}

void
world_config_foreach_key (WorldKeyFn fn, void *user_data)
{
  for (size_t i = 0; i < G_N_ELEMENTS (config_keys); i++)
    fn (config_keys[i].key, config_keys[i].type, config_keys[i].unit,
        config_keys[i].def, config_keys[i].help, user_data);
}

/* ---- failure overrides, jobs, scripted events ---- */

/* "unknown component class 'x', did you mean 'y'? (valid: a, b)" after
 * prefix; false when value is not one of names. */
static bool
name_check (const char *prefix, const char *what, const char *const *names,
            const char *value, GError **error)
{
  if (config_name_index (names, value) != G_MAXUINT)
    return true;
  g_autofree char *all = g_strjoinv (", ", (char **) names);
  const char *s = world_suggest (value, names);
  g_set_error (error, WORLD_ERROR, WORLD_ERROR_INVALID,
               "%sunknown %s '%s'%s%s%s (valid: %s)", prefix, what, value,
               s ? ", did you mean '" : "", s ? s : "", s ? "'?" : "", all);
  return false;
}

bool
world_config_failure_set (WorldConfig *cfg, const char *mode, const char *key,
                          const WorldValue *v, GError **error)
{
  g_return_val_if_fail (cfg != NULL && mode != NULL && key != NULL, false);
  g_autofree char *prefix = g_strdup_printf ("failure mode '%s': ", mode);
  const WorldModeKey *mk = world_mode_key (key);
  if (mk == NULL)
    {
      guint n;
      const WorldModeKey *all = world_mode_keys (&n);
      g_autofree const char **names = g_new0 (const char *, n + 1);
      for (guint i = 0; i < n; i++)
        names[i] = all[i].key;
      return name_check (prefix, "key", names, key, error);
    }
  WorldValType want = mk->type;
  if (v->type != want)
    {
      g_set_error (error, WORLD_ERROR, WORLD_ERROR_INVALID,
                   "%s%s must be %s, got %s", prefix, key,
                   type_name (want), type_name (v->type));
      return false;
    }
  if (mk->values != NULL
      && !name_check (prefix, mk->what, mk->values, v->str ? v->str : "",
                      error))
    return false;
  if (want == WORLD_VAL_NUMBER)
    {
      g_autofree char *rk = g_strconcat ("failure_mode.", key, NULL);
      GError *e = NULL;
      if (!world_range_check (rk, v->num, &e))
        {
          g_set_error (error, WORLD_ERROR, WORLD_ERROR_INVALID, "%s%s",
                       prefix, e->message);
          g_error_free (e);
          return false;
        }
    }
  WorldFailureOverride o = { g_strdup (mode), g_strdup (key), *v };
  o.v.str = g_strdup (v->str);
  g_array_append_val (cfg->failure_overrides, o);
  return true;
}

bool
world_config_add_job (WorldConfig *cfg, const WorldJobSpec *job, GError **error)
{
  g_return_val_if_fail (cfg != NULL && job != NULL, false);
  if (job->name == NULL || *job->name == '\0')
    {
      g_set_error (error, WORLD_ERROR, WORLD_ERROR_INVALID, "job: a name is required");
      return false;
    }
  for (guint i = 0; i < cfg->jobs->len; i++)
    if (strcmp (g_array_index (cfg->jobs, WorldJobSpec, i).name, job->name) == 0)
      {
        g_set_error (error, WORLD_ERROR, WORLD_ERROR_INVALID,
                     "job '%s' is defined twice", job->name);
        return false;
      }
  if (job->nodes == 0)
    {
      g_set_error (error, WORLD_ERROR, WORLD_ERROR_INVALID,
                   "job '%s': nodes must be at least 1", job->name);
      return false;
    }
  for (guint i = 0; job->main && i < cfg->jobs->len; i++)
    if (g_array_index (cfg->jobs, WorldJobSpec, i).main)
      {
        g_set_error (error, WORLD_ERROR, WORLD_ERROR_INVALID,
                     "job '%s': main = true, but job '%s' is already the main job "
                     "(mark one job{} at most)", job->name,
                     g_array_index (cfg->jobs, WorldJobSpec, i).name);
        return false;
      }
  const struct { const char *key; double v; } nums[] = {
    { "job.nodes", job->nodes }, { "job.work", job->work_s },
    { "job.submit", job->submit_s },
    { "job.checkpoint_every", job->checkpoint_every_s },
    { "job.checkpoint_cost", job->checkpoint_cost_s },
    { "job.checkpoint_write", job->checkpoint_write_s },
    { "job.restart", job->restart_s }, { "job.comm_share", job->comm_share },
    { "job.priority", job->priority }, { "job.standbys", job->standbys },
    { "job.standby_swap", job->standby_swap_s },
    { "job.host_selection", job->host_selection_s },
  };
  for (size_t i = 0; i < G_N_ELEMENTS (nums); i++)
    {
      GError *e = NULL;
      if (!world_range_check (nums[i].key, nums[i].v, &e))
        {
          g_set_error (error, WORLD_ERROR, WORLD_ERROR_INVALID, "job '%s': %s",
                       job->name, e->message);
          g_error_free (e);
          return false;
        }
    }
  WorldJobSpec j = *job;
  j.name = g_strdup (job->name);
  g_array_append_val (cfg->jobs, j);
  return true;
}

void
world_config_at (WorldConfig *cfg, SimTime when, uint64_t cb)
{
  WorldTimerReg r = { cb, MAX (when, 0), 0 };
  g_array_append_val (cfg->timers, r);
}

void
world_config_every (WorldConfig *cfg, SimTime first, SimTime period, uint64_t cb)
{
  g_return_if_fail (period > 0);
  WorldTimerReg r = { cb, MAX (first, 0), period };
  g_array_append_val (cfg->timers, r);
}

static const char *const event_names[WEV_COUNT + 1] = {
  [WEV_COMPONENT_FAILED] = "component_failed",
  [WEV_COMPONENT_REPAIRED] = "component_repaired",
  [WEV_NODE_FAILED] = "node_failed",
  [WEV_NODE_STATE] = "node_state",
  [WEV_LINK_STATE] = "link_state",
  [WEV_POLICY_ACTION] = "policy_action",
  [WEV_JOB_SUBMITTED] = "job_submitted",
  [WEV_JOB_STARTED] = "job_started",
  [WEV_JOB_INTERRUPTED] = "job_interrupted",
  [WEV_JOB_PREEMPTED] = "job_preempted",
  [WEV_JOB_COMPLETED] = "job_completed",
  [WEV_JOB_CHECKPOINT] = "job_checkpoint",
  [WEV_FABRIC_DEGRADED] = "fabric_degraded",
  [WEV_COUNT] = NULL,
};

const char *const *
world_event_names (void)
{
  return event_names;
}

const char *
world_event_kind_name (WorldEventKind k)
{
  return k < WEV_COUNT ? event_names[k] : "?";
}

bool
world_config_on (WorldConfig *cfg, const char *event, uint64_t cb, GError **error)
{
  for (int k = 0; k < WEV_COUNT; k++)
    if (strcmp (event_names[k], event) == 0)
      {
        WorldOnReg r = { (WorldEventKind) k, cb };
        g_array_append_val (cfg->ons, r);
        if (k == WEV_JOB_CHECKPOINT)
          cfg->run_events = true;
        return true;
      }
  g_autofree char *all = g_strjoinv (", ", (char **) event_names);
  const char *s = world_suggest (event, event_names);
  g_set_error (error, WORLD_ERROR, WORLD_ERROR_INVALID,
               "unknown event '%s'%s%s%s; events are: %s", event,
               s ? " (did you mean '" : "", s ? s : "", s ? "'?)" : "", all);
  return false;
}
