/* lib/results.c - summary.json, the CSV tables, events.jsonl and the
 * Chrome/Perfetto trace of a run. See results.h and docs/results.md.
 *
 * Formatting only: no metric is computed here. Output is deterministic
 * (fixed key order, fixed number format) except wall_seconds when asked. */
#include "results.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <string.h>

#include "atomicfile.h"
#include "metrictab.h"

G_DEFINE_QUARK (faultline-results-error-quark, results_error)

/* ---- numbers and JSON text ---- */

/* Room for n more bytes at the end of out: returns where they start. The
 * writers format numbers straight into a GString's spare capacity (no
 * printf, no intermediate string) and close with results_room_done(). */
static inline char *
results_room (GString *out, size_t n)
{
  if (out->allocated_len - out->len <= n)
    {
      gsize len = out->len;
      g_string_set_size (out, len + n); /* grows the allocation */
      g_string_truncate (out, len);
    }
  return out->str + out->len;
}

/* Ends a write begun with results_room() at end. */
static inline void
results_room_done (GString *out, char *end)
{
  out->len = (gsize) (end - out->str);
  *end = '\0';
}

static void
results_json_escape (GString *out, const char *s)
{
  g_string_append_c (out, '"');
  for (const unsigned char *p = (const unsigned char *) s; *p; p++)
    switch (*p)
      {
      case '"': g_string_append (out, "\\\""); break;
      case '\\': g_string_append (out, "\\\\"); break;
      case '\n': g_string_append (out, "\\n"); break;
      case '\r': g_string_append (out, "\\r"); break;
      case '\t': g_string_append (out, "\\t"); break;
      default:
        if (*p < 0x20)
          g_string_append_printf (out, "\\u%04x", *p);
        else
          g_string_append_c (out, (char) *p);
      }
  g_string_append_c (out, '"');
}

static void
results_json_number (GString *out, double v)
{
  if (!isfinite (v))
    g_string_append_len (out, "null", 4);
  else
    results_room_done (out, results_num_put (results_room (out,
                                                           RESULTS_NUM_ROOM),
                                             v));
}

static void
results_json_indent (GString *out, bool pretty, int depth)
{
  if (!pretty)
    return;
  g_string_append_c (out, '\n');
  for (int i = 0; i < depth; i++)
    g_string_append (out, "  ");
}

static void
results_json_node (GString *out, JsonNode *node, bool pretty, int depth)
{
  switch (json_node_get_node_type (node))
    {
    case JSON_NODE_NULL:
      g_string_append (out, "null");
      break;
    case JSON_NODE_VALUE:
      {
        GType t = json_node_get_value_type (node);
        if (t == G_TYPE_INT64)
          g_string_append_printf (out, "%" G_GINT64_FORMAT,
                                  json_node_get_int (node));
        else if (t == G_TYPE_DOUBLE)
          results_json_number (out, json_node_get_double (node));
        else if (t == G_TYPE_BOOLEAN)
          g_string_append (out, json_node_get_boolean (node) ? "true"
                                                             : "false");
        else
          results_json_escape (out, json_node_get_string (node));
        break;
      }
    case JSON_NODE_ARRAY:
      {
        JsonArray *a = json_node_get_array (node);
        guint n = json_array_get_length (a);
        g_string_append_c (out, '[');
        for (guint i = 0; i < n; i++)
          {
            if (i > 0)
              g_string_append_c (out, ',');
            results_json_indent (out, pretty, depth + 1);
            results_json_node (out, json_array_get_element (a, i), pretty,
                               depth + 1);
          }
        if (n > 0)
          results_json_indent (out, pretty, depth);
        g_string_append_c (out, ']');
        break;
      }
    case JSON_NODE_OBJECT:
      {
        JsonObject *o = json_node_get_object (node);
        GList *names = json_object_get_members (o); /* insertion order */
        g_string_append_c (out, '{');
        for (GList *l = names; l != NULL; l = l->next)
          {
            if (l != names)
              g_string_append_c (out, ',');
            results_json_indent (out, pretty, depth + 1);
            results_json_escape (out, l->data);
            g_string_append (out, pretty ? ": " : ":");
            results_json_node (out, json_object_get_member (o, l->data),
                               pretty, depth + 1);
          }
        if (names != NULL)
          results_json_indent (out, pretty, depth);
        g_string_append_c (out, '}');
        g_list_free (names);
        break;
      }
    }
}

char *
results_json_to_string (JsonNode *node, bool pretty)
{
  g_return_val_if_fail (node != NULL, NULL);
  GString *out = g_string_new (NULL);
  results_json_node (out, node, pretty, 0);
  if (pretty)
    g_string_append_c (out, '\n');
  return g_string_free (out, FALSE);
}

