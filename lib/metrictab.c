/* lib/metrictab.c - the metric table (see metrictab.h) and the documents
 * generated from it: docs/summary.schema.json and the metric tables of
 * docs/results.md and docs/ci.md.
 *
 * To add a metric: a field in models/metrics.h, a row here (in the place
 * it takes in summary.json), then `ninja -C build docs-metrics`. */
#include "metrictab.h"

#include <json-glib/json-glib.h>
#include <math.h>
#include <stdint.h>
#include <string.h>

#include "metrics.h"
#include "results.h"

/* ---- the table ---- */

#define N METRICTAB_NUMBER
#define C METRICTAB_COUNT
#define BY METRICTAB_BY_CAUSE
#define BYJ METRICTAB_BY_JOB
#define HI METRICTAB_HIGHER_BETTER
#define LO METRICTAB_LOWER_BETTER
#define INFO METRICTAB_INFORMATIONAL
#define OFF(f) offsetof (Metrics, f)

/* Default tolerances (docs/ci.md says why): fractions (ETTR, goodput,
 * availability) move little between policies and are the headline: 1%.
 * Counts: 5%, with a floor of one event (one extra interruption is noise).
 * Times: 5%, or 10% for means and tail percentiles of a few tens of
 * samples, whose run-to-run spread at a fixed workload is of that order.
 * Failure counts are driven by the scenario, not the policy: info. */
