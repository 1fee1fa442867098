/* lib/faultline.c - the public API: scenario -> world -> outputs.
 *
 * Glue only: lua/ loads the scenario into a WorldConfig, models/ runs the
 * world, lib/results.c, plots.c and lib/ibpcap.c write what it left.
 * Errors from every layer become FL_ERROR_INPUT (exit 2) unless they are
 * internal. */
#include "faultline.h"

#include <inttypes.h>
#include <errno.h>
#include <stdlib.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include <json-glib/json-glib.h>

#include "atomicfile.h"
#include "fl-int.h"
#include "fl-config.h"
#include "healthevents.h"
#include "ibpcap.h"
#include "metrictab.h"
#include "openmetrics.h"
#include "plots.h"
#include "plugin.h"
#include "results.h"
#include "sla.h"
#include "runtime.h"
#include "api.h"
#include "topo.h"
#include "world.h"

G_DEFINE_QUARK (faultline-error-quark, fl_error)

struct FlRun
{
  FlRunOptions opt;
  char *scenario;
  char *scenario_label; /* summary.json's "scenario" */
  char *output_dir;
  char *trace_path;
  char *metrics_path;
  LbRun *lb;
  World *world;
  char *summary;
  GPtrArray *param_defaults; /* name, default JSON, name, ... of the params
                              * a --set moved off the scenario's default */
  bool done;
  gint64 last_progress_us; /* wall clock of the last progress report (monotonic) */
};

void
fl_run_options_init (FlRunOptions *opt)
{
  memset (opt, 0, sizeof *opt);
  opt->seed = 1;
  opt->pcap = true;
  opt->plots = true;
  opt->write_wall_seconds = true;
}

const char *
fl_version (void)
{
  return FL_VERSION;
}

int
fl_error_exit_status (const GError *error)
{
  if (error != NULL && error->domain == FL_ERROR && error->code == FL_ERROR_INTERNAL)
    return 3;
  return 2;
}

/* Where this library's code lives (the .so, or the program it is linked
 * into): the file of the mapping that holds fl_data_dir in
 * /proc/self/maps (dladdr would need _GNU_SOURCE, whose <sched.h> our
 * policy/sched.h shadows). Returns: (transfer full) a path, or NULL. */
static char *
fl_self_path (void)
{
  uintptr_t self = (uintptr_t) (void *) fl_data_dir;
  g_autofree char *maps = NULL;
  if (!g_file_get_contents ("/proc/self/maps", &maps, NULL, NULL))
    return NULL;
  g_auto (GStrv) lines = g_strsplit (maps, "\n", -1);
  for (char **l = lines; *l != NULL; l++)
    {
      uintmax_t lo, hi;
      if (sscanf (*l, "%jx-%jx", &lo, &hi) != 2 || self < lo || self >= hi)
        continue;
      const char *path = strchr (*l, '/');
      return path != NULL ? g_strdup (path) : NULL;
    }
  return NULL;
}

static gpointer
fl_data_dir_compute (gpointer unused)
{
  const char *env = g_getenv ("FAULTLINE_DATADIR");
  if (env != NULL && *env != '\0')
    return g_strdup (env);
  g_autofree char *self = fl_self_path ();
  if (self != NULL && g_str_has_prefix (self, FL_BUILD_DIR "/"))
    return g_strdup (FL_SOURCE_DIR); /* run from the build folder */
  if (self != NULL)
    {
      g_autofree char *libdir = g_path_get_dirname (self);
      g_autofree char *cand = g_build_filename (libdir, FL_DATADIR_FROM_LIBDIR,
                                                NULL);
      g_autofree char *scen = g_build_filename (cand, "scenarios", NULL);
      char *real = realpath (cand, NULL);
      if (real != NULL && g_file_test (scen, G_FILE_TEST_IS_DIR))
        {
          char *out = g_strdup (real);
          free (real);
          return out;
        }
      free (real);
    }
  return g_strdup (FL_DATADIR);
}

const char *
fl_data_dir (void)
{
  static GOnce once = G_ONCE_INIT;
  return g_once (&once, fl_data_dir_compute, NULL);
}