/* ---- summary.json ---- */

void
results_json_add_number (JsonBuilder *b, const char *name, double v)
{
  json_builder_set_member_name (b, name);
  if (isfinite (v))
    json_builder_add_double_value (b, v);
  else
    json_builder_add_null_value (b);
}

static void
results_add_int (JsonBuilder *b, const char *name, uint64_t v)
{
  json_builder_set_member_name (b, name);
  json_builder_add_int_value (b, (gint64) MIN (v, (uint64_t) G_MAXINT64));
}

static void
results_add_causes (JsonBuilder *b, const char *name, const GArray *causes)
{
  json_builder_set_member_name (b, name);
  json_builder_begin_object (b);
  for (guint i = 0; causes != NULL && i < causes->len; i++)
    {
      const MetricsCause *c = &g_array_index (causes, MetricsCause, i);
      results_add_int (b, c->cause, c->count);
    }
  json_builder_end_object (b);
}

/* Adds member NAME = { param name: its JSON value, ... }. Errors: a value
 * that is not JSON text (RESULTS_ERROR_INVALID). */
static bool
results_add_params (JsonBuilder *b, const char *name,
                    const ResultsParam *params, size_t n, GError **error)
{
  json_builder_set_member_name (b, name);
  json_builder_begin_object (b);
  for (size_t i = 0; i < n; i++)
    {
      const ResultsParam *p = &params[i];
      GError *local = NULL;
      JsonNode *v = p->json ? json_from_string (p->json, &local) : NULL;
      if (v == NULL)
        {
          g_set_error (error, RESULTS_ERROR, RESULTS_ERROR_INVALID,
                       "param '%s': value '%s' is not JSON text (%s)",
                       p->name ? p->name : "", p->json ? p->json : "(null)",
                       local ? local->message : "empty");
          g_clear_error (&local);
          return false;
        }
      json_builder_set_member_name (b, p->name ? p->name : "");
      json_builder_add_value (b, v); /* takes v */
    }
  json_builder_end_object (b);
  return true;
}

static void
results_add_job_times (JsonBuilder *b, const char *name, const GArray *times)
{
  json_builder_set_member_name (b, name);
  json_builder_begin_object (b);
  for (guint i = 0; times != NULL && i < times->len; i++)
    {
      const MetricsJobTime *t = &g_array_index (times, MetricsJobTime, i);
      results_json_add_number (b, t->job, t->hours);
    }
  json_builder_end_object (b);
}

char *
results_summary_json (const ResultsRunInfo *info, const Metrics *m,
                      GError **error)
{
  g_return_val_if_fail (info != NULL, NULL);
  g_return_val_if_fail (m != NULL, NULL);
  g_return_val_if_fail (info->n_params == 0 || info->params != NULL, NULL);
  g_return_val_if_fail (info->n_param_defaults == 0
                        || info->param_defaults != NULL, NULL);
  if (info->seed > (uint64_t) G_MAXINT64)
    {
      g_set_error (error, RESULTS_ERROR, RESULTS_ERROR_INVALID,
                   "seed %" PRIu64 " is above %" G_GINT64_FORMAT
                   " and cannot be written to summary.json: use a smaller "
                   "--seed", info->seed, G_MAXINT64);
      return NULL;
    }
  g_autoptr (JsonBuilder) b = json_builder_new ();
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "faultline_version");
  json_builder_add_string_value (b, info->faultline_version
                                    ? info->faultline_version : "");
  json_builder_set_member_name (b, "scenario");
  json_builder_add_string_value (b, info->scenario ? info->scenario : "");
  results_add_int (b, "seed", info->seed);
  if (!results_add_params (b, "params", info->params, info->n_params,
                           error))
    return NULL;
  if (info->n_param_defaults > 0
      && !results_add_params (b, "param_defaults", info->param_defaults,
                              info->n_param_defaults, error))
    return NULL;
  results_json_add_number (b, "sim_hours", m->sim_hours);
  json_builder_set_member_name (b, "cluster");
  json_builder_begin_object (b);
  results_add_int (b, "nodes", m->nodes);
  results_add_int (b, "gpus", m->gpus);
  results_add_int (b, "switches", m->switches);
  results_add_int (b, "links", m->links);
  json_builder_end_object (b);
  results_add_int (b, "events", m->events);
  json_builder_set_member_name (b, "main_job");
  if (m->main_job != NULL)
    json_builder_add_string_value (b, m->main_job);
  else
    json_builder_add_null_value (b);
  results_json_add_number (b, "wall_seconds",
                   info->write_wall_seconds ? info->wall_seconds : NAN);
  json_builder_set_member_name (b, "metrics");
  json_builder_begin_object (b);
  /* The metrics, in the order and with the types of the metric table. */
  size_t n_tab;
  const MetrictabEntry *tab = metrictab_entries (&n_tab);
  for (size_t i = 0; i < n_tab; i++)
    {
      const MetrictabEntry *e = &tab[i];
      const char *field = (const char *) m + e->offset;
      switch (e->kind)
        {
        case METRICTAB_NUMBER:
          results_json_add_number (b, e->name, *(const double *) field);
          break;
        case METRICTAB_COUNT:
          results_add_int (b, e->name, *(const uint64_t *) field);
          break;
        case METRICTAB_BY_CAUSE:
          results_add_causes (b, e->name, *(GArray *const *) field);
          break;
        case METRICTAB_BY_JOB:
          results_add_job_times (b, e->name, *(GArray *const *) field);
          break;
        }
    }
  json_builder_end_object (b);
  if (info->remediation != NULL)
    {
      json_builder_set_member_name (b, "remediation");
      json_builder_add_value (b, json_node_copy (info->remediation));
    }
  if (info->workload_trace != NULL)
    {
      json_builder_set_member_name (b, "workload_trace");
      json_builder_add_value (b, json_node_copy (info->workload_trace));
    }
  json_builder_end_object (b);
  g_autoptr (JsonNode) root = json_builder_get_root (b);
  return results_json_to_string (root, true);
}