static const MetrictabEntry metrictab[] = {
  { "ettr", N, true, METRICTAB_FRACTION, HI, 1.0, 0.001, true, true, false,
    2, "ETTR", "effective training time ratio, 0..1; null if no job started",
    "Effective Training Time Ratio, as defined in the Meta reliability "
    "study (Kokolis et al., arXiv 2410.21680; field-data.md §2.4): for each "
    "job, productive runtime divided by wall time since its first start, "
    "where wall time includes time spent queued again after interruptions, "
    "and non-productive time is work re-done since the last checkpoint plus "
    "restart overhead (initialisation, checkpoint load) plus blocking "
    "checkpoint time. The run's value is the mean over jobs that started, "
    "weighted by GPUs. `null` if no job started",
    OFF (ettr) },
  { "main_job_ettr", N, true, METRICTAB_FRACTION, HI, 1.0, 0.001, false,
    true, false, 2, "main job ETTR",
    "ETTR of the main job alone, 0..1; null without job{} or if it never "
    "started",
    "the ETTR of the main job alone (the `job{}` with `main = true`, else "
    "the largest: most nodes, the first on a tie), defined as `ettr`; "
    "`ettr` weights every job by its GPUs, so a cluster of many small jobs "
    "can show a high `ettr` while its main training run does worse. `null` "
    "without `job{}` or when the main job never started",
    OFF (main_job_ettr) },
  { "goodput", N, true, METRICTAB_FRACTION, HI, 1.0, 0.001, true, true,
    false, 2, "goodput",
    "productive GPU-hours / (cluster GPUs x sim_hours), 0..1",
    "productive GPU-hours of all jobs / (cluster GPUs × `sim_hours`): the "
    "share of the whole machine that did useful, kept work",
    OFF (goodput) },
  { "gpu_availability", N, true, METRICTAB_FRACTION, HI, 1.0, 0.001, true,
    true, false, 2, "GPU availability",
    "time-average of healthy GPUs / GPUs, 0..1",
    "time average of (GPUs on nodes that are up and schedulable) / GPUs",
    OFF (gpu_availability) },
  { "interruptions", C, false, METRICTAB_EVENTS, LO, 5.0, 1.0, true, true,
    false, 0, "job interruptions", "job interruptions caused by failures",
    "job interruptions caused by failures (preemptions and planned "
    "maintenance not counted)",
    OFF (interruptions) },
  { "main_job_interruptions", C, false, METRICTAB_EVENTS, LO, 5.0, 1.0,
    false, true, false, 0, "main job interruptions",
    "interruptions of the main job by failures",
    "interruptions of the main job by failures (as `interruptions`); 0 "
    "without `job{}`",
    OFF (main_job_interruptions) },
  { "interruptions_by_cause", BY, false, METRICTAB_EVENTS, INFO, NAN, NAN,
    false, false, false, 0, "interruptions by cause",
    "cause (field-data.md 1.1 name) -> interruptions",
    "root cause -> interruptions, causes named as in field-data.md §1.1 "
    "(the Llama 3 table: \"Faulty GPU\", \"GPU HBM3 Memory\", \"Software "
    "Bug\", \"Network Switch/Cable\", ...) or by a scenario's "
    "`failure_mode{ cause = }`; in the order each cause first occurred in "
    "the run (deterministic for a seed); a cause with no interruption is "
    "absent",
    OFF (interruptions_by_cause) },
  { "mtti_hours", N, true, METRICTAB_HOURS, HI, 10.0, 0.01, true, true, true,
    2, "mean time to interruption",
    "mean time to interruption of the main job, hours",
    "mean time to interruption of the main job (the `job{}` with `main = "
    "true`, else the largest: most nodes, the first on a tie): the hours "
    "it ran (queueing excluded) / its interruptions; "
    "`sim_hours` / all interruptions when the scenario has no `job{}`; "
    "`null` when it was never interrupted (Llama 3 measured ~3.1 h over 54 "
    "days on 16,384 GPUs, field-data.md §1.2)",
    OFF (mtti_hours) },
  { "mttr_hours", N, true, METRICTAB_HOURS, LO, 10.0, 0.01, true, true,
    false, 2, "mean time to repair",
    "mean time from failure to back in service, hours",
    "mean time from a component failure to the node being back in service",
    OFF (mttr_hours) },
  { "lost_gpu_hours", N, false, METRICTAB_GPU_HOURS, LO, 5.0, 1.0, true,
    true, false, 0, "lost GPU-hours",
    "GPU-hours of work lost to interruptions",
    "work lost to interruptions: (time since the last checkpoint + restart) "
    "× GPUs of the job, summed",
    OFF (lost_gpu_hours) },
  { "main_job_lost_hours", N, true, METRICTAB_HOURS, LO, 5.0, 0.01, false,
    true, false, 2, "main job lost hours",
    "hours of the main job's time lost: work re-done + restart overhead",
    "hours of the main job's time lost to interruptions (and preemptions): "
    "the work since its last durable checkpoint, which it computes again, "
    "plus the restart overhead it paid; times its GPUs, the main job's "
    "share of `lost_gpu_hours`. Queue waits after an interruption are not "
    "in it (they are in `main_job_ettr`). `null` without `job{}`",
    OFF (main_job_lost_hours) },
  { "main_job_completion_hours", N, true, METRICTAB_HOURS, LO, 1.0, 0.01,
    false, true, false, 1, "main job time to complete",
    "hours from the main job's submission to its completion; null if it "
    "did not complete",
    "the main job's completion (training) time: hours from its submission "
    "to the end of its `work`, queueing, failures, restarts and "
    "checkpoints included. `null` when it did not complete within the run "
    "(or has no `work`: it runs until the end), or without `job{}`",
    OFF (main_job_completion_hours) },
  { "job_completion_hours", BYJ, false, METRICTAB_HOURS, INFO, NAN, NAN,
    false, false, false, 1, "completion time by job",
    "job{} name -> hours from submission to completion (null: not completed)",
    "each `job{}` of the scenario (in the order written) -> its completion "
    "time, hours from submission to the end of its `work` (as "
    "`main_job_completion_hours`); `null` when it did not complete within "
    "the run. Research and trace jobs are in `jobs.csv` only",
    OFF (job_completion_hours) },
  { "jobs_completed", C, false, METRICTAB_EVENTS, HI, 5.0, 1.0, true, false,
    false, 0, "jobs completed", "jobs that finished their work",
    "jobs that finished their work within the run",
    OFF (jobs_completed) },
  { "queue_wait_hours_p50", N, true, METRICTAB_HOURS, LO, 10.0, 0.01, true,
    false, false, 2, "median queue wait", "median queue wait, hours",
    "median of queue waits (after submission and after each interruption), "
    "each counted when the job starts; a wait still open when the run ends "
    "counts up to the end",
    OFF (queue_wait_hours_p50) },
  { "queue_wait_hours_p99", N, true, METRICTAB_HOURS, LO, 10.0, 0.01, true,
    false, false, 2, "99th percentile queue wait",
    "99th percentile queue wait, hours",
    "99th percentile of the same queue waits",
    OFF (queue_wait_hours_p99) },
  { "detection_latency_minutes_p50", N, true, METRICTAB_MINUTES, LO, 10.0,
    0.1, true, false, false, 1, "median detection latency",
    "median failure -> first policy action, minutes",
    "median time from a failure to the health policy's first action on it, "
    "or to a `repair_pipeline{}`'s first diagnosis of it "
    "(Xid failures are acted on at once, so 0 is common; a link down is "
    "acted on at the end of the policy's grace period, 10 min)",
    OFF (detection_latency_minutes_p50) },
  { "failures", C, false, METRICTAB_EVENTS, INFO, NAN, NAN, false, false,
    false, 0, "component failures",
    "hardware and software failures drawn by the failure model, "
    "interrupting or not",
    "hardware and software component failures drawn by the failure model "
    "(the catalogue and `failure_mode{}`), whether or not they interrupted "
    "a job; failures a scenario orders with `fail()` are counted in "
    "`failures_scripted` instead",
    OFF (failures) },
  { "failures_by_cause", BY, false, METRICTAB_EVENTS, INFO, NAN, NAN, false,
    false, false, 0, "failures by cause", "cause -> component failures",
    "root cause -> failures (same names as `interruptions_by_cause`)",
    OFF (failures_by_cause) },
  { "failures_scripted", C, false, METRICTAB_EVENTS, INFO, NAN, NAN, false,
    false, false, 0, "scripted failures",
    "component failures a scenario ordered with fail()",
    "component failures a scenario ordered with `fail()` (a storm, a bad "
    "batch re-failing, a domain outage); they act as drawn failures do but "
    "are not in `failures` or `failures_by_cause`",
    OFF (failures_scripted) },
  { "jobs_submitted", C, false, METRICTAB_EVENTS, INFO, NAN, NAN, false,
    false, false, 0, "jobs submitted", "jobs submitted",
    "jobs submitted during the run",
    OFF (jobs_submitted) },
  { "spares_exhausted_hours", N, false, METRICTAB_HOURS, LO, 5.0, 0.01,
    false, false, false, 2, "time without spares",
    "hours with no hot spare left",
    "simulated time with no hot spare node left, or with a job interrupted "
    "by a failure waiting for nodes (spares and free nodes together could "
    "not cover its restart); 0 when the scenario has no spares",
    OFF (spares_exhausted_hours) },
  { "fabric_slowdown_gpu_hours", N, false, METRICTAB_GPU_HOURS, LO, 5.0, 1.0,
    false, false, false, 0, "fabric slowdown",
    "GPU-hours lost to slow steps on a degraded fabric",
    "GPU-hours lost to slower steps on a degraded fabric (jobs slowed "
    "rather than killed)",
    OFF (fabric_slowdown_gpu_hours) },
  { "failures_averted", C, false, METRICTAB_EVENTS, INFO, NAN, NAN, false,
    false, false, 0, "failures averted",
    "degrading parts repaired before their hard failure (precursors acted "
    "on)",
    "parts that showed precursors (ECC, thermal, symbol errors) and were "
    "repaired before their hard failure (docs/models.md, \"Precursors\")",
    OFF (failures_averted) },
  { "policy_actions", C, false, METRICTAB_EVENTS, INFO, NAN, NAN, false,
    false, false, 0, "policy actions", "actions taken by the health policy",
    "actions taken by the health policy (cordon, drain, reset, reboot, ...)",
    OFF (policy_actions) },
  { "tickets", C, false, METRICTAB_EVENTS, INFO, NAN, NAN, false, false,
    false, 0, "tickets", "hardware tickets / RMAs opened",
    "hardware tickets / RMAs opened",
    OFF (tickets) },
};

