/* lib/tools-sweep.c - what `faultline sweep`, `merge`, `slurm` and `k8s`
 * do, as the public API (faultline.h fl_sweep_*), and the progress lines
 * of long commands (fl_progress_*). A sweep is checked once from the words
 * a person writes (a seed spec, NAME=VALUE sets, NAME=V1,V2 grid axes, a
 * K/N shard) into an FlSweep, which then runs (lib/sweep.c), or becomes
 * the text of cluster jobs (lib/sweep-cluster.c) whose shards repeat the
 * same words. cli/ parses options and prints. */
#include "faultline.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include <json-glib/json-glib.h>

#include "progress.h"
#include "sweep-cluster.h"
#include "sweep.h"

/* ---- progress ---- */

struct FlProgress
{
  Progress p;
};

FlProgress *
fl_progress_new (bool tty)
{
  FlProgress *p = g_new0 (FlProgress, 1);
  progress_init (&p->p, tty);
  return p;
}

void
fl_progress_free (FlProgress *p)
{
  g_free (p);
}

void
fl_progress_run (double sim_s, double total_s, uint64_t events,
                 void *progress)
{
  FlProgress *p = progress;
  double elapsed;
  if (!progress_due (&p->p, sim_s >= total_s, &elapsed))
    return;
  g_autofree char *line = progress_run_line (sim_s, total_s, events, elapsed);
  progress_print (&p->p, line);
}

void
fl_progress_end (FlProgress *p)
{
  if (p != NULL && p->p.tty && p->p.printed)
    fputc ('\n', stderr);
}

/* "sweep: 3/8 points, 130/320 replicas (40 resumed), 2.1 runs/s, elapsed
 * 43 s, eta 45 s". The rate counts the replicas run by this process; the
 * ETA is the mean wall time of a replica times the replicas left, divided
 * by the threads that will run them. */
static void
sweep_progress (const SweepProgressInfo *in, void *user_data)
{
  FlProgress *fp = user_data;
  Progress *p = &fp->p;
  double el;
  /* a log (not a terminal): a line at most every 5 s, and the last one */
  if (!progress_due (p, in->done >= in->total, &el))
    return;
  unsigned ran = in->done - in->resumed;
  unsigned left = in->total - in->done;
  double rate = el > 0 && ran > 0 ? ran / el : NAN;
  double eta = ran > 0 && in->threads > 0
    ? in->busy_seconds / ran * left / MIN (in->threads, MAX (left, 1u))
    : NAN;
  if (left == 0)
    eta = 0;
  char e1[32], e2[32], r[32];
  progress_duration (e1, sizeof e1, el);
  progress_duration (e2, sizeof e2, eta);
  if (isfinite (rate))
    g_snprintf (r, sizeof r, "%.*f runs/s", rate < 10 ? 2 : 1, rate);
  else
    g_snprintf (r, sizeof r, "- runs/s");
  g_autofree char *resumed = in->resumed > 0
    ? g_strdup_printf (" (%u resumed)", in->resumed) : g_strdup ("");
  g_autofree char *line = g_strdup_printf (
      "sweep: %u/%u points, %u/%u replicas done%s, %s, %u threads, elapsed "
      "%s, eta %s", in->points_done, in->points, in->done, in->total,
      resumed, r, in->threads, e1, e2);
  progress_print (p, line);
}

/* ---- a sweep ---- */

struct FlSweep
{
  char *scenario;        /* the path found */
  char *seeds_spec;      /* as given, or NULL */
  char **sets, **grids;  /* as given (NULL-terminated, never NULL) */
  char *out;
  unsigned threads, shard, shards;
  bool fresh, plots, pcap, write_wall_seconds;
  GArray *seeds;         /* guint64, ascending */
  GArray *axes;          /* SweepAxis, keys and values owned */
};

void
fl_sweep_options_init (FlSweepOptions *opt)
{
  g_return_if_fail (opt != NULL);
  memset (opt, 0, sizeof *opt);
  opt->write_wall_seconds = true;
}

void
fl_sweep_free (FlSweep *s)
{
  if (s == NULL)
    return;
  g_free (s->scenario);
  g_free (s->seeds_spec);
  g_strfreev (s->sets);
  g_strfreev (s->grids);
  g_free (s->out);
  if (s->axes != NULL)
    {
      for (guint i = 0; i < s->axes->len; i++)
        {
          SweepAxis *x = &g_array_index (s->axes, SweepAxis, i);
          g_free ((char *) x->key);
          g_strfreev ((char **) x->values);
        }
      g_array_free (s->axes, TRUE);
    }
  if (s->seeds != NULL)
    g_array_unref (s->seeds);
  g_free (s);
}

