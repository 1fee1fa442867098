/* tests/output/test_results.c - lib/results.h on a hand-built Metrics:
 * summary.json validates against docs/summary.schema.json (with a small
 * validator below for the subset the schema uses: type, required,
 * properties, additionalProperties, minimum, maximum, items, local $ref,
 * if/then/else), identical input gives
 * byte-identical files, NaN is written as null and doubles read back
 * exactly, CSV headers are the documented ones and fields are quoted as
 * RFC 4180 says, events.jsonl and trace.json are valid and discarded on
 * abort; results_format_double gives the same text as its printf + strtod
 * definition (results_format_double_slow) on edge cases (subnormals,
 * every power of ten and two and their neighbours, 2^53's neighbours, the
 * 1e15 and 1e16 boundaries of the integer and fast paths, NaN and
 * infinities) and on 2.5 million doubles drawn to cover every digit count
 * and exponent; results_num_put writes the same text into a buffer,
 * touching no byte beyond RESULTS_NUM_ROOM; results_num_put_u64 is
 * printf's %llu. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <math.h>

#include <cmocka.h>
#include <glib.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>

#include "results.h"

/* ---- a mini JSON Schema validator (the subset summary.schema.json uses) */

static bool
type_ok (JsonNode *n, const char *t)
{
  if (strcmp (t, "null") == 0)
    return JSON_NODE_HOLDS_NULL (n);
  if (strcmp (t, "object") == 0)
    return JSON_NODE_HOLDS_OBJECT (n);
  if (strcmp (t, "array") == 0)
    return JSON_NODE_HOLDS_ARRAY (n);
  if (!JSON_NODE_HOLDS_VALUE (n))
    return false;
  GType vt = json_node_get_value_type (n);
  if (strcmp (t, "string") == 0)
    return vt == G_TYPE_STRING;
  if (strcmp (t, "boolean") == 0)
    return vt == G_TYPE_BOOLEAN;
  if (strcmp (t, "integer") == 0)
    return vt == G_TYPE_INT64;
  if (strcmp (t, "number") == 0)
    return vt == G_TYPE_INT64 || vt == G_TYPE_DOUBLE;
  fail_msg ("schema uses unsupported type '%s'", t);
  return false;
}

static JsonObject *schema_root; /* for "$ref": "#/$defs/NAME" */

static char *validate (JsonObject *schema, JsonNode *inst, const char *path);

static JsonObject *
schema_deref (JsonObject *schema)
{
  const char *ref = json_object_get_string_member_with_default (schema,
                                                                "$ref", NULL);
  if (ref == NULL)
    return schema;
  if (!g_str_has_prefix (ref, "#/$defs/"))
    fail_msg ("schema uses unsupported $ref '%s'", ref);
  JsonObject *defs = json_object_get_object_member (schema_root, "$defs");
  return json_object_get_object_member (defs, ref + strlen ("#/$defs/"));
}

/* Returns NULL when inst matches schema, else a message naming the path. */
static char *
validate (JsonObject *schema, JsonNode *inst, const char *path)
{
  schema = schema_deref (schema);
  if (json_object_has_member (schema, "if"))
    {
      char *miss = validate (json_object_get_object_member (schema, "if"),
                             inst, path);
      const char *branch = miss == NULL ? "then" : "else";
      g_free (miss);
      if (json_object_has_member (schema, branch))
        {
          char *err = validate (json_object_get_object_member (schema,
                                                               branch),
                                inst, path);
          if (err != NULL)
            return err;
        }
    }
  JsonNode *type = json_object_get_member (schema, "type");
  if (type != NULL)
    {
      bool ok = false;
      if (JSON_NODE_HOLDS_ARRAY (type))
        {
          JsonArray *a = json_node_get_array (type);
          for (guint i = 0; i < json_array_get_length (a); i++)
            ok = ok || type_ok (inst, json_array_get_string_element (a, i));
        }
      else
        ok = type_ok (inst, json_node_get_string (type));
      if (!ok)
        return g_strdup_printf ("%s: wrong type", path);
    }
  if (json_object_has_member (schema, "minimum") && JSON_NODE_HOLDS_VALUE (inst)
      && json_node_get_value_type (inst) != G_TYPE_STRING
      && json_node_get_double (inst)
           < json_object_get_double_member (schema, "minimum"))
    return g_strdup_printf ("%s: below minimum", path);
  if (json_object_has_member (schema, "maximum") && JSON_NODE_HOLDS_VALUE (inst)
      && json_node_get_value_type (inst) != G_TYPE_STRING
      && json_node_get_double (inst)
           > json_object_get_double_member (schema, "maximum"))
    return g_strdup_printf ("%s: above maximum", path);
  if (JSON_NODE_HOLDS_ARRAY (inst) && json_object_has_member (schema, "items"))
    {
      JsonArray *a = json_node_get_array (inst);
      for (guint i = 0; i < json_array_get_length (a); i++)
        {
          g_autofree char *sub = g_strdup_printf ("%s[%u]", path, i);
          char *err = validate (json_object_get_object_member (schema,
                                                               "items"),
                                json_array_get_element (a, i), sub);
          if (err != NULL)
            return err;
        }
    }
  if (!JSON_NODE_HOLDS_OBJECT (inst))
    return NULL;
  JsonObject *o = json_node_get_object (inst);
  if (json_object_has_member (schema, "required"))
    {
      JsonArray *req = json_object_get_array_member (schema, "required");
      for (guint i = 0; i < json_array_get_length (req); i++)
        if (!json_object_has_member (o, json_array_get_string_element (req,
                                                                        i)))
          return g_strdup_printf ("%s: missing '%s'", path,
                                  json_array_get_string_element (req, i));
    }
  JsonObject *props = json_object_has_member (schema, "properties")
                      ? json_object_get_object_member (schema, "properties")
                      : NULL;
  JsonNode *addl = json_object_get_member (schema, "additionalProperties");
  GList *names = json_object_get_members (o);
  char *err = NULL;
  for (GList *l = names; l && !err; l = l->next)
    {
      g_autofree char *sub = g_strdup_printf ("%s.%s", path,
                                              (const char *) l->data);
      JsonNode *v = json_object_get_member (o, l->data);
      if (props && json_object_has_member (props, l->data))
        err = validate (json_object_get_object_member (props, l->data), v,
                        sub);
      else if (addl && JSON_NODE_HOLDS_VALUE (addl)
               && !json_node_get_boolean (addl))
        err = g_strdup_printf ("%s: not allowed", sub);
      else if (addl && JSON_NODE_HOLDS_OBJECT (addl))
        err = validate (json_node_get_object (addl), v, sub);
    }
  g_list_free (names);
  return err;
}