#undef N
#undef C
#undef BY
#undef BYJ
#undef HI
#undef LO
#undef INFO
#undef OFF

const MetrictabEntry *
metrictab_entries (size_t *n_out)
{
  if (n_out != NULL)
    *n_out = G_N_ELEMENTS (metrictab);
  return metrictab;
}

const MetrictabEntry *
metrictab_find (const char *name)
{
  g_return_val_if_fail (name != NULL, NULL);
  for (size_t i = 0; i < G_N_ELEMENTS (metrictab); i++)
    if (strcmp (metrictab[i].name, name) == 0)
      return &metrictab[i];
  return NULL;
}

const char *
metrictab_unit_name (MetrictabUnit u)
{
  switch (u)
    {
    case METRICTAB_FRACTION: return "0..1";
    case METRICTAB_EVENTS: return "count";
    case METRICTAB_HOURS: return "h";
    case METRICTAB_MINUTES: return "min";
    case METRICTAB_GPU_HOURS: return "GPU-h";
    }
  return "";
}

const char *
metrictab_direction_name (MetrictabDirection d)
{
  switch (d)
    {
    case METRICTAB_HIGHER_BETTER: return "higher";
    case METRICTAB_LOWER_BETTER: return "lower";
    case METRICTAB_INFORMATIONAL: return "info";
    }
  return "?";
}