/* ---- CSV tables (RFC 4180 quoting, LF line ends) ---- */

static void
results_csv_str (GString *out, const char *s)
{
  if (s == NULL)
    s = "";
  if (strpbrk (s, ",\"\r\n") == NULL)
    {
      g_string_append (out, s);
      return;
    }
  g_string_append_c (out, '"');
  for (const char *p = s; *p; p++)
    {
      if (*p == '"')
        g_string_append_c (out, '"');
      g_string_append_c (out, *p);
    }
  g_string_append_c (out, '"');
}

static void
results_csv_num (GString *out, double v)
{
  results_room_done (out, results_num_put (results_room (out,
                                                         RESULTS_NUM_ROOM),
                                           v));
}

static void
results_csv_u (GString *out, uint64_t v)
{
  results_room_done (out, results_num_put_u64 (results_room (out, 24), v));
}

static bool
results_save (const char *dir, const char *name, GString *text,
              GError **error)
{
  g_autofree char *path = g_build_filename (dir, name, NULL);
  GError *local = NULL;
  bool ok = atomicfile_write (path, text->str, text->len, &local);
  if (!ok)
    {
      g_set_error (error, RESULTS_ERROR, RESULTS_ERROR_IO, "%s",
                   local->message);
      g_error_free (local);
    }
  g_string_free (text, TRUE);
  return ok;
}

static GString *
results_timeseries_csv (const Metrics *m)
{
  GString *o = g_string_new ("t_h,healthy_gpus");
  for (int s = 0; s < METRICS_NODE_STATES; s++)
    g_string_append_printf (o, ",%s", metrics_node_state_names[s]);
  g_string_append (o, ",running_jobs,queued_jobs,spares_free,fabric_bw_lost,"
                      "main_job_progress,main_job_ettr\n");
  for (guint i = 0; m->timeseries != NULL && i < m->timeseries->len; i++)
    {
      const MetricsSample *r = &g_array_index (m->timeseries,
                                               MetricsSample, i);
      results_csv_num (o, r->t_h);
      g_string_append_c (o, ',');
      results_csv_u (o, r->healthy_gpus);
      for (int s = 0; s < METRICS_NODE_STATES; s++)
        {
          g_string_append_c (o, ',');
          results_csv_u (o, r->nodes[s]);
        }
      g_string_append_c (o, ',');
      results_csv_u (o, r->running_jobs);
      g_string_append_c (o, ',');
      results_csv_u (o, r->queued_jobs);
      g_string_append_c (o, ',');
      results_csv_u (o, r->spares_free);
      g_string_append_c (o, ',');
      results_csv_num (o, r->fabric_bw_lost);
      g_string_append_c (o, ',');
      results_csv_num (o, r->main_job_progress);
      g_string_append_c (o, ',');
      results_csv_num (o, r->main_job_ettr);
      g_string_append_c (o, '\n');
    }
  return o;
}