/* ---- fixtures ---- */

static void
add_interruption (Metrics *m, double t, const char *job, const char *cause)
{
  MetricsInterruption r = { t, g_strdup (job), g_strdup ("node0412/gpu5"),
                            g_strdup (cause), g_strdup ("faulty_gpu"), 12.5,
                            NAN };
  g_array_append_val (m->interruption_rows, r);
}

static Metrics *
sample_metrics (void)
{
  Metrics *m = metrics_new ();
  m->sim_hours = 1296;
  m->events = 123456789;
  m->nodes = 2048;
  m->gpus = 16384;
  m->switches = 384;
  m->links = 24576;
  m->ettr = 0.9123456789012345;
  m->goodput = 0.1;
  m->gpu_availability = 1e-300; /* exponent form must stay valid JSON */
  m->interruptions = 3;
  metrics_cause_add (m->interruptions_by_cause, "Faulty GPU", 2);
  metrics_cause_add (m->interruptions_by_cause, "GPU HBM3 Memory", 1);
  m->failures = 5;
  metrics_cause_add (m->failures_by_cause, "Faulty GPU", 4);
  metrics_cause_add (m->failures_by_cause, "Faulty GPU", 1);
  m->mtti_hours = NAN; /* never measured */
  m->mttr_hours = 12.0;
  m->lost_gpu_hours = 1234.5;
  m->jobs_completed = 1;
  m->jobs_submitted = 2;
  m->queue_wait_hours_p50 = 0;
  m->queue_wait_hours_p99 = 4.75;
  m->detection_latency_minutes_p50 = NAN;
  m->spares_exhausted_hours = 0;
  m->fabric_slowdown_gpu_hours = 2.0 / 3.0;
  m->policy_actions = 42;
  m->tickets = 7;
  MetricsSample s = { .t_h = 0.5, .healthy_gpus = 16376, .running_jobs = 1,
                      .main_job_progress = NAN, .main_job_ettr = 0.25 };
  s.nodes[0] = 2047;
  s.nodes[8] = 1;
  g_array_append_val (m->timeseries, s);
  add_interruption (m, 1.5, "pretrain, \"big\"", "Faulty GPU");
  add_interruption (m, 2.5, "plain", "GPU HBM3 Memory");
  MetricsJob j = { .name = g_strdup ("a,b"), .id = 1, .nodes = 2, .gpus = 16,
                   .first_start_h = 0, .end_h = NAN, .ettr = 0.5 };
  g_array_append_val (m->job_rows, j);
  return m;
}

static const ResultsParam params[] = {
  { "spares", "64" }, { "health", "\"proactive\"" }, { "scale", "1.5" },
};

static ResultsRunInfo
sample_info (void)
{
  ResultsRunInfo info = { "0.1.0", "scenarios/x.lua", "x", 7, params,
                          G_N_ELEMENTS (params), false, 3.25, NULL, NULL, 0, NULL, false };
  return info;
}

static char *
slurp (const char *dir, const char *name)
{
  g_autofree char *p = g_build_filename (dir, name, NULL);
  char *s = NULL;
  if (!g_file_get_contents (p, &s, NULL, NULL))
    return NULL;
  return s;
}