double
metrictab_value (const MetrictabEntry *e, const void *metrics)
{
  g_return_val_if_fail (e != NULL && metrics != NULL, NAN);
  const char *base = metrics;
  switch (e->kind)
    {
    case METRICTAB_NUMBER:
      return *(const double *) (base + e->offset);
    case METRICTAB_COUNT:
      return (double) *(const uint64_t *) (base + e->offset);
    case METRICTAB_BY_CAUSE:
    case METRICTAB_BY_JOB:
      break;
    }
  return NAN;
}

/* Appends the integer part of |v| rounded to `decimals`, with thousands
 * separators, then the decimals. */
static void
metrictab_group (GString *s, double v, int decimals)
{
  char buf[64];
  g_ascii_formatd (buf, sizeof buf, decimals == 0 ? "%.0f"
                   : decimals == 1 ? "%.1f" : decimals == 2 ? "%.2f"
                   : "%.3f", v);
  const char *p = buf;
  if (*p == '-')
    g_string_append_c (s, *p++);
  const char *dot = strchr (p, '.');
  size_t int_len = dot ? (size_t) (dot - p) : strlen (p);
  for (size_t i = 0; i < int_len; i++)
    {
      if (i > 0 && (int_len - i) % 3 == 0)
        g_string_append_c (s, ',');
      g_string_append_c (s, p[i]);
    }
  if (dot != NULL)
    g_string_append (s, dot);
}

char *
metrictab_format (const MetrictabEntry *e, double v, bool with_unit)
{
  g_return_val_if_fail (e != NULL, NULL);
  if (isnan (v))
    return g_strdup (e->null_is_infinite ? "never" : "-");
  GString *s = g_string_new (NULL);
  int d = CLAMP (e->decimals, 0, 3);
  switch (e->unit)
    {
    case METRICTAB_FRACTION:
      metrictab_group (s, 100.0 * v, d);
      if (with_unit)
        g_string_append (s, " %");
      break;
    case METRICTAB_EVENTS:
      /* a mean over replicas keeps one decimal */
      metrictab_group (s, v, v == floor (v) ? 0 : MAX (d, 1));
      break;
    default:
      metrictab_group (s, v, d);
      if (with_unit)
        g_string_append_printf (s, " %s", metrictab_unit_name (e->unit));
      break;
    }
  return g_string_free (s, FALSE);
}

/* ---- docs/summary.schema.json ---- */

static void
schema_type (JsonBuilder *b, const char *type, bool nullable)
{
  json_builder_set_member_name (b, "type");
  if (!nullable)
    json_builder_add_string_value (b, type);
  else
    {
      json_builder_begin_array (b);
      json_builder_add_string_value (b, type);
      json_builder_add_string_value (b, "null");
      json_builder_end_array (b);
    }
}

static void
schema_string (JsonBuilder *b, const char *name, const char *value)
{
  json_builder_set_member_name (b, name);
  json_builder_add_string_value (b, value);
}

static void
schema_int (JsonBuilder *b, const char *name, gint64 value)
{
  json_builder_set_member_name (b, name);
  json_builder_add_int_value (b, value);
}

static void
schema_required (JsonBuilder *b, const char *const *names)
{
  json_builder_set_member_name (b, "required");
  json_builder_begin_array (b);
  for (; *names != NULL; names++)
    json_builder_add_string_value (b, *names);
  json_builder_end_array (b);
}