static GString *
results_interruptions_csv (const Metrics *m)
{
  GString *o = g_string_new ("t_h,job,component,cause,mode,lost_gpu_hours,"
                             "detect_minutes\n");
  for (guint i = 0; m->interruption_rows != NULL
                    && i < m->interruption_rows->len; i++)
    {
      const MetricsInterruption *r
        = &g_array_index (m->interruption_rows, MetricsInterruption, i);
      results_csv_num (o, r->t_h);
      g_string_append_c (o, ',');
      results_csv_str (o, r->job);
      g_string_append_c (o, ',');
      results_csv_str (o, r->component);
      g_string_append_c (o, ',');
      results_csv_str (o, r->cause);
      g_string_append_c (o, ',');
      results_csv_str (o, r->mode);
      g_string_append_c (o, ',');
      results_csv_num (o, r->lost_gpu_hours);
      g_string_append_c (o, ',');
      results_csv_num (o, r->detect_minutes);
      g_string_append_c (o, '\n');
    }
  return o;
}

/* ---- jobs.csv: a row per job, written as the jobs end ----
 *
 * The world hands each job's row over when the job ends (world_set_job_rows),
 * so a run keeps no finished job: rows go through a 64 KiB buffer into the
 * temporary file (atomicfile), which takes its name only at
 * results_jobs_close. results_write writes the file the same way from
 * Metrics.job_rows when the rows were kept instead. */

static bool results_commit (AtomicFile *af, GError **error);

struct ResultsJobs
{
  AtomicFile *file;
  GString *buf;
  GError *error;   /* the first write error, for results_jobs_close */
};

#define RESULTS_JOBS_BUF (1 << 16)

ResultsJobs *
results_jobs_open (const char *dir, GError **error)
{
  g_return_val_if_fail (dir != NULL, NULL);
  g_autofree char *path = g_build_filename (dir, "jobs.csv", NULL);
  GError *local = NULL;
  AtomicFile *af = atomicfile_open (path, &local);
  if (af == NULL)
    {
      g_set_error (error, RESULTS_ERROR, RESULTS_ERROR_IO, "%s", local->message);
      g_error_free (local);
      return NULL;
    }
  ResultsJobs *j = g_new0 (ResultsJobs, 1);
  j->file = af;
  j->buf = g_string_sized_new (RESULTS_JOBS_BUF);
  g_string_append (j->buf, "name,id,nodes,gpus,submit_h,first_start_h,"
                           "end_h,work_h,productive_h,lost_h,restart_h,"
                           "checkpoint_h,queue_h,slowdown_h,interruptions,"
                           "preemptions,completed,ettr\n");
  return j;
}

/* Writes out the buffer (keeping the first error). */
static void
results_jobs_flush (ResultsJobs *rj)
{
  if (rj->error == NULL)
    atomicfile_append (rj->file, rj->buf->str, rj->buf->len, &rj->error);
  g_string_truncate (rj->buf, 0);
}

void
results_jobs_row (const MetricsJob *j, void *user_data)
{
  ResultsJobs *rj = user_data;
  g_return_if_fail (j != NULL && rj != NULL);
  GString *o = rj->buf;
  results_csv_str (o, j->name);
  /* The rest of the row, numbers only, straight into the buffer: 5
   * integers (<= 11 bytes each with the comma), 11 doubles (<= 25),
   * and RESULTS_NUM_ROOM for the scratch of the last. */
  char *p = results_room (o, 5 * 11 + 11 * 25 + 4 + RESULTS_NUM_ROOM);
  const uint32_t ids[] = { j->id, j->nodes, j->gpus };
  for (size_t k = 0; k < G_N_ELEMENTS (ids); k++)
    {
      *p++ = ',';
      p = results_num_put_u64 (p, ids[k]);
    }
  const double h[] = { j->submit_h, j->first_start_h, j->end_h,
                       j->work_h, j->productive_h, j->lost_h,
                       j->restart_h, j->checkpoint_h, j->queue_h,
                       j->slowdown_h };
  for (size_t k = 0; k < G_N_ELEMENTS (h); k++)
    {
      *p++ = ',';
      p = results_num_put (p, h[k]);
    }
  *p++ = ',';
  p = results_num_put_u64 (p, j->interruptions);
  *p++ = ',';
  p = results_num_put_u64 (p, j->preemptions);
  memcpy (p, j->completed ? ",1," : ",0,", 3);
  p = results_num_put (p + 3, j->ettr);
  *p++ = '\n';
  results_room_done (o, p);
  if (o->len >= RESULTS_JOBS_BUF - 512)
    results_jobs_flush (rj);
}

static void
results_jobs_destroy (ResultsJobs *rj)
{
  g_string_free (rj->buf, TRUE);
  g_clear_error (&rj->error);
  g_free (rj);
}