static void
rm_dir (const char *dir)
{
  GDir *d = g_dir_open (dir, 0, NULL);
  const char *n;
  while (d && (n = g_dir_read_name (d)) != NULL)
    {
      g_autofree char *p = g_build_filename (dir, n, NULL);
      g_unlink (p);
    }
  if (d)
    g_dir_close (d);
  g_rmdir (dir);
}

static JsonNode *
parse (const char *text)
{
  GError *error = NULL;
  JsonNode *n = json_from_string (text, &error);
  if (n == NULL)
    fail_msg ("not JSON: %s\n%s", error->message, text);
  return n;
}

/* ---- tests ---- */

static void
test_summary_matches_schema (void **state)
{
  g_autofree char *schema_path = g_build_filename (
    g_getenv ("FL_SOURCE_DIR") ? g_getenv ("FL_SOURCE_DIR") : ".", "docs",
    "summary.schema.json", NULL);
  g_autofree char *schema_text = NULL;
  assert_true (g_file_get_contents (schema_path, &schema_text, NULL, NULL));
  JsonNode *schema = parse (schema_text);
  schema_root = json_node_get_object (schema);
  Metrics *m = sample_metrics ();
  ResultsRunInfo info = sample_info ();
  GError *error = NULL;
  g_autofree char *text = results_summary_json (&info, m, &error);
  assert_non_null (text);
  JsonNode *doc = parse (text);
  char *err = validate (json_node_get_object (schema), doc, "$");
  if (err != NULL)
    fail_msg ("%s", err);
  /* With the param_defaults of a run with --set. */
  static const ResultsParam defs[] = { { "spares", "128" } };
  ResultsRunInfo with_defs = info;
  with_defs.param_defaults = defs;
  with_defs.n_param_defaults = 1;
  g_autofree char *text2 = results_summary_json (&with_defs, m, &error);
  JsonNode *doc2 = parse (text2);
  err = validate (json_node_get_object (schema), doc2, "$");
  if (err != NULL)
    fail_msg ("%s", err);
  json_node_unref (doc2);
  /* The validator can fail: a missing key, an extra key, a wrong type. */
  JsonObject *metrics = json_object_get_object_member (
    json_node_get_object (doc), "metrics");
  json_object_remove_member (metrics, "ettr");
  err = validate (json_node_get_object (schema), doc, "$");
  assert_non_null (err);
  assert_non_null (strstr (err, "ettr"));
  g_free (err);
  json_object_set_double_member (metrics, "ettr", 0.5);
  json_object_set_int_member (metrics, "not_a_key", 1);
  err = validate (json_node_get_object (schema), doc, "$");
  assert_non_null (err);
  g_free (err);
  json_object_remove_member (metrics, "not_a_key");
  json_object_set_string_member (metrics, "interruptions", "3");
  err = validate (json_node_get_object (schema), doc, "$");
  assert_non_null (err);
  g_free (err);
  json_node_unref (doc);
  json_node_unref (schema);
  metrics_free (m);
}

/* The main job's name at the top level; each job{}'s completion time, a
 * job that did not complete as null, in the scenario's order. */
static void
test_summary_main_job (void **state)
{
  Metrics *m = sample_metrics ();
  ResultsRunInfo info = sample_info ();
  m->main_job = g_strdup ("finetune");
  MetricsJobTime jt[] = { { g_strdup ("pretrain"), NAN },
                          { g_strdup ("finetune"), 72.5 } };
  g_array_append_vals (m->job_completion_hours, jt, G_N_ELEMENTS (jt));
  g_autofree char *text = results_summary_json (&info, m, NULL);
  JsonNode *doc = parse (text);
  JsonObject *top = json_node_get_object (doc);
  assert_string_equal (json_object_get_string_member (top, "main_job"),
                       "finetune");
  JsonObject *mo = json_object_get_object_member (top, "metrics");
  JsonObject *jo = json_object_get_object_member (mo, "job_completion_hours");
  GList *names = json_object_get_members (jo);
  assert_int_equal (g_list_length (names), 2);
  assert_string_equal (names->data, "pretrain");
  assert_string_equal (names->next->data, "finetune");
  g_list_free (names);
  assert_true (json_object_get_null_member (jo, "pretrain"));
  assert_true (json_object_get_double_member (jo, "finetune") == 72.5);
  json_node_unref (doc);
  metrics_free (m);
}