char *
fl_default_scenario (void)
{
  return g_build_filename (fl_data_dir (), "scenarios", "llama3-16k.lua",
                           NULL);
}

char *
fl_scenario_find (const char *name, GError **error)
{
  g_return_val_if_fail (name != NULL, NULL);
  if (g_file_test (name, G_FILE_TEST_IS_DIR))
    {
      g_set_error (error, FL_ERROR, FL_ERROR_INPUT, "%s: is a folder, not a "
                   "scenario file (give a .lua file, e.g. "
                   "scenarios/spares.lua)", name);
      return NULL;
    }
  if (g_file_test (name, G_FILE_TEST_IS_REGULAR))
    return g_strdup (name);
  g_autofree char *shelf = g_build_filename (fl_data_dir (), "scenarios",
                                             NULL);
  if (*name != '\0' && strchr (name, G_DIR_SEPARATOR) == NULL)
    {
      g_autofree char *file = g_str_has_suffix (name, ".lua")
                              ? g_strdup (name)
                              : g_strconcat (name, ".lua", NULL);
      char *p = g_build_filename (shelf, file, NULL);
      if (g_file_test (p, G_FILE_TEST_IS_REGULAR))
        return p;
      g_free (p);
    }
  g_set_error (error, FL_ERROR, FL_ERROR_INPUT, "%s: no such scenario file, "
               "nor a shipped scenario of that name in %s", name, shelf);
  return NULL;
}

/* The scenario as summary.json records it: relative to the folder it was
 * found in (the shipped scenarios' data folder, else the current folder)
 * when it lies inside, else as given; so two machines give the same file.
 * sweep.json and a sweep point's summary.json record it the same way
 * (sweep-int.h). Returns: (transfer full). */
char *
fl_scenario_label (const char *path)
{
  char *real = realpath (path, NULL);
  if (real == NULL)
    return g_strdup (path);
  g_autofree char *cwd = g_get_current_dir ();
  const char *roots[] = { fl_data_dir (), cwd };
  char *out = NULL;
  for (size_t i = 0; i < G_N_ELEMENTS (roots) && out == NULL; i++)
    {
      char *root = realpath (roots[i], NULL);
      if (root == NULL)
        continue;
      size_t n = strlen (root);
      if (strncmp (real, root, n) == 0 && real[n] == '/' && real[n + 1])
        out = g_strdup (real + n + 1);
      free (root);
    }
  free (real);
  return out != NULL ? out : g_strdup (path);
}

/* Re-homes any GError as FL_ERROR, keeping the message. */
static void
as_fl_error (GError **error, GError *src, FlError code)
{
  if (src == NULL)
    return;
  g_set_error_literal (error, FL_ERROR, code, src->message);
  g_error_free (src);
}

/* The params whose value in effect (params, after the --set values)
 * differs from the scenario's own default: the scenario loaded once more
 * without --set (its top level only: no cluster is built, nothing runs),
 * as summary.json's "param_defaults" (docs/results.md). A scenario that
 * does not load without its --set values (one that insists on a param)
 * has no defaults to compare with: NULL. Returns: (transfer full) pairs
 * name, JSON text; NULL when none differs. */
static GPtrArray *
fl_param_defaults (const FlRunOptions *opt, const LbOptions *with_sets,
                   const GPtrArray *params)
{
  LbOptions lo = *with_sets;
  lo.sets = NULL;
  LbRun *lb = lb_load (opt->scenario, &lo, NULL);
  if (lb == NULL)
    return NULL;
  const GPtrArray *defs = lb_params (lb);
  GPtrArray *out = g_ptr_array_new_with_free_func (g_free);
  for (guint i = 0; i < params->len; i++)
    {
      const LbParam *p = g_ptr_array_index (params, i);
      bool found = false;
      for (guint j = 0; j < defs->len; j++)
        {
          const LbParam *d = g_ptr_array_index (defs, j);
          if (strcmp (p->name, d->name) != 0)
            continue;
          found = true;
          if (strcmp (p->value_json, d->value_json) != 0)
            {
              g_ptr_array_add (out, g_strdup (p->name));
              g_ptr_array_add (out, g_strdup (d->value_json));
            }
        }
      /* a config key echoed from --set: its default is the scenario's
       * own value of the key (none for a health/sched key it never set) */
      g_autofree char *def = found || strchr (p->name, '.') == NULL ? NULL
        : world_config_get_json (lb_config (lb), p->name);
      if (def != NULL && strcmp (p->value_json, def) != 0)
        {
          g_ptr_array_add (out, g_strdup (p->name));
          g_ptr_array_add (out, g_steal_pointer (&def));
        }
    }
  lb_free (lb);
  if (out->len == 0)
    g_clear_pointer (&out, g_ptr_array_unref);
  return out;
}