/* Parses and checks the words of s, in the order the command line
 * reports them. */
static bool
sweep_check (FlSweep *s, const char *scenario, const char *shard,
             GError **error)
{
  s->seeds = g_array_new (FALSE, FALSE, sizeof (guint64));
  if (!sweep_parse_seeds (s->seeds_spec ? s->seeds_spec : "1", s->seeds,
                          error))
    return false;
  if (shard != NULL
      && !sweep_parse_shard (shard, &s->shard, &s->shards, error))
    return false;
  for (size_t i = 0; s->sets[i] != NULL; i++)
    if (strchr (s->sets[i], '=') == NULL || s->sets[i][0] == '=')
      {
        g_set_error (error, FL_ERROR, FL_ERROR_INPUT, "--set '%s': expected "
                     "NAME=VALUE", s->sets[i]);
        return false;
      }
  s->axes = g_array_new (FALSE, TRUE, sizeof (SweepAxis));
  for (size_t i = 0; s->grids[i] != NULL; i++)
    {
      char *key = NULL, **values = NULL;
      if (!sweep_parse_axis (s->grids[i], &key, &values, error))
        return false;
      SweepAxis x = { key, (const char *const *) values };
      g_array_append_val (s->axes, x);
      for (guint j = 0; j + 1 < s->axes->len; j++)
        if (strcmp (g_array_index (s->axes, SweepAxis, j).key, key) == 0)
          {
            g_set_error (error, FL_ERROR, FL_ERROR_INPUT, "--grid %s: the "
                         "key is given twice (list every value in one "
                         "--grid)", key);
            return false;
          }
      size_t klen = strlen (key);
      for (size_t k = 0; s->sets[k] != NULL; k++)
        if (strncmp (s->sets[k], key, klen) == 0 && s->sets[k][klen] == '=')
          {
            g_set_error (error, FL_ERROR, FL_ERROR_INPUT, "--grid %s and "
                         "--set %s: a key is either fixed or swept, not both",
                         s->grids[i], s->sets[k]);
            return false;
          }
    }
  /* Found as a run finds it: a file, or a shipped scenario by name
   * (spares.lua, spares). */
  g_autofree char *given = scenario != NULL ? g_strdup (scenario)
                                            : fl_default_scenario ();
  if (g_file_test (given, G_FILE_TEST_EXISTS)
      && !g_file_test (given, G_FILE_TEST_IS_DIR)
      && !g_file_test (given, G_FILE_TEST_IS_REGULAR))
    {
      g_set_error (error, FL_ERROR, FL_ERROR_INPUT, "%s: not a regular file "
                   "(expected a scenario .lua file)", given);
      return false;
    }
  s->scenario = fl_scenario_find (given, error);
  if (s->scenario == NULL)
    return false;
  if (s->out == NULL)
    {
      g_autofree char *base = g_path_get_basename (s->scenario);
      char *dot = strrchr (base, '.');
      if (dot != NULL)
        *dot = '\0';
      s->out = g_strdup_printf ("results/%s-sweep", base);
    }
  return true;
}

FlSweep *
fl_sweep_new (const FlSweepOptions *opt, GError **error)
{
  g_return_val_if_fail (opt != NULL, NULL);
  FlSweep *s = g_new0 (FlSweep, 1);
  s->seeds_spec = g_strdup (opt->seeds);
  s->sets = opt->sets ? g_strdupv ((char **) opt->sets) : g_new0 (char *, 1);
  s->grids = opt->grid ? g_strdupv ((char **) opt->grid) : g_new0 (char *, 1);
  s->out = g_strdup (opt->output_dir);
  s->threads = opt->threads > 0 ? opt->threads
                                : MAX (g_get_num_processors (), 1u);
  s->fresh = opt->fresh;
  s->plots = opt->plots;
  s->pcap = opt->pcap;
  s->write_wall_seconds = opt->write_wall_seconds;
  if (!sweep_check (s, opt->scenario, opt->shard, error))
    {
      fl_sweep_free (s);
      return NULL;
    }
  return s;
}