static void
test_summary_values (void **state)
{
  Metrics *m = sample_metrics ();
  ResultsRunInfo info = sample_info ();
  g_autofree char *text = results_summary_json (&info, m, NULL);
  JsonNode *doc = parse (text);
  JsonObject *top = json_node_get_object (doc);
  /* Top level keys, in the documented order. */
  static const char *const keys[] = { "faultline_version", "scenario", "seed",
                                      "params", "sim_hours", "cluster",
                                      "events", "main_job", "wall_seconds",
                                      "metrics" };
  GList *names = json_object_get_members (top);
  guint i = 0;
  for (GList *l = names; l; l = l->next, i++)
    assert_string_equal (l->data, keys[i]);
  assert_int_equal (i, G_N_ELEMENTS (keys));
  g_list_free (names);
  JsonObject *mo = json_object_get_object_member (top, "metrics");
  /* Doubles read back to the same double. */
  assert_true (json_object_get_double_member (mo, "ettr") == m->ettr);
  assert_true (json_object_get_double_member (mo, "gpu_availability")
               == m->gpu_availability);
  assert_true (json_object_get_double_member (mo, "fabric_slowdown_gpu_hours")
               == m->fabric_slowdown_gpu_hours);
  /* NaN -> null; wall_seconds null unless asked. */
  assert_true (json_object_get_null_member (mo, "mtti_hours"));
  assert_true (json_object_get_null_member (mo, "detection_latency_minutes_p50"));
  assert_true (json_object_get_null_member (top, "wall_seconds"));
  assert_true (json_object_get_null_member (top, "main_job"));
  assert_int_equal (json_object_get_int_member (top, "seed"), 7);
  JsonObject *p = json_object_get_object_member (top, "params");
  assert_int_equal (json_object_get_int_member (p, "spares"), 64);
  assert_string_equal (json_object_get_string_member (p, "health"),
                       "proactive");
  JsonObject *fc = json_object_get_object_member (mo, "failures_by_cause");
  assert_int_equal (json_object_get_int_member (fc, "Faulty GPU"), 5);
  assert_int_equal (json_object_get_size (fc), 1);
  json_node_unref (doc);
  info.write_wall_seconds = true;
  g_autofree char *t2 = results_summary_json (&info, m, NULL);
  doc = parse (t2);
  assert_true (json_object_get_double_member (json_node_get_object (doc),
                                              "wall_seconds")
               == info.wall_seconds);
  json_node_unref (doc);
  /* Shortest form: 0.1 is "0.1", not 0.10000000000000001. */
  assert_non_null (strstr (text, "\"goodput\": 0.1,"));
  /* param_defaults: right after params when a --set moved a param, and
   * the schema still holds. */
  static const ResultsParam defs[] = { { "spares", "128" } };
  info.param_defaults = defs;
  info.n_param_defaults = 1;
  g_autofree char *t3 = results_summary_json (&info, m, NULL);
  doc = parse (t3);
  names = json_object_get_members (json_node_get_object (doc));
  assert_string_equal (g_list_nth_data (names, 3), "params");
  assert_string_equal (g_list_nth_data (names, 4), "param_defaults");
  g_list_free (names);
  JsonObject *d = json_object_get_object_member (json_node_get_object (doc),
                                                 "param_defaults");
  assert_int_equal (json_object_get_size (d), 1);
  assert_int_equal (json_object_get_int_member (d, "spares"), 128);
  json_node_unref (doc);
  metrics_free (m);
}

static void
test_bad_info (void **state)
{
  Metrics *m = metrics_new ();
  ResultsParam bad[] = { { "spares", "sixty-four" } };
  ResultsRunInfo info = { "0.1.0", "s.lua", NULL, 1, bad, 1, false, 0, NULL, NULL, 0, NULL, false };
  GError *error = NULL;
  assert_null (results_summary_json (&info, m, &error));
  assert_non_null (strstr (error->message, "spares"));
  assert_non_null (strstr (error->message, "sixty-four"));
  g_clear_error (&error);
  info.n_params = 0;
  info.seed = UINT64_MAX;
  assert_null (results_summary_json (&info, m, &error));
  assert_non_null (error);
  g_clear_error (&error);
  metrics_free (m);
}

static void
test_files_identical_and_csv (void **state)
{
  Metrics *m = sample_metrics ();
  ResultsRunInfo info = sample_info ();
  g_autofree char *d1 = g_dir_make_tmp ("fl-res-XXXXXX", NULL);
  g_autofree char *d2 = g_dir_make_tmp ("fl-res-XXXXXX", NULL);
  GError *error = NULL;
  assert_true (results_write (d1, &info, m, &error));
  assert_true (results_write (d2, &info, m, &error));
  static const char *const files[] = { "summary.json", "timeseries.csv",
                                       "interruptions.csv", "jobs.csv",
                                       "interruptions_by_cause.csv" };
  for (size_t i = 0; i < G_N_ELEMENTS (files); i++)
    {
      g_autofree char *a = slurp (d1, files[i]);
      g_autofree char *b = slurp (d2, files[i]);
      assert_non_null (a);
      assert_string_equal (a, b);
    }
  /* Headers are the contract of docs/results.md. */
  g_autofree char *ts = slurp (d1, "timeseries.csv");
  assert_true (g_str_has_prefix (ts, "t_h,healthy_gpus,healthy,suspect,"
    "cordoned,draining,remediating,in_repair,burn_in,quarantined,down,"
    "running_jobs,queued_jobs,spares_free,fabric_bw_lost,main_job_progress,"
    "main_job_ettr\n"));
  /* NaN progress is an empty field; 17 columns per row. */
  g_auto (GStrv) lines = g_strsplit (ts, "\n", -1);
  g_auto (GStrv) cols = g_strsplit (lines[1], ",", -1);
  assert_int_equal (g_strv_length (cols), 17);
  assert_string_equal (cols[15], "");
  assert_string_equal (cols[16], "0.25");
  assert_string_equal (cols[10], "1");
  g_autofree char *in = slurp (d1, "interruptions.csv");
  assert_true (g_str_has_prefix (in, "t_h,job,component,cause,mode,"
                                     "lost_gpu_hours,detect_minutes\n"));
  assert_non_null (strstr (in, "\n1.5,\"pretrain, \"\"big\"\"\","
                               "node0412/gpu5,Faulty GPU,faulty_gpu,12.5,\n"));
  g_autofree char *jobs = slurp (d1, "jobs.csv");
  assert_true (g_str_has_prefix (jobs, "name,id,nodes,gpus,submit_h,"
    "first_start_h,end_h,work_h,productive_h,lost_h,restart_h,checkpoint_h,"
    "queue_h,slowdown_h,interruptions,preemptions,completed,ettr\n"
    "\"a,b\",1,2,16,"));
  g_autofree char *bc = slurp (d1, "interruptions_by_cause.csv");
  assert_string_equal (bc, "cause,count\nFaulty GPU,2\nGPU HBM3 Memory,1\n");
  rm_dir (d1);
  rm_dir (d2);
  metrics_free (m);
}