bool
results_jobs_close (ResultsJobs *rj, GError **error)
{
  g_return_val_if_fail (rj != NULL, false);
  results_jobs_flush (rj);
  bool ok = rj->error == NULL;
  if (ok)
    ok = results_commit (g_steal_pointer (&rj->file), error);
  else
    {
      atomicfile_abort (g_steal_pointer (&rj->file));
      g_set_error (error, RESULTS_ERROR, RESULTS_ERROR_IO, "%s", rj->error->message);
    }
  results_jobs_destroy (rj);
  return ok;
}

void
results_jobs_abort (ResultsJobs *rj)
{
  if (rj == NULL)
    return;
  atomicfile_abort (g_steal_pointer (&rj->file));
  results_jobs_destroy (rj);
}

/* jobs.csv from Metrics.job_rows (the rows a run kept: no
 * world_set_job_rows). */
static bool
results_jobs_csv_write (const char *dir, const Metrics *m, GError **error)
{
  ResultsJobs *rj = results_jobs_open (dir, error);
  if (rj == NULL)
    return false;
  for (guint i = 0; m->job_rows != NULL && i < m->job_rows->len; i++)
    results_jobs_row (&g_array_index (m->job_rows, MetricsJob, i), rj);
  return results_jobs_close (rj, error);
}

static GString *
results_causes_csv (const Metrics *m)
{
  GString *o = g_string_new ("cause,count\n");
  for (guint i = 0; m->interruptions_by_cause != NULL
                    && i < m->interruptions_by_cause->len; i++)
    {
      const MetricsCause *c = &g_array_index (m->interruptions_by_cause,
                                              MetricsCause, i);
      results_csv_str (o, c->cause);
      g_string_append_c (o, ',');
      results_csv_u (o, c->count);
      g_string_append_c (o, '\n');
    }
  return o;
}

bool
results_write (const char *dir, const ResultsRunInfo *info, const Metrics *m,
               GError **error)
{
  g_return_val_if_fail (dir != NULL, false);
  g_return_val_if_fail (info != NULL, false);
  g_return_val_if_fail (m != NULL, false);
  if (g_mkdir_with_parents (dir, 0755) != 0)
    {
      g_set_error (error, RESULTS_ERROR, RESULTS_ERROR_IO,
                   "cannot create folder '%s': %s", dir, g_strerror (errno));
      return false;
    }
  g_autofree char *summary = results_summary_json (info, m, error);
  if (summary == NULL)
    return false;
  /* The tables first, summary.json last: its presence marks a whole run. */
  return results_save (dir, "timeseries.csv", results_timeseries_csv (m),
                       error)
         && results_save (dir, "interruptions.csv",
                          results_interruptions_csv (m), error)
         && (info->jobs_streamed || results_jobs_csv_write (dir, m, error))
         && results_save (dir, "interruptions_by_cause.csv",
                          results_causes_csv (m), error)
         && results_save (dir, "summary.json", g_string_new (summary),
                          error);
}

/* ---- events.jsonl ---- */

/* Event names are the world's (models/config.c), one table for scripts,
 * docs and this file. */
static const char *
results_event_name (WorldEventKind k)
{
  return world_event_kind_name (k);
}

struct ResultsEvents
{
  AtomicFile *file;
  GString *line;
};

ResultsEvents *
results_events_open (const char *dir, GError **error)
{
  g_return_val_if_fail (dir != NULL, NULL);
  g_autofree char *path = g_build_filename (dir, "events.jsonl", NULL);
  AtomicFile *af = atomicfile_open (path, error);
  if (af == NULL)
    return NULL;
  ResultsEvents *e = g_new0 (ResultsEvents, 1);
  e->file = af;
  e->line = g_string_sized_new (256);
  return e;
}

/* ,"key": (keys are ours: nothing to escape) */
static void
results_member_key (GString *o, const char *key)
{
  g_string_append_len (o, ",\"", 2);
  g_string_append (o, key);
  g_string_append_len (o, "\":", 2);
}

static void
results_member_str (GString *o, const char *key, const char *v)
{
  if (v == NULL)
    return;
  results_member_key (o, key);
  results_json_escape (o, v);
}

static void
results_member_num (GString *o, const char *key, double v)
{
  results_member_key (o, key);
  results_json_number (o, v);
}

static void
results_member_int (GString *o, const char *key, int64_t v)
{
  results_member_key (o, key);
  char *p = results_room (o, 24);
  if (v < 0)
    *p++ = '-';
  results_room_done (o, results_num_put_u64 (p, v < 0 ? -(uint64_t) v
                                                      : (uint64_t) v));
}