const char *
fl_sweep_scenario (const FlSweep *s)
{
  g_return_val_if_fail (s != NULL, NULL);
  return s->scenario;
}

const char *
fl_sweep_output_dir (const FlSweep *s)
{
  g_return_val_if_fail (s != NULL, NULL);
  return s->out;
}

unsigned long
fl_sweep_replicas (const FlSweep *s)
{
  g_return_val_if_fail (s != NULL, 0);
  unsigned long n = s->seeds->len;
  for (guint i = 0; i < s->axes->len; i++)
    n *= g_strv_length ((char **) g_array_index (s->axes, SweepAxis,
                                                 i).values);
  return n;
}

void
fl_sweep_shard (const FlSweep *s, unsigned *shard, unsigned *shards)
{
  g_return_if_fail (s != NULL);
  if (shard != NULL)
    *shard = s->shards == 0 ? 1 : s->shard;
  if (shards != NULL)
    *shards = s->shards == 0 ? 1 : s->shards;
}

bool
fl_sweep_execute (FlSweep *s, FlProgress *progress, GError **error)
{
  g_return_val_if_fail (s != NULL, false);
  SweepOptions o = {
    .scenario = s->scenario,
    .sets = (const char *const *) s->sets,
    .axes = (const SweepAxis *) s->axes->data,
    .n_axes = s->axes->len,
    .seeds = (const uint64_t *) s->seeds->data,
    .n_seeds = s->seeds->len,
    .output_dir = s->out,
    .threads = s->threads,
    .shard = s->shard,
    .shards = s->shards,
    .fresh = s->fresh,
    .plots = s->plots,
    .pcap = s->pcap,
    .write_wall_seconds = s->write_wall_seconds,
    .progress = progress != NULL ? sweep_progress : NULL,
    .progress_data = progress,
  };
  return sweep_run (&o, error);
}

char *
fl_sweep_format_summary (const FlSweep *s)
{
  g_return_val_if_fail (s != NULL, NULL);
  g_autofree char *path = g_build_filename (s->out, "sweep.json", NULL);
  g_autoptr (JsonParser) p = json_parser_new ();
  if (!json_parser_load_from_file (p, path, NULL))
    return NULL;
  JsonObject *root = json_node_get_object (json_parser_get_root (p));
  JsonArray *points = json_object_get_array_member (root, "points");
  GString *t = g_string_new (NULL);
  g_string_append_printf (t, "%-40s %4s  %-10s %s\n", "point", "n",
                          "ETTR mean", "95% CI");
  for (guint i = 0; i < json_array_get_length (points); i++)
    {
      JsonObject *pt = json_array_get_object_element (points, i);
      JsonObject *m = json_object_get_object_member (pt, "metrics");
      JsonObject *e = m && json_object_has_member (m, "ettr")
                      ? json_object_get_object_member (m, "ettr") : NULL;
      g_string_append_printf (t, "%-40s",
                              json_object_get_string_member (pt, "name"));
      if (e == NULL || json_object_get_null_member (e, "mean"))
        {
          g_string_append_printf (t, " %4s  -\n", "0");
          continue;
        }
      g_string_append_printf (t, " %4" G_GINT64_FORMAT "  %-10.4f",
                              json_object_get_int_member (e, "n"),
                              json_object_get_double_member (e, "mean"));
      if (json_object_get_null_member (e, "ci95_low"))
        g_string_append (t, " -\n");
      else
        g_string_append_printf (t, " [%.4f, %.4f]\n",
                                json_object_get_double_member (e, "ci95_low"),
                                json_object_get_double_member (e, "ci95_high"));
    }
  g_string_append_printf (t, "results: %s/ (sweep.json, sweep.csv, "
                          "results.sqlite, <point>/seed-N/)\n", s->out);
  return g_string_free (t, FALSE);
}

bool
fl_sweep_merge (const char *output_dir, const char *const *shard_dirs,
                size_t n_dirs, double wait_s, GError **error)
{
  return sweep_merge (output_dir, shard_dirs, n_dirs, wait_s, error);
}

/* ---- cluster jobs ---- */

/* The sweep's own words (scenario, --seeds, --set, --grid, --plots,
 * --pcap, --no-wall-seconds), NULL-terminated, for the shards' command
 * line. Returns: (transfer full). */