/* jobs.csv written row by row as a run's jobs end (results_jobs_*) is the
 * file results_write makes from the kept rows; nothing is at its name
 * before results_jobs_close; results_write leaves a streamed file alone;
 * results_jobs_abort leaves nothing behind. */
static void
test_jobs_streamed (void **state)
{
  Metrics *m = sample_metrics ();
  MetricsJob j2 = { .name = g_strdup ("second"), .id = 0, .nodes = 1, .gpus = 8,
                    .submit_h = 0.5, .first_start_h = 1, .end_h = 3.25,
                    .completed = true, .ettr = 0.75 };
  g_array_append_val (m->job_rows, j2);
  ResultsRunInfo info = sample_info ();
  g_autofree char *d1 = g_dir_make_tmp ("fl-res-XXXXXX", NULL);
  g_autofree char *d2 = g_dir_make_tmp ("fl-res-XXXXXX", NULL);
  g_autofree char *d3 = g_dir_make_tmp ("fl-res-XXXXXX", NULL);
  GError *error = NULL;
  assert_true (results_write (d1, &info, m, &error));
  g_autofree char *kept = slurp (d1, "jobs.csv");

  ResultsJobs *rj = results_jobs_open (d2, &error);
  assert_non_null (rj);
  for (guint i = 0; i < m->job_rows->len; i++)
    results_jobs_row (&g_array_index (m->job_rows, MetricsJob, i), rj);
  g_autofree char *p2 = g_build_filename (d2, "jobs.csv", NULL);
  assert_false (g_file_test (p2, G_FILE_TEST_EXISTS));
  assert_true (results_jobs_close (rj, &error));
  g_autofree char *streamed = slurp (d2, "jobs.csv");
  assert_string_equal (streamed, kept);
  assert_non_null (strstr (streamed, "\nsecond,0,1,8,0.5,1,3.25,"));
  /* the run's other files, with the rows no longer in the Metrics */
  g_array_set_size (m->job_rows, 0);
  info.jobs_streamed = true;
  assert_true (results_write (d2, &info, m, &error));
  g_autofree char *after = slurp (d2, "jobs.csv");
  assert_string_equal (after, kept);

  rj = results_jobs_open (d3, &error);
  assert_non_null (rj);
  MetricsJob j3 = { .name = (char *) "third", .id = 2, .nodes = 1, .gpus = 8 };
  results_jobs_row (&j3, rj);
  results_jobs_abort (rj);
  GDir *dir = g_dir_open (d3, 0, NULL);
  assert_null (g_dir_read_name (dir));
  g_dir_close (dir);
  rm_dir (d1);
  rm_dir (d2);
  rm_dir (d3);
  metrics_free (m);
}

static WorldEvent
event (WorldEventKind k, double t_s)
{
  WorldEvent ev = { .kind = k, .time = simtime_from_s (t_s), .node = -1 };
  return ev;
}