FlRun *
fl_run_new (const FlRunOptions *opt, GError **error)
{
  g_return_val_if_fail (opt != NULL, NULL);
  if (opt->scenario == NULL)
    {
      g_set_error (error, FL_ERROR, FL_ERROR_INPUT, "no scenario given");
      return NULL;
    }
  FlRun *run = g_new0 (FlRun, 1);
  run->opt = *opt;
  run->scenario = g_strdup (opt->scenario);
  run->scenario_label = fl_scenario_label (opt->scenario);
  run->output_dir = g_strdup (opt->output_dir);
  run->trace_path = g_strdup (opt->trace_path);
  run->opt.scenario = run->scenario;
  run->opt.output_dir = run->output_dir;
  run->opt.trace_path = run->trace_path;
  run->metrics_path = g_strdup (opt->metrics_path);
  run->opt.metrics_path = run->metrics_path;
  run->opt.sets = NULL;

  g_autoptr (GPtrArray) sets = g_ptr_array_new ();
  for (size_t i = 0; opt->sets != NULL && opt->sets[i] != NULL; i++)
    g_ptr_array_add (sets, (gpointer) opt->sets[i]);
  g_autofree char *lua_dir = g_build_filename (fl_data_dir (), "lua", NULL);
  LbOptions lo = { .lib_dir = lua_dir,
                   .seed = opt->seed, .mem_limit = opt->lua_mem_limit,
                   .instr_budget = opt->lua_budget, .sets = sets,
                   .allow_plugins = opt->allow_plugins };
  GError *err = NULL;
  run->lb = lb_load (opt->scenario, &lo, &err);
  if (run->lb == NULL)
    {
      as_fl_error (error, err, FL_ERROR_INPUT);
      fl_run_free (run);
      return NULL;
    }
  /* The composition root resolves what models/ may not: a plugin. */
  WorldPolicies pol = { 0 };
  const char *plugin = world_config_health_plugin (lb_config (run->lb));
  if (plugin != NULL)
    pol.health_plugin = health_plugin_load (plugin, &err);
  if (plugin == NULL || pol.health_plugin != NULL)
    run->world = world_new_with (lb_config (run->lb), opt->seed, &pol, &err);
  if (run->world == NULL)
    {
      bool internal = err && err->domain == WORLD_ERROR && err->code == WORLD_ERROR_INTERNAL;
      g_autofree char *msg = g_strdup_printf ("%s: %s", opt->scenario, err ? err->message : "?");
      g_clear_error (&err);
      g_set_error_literal (error, FL_ERROR, internal ? FL_ERROR_INTERNAL : FL_ERROR_INPUT, msg);
      fl_run_free (run);
      return NULL;
    }
  lb_attach (run->lb, run->world);
  if (sets->len > 0)
    run->param_defaults = fl_param_defaults (opt, &lo, lb_params (run->lb));
  return run;
}

void
fl_run_free (FlRun *run)
{
  if (run == NULL)
    return;
  if (run->lb != NULL)
    lb_attach (run->lb, NULL);
  world_free (run->world);
  lb_free (run->lb);
  g_free (run->scenario);
  g_free (run->scenario_label);
  g_free (run->output_dir);
  g_free (run->trace_path);
  g_free (run->metrics_path);
  g_free (run->summary);
  if (run->param_defaults != NULL)
    g_ptr_array_unref (run->param_defaults);
  g_free (run);
}

/* ---- listeners ---- */

typedef struct
{
  IbPcap *pc;
  const Topo *topo;
  GHashTable *disabled; /* node cables the policy disabled */
  bool failed;
} PcapSink;