static GPtrArray *
sweep_words (const FlSweep *s)
{
  GPtrArray *v = g_ptr_array_new_with_free_func (g_free);
  g_ptr_array_add (v, g_strdup (s->scenario));
  if (s->seeds_spec != NULL)
    g_ptr_array_add (v, g_strconcat ("--seeds=", s->seeds_spec, NULL));
  for (size_t i = 0; s->sets[i] != NULL; i++)
    g_ptr_array_add (v, g_strconcat ("--set=", s->sets[i], NULL));
  for (size_t i = 0; s->grids[i] != NULL; i++)
    g_ptr_array_add (v, g_strconcat ("--grid=", s->grids[i], NULL));
  if (s->plots)
    g_ptr_array_add (v, g_strdup ("--plots"));
  if (s->pcap)
    g_ptr_array_add (v, g_strdup ("--pcap"));
  if (!s->write_wall_seconds)
    g_ptr_array_add (v, g_strdup ("--no-wall-seconds"));
  g_ptr_array_add (v, NULL);
  return v;
}

/* "faultline-" and the scenario's stem, lower case, [a-z0-9-], at most 40
 * bytes, no trailing '-'. Returns: (transfer full). */
static char *
job_name (const char *scenario)
{
  g_autofree char *base = g_path_get_basename (scenario);
  char *dot = strrchr (base, '.');
  if (dot != NULL)
    *dot = '\0';
  GString *n = g_string_new ("faultline-");
  for (const char *p = base; *p && n->len < 40; p++)
    g_string_append_c (n, g_ascii_isalnum (*p) ? g_ascii_tolower (*p) : '-');
  while (n->str[n->len - 1] == '-')
    g_string_truncate (n, n->len - 1);
  return g_string_free (n, FALSE);
}

/* The text of the jobs: slurm or k8s. */
static char *
cluster_text (const FlSweep *s, const FlClusterOptions *c, bool slurm,
              GError **error)
{
  g_return_val_if_fail (s != NULL && c != NULL, NULL);
  unsigned long replicas = fl_sweep_replicas (s);
  unsigned shards = c->shards != 0 ? c->shards
                                   : (unsigned) MIN (replicas, 100ul);
  if (shards > replicas || shards > SWEEP_MAX_SHARDS)
    {
      g_set_error (error, FL_ERROR, FL_ERROR_INPUT, "--shards %u: give 1 to "
                   "%lu (the sweep has %lu replicas)", shards,
                   MIN (replicas, (unsigned long) SWEEP_MAX_SHARDS), replicas);
      return NULL;
    }
  g_autoptr (GPtrArray) words = sweep_words (s);
  g_autofree char *cwd = slurm && c->workdir == NULL ? g_get_current_dir ()
                                                      : NULL;
  g_autofree char *shards_dir = c->shards_dir != NULL
      ? g_strdup (c->shards_dir) : g_strconcat (s->out, ".shards", NULL);
  g_autofree char *name = c->name != NULL ? g_strdup (c->name)
                                          : job_name (s->scenario);
  SweepClusterOptions o = {
    .faultline = c->faultline != NULL ? c->faultline : "faultline",
    .workdir = c->workdir != NULL ? c->workdir : slurm ? cwd : "/results",
    .sweep_argv = (const char *const *) words->pdata,
    .out = s->out,
    .shards_dir = shards_dir,
    .name = name,
    .shards = shards,
    .threads = s->threads,
    .parallel = c->parallel,
    .partition = c->partition,
    .time_limit = c->time_limit,
    .image = c->image,
    .claim = c->claim != NULL || slurm ? c->claim : "faultline-results",
    .merge_wait_s = c->merge_wait_s,
  };
  if (!sweep_cluster_check (&o, error))
    return NULL;
  return slurm ? sweep_cluster_slurm (&o) : sweep_cluster_k8s (&o);
}

void
fl_cluster_options_init (FlClusterOptions *c)
{
  g_return_if_fail (c != NULL);
  memset (c, 0, sizeof *c);
  c->merge_wait_s = 7 * 86400;
}

char *
fl_sweep_slurm (const FlSweep *s, const FlClusterOptions *c, GError **error)
{
  return cluster_text (s, c, true, error);
}

char *
fl_sweep_k8s (const FlSweep *s, const FlClusterOptions *c, GError **error)
{
  return cluster_text (s, c, false, error);
}