static void
feed (WorldListenerFn fn, void *ud)
{
  WorldEvent ev = event (WEV_COMPONENT_FAILED, 3600);
  ev.component = "node0003/gpu1";
  ev.fault.mode = "faulty_gpu";
  ev.fault.cause = "Faulty GPU";
  ev.fault.xid = 79;
  fn (&ev, ud);
  ev = event (WEV_JOB_STARTED, 0);
  ev.job.name = "pretrain";
  ev.job.nodes = 2;
  fn (&ev, ud);
  ev = event (WEV_NODE_STATE, 3700);
  ev.component = "node0003";
  ev.node = 3;
  ev.node_state.to = WORLD_NODE_CORDONED;
  fn (&ev, ud);
  ev = event (WEV_JOB_INTERRUPTED, 3720);
  ev.interrupt.job = "pretrain";
  ev.interrupt.cause = "Faulty GPU";
  ev.interrupt.lost_gpu_hours = 4.5;
  fn (&ev, ud);
  ev = event (WEV_NODE_STATE, 7300);
  ev.component = "node0003";
  ev.node = 3;
  ev.node_state.from = WORLD_NODE_CORDONED;
  ev.node_state.to = WORLD_NODE_HEALTHY;
  fn (&ev, ud);
  ev = event (WEV_NODE_STATE, 8000);
  ev.component = "node0009";
  ev.node = 9;
  ev.node_state.to = WORLD_NODE_IN_REPAIR;
  fn (&ev, ud);
  ev = event (WEV_LINK_STATE, 8100); /* switch 0: a value that is 0 */
  ev.component = "node0000/ib0";
  ev.link.rail = 0;
  ev.link.to = WORLD_PORT_DOWN;
  ev.link.sw = 0;
  ev.link.sw_port = 1;
  fn (&ev, ud);
}

static void
test_events_jsonl (void **state)
{
  g_autofree char *d = g_dir_make_tmp ("fl-res-XXXXXX", NULL);
  GError *error = NULL;
  ResultsEvents *e = results_events_open (d, &error);
  assert_non_null (e);
  feed (results_events_listener, e);
  g_autofree char *before = slurp (d, "events.jsonl");
  assert_null (before); /* nothing in place before close */
  assert_true (results_events_close (e, &error));
  g_autofree char *text = slurp (d, "events.jsonl");
  g_auto (GStrv) lines = g_strsplit (text, "\n", -1);
  assert_int_equal (g_strv_length (lines), 8); /* 7 lines + "" */
  /* lost_gpu_hours and value are always present (docs/results.md): null
     where they do not apply, 0 where they are 0. */
  for (int i = 0; i < 7; i++)
    {
      JsonNode *ln = parse (lines[i]);
      JsonObject *lo = json_node_get_object (ln);
      assert_true (json_object_has_member (lo, "lost_gpu_hours"));
      assert_true (json_object_has_member (lo, "value"));
      json_node_unref (ln);
    }
  JsonNode *ls = parse (lines[6]);
  JsonObject *lso = json_node_get_object (ls);
  assert_false (json_object_get_null_member (lso, "value"));
  assert_true (json_object_get_double_member (lso, "value") == 0.0);
  assert_true (json_object_get_null_member (lso, "lost_gpu_hours"));
  json_node_unref (ls);
  JsonNode *n = parse (lines[0]);
  JsonObject *o = json_node_get_object (n);
  assert_string_equal (json_object_get_string_member (o, "event"),
                       "component_failed");
  assert_true (json_object_get_double_member (o, "time_s") == 3600.0);
  char tbuf[64];
  assert_string_equal (json_object_get_string_member (o, "t"),
                       simtime_format (SIM_H (1), tbuf, sizeof tbuf));
  assert_int_equal (json_object_get_int_member (o, "xid"), 79);
  json_node_unref (n);
  n = parse (lines[3]);
  assert_true (json_object_get_double_member (json_node_get_object (n),
                                              "lost_gpu_hours") == 4.5);
  json_node_unref (n);
  /* Abort leaves nothing. */
  ResultsEvents *e2 = results_events_open (d, &error);
  feed (results_events_listener, e2);
  results_events_abort (e2);
  results_events_abort (NULL);
  g_autofree char *still = slurp (d, "events.jsonl");
  assert_string_equal (still, text); /* the committed one, untouched */
  rm_dir (d);
}

static void
test_trace (void **state)
{
  g_autofree char *d = g_dir_make_tmp ("fl-res-XXXXXX", NULL);
  g_autofree char *path = g_build_filename (d, "trace.json", NULL);
  GError *error = NULL;
  ResultsTrace *t = results_trace_open (path, "x", &error);
  assert_non_null (t);
  feed (results_trace_listener, t);
  assert_true (results_trace_close (t, SIM_H (10), &error));
  g_autofree char *text = slurp (d, "trace.json");
  JsonNode *doc = parse (text);
  JsonArray *evs = json_object_get_array_member (json_node_get_object (doc),
                                                 "traceEvents");
  guint spans = 0, instants = 0;
  for (guint i = 0; i < json_array_get_length (evs); i++)
    {
      JsonObject *o = json_array_get_object_element (evs, i);
      const char *ph = json_object_get_string_member (o, "ph");
      const char *name = json_object_get_string_member (o, "name");
      if (strcmp (ph, "i") == 0)
        instants++;
      if (strcmp (ph, "X") != 0)
        continue;
      spans++;
      gint64 ts = json_object_get_int_member (o, "ts");
      gint64 dur = json_object_get_int_member (o, "dur");
      if (strcmp (name, "cordoned") == 0)
        {
          assert_int_equal (ts, SIM_S (3700));
          assert_int_equal (dur, SIM_S (7300 - 3700));
        }
      else if (strcmp (name, "pretrain") == 0)
        {
          assert_int_equal (ts, 0);
          assert_int_equal (dur, SIM_S (3720));
        }
      else if (strcmp (name, "in_repair") == 0) /* closed at the end */
        assert_int_equal (ts + dur, SIM_H (10));
      else
        fail_msg ("unexpected span %s", name);
    }
  assert_int_equal (spans, 3);
  assert_int_equal (instants, 1);
  json_node_unref (doc);
  /* Abort: no file. */
  g_autofree char *p2 = g_build_filename (d, "t2.json", NULL);
  t = results_trace_open (p2, NULL, &error);
  feed (results_trace_listener, t);
  results_trace_abort (t);
  assert_false (g_file_test (p2, G_FILE_TEST_EXISTS));
  rm_dir (d);
}