static void
schema_ref (JsonBuilder *b, const char *name, const char *def)
{
  json_builder_set_member_name (b, name);
  json_builder_begin_object (b);
  g_autofree char *ref = g_strconcat ("#/$defs/", def, NULL);
  schema_string (b, "$ref", ref);
  json_builder_end_object (b);
}

/* A property: {"type": T, "description": D, "minimum": 0}. */
static void
schema_prop (JsonBuilder *b, const char *name, const char *type,
             bool nullable, const char *description, bool min0)
{
  json_builder_set_member_name (b, name);
  json_builder_begin_object (b);
  schema_type (b, type, nullable);
  schema_string (b, "description", description);
  if (min0)
    schema_int (b, "minimum", 0);
  json_builder_end_object (b);
}

/* The "metrics" object: of one run (means false) or the means over the
 * replicas of a sweep point (counts are then numbers). */
static void
schema_metrics (JsonBuilder *b, bool means)
{
  json_builder_begin_object (b);
  schema_string (b, "type", "object");
  schema_string (b, "description", means
                 ? "the mean of each metric over the replicas (null when "
                   "no replica measured it); by-cause counts are means too, "
                   "a cause absent from a replica counting 0"
                 : "the run's metrics (docs/results.md)");
  json_builder_set_member_name (b, "required");
  json_builder_begin_array (b);
  for (size_t i = 0; i < G_N_ELEMENTS (metrictab); i++)
    json_builder_add_string_value (b, metrictab[i].name);
  json_builder_end_array (b);
  json_builder_set_member_name (b, "additionalProperties");
  json_builder_add_boolean_value (b, FALSE);
  json_builder_set_member_name (b, "properties");
  json_builder_begin_object (b);
  for (size_t i = 0; i < G_N_ELEMENTS (metrictab); i++)
    {
      const MetrictabEntry *e = &metrictab[i];
      const char *num = means || e->kind == METRICTAB_NUMBER ? "number"
                                                              : "integer";
      json_builder_set_member_name (b, e->name);
      json_builder_begin_object (b);
      if (e->kind == METRICTAB_BY_CAUSE || e->kind == METRICTAB_BY_JOB)
        {
          schema_string (b, "type", "object");
          schema_string (b, "description", e->summary);
          json_builder_set_member_name (b, "additionalProperties");
          json_builder_begin_object (b);
          schema_type (b, e->kind == METRICTAB_BY_JOB ? "number" : num,
                       e->kind == METRICTAB_BY_JOB);
          schema_int (b, "minimum", 0);
          json_builder_end_object (b);
        }
      else
        {
          schema_type (b, num, e->nullable);
          g_autofree char *d = g_strdup_printf (
            "%s (%s; %s is better)", e->summary,
            metrictab_unit_name (e->unit),
            e->direction == METRICTAB_INFORMATIONAL
              ? "neither" : metrictab_direction_name (e->direction));
          schema_string (b, "description", d);
          schema_int (b, "minimum", 0);
          if (e->unit == METRICTAB_FRACTION)
            schema_int (b, "maximum", 1);
        }
      json_builder_end_object (b);
    }
  json_builder_end_object (b);
  json_builder_end_object (b);
}

static void
schema_common (JsonBuilder *b)
{
  schema_prop (b, "faultline_version", "string", false,
               "version of the faultline that wrote the file", false);
  schema_prop (b, "scenario", "string", false,
               "the scenario's path relative to the folder it was found in "
               "(the shipped scenarios' data folder, else the current "
               "folder), as given when it lies in neither", false);
}

static void
schema_cluster (JsonBuilder *b)
{
  json_builder_set_member_name (b, "cluster");
  json_builder_begin_object (b);
  schema_string (b, "type", "object");
  static const char *const req[] = { "nodes", "gpus", "switches", "links",
                                     NULL };
  schema_required (b, req);
  json_builder_set_member_name (b, "additionalProperties");
  json_builder_add_boolean_value (b, FALSE);
  json_builder_set_member_name (b, "properties");
  json_builder_begin_object (b);
  schema_prop (b, "nodes", "integer", false, "nodes", true);
  schema_prop (b, "gpus", "integer", false, "GPUs", true);
  schema_prop (b, "switches", "integer", false, "InfiniBand switches", true);
  schema_prop (b, "links", "integer", false, "links (cables)", true);
  json_builder_end_object (b);
  json_builder_end_object (b);
}