/* Link state changes become subnet-management traps 128 from the switches
 * at the link's ends, as an SM would receive them (lib/ibpcap.h says
 * which ends and when); a failed switch sends none. A node cable the
 * policy disabled stays Down when its hardware is repaired, until the
 * policy enables it (the world models disable_port on node cables only). */
static void
pcap_listener (const WorldEvent *ev, void *user_data)
{
  PcapSink *s = user_data;
  if (s->failed || s->pc == NULL || ev->component == NULL)
    return;
  if (ev->kind != WEV_LINK_STATE && ev->kind != WEV_COMPONENT_FAILED
      && ev->kind != WEV_COMPONENT_REPAIRED && ev->kind != WEV_POLICY_ACTION)
    return;
  TopoKind kind;
  uint32_t idx;
  if (!topo_lookup (s->topo, ev->component, &kind, &idx))
    return;
  if (ev->kind == WEV_POLICY_ACTION)
    {
      if (kind != TOPO_CABLE || ev->action.action == NULL)
        return;
      if (strcmp (ev->action.action, "disable_port") == 0)
        g_hash_table_add (s->disabled, GUINT_TO_POINTER (idx));
      else if (strcmp (ev->action.action, "enable_port") == 0)
        g_hash_table_remove (s->disabled, GUINT_TO_POINTER (idx));
      return;
    }
  if (ev->kind != WEV_LINK_STATE)
    {
      if (kind == TOPO_LEAF || kind == TOPO_SPINE || kind == TOPO_CORE)
        ibpcap_switch_failed (s->pc, s->topo, kind, idx,
                              ev->kind == WEV_COMPONENT_FAILED);
      return;
    }
  bool up = ev->link.to == WORLD_PORT_ACTIVE
            && !(kind == TOPO_CABLE
                 && g_hash_table_contains (s->disabled, GUINT_TO_POINTER (idx)));
  if (ibpcap_link_state (s->pc, s->topo, simtime_to_s (ev->time), kind, idx,
                         up ? IBPCAP_PORT_ACTIVE : IBPCAP_PORT_DOWN) < 0)
    s->failed = true;
}

typedef struct
{
  FlRun *run;
} ProgressCtx;

/* The world calls this at every sample tick; a person hears of it at most
 * once a wall-clock second (the wall clock is read here, never in
 * models/). */
static void
progress_cb (World *w, SimTime now, SimTime end, void *user_data)
{
  FlRun *run = user_data;
  gint64 us = g_get_monotonic_time ();
  if (us - run->last_progress_us < 1000000)
    return;
  run->last_progress_us = us;
  run->opt.progress (simtime_to_s (now), simtime_to_s (end), world_events (w),
                     run->opt.progress_data);
}

/* summary.json's "workload_trace": what the run's SWF trace gave, or NULL
 * when it read none (docs/results.md). Returns: (transfer full). */
static JsonNode *
fl_trace_summary (World *w)
{
  WorldTraceStats t;
  if (!world_trace_stats (w, &t))
    return NULL;
  g_autoptr (JsonBuilder) b = json_builder_new ();
  json_builder_begin_object (b);
  const struct
  {
    const char *name;
    uint32_t v;
  } f[] = {
    { "jobs", t.jobs },
    { "skipped", t.skipped_malformed + t.skipped_cancelled
                 + t.skipped_unusable },
    { "skipped_malformed", t.skipped_malformed },
    { "skipped_cancelled", t.skipped_cancelled },
    { "skipped_unusable", t.skipped_unusable },
    { "after_end", t.after_end },
    { "capped", t.capped },
  };
  for (size_t i = 0; i < G_N_ELEMENTS (f); i++)
    {
      json_builder_set_member_name (b, f[i].name);
      json_builder_add_int_value (b, f[i].v);
    }
  json_builder_end_object (b);
  return json_builder_get_root (b);
}

static bool
write_notes (const char *dir, const char *notes, GError **error)
{
  if (notes == NULL || *notes == '\0')
    return true;
  g_autofree char *path = g_build_filename (dir, "notes.txt", NULL);
  return atomicfile_write (path, notes, strlen (notes), error);
}

/* Whether folders A and B are one (both made absolute, not resolved
 * through links). */