/* ---- results_format_double against its definition ---- */

static uint64_t fmt_state = 0x9e3779b97f4a7c15ull;

static uint64_t
fmt_next (void)
{
  fmt_state ^= fmt_state << 13;
  fmt_state ^= fmt_state >> 7;
  fmt_state ^= fmt_state << 17;
  return fmt_state;
}

static double
fmt_u01 (void)
{
  return (double) (fmt_next () >> 11) * 0x1p-53;
}

static unsigned long fmt_checked;

static void
fmt_check (double v)
{
  char fast[40], slow[40];
  results_format_double (v, fast, sizeof fast);
  results_format_double_slow (v, slow, sizeof slow);
  if (strcmp (fast, slow) != 0)
    fail_msg ("%.17g: fast path '%s', printf + strtod '%s'", v, fast, slow);
  if (isfinite (v))
    assert_true (g_ascii_strtod (fast, NULL) == v);
  else
    assert_string_equal (fast, "");
  /* The same text straight into a buffer, no byte touched beyond the
   * room it claims. */
  char room[2 * RESULTS_NUM_ROOM];
  memset (room, 0x5a, sizeof room);
  char *end = results_num_put (room + 1, v);
  assert_true (end >= room + 1 && end - (room + 1) <= 24);
  if ((size_t) (end - (room + 1)) != strlen (slow)
      || memcmp (room + 1, slow, strlen (slow)) != 0)
    fail_msg ("%.17g: results_num_put '%.*s', printf + strtod '%s'", v,
              (int) (end - (room + 1)), room + 1, slow);
  assert_int_equal (room[0], 0x5a);
  for (size_t i = 1 + RESULTS_NUM_ROOM; i < sizeof room; i++)
    assert_int_equal (room[i], 0x5a);
  fmt_checked++;
}

static void
test_format_double (void **state)
{
  static const double edges[] = {
    0.0, -0.0, 0.1, 0.2, 0.3, 1.0 / 3, 2.0 / 3, -1.5, 1e-4, 1e-5, 9.5e-5,
    0.0001234, 1e-16, 1e-17, 1.0000000000000002, 0.30000000000000004,
    123456789012345.5, 999999999999999.9, 1e15 + 0.5, 4503599627370495.5,
    9007199254740991.0, 9007199254740993.0, 1e16, 1e17, 1e21, 1e300,
    5e-324, 2.2250738585072014e-308, 1.7976931348623157e308, 0.5, 0.25,
    0.125, 99.99999999999999, 9.999999999999998, 0.9999999999999999,
    INFINITY, -INFINITY, NAN,
  };
  for (size_t i = 0; i < G_N_ELEMENTS (edges); i++)
    {
      fmt_check (edges[i]);
      fmt_check (-edges[i]);
    }
  char buf[40];
  assert_string_equal (results_format_double (0.1, buf, sizeof buf), "0.1");
  assert_string_equal (results_format_double (1e-5, buf, sizeof buf), "1e-05");
  assert_string_equal (results_format_double (-2.5, buf, sizeof buf), "-2.5");
  assert_string_equal (results_format_double (3e15 + 0.5, buf, sizeof buf),
                       "3000000000000000.5");
  /* Powers of two and their neighbours (the lower neighbour of 2^k is
   * closer than the upper one), decimal round numbers and theirs. */
  for (int e = -70; e <= 70; e++)
    {
      double p = ldexp (1.0, e);
      fmt_check (p);
      fmt_check (nextafter (p, 0));
      fmt_check (nextafter (p, INFINITY));
    }
  /* Every power of ten a double holds, and its neighbours. */
  for (int e = -323; e <= 308; e++)
    {
      char text[16];
      g_snprintf (text, sizeof text, "1e%d", e);
      double p = g_ascii_strtod (text, NULL);
      fmt_check (p);
      fmt_check (nextafter (p, 0));
      fmt_check (nextafter (p, INFINITY));
    }
  /* 2^53's neighbours (the last integers doubles hold), the 1e15 edge of
   * the integer path and the 1e16 / 1e-16 edges of the fast path. */
  for (int k = -600; k <= 600; k++)
    {
      fmt_check (9007199254740992.0 + 2 * k);
      fmt_check (4503599627370496.0 + k * 0.5);
      fmt_check (1e15 + k * 0.125);
      fmt_check (1e16 + 2 * k);
    }
  double b15 = 1e15, w = 1e15, y = 1e16, z = 1e-16, u = 1e-16;
  for (int i = 0; i < 2000; i++, b15 = nextafter (b15, 0),
       w = nextafter (w, INFINITY), y = nextafter (y, 0),
       z = nextafter (z, 0), u = nextafter (u, 1))
    {
      fmt_check (b15);
      fmt_check (w);
      fmt_check (y);
      fmt_check (z);
      fmt_check (u);
    }
  /* Subnormals: the smallest, the largest, random ones. */
  fmt_check (5e-324);
  fmt_check (2.225073858507201e-308);
  for (int i = 0; i < 2000; i++)
    {
      uint64_t bits = fmt_next () & ((UINT64_C (1) << 52) - 1);
      double sub;
      memcpy (&sub, &bits, sizeof sub);
      fmt_check (sub);
    }
  for (int e = -20; e <= 20; e++)
    for (int k = 1; k < 1000; k += 7)
      {
        double d = k * pow (10, e);
        fmt_check (d);
        fmt_check (nextafter (d, 0));
        fmt_check (nextafter (d, INFINITY));
      }
  /* Random doubles: raw bit patterns (every exponent), log-uniform
   * magnitudes, numbers of few digits (shortest form < 15 digits), the
   * hours and fractions outputs hold, large halves. */
  for (int i = 0; i < 60000; i++)
    {
      uint64_t bits = fmt_next ();
      double v;
      memcpy (&v, &bits, sizeof v);
      fmt_check (v);
      fmt_check (exp (fmt_u01 () * 90 - 45));
      fmt_check (-exp (fmt_u01 () * 80 - 37));
      double scale = pow (10, (double) (fmt_next () % 12));
      fmt_check (round (fmt_u01 () * 1e6 * scale) / scale);
      fmt_check ((double) (fmt_next () % 100000000) / 3600.0);
      fmt_check ((double) (fmt_next () % 100000000) / 3.6e9);
      fmt_check (fmt_u01 ());
      fmt_check ((double) (fmt_next () >> 11) + 0.5);
      fmt_check (ldexp ((double) (fmt_next () >> 11), -(int) (fmt_next () % 100)));
    }
  assert_true (fmt_checked > 500000);
}