void
results_events_listener (const WorldEvent *ev, void *user_data)
{
  ResultsEvents *e = user_data;
  g_return_if_fail (ev != NULL && e != NULL);
  GString *o = e->line;
  char t[64];
  WorldEventRecord r; /* the line's fields (docs/results.md) */
  world_event_record (ev, &r);
  g_string_truncate (o, 0);
  g_string_append_len (o, "{\"time_s\":", 10);
  results_json_number (o, simtime_to_s (ev->time));
  results_member_str (o, "t", simtime_format (ev->time, t, sizeof t));
  results_member_str (o, "event", results_event_name (ev->kind));
  results_member_str (o, "component", r.component);
  results_member_str (o, "job", r.job);
  results_member_str (o, "mode", r.mode);
  results_member_str (o, "cause", r.cause);
  results_member_str (o, "detail", r.detail);
  results_member_str (o, "reason", r.reason);
  if (r.xid != 0)
    results_member_int (o, "xid", r.xid);
  if (r.node >= 0)
    results_member_int (o, "node", r.node);
  if (r.port >= 0)
    results_member_int (o, "port", r.port);
  if (ev->kind == WEV_NODE_STATE || ev->kind == WEV_LINK_STATE)
    {
      results_member_int (o, "old_state", r.old_state);
      results_member_int (o, "new_state", r.new_state);
    }
  /* Always present: null (NAN) when they do not apply, so a 0 (switch 0
     of a link_state, a checkpoint that saved nothing) is written as 0. */
  results_member_num (o, "lost_gpu_hours", r.lost_gpu_hours);
  results_member_num (o, "value", r.value);
  g_string_append (o, "}\n");
  /* A write error sets the stream's error flag; commit reports it. */
  fwrite (o->str, 1, o->len, atomicfile_stream (e->file));
}

static void
results_events_destroy (ResultsEvents *e)
{
  g_string_free (e->line, TRUE);
  g_free (e);
}

/* Commits af into place; an I/O error is re-homed in RESULTS_ERROR. */
static bool
results_commit (AtomicFile *af, GError **error)
{
  GError *local = NULL;
  bool ok = atomicfile_commit (af, &local);
  if (!ok)
    {
      g_set_error (error, RESULTS_ERROR, RESULTS_ERROR_IO, "%s",
                   local->message);
      g_error_free (local);
    }
  return ok;
}

bool
results_events_close (ResultsEvents *e, GError **error)
{
  g_return_val_if_fail (e != NULL, false);
  bool ok = results_commit (g_steal_pointer (&e->file), error);
  results_events_destroy (e);
  return ok;
}

void
results_events_abort (ResultsEvents *e)
{
  if (e == NULL)
    return;
  atomicfile_abort (g_steal_pointer (&e->file));
  results_events_destroy (e);
}

/* ---- trace.json (Chrome trace-event format, read by Perfetto) ----
 *
 * pid 1 "nodes": one track per node; an "X" span per non-healthy state
 *   (healthy is the absence of a span), instants for policy actions;
 * pid 2 "jobs": one track per job; an "X" span from each start to the
 *   interruption, preemption or completion that ended it;
 * pid 3 "failures": an instant per component or node failure;
 * pid 4 "fabric": a counter of the uplink bandwidth lost.
 * Timestamps are microseconds of simulated time (the format's unit). */

enum { TRACE_NODES = 1, TRACE_JOBS = 2, TRACE_FAILURES = 3, TRACE_FABRIC = 4 };

typedef struct
{
  int tid;
  char *open;     /* state (nodes) or "running" (jobs), NULL when closed */
  SimTime since;
} ResultsTrack;

struct ResultsTrace
{
  AtomicFile *file;
  GString *buf;
  GHashTable *nodes; /* name -> ResultsTrack */
  GHashTable *jobs;  /* name -> ResultsTrack */
  int next_tid;
  bool first;
};

static void
results_track_free (gpointer p)
{
  ResultsTrack *t = p;
  g_free (t->open);
  g_free (t);
}

/* Writes one trace event from buf, comma-separated from the previous. */
static void
results_trace_emit (ResultsTrace *t)
{
  FILE *fp = atomicfile_stream (t->file);
  if (!t->first)
    fputs (",\n", fp);
  t->first = false;
  fwrite (t->buf->str, 1, t->buf->len, fp);
  g_string_truncate (t->buf, 0);
}

static void
results_trace_meta (ResultsTrace *t, const char *what, int pid, int tid,
                    const char *name)
{
  g_string_append_printf (t->buf, "{\"name\":\"%s\",\"ph\":\"M\",\"pid\":%d,"
                          "\"tid\":%d,\"args\":{\"name\":", what, pid, tid);
  results_json_escape (t->buf, name);
  g_string_append (t->buf, "}}");
  results_trace_emit (t);
}