static bool
same_folder (const char *a, const char *b)
{
  g_autofree char *x = g_canonicalize_filename (a, NULL);
  g_autofree char *y = g_canonicalize_filename (b, NULL);
  return strcmp (x, y) == 0;
}

/* The health policy's name as policy.health says ("standard" when it is
 * not a plain string). Returns: (transfer full). */
static char *
run_policy_name (FlRun *run)
{
  g_autofree char *json = world_config_get_json (lb_config (run->lb),
                                                 "policy.health");
  size_t n = json != NULL ? strlen (json) : 0;
  if (n >= 2 && json[0] == '"' && json[n - 1] == '"')
    return g_strndup (json + 1, n - 2);
  return g_strdup ("standard");
}

bool
fl_run_execute (FlRun *run, GError **error)
{
  g_return_val_if_fail (run != NULL && !run->done, false);
  run->done = true;
  GError *err = NULL;
  AtomicDir *dir = NULL;
  ResultsEvents *events = NULL;
  ResultsJobs *jobs = NULL;
  HealthEvents *hevents = NULL;
  g_autoptr (JsonNode) remediation = NULL;
  g_autoptr (JsonNode) trace_node = NULL;
  Sla *sla = sla_new (world_nodes (run->world));
  OpenMetrics *om = NULL;
  ResultsTrace *trace = NULL;
  PcapSink pcap = { 0 };
  pcap.topo = world_topo (run->world);
  g_autoptr (GHashTable) pcap_disabled = g_hash_table_new (g_direct_hash, g_direct_equal);
  pcap.disabled = pcap_disabled;
  const char *staging = NULL;
  g_autofree ResultsParam *params = NULL;
  g_autofree ResultsParam *defaults = NULL;

  if (run->output_dir != NULL)
    {
      dir = atomicfile_dir_begin (run->output_dir, &err);
      if (dir == NULL)
        goto fail_input;
      staging = atomicfile_dir_staging (dir);
      /* jobs.csv takes each job's row as it ends: no finished job stays */
      jobs = results_jobs_open (staging, &err);
      if (jobs == NULL)
        goto fail_input;
      world_set_job_rows (run->world, results_jobs_row, jobs);
      if (run->opt.events)
        {
          events = results_events_open (staging, &err);
          if (events == NULL)
            goto fail_input;
          world_add_listener (run->world, results_events_listener, events);
        }
      if (run->opt.health_events)
        {
          g_autofree char *policy = run_policy_name (run);
          hevents = healthevents_open (staging, policy,
                                       world_nodes (run->world), &err);
          if (hevents == NULL)
            goto fail_input;
          world_add_listener (run->world, healthevents_listener, hevents);
        }
      if (run->opt.pcap && ibpcap_available ())
        {
          g_autofree char *p = g_build_filename (staging, "fabric.pcap", NULL);
          pcap.pc = ibpcap_open (p, &err);
          if (pcap.pc == NULL)
            goto fail_input;
          world_add_listener (run->world, pcap_listener, &pcap);
        }
    }
  if (run->trace_path != NULL)
    {
      trace = results_trace_open (run->trace_path, lb_scenario_name (run->lb), &err);
      if (trace == NULL)
        goto fail_input;
      world_add_listener (run->world, results_trace_listener, trace);
    }
  world_add_listener (run->world, sla_listener, sla);
  if (run->metrics_path != NULL)
    {
      double iv = run->opt.metrics_interval_s > 0 ? run->opt.metrics_interval_s : 240;
      om = openmetrics_new (simtime_from_s (iv));
      openmetrics_set_nodes (om, world_nodes (run->world));
      world_add_listener (run->world, openmetrics_listener, om);
    }
  if (run->opt.progress != NULL)
    world_set_progress (run->world, progress_cb, run);

  gint64 wall_start_us = g_get_monotonic_time ();
  run->last_progress_us = wall_start_us;
  if (!world_run (run->world, &err))
    goto fail_input;
  double wall_seconds = (g_get_monotonic_time () - wall_start_us) / 1e6;
  if (run->opt.progress != NULL)
    run->opt.progress (simtime_to_s (world_now (run->world)),
                       simtime_to_s (world_length (run->world)),
                       world_events (run->world), run->opt.progress_data);

  /* The summary (kept in memory for fl_run_summary_json). */
  const GPtrArray *lp = lb_params (run->lb);
  params = g_new0 (ResultsParam, MAX (lp->len, 1));
  for (guint i = 0; i < lp->len; i++)
    {
      const LbParam *p = g_ptr_array_index (lp, i);
      params[i].name = p->name;
      params[i].json = p->value_json;
    }
  size_t n_defaults = run->param_defaults ? run->param_defaults->len / 2 : 0;
  defaults = g_new0 (ResultsParam, MAX (n_defaults, 1));
  for (size_t i = 0; i < n_defaults; i++)
    {
      defaults[i].name = g_ptr_array_index (run->param_defaults, 2 * i);
      defaults[i].json = g_ptr_array_index (run->param_defaults, 2 * i + 1);
    }
  sla_finish (sla, world_length (run->world));
  remediation = sla_summary (sla);
  trace_node = fl_trace_summary (run->world);
  ResultsRunInfo info = {
    .faultline_version = FL_VERSION, .scenario = run->scenario_label,
    .scenario_name = lb_scenario_name (run->lb), .seed = run->opt.seed,
    .params = params, .n_params = lp->len, .wall_seconds = wall_seconds,
    .param_defaults = defaults, .n_param_defaults = n_defaults,
    .workload_trace = trace_node,
    .write_wall_seconds = run->opt.write_wall_seconds,
    .remediation = remediation,
    .jobs_streamed = jobs != NULL,
  };
  const Metrics *m = world_metrics (run->world);
  run->summary = results_summary_json (&info, m, &err);
  if (run->summary == NULL)
    goto fail_internal;

  if (om != NULL)
    {
      /* --metrics inside the -o folder is staged with the folder's files */
      g_autofree char *mdir = g_path_get_dirname (run->metrics_path);
      g_autofree char *mbase = g_path_get_basename (run->metrics_path);
      g_autofree char *staged = NULL;
      if (dir != NULL && same_folder (mdir, run->output_dir))
        staged = g_build_filename (staging, mbase, NULL);
      bool ok = openmetrics_write (om, world_length (run->world),
                                   staged ? staged : run->metrics_path, &err);
      g_clear_pointer (&om, openmetrics_free);
      if (!ok)
        goto fail_input;
    }
  if (trace != NULL)
    {
      ResultsTrace *t = trace;
      trace = NULL;
      if (!results_trace_close (t, world_length (run->world), &err))
        goto fail_input;
    }
  if (dir != NULL)
    {
      if (!results_write (staging, &info, m, &err))
        goto fail_input;
      ResultsJobs *rj = jobs;
      jobs = NULL;
      if (!results_jobs_close (rj, &err))
        goto fail_input;
      if (!write_notes (staging, world_notes (run->world), &err))
        goto fail_input;
      if (remediation != NULL)
        {
          g_autoptr (GString) q = sla_quarantine_csv (sla);
          g_autofree char *qp = g_build_filename (staging, "quarantine.csv", NULL);
          if (!atomicfile_write (qp, q->str, q->len, &err))
            goto fail_input;
        }
      if (events != NULL)
        {
          ResultsEvents *e = events;
          events = NULL;
          if (!results_events_close (e, &err))
            goto fail_input;
        }
      if (hevents != NULL)
        {
          HealthEvents *h = hevents;
          hevents = NULL;
          if (!healthevents_close (h, &err))
            goto fail_input;
        }
      if (pcap.pc != NULL)
        {
          IbPcap *pc = pcap.pc;
          pcap.pc = NULL;
          if (!ibpcap_close (pc, &err))
            goto fail_input;
        }
      if (run->opt.plots)
        {
          PlotsOptions po = { 0 };
          GError *perr = NULL;
          if (!plots_render (staging, &po, &perr))
            {
              g_printerr ("faultline: warning: plots not rendered: %s\n", perr->message);
              g_clear_error (&perr);
            }
          else if (po.gnuplot_missing)
            g_printerr ("faultline: gnuplot not found; wrote data files only\n");
        }
      AtomicDir *d = dir;
      dir = NULL;
      if (!atomicfile_dir_commit (d, &err))
        goto fail_input;
    }
  sla_free (sla);
  return true;

fail_internal:
  sla_free (sla);
  openmetrics_free (om);
  results_jobs_abort (jobs);
  results_events_abort (events);
  healthevents_abort (hevents);
  results_trace_abort (trace);
  ibpcap_abort (pcap.pc);
  atomicfile_dir_abort (dir);
  as_fl_error (error, err, FL_ERROR_INTERNAL);
  return false;
fail_input:
  sla_free (sla);
  openmetrics_free (om);
  results_jobs_abort (jobs);
  results_events_abort (events);
  healthevents_abort (hevents);
  results_trace_abort (trace);
  ibpcap_abort (pcap.pc);
  atomicfile_dir_abort (dir);
  if (err != NULL && err->domain == WORLD_ERROR && err->code == WORLD_ERROR_INTERNAL)
    as_fl_error (error, err, FL_ERROR_INTERNAL);
  else
    as_fl_error (error, err, FL_ERROR_INPUT);
  return false;
}