char *
metrictab_schema_json (void)
{
  g_autoptr (JsonBuilder) b = json_builder_new ();
  json_builder_begin_object (b);
  schema_string (b, "$schema", "https://json-schema.org/draft/2020-12/schema");
  schema_string (b, "$id",
                 "https://faultline.invalid/schemas/summary.schema.json");
  schema_string (b, "title", "faultline summary.json");
  schema_string (b, "description",
                 "The contract of summary.json (docs/results.md), generated "
                 "from lib/metrictab.c: do not edit, run `ninja -C build "
                 "docs-metrics`. Two shapes: a run's summary (`faultline "
                 "run`), and the summary of one sweep point (`faultline "
                 "sweep`: metrics are means, with the replicas' metrics). "
                 "Keys are never renamed or removed within a major version. "
                 "Times are in hours unless the key says otherwise; null "
                 "means not measured.");
  schema_string (b, "type", "object");
  json_builder_set_member_name (b, "if");
  json_builder_begin_object (b);
  static const char *const if_req[] = { "replicas", NULL };
  schema_required (b, if_req);
  json_builder_end_object (b);
  schema_ref (b, "then", "point");
  schema_ref (b, "else", "run");
  json_builder_set_member_name (b, "$defs");
  json_builder_begin_object (b);

  /* a run */
  json_builder_set_member_name (b, "run");
  json_builder_begin_object (b);
  schema_string (b, "type", "object");
  schema_string (b, "description", "the summary.json of one run");
  static const char *const run_req[] = {
    "faultline_version", "scenario", "seed", "params", "sim_hours",
    "cluster", "events", "wall_seconds", "metrics", NULL,
  };
  schema_required (b, run_req);
  json_builder_set_member_name (b, "additionalProperties");
  json_builder_add_boolean_value (b, FALSE);
  json_builder_set_member_name (b, "properties");
  json_builder_begin_object (b);
  schema_common (b);
  schema_prop (b, "seed", "integer", false, "run seed", true);
  schema_prop (b, "params", "object", false,
               "name -> value of every param()/--set value of the run",
               false);
  schema_prop (b, "param_defaults", "object", false,
               "name -> the scenario's default of each param a --set "
               "changed; absent when none differs", false);
  schema_prop (b, "sim_hours", "number", false,
               "simulated length of the run, hours", true);
  schema_cluster (b);
  schema_prop (b, "events", "integer", false, "simulation events processed",
               true);
  schema_prop (b, "main_job", "string", true,
               "the main job's name (the job{} with main = true, else the "
               "largest), whose figures are the metrics main_job_*; null "
               "without job{}", false);
  schema_prop (b, "wall_seconds", "number", true,
               "wall-clock seconds of the run; null when not recorded "
               "(deterministic output); ignored by faultline compare", true);
  schema_ref (b, "metrics", "metrics");
  schema_prop (b, "remediation", "object", false,
               "remediation SLAs from the event stream (lib/sla.c; keys in "
               "docs/results.md, \"remediation\"); absent when the run had "
               "no node incident", false);
  schema_prop (b, "workload_trace", "object", false,
               "what the SWF workload trace gave: jobs, records skipped "
               "(malformed, cancelled, unusable), submitted after the end, "
               "capped (docs/results.md); absent without a trace", false);
  json_builder_end_object (b);
  json_builder_end_object (b);

  /* a sweep point */
  json_builder_set_member_name (b, "point");
  json_builder_begin_object (b);
  schema_string (b, "type", "object");
  schema_string (b, "description",
                 "OUT/POINT/summary.json of `faultline sweep` (docs/sweep.md)");
  static const char *const point_req[] = {
    "faultline_version", "scenario", "seeds", "params", "metrics",
    "replicas", NULL,
  };
  schema_required (b, point_req);
  json_builder_set_member_name (b, "additionalProperties");
  json_builder_add_boolean_value (b, FALSE);
  json_builder_set_member_name (b, "properties");
  json_builder_begin_object (b);
  schema_common (b);
  json_builder_set_member_name (b, "seeds");
  json_builder_begin_object (b);
  schema_string (b, "type", "array");
  schema_string (b, "description", "the seeds of the replicas, ascending");
  schema_int (b, "minItems", 1);
  json_builder_set_member_name (b, "items");
  json_builder_begin_object (b);
  schema_string (b, "type", "integer");
  schema_int (b, "minimum", 0);
  json_builder_end_object (b);
  json_builder_end_object (b);
  schema_prop (b, "params", "object", false,
               "name -> value of every param()/--set value of the point",
               false);
  schema_ref (b, "metrics", "means");
  json_builder_set_member_name (b, "replicas");
  json_builder_begin_object (b);
  schema_string (b, "type", "array");
  schema_string (b, "description",
                 "the metrics of each replica, in the order of seeds");
  schema_int (b, "minItems", 1);
  json_builder_set_member_name (b, "items");
  json_builder_begin_object (b);
  schema_string (b, "$ref", "#/$defs/metrics");
  json_builder_end_object (b);
  json_builder_end_object (b);
  json_builder_end_object (b);
  json_builder_end_object (b);

  json_builder_set_member_name (b, "metrics");
  schema_metrics (b, false);
  json_builder_set_member_name (b, "means");
  schema_metrics (b, true);
  json_builder_end_object (b); /* $defs */
  json_builder_end_object (b);
  g_autoptr (JsonNode) root = json_builder_get_root (b);
  return results_json_to_string (root, true);
}