ResultsTrace *
results_trace_open (const char *path, const char *title, GError **error)
{
  g_return_val_if_fail (path != NULL, NULL);
  AtomicFile *af = atomicfile_open (path, error);
  if (af == NULL)
    return NULL;
  ResultsTrace *t = g_new0 (ResultsTrace, 1);
  t->file = af;
  t->buf = g_string_sized_new (256);
  t->nodes = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                    results_track_free);
  t->jobs = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                   results_track_free);
  t->first = true;
  g_string_append (t->buf, "{\"displayTimeUnit\":\"ms\",\"otherData\":"
                           "{\"title\":");
  results_json_escape (t->buf, title ? title : "faultline");
  g_string_append (t->buf, "},\"traceEvents\":[\n");
  fwrite (t->buf->str, 1, t->buf->len, atomicfile_stream (af));
  g_string_truncate (t->buf, 0);
  results_trace_meta (t, "process_name", TRACE_NODES, 0, "nodes");
  results_trace_meta (t, "process_name", TRACE_JOBS, 0, "jobs");
  results_trace_meta (t, "process_name", TRACE_FAILURES, 0, "failures");
  results_trace_meta (t, "process_name", TRACE_FABRIC, 0, "fabric");
  return t;
}

static ResultsTrack *
results_trace_track (ResultsTrace *t, GHashTable *table, int pid,
                     const char *name)
{
  ResultsTrack *tr = g_hash_table_lookup (table, name);
  if (tr == NULL)
    {
      tr = g_new0 (ResultsTrack, 1);
      tr->tid = ++t->next_tid;
      g_hash_table_insert (table, g_strdup (name), tr);
      results_trace_meta (t, "thread_name", pid, tr->tid, name);
    }
  return tr;
}

/* Ends the open span of tr at `end` with an "X" event. */
static void
results_trace_close_span (ResultsTrace *t, ResultsTrack *tr, int pid,
                          SimTime end, const char *why, const char *cause)
{
  if (tr->open == NULL)
    return;
  g_string_append (t->buf, "{\"name\":");
  results_json_escape (t->buf, tr->open);
  g_string_append_printf (t->buf, ",\"ph\":\"X\",\"pid\":%d,\"tid\":%d,"
                          "\"ts\":%" PRId64 ",\"dur\":%" PRId64,
                          pid, tr->tid, tr->since,
                          MAX (end - tr->since, (SimTime) 0));
  if (why != NULL)
    {
      g_string_append (t->buf, ",\"args\":{\"end\":");
      results_json_escape (t->buf, why);
      if (cause != NULL)
        {
          g_string_append (t->buf, ",\"cause\":");
          results_json_escape (t->buf, cause);
        }
      g_string_append_c (t->buf, '}');
    }
  g_string_append_c (t->buf, '}');
  results_trace_emit (t);
  g_clear_pointer (&tr->open, g_free);
}

static void
results_trace_instant (ResultsTrace *t, const WorldEvent *ev, int pid,
                       int tid, const char *scope, const char *name)
{
  g_string_append (t->buf, "{\"name\":");
  results_json_escape (t->buf, name);
  g_string_append_printf (t->buf, ",\"ph\":\"i\",\"s\":\"%s\",\"pid\":%d,"
                          "\"tid\":%d,\"ts\":%" PRId64 ",\"args\":{"
                          "\"event\":\"%s\"", scope, pid, tid, ev->time,
                          results_event_name (ev->kind));
  WorldEventRecord r;
  world_event_record (ev, &r);
  results_member_str (t->buf, "mode", r.mode);
  results_member_str (t->buf, "cause", r.cause);
  results_member_str (t->buf, "reason", r.reason);
  if (r.xid != 0)
    g_string_append_printf (t->buf, ",\"xid\":%" PRId32, r.xid);
  g_string_append (t->buf, "}}");
  results_trace_emit (t);
}