static double
json_metric (const char *summary, const char *key)
{
  /* The metrics live in world's Metrics too, but reading summary.json keeps
   * this in step with the documented keys. */
  g_autoptr (GError) err = NULL;
  JsonParser *p = json_parser_new ();
  double v = NAN;
  if (json_parser_load_from_data (p, summary, -1, &err))
    {
      JsonObject *root = json_node_get_object (json_parser_get_root (p));
      JsonObject *metrics = json_object_get_object_member (root, "metrics");
      if (metrics != NULL && json_object_has_member (metrics, key))
        {
          JsonNode *n = json_object_get_member (metrics, key);
          if (JSON_NODE_HOLDS_VALUE (n))
            v = json_node_get_double (n);
        }
    }
  g_object_unref (p);
  return v;
}

double
fl_run_metric (const FlRun *run, const char *key)
{
  if (run == NULL || run->summary == NULL || key == NULL)
    return NAN;
  return json_metric (run->summary, key);
}

uint64_t
fl_run_interruptions_by_cause (const FlRun *run, const char *cause)
{
  if (run == NULL || run->world == NULL || !run->done)
    return 0;
  const Metrics *m = world_metrics (run->world);
  for (guint i = 0; i < m->interruptions_by_cause->len; i++)
    {
      MetricsCause *c = &g_array_index (m->interruptions_by_cause, MetricsCause, i);
      if (strcmp (c->cause, cause) == 0)
        return c->count;
    }
  return 0;
}