/* 2.5 million more doubles (the "few million" of issue 14): raw bit
 * patterns, every magnitude log-uniformly, and the hours (microseconds /
 * 3.6e9) most output cells hold. */
static void
test_format_double_bulk (void **state)
{
  fmt_checked = 0;
  for (int i = 0; i < 500000; i++)
    {
      uint64_t bits = fmt_next ();
      double v;
      memcpy (&v, &bits, sizeof v);
      fmt_check (v);
      fmt_check (exp (fmt_u01 () * 1400 - 700));
      fmt_check ((double) (fmt_next () % 31536000000000ull) / 3.6e9);
      fmt_check ((double) (fmt_next () % 1000000000ull) / 1e6);
      fmt_check (fmt_u01 () * pow (10, (double) (fmt_next () % 36) - 18));
    }
  assert_int_equal (fmt_checked, 2500000);
}

static void
num_u64_check (uint64_t v)
{
  char want[32], got[32];
  g_snprintf (want, sizeof want, "%" G_GUINT64_FORMAT, v);
  *results_num_put_u64 (got, v) = '\0';
  assert_string_equal (got, want);
}

static void
test_num_put_u64 (void **state)
{
  num_u64_check (0);
  num_u64_check (UINT64_MAX);
  num_u64_check (UINT64_MAX - 1);
  for (uint64_t p = 10; p <= UINT64_MAX / 10; p *= 10)
    {
      num_u64_check (p - 1);
      num_u64_check (p);
      num_u64_check (p + 1);
      num_u64_check (p * 10 - 1);
    }
  for (int i = 0; i < 300000; i++)
    num_u64_check (fmt_next () >> (fmt_next () % 64));
}

/* `test-results bulk` runs the 2.5 million doubles alone (meson test
 * results-bulk, suite slow: seconds of CPU, a minute under ASan); without
 * an argument, everything else. */
int
main (int argc, char **argv)
{
  if (argc > 1 && strcmp (argv[1], "bulk") == 0)
    {
      const struct CMUnitTest bulk[] = {
        cmocka_unit_test (test_format_double_bulk),
      };
      return cmocka_run_group_tests (bulk, NULL, NULL);
    }
  const struct CMUnitTest tests[] = {
    cmocka_unit_test (test_summary_matches_schema),
    cmocka_unit_test (test_summary_values),
    cmocka_unit_test (test_summary_main_job),
    cmocka_unit_test (test_bad_info),
    cmocka_unit_test (test_files_identical_and_csv),
    cmocka_unit_test (test_jobs_streamed),
    cmocka_unit_test (test_events_jsonl),
    cmocka_unit_test (test_trace),
    cmocka_unit_test (test_format_double),
    cmocka_unit_test (test_num_put_u64),
  };
  return cmocka_run_group_tests (tests, NULL, NULL);
}