void
results_trace_listener (const WorldEvent *ev, void *user_data)
{
  ResultsTrace *t = user_data;
  g_return_if_fail (ev != NULL && t != NULL);
  char node_name[32];
  const char *node = ev->component;
  if (node == NULL)
    {
      g_snprintf (node_name, sizeof node_name, "node%" PRId32, ev->node);
      node = node_name;
    }
  switch (ev->kind)
    {
    case WEV_NODE_STATE:
      {
        const char *state = world_node_state_name (ev->node_state.to);
        ResultsTrack *tr = results_trace_track (t, t->nodes, TRACE_NODES,
                                                node);
        results_trace_close_span (t, tr, TRACE_NODES, ev->time, NULL, NULL);
        if (state != NULL && strcmp (state, "healthy") != 0)
          {
            tr->open = g_strdup (state);
            tr->since = ev->time;
          }
        break;
      }
    case WEV_POLICY_ACTION:
      if (ev->component != NULL)
        {
          ResultsTrack *tr = results_trace_track (t, t->nodes, TRACE_NODES,
                                                  ev->component);
          results_trace_instant (t, ev, TRACE_NODES, tr->tid, "t",
                                 ev->action.action ? ev->action.action
                                                   : "action");
        }
      break;
    case WEV_COMPONENT_FAILED:
    case WEV_NODE_FAILED:
      results_trace_instant (t, ev, TRACE_FAILURES, 0, "p", node);
      break;
    case WEV_JOB_STARTED:
      if (ev->job.name != NULL)
        {
          ResultsTrack *tr = results_trace_track (t, t->jobs, TRACE_JOBS,
                                                  ev->job.name);
          results_trace_close_span (t, tr, TRACE_JOBS, ev->time, "restarted",
                                    NULL);
          tr->open = g_strdup (ev->job.name);
          tr->since = ev->time;
        }
      break;
    case WEV_JOB_INTERRUPTED:
    case WEV_JOB_PREEMPTED:
    case WEV_JOB_COMPLETED:
      {
        bool cut = ev->kind == WEV_JOB_INTERRUPTED;
        const char *job = cut ? ev->interrupt.job : ev->job.name;
        if (job == NULL)
          break;
        ResultsTrack *tr = results_trace_track (t, t->jobs, TRACE_JOBS, job);
        const char *why = ev->kind == WEV_JOB_COMPLETED ? "completed"
                          : ev->kind == WEV_JOB_PREEMPTED ? "preempted"
                                                          : "interrupted";
        results_trace_close_span (t, tr, TRACE_JOBS, ev->time, why,
                                  cut ? ev->interrupt.cause : NULL);
      }
      break;
    case WEV_FABRIC_DEGRADED:
      g_string_append_printf (t->buf, "{\"name\":\"fabric_bw_lost\","
                              "\"ph\":\"C\",\"pid\":%d,\"tid\":0,"
                              "\"ts\":%" PRId64 ",\"args\":{\"lost\":",
                              TRACE_FABRIC, ev->time);
      results_json_number (t->buf, ev->fabric.lost_fraction);
      g_string_append (t->buf, "}}");
      results_trace_emit (t);
      break;
    default:
      break;
    }
}

static void
results_trace_destroy (ResultsTrace *t)
{
  g_hash_table_destroy (t->nodes);
  g_hash_table_destroy (t->jobs);
  g_string_free (t->buf, TRUE);
  g_free (t);
}

/* Closes open spans in a stable order (by track id). */
static void
results_trace_flush (ResultsTrace *t, GHashTable *table, int pid,
                     SimTime end)
{
  g_autoptr (GPtrArray) open = g_ptr_array_new ();
  GHashTableIter it;
  gpointer v;
  g_hash_table_iter_init (&it, table);
  while (g_hash_table_iter_next (&it, NULL, &v))
    if (((ResultsTrack *) v)->open != NULL)
      g_ptr_array_add (open, v);
  /* Insertion sort by tid: few open spans at the end of a run. */
  for (guint i = 1; i < open->len; i++)
    for (guint j = i; j > 0
         && ((ResultsTrack *) open->pdata[j - 1])->tid
              > ((ResultsTrack *) open->pdata[j])->tid; j--)
      {
        gpointer tmp = open->pdata[j];
        open->pdata[j] = open->pdata[j - 1];
        open->pdata[j - 1] = tmp;
      }
  for (guint i = 0; i < open->len; i++)
    results_trace_close_span (t, open->pdata[i], pid, end,
                              pid == TRACE_JOBS ? "run_end" : NULL, NULL);
}

bool
results_trace_close (ResultsTrace *t, SimTime end, GError **error)
{
  g_return_val_if_fail (t != NULL, false);
  results_trace_flush (t, t->nodes, TRACE_NODES, end);
  results_trace_flush (t, t->jobs, TRACE_JOBS, end);
  fputs ("\n]}\n", atomicfile_stream (t->file));
  bool ok = results_commit (g_steal_pointer (&t->file), error);
  results_trace_destroy (t);
  return ok;
}

void
results_trace_abort (ResultsTrace *t)
{
  if (t == NULL)
    return;
  atomicfile_abort (g_steal_pointer (&t->file));
  results_trace_destroy (t);
}