const char *
fl_run_summary_json (FlRun *run)
{
  return run ? run->summary : NULL;
}

const char *
fl_run_output_dir (const FlRun *run)
{
  return run && run->done ? run->output_dir : NULL;
}

const char *
fl_run_scenario_name (const FlRun *run)
{
  return run && run->lb ? lb_scenario_name (run->lb) : NULL;
}

bool
fl_run_param (const FlRun *run, size_t i, const char **name,
              const char **value_json, const char **help)
{
  g_return_val_if_fail (run != NULL && run->lb != NULL, false);
  const GPtrArray *ps = lb_params (run->lb);
  if (i >= ps->len)
    return false;
  const LbParam *p = g_ptr_array_index (ps, i);
  if (name != NULL)
    *name = p->name;
  if (value_json != NULL)
    *value_json = p->value_json;
  if (help != NULL)
    *help = p->help;
  return true;
}

bool
fl_metric_info (size_t i, FlMetricInfo *info)
{
  g_return_val_if_fail (info != NULL, false);
  size_t n;
  const MetrictabEntry *tab = metrictab_entries (&n);
  if (i >= n)
    return false;
  const MetrictabEntry *e = &tab[i];
  info->name = e->name;
  info->label = e->label;
  info->unit = metrictab_unit_name (e->unit);
  info->better = metrictab_direction_name (e->direction);
  info->tolerance_pct = e->tolerance_pct;
  info->headline = e->headline;
  info->description = e->summary;
  return true;
}

char *
fl_metric_format (const char *name, double v)
{
  g_return_val_if_fail (name != NULL, NULL);
  const MetrictabEntry *e = metrictab_find (name);
  return e != NULL ? metrictab_format (e, v, true) : NULL;
}