/* ---- markdown tables ---- */

static const char *
metrictab_md_type (const MetrictabEntry *e)
{
  switch (e->kind)
    {
    case METRICTAB_NUMBER: return e->nullable ? "number/null" : "number";
    case METRICTAB_COUNT: return "integer";
    case METRICTAB_BY_CAUSE: return "object";
    case METRICTAB_BY_JOB: return "object";
    }
  return "";
}

char *
metrictab_results_md (void)
{
  GString *s = g_string_new ("| key | type | unit | better | label | "
                             "definition |\n| --- | --- | --- | --- | --- | "
                             "--- |\n");
  for (size_t i = 0; i < G_N_ELEMENTS (metrictab); i++)
    {
      const MetrictabEntry *e = &metrictab[i];
      g_string_append_printf (s, "| `%s` | %s | %s%s | %s | %s | %s |\n",
                              e->name, metrictab_md_type (e),
                              metrictab_unit_name (e->unit),
                              e->kind == METRICTAB_BY_CAUSE
                                || e->kind == METRICTAB_BY_JOB ? "s" : "",
                              e->direction == METRICTAB_INFORMATIONAL
                                ? "-" : metrictab_direction_name (e->direction),
                              e->label, e->definition);
    }
  return g_string_free (s, FALSE);
}

char *
metrictab_ci_md (void)
{
  GString *s = g_string_new ("| metric | better | default PCT | floor |\n"
                             "| --- | --- | ---: | ---: |\n");
  for (size_t i = 0; i < G_N_ELEMENTS (metrictab); i++)
    {
      const MetrictabEntry *e = &metrictab[i];
      if (e->direction == METRICTAB_INFORMATIONAL)
        continue;
      char pct[32], floor_[32];
      bool unit = e->unit != METRICTAB_FRACTION
                  && e->unit != METRICTAB_EVENTS;
      g_string_append_printf (
        s, "| `%s` | %s | %s | %s%s%s |\n", e->name,
        metrictab_direction_name (e->direction),
        results_format_double (e->tolerance_pct, pct, sizeof pct),
        results_format_double (e->tolerance_abs, floor_, sizeof floor_),
        unit ? " " : "", unit ? metrictab_unit_name (e->unit) : "");
    }
  GString *info = g_string_new (NULL);
  for (size_t i = 0; i < G_N_ELEMENTS (metrictab); i++)
    if (metrictab[i].direction == METRICTAB_INFORMATIONAL)
      g_string_append_printf (info, "%s`%s`", info->len ? ", " : "",
                              metrictab[i].name);
  g_string_append_printf (s, "\nShown as `info`, never a verdict: %s, each "
                          "per-cause count (`interruptions_by_cause.Faulty "
                          "GPU`, ...), and any key a newer faultline adds.\n",
                          info->str);
  g_string_free (info, TRUE);
  return g_string_free (s, FALSE);
}
