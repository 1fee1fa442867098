/* models/swf.c - Standard Workload Format reader; see swf.h.
 *
 * One pass over the text, line by line; fields are parsed as doubles (some
 * archive traces write fractional CPU times) with the whole token required
 * to be a number. Jobs are collected in a scratch array and appended only
 * when the whole file parsed, so an error leaves jobs_out untouched. Not a
 * writer; does not replay the trace's waits. */
#include "swf.h"

#include <math.h>
#include <string.h>

#include "infile.h"
#include "workload.h"

G_DEFINE_QUARK (faultline-swf-error-quark, swf_error)

#define SWF_FIELDS 18

static const char *const swf_field_names[SWF_FIELDS] = {
  "job number", "submit time", "wait time", "run time",
  "allocated processors", "average CPU time", "used memory",
  "requested processors", "requested time", "requested memory", "status",
  "user id", "group id", "executable", "queue", "partition",
  "preceding job", "think time",
};

void
swf_options_init (SwfOptions *opt)
{
  g_return_if_fail (opt != NULL);
  memset (opt, 0, sizeof *opt);
  opt->processors_per_node = 8; /* DGX-class nodes: 8 GPUs */
  opt->time_scale = 1.0;
  opt->max_nodes = 0;
  opt->keep_cancelled = false;
  opt->lenient = false;
  opt->priority = 0;
  opt->preemptible = false;
  opt->restart_s = 300; /* field-data.md §12.3: u0 = 5 min */
}

/* "; MaxProcs: 1024" -> *out = 1024. */
static void
swf_header_int (const char *line, const char *key, int64_t *out)
{
  const char *p = line + 1;
  while (*p == ' ' || *p == '\t')
    p++;
  size_t kl = strlen (key);
  if (g_ascii_strncasecmp (p, key, kl) != 0)
    return;
  p += kl;
  while (*p == ' ' || *p == '\t')
    p++;
  if (*p != ':')
    return;
  p++;
  char *end;
  gint64 v = g_ascii_strtoll (p, &end, 10);
  if (end != p && v >= 0)
    *out = v;
}

/* Whether tok is a decimal number: [+-]digits[.digits][(e|E)[+-]digits]
 * (strtod alone also takes hex such as 0x10, "inf" and "nan"). */
static bool
swf_is_decimal (const char *tok)
{
  const char *p = tok;
  if (*p == '+' || *p == '-')
    p++;
  bool digits = false;
  while (g_ascii_isdigit (*p))
    p++, digits = true;
  if (*p == '.')
    for (p++; g_ascii_isdigit (*p); p++)
      digits = true;
  if (!digits)
    return false;
  if (*p == 'e' || *p == 'E')
    {
      p++;
      if (*p == '+' || *p == '-')
        p++;
      if (!g_ascii_isdigit (*p))
        return false;
      while (g_ascii_isdigit (*p))
        p++;
    }
  return *p == '\0';
}

/* Parses one data line into f[]. Returns false with *why set
 * (transfer full) on a malformed line. */
static bool
swf_parse_fields (char *line, double *f, char **why)
{
  int n = 0;
  char *save = NULL;
  char *tok_at[SWF_FIELDS];
  for (char *tok = strtok_r (line, " \t", &save); tok != NULL;
       tok = strtok_r (NULL, " \t", &save))
    {
      if (n < SWF_FIELDS)
        tok_at[n] = tok;
      n++;
    }
  if (n != SWF_FIELDS)
    {
      *why = g_strdup_printf ("expected %d fields, found %d", SWF_FIELDS, n);
      return false;
    }
  for (int i = 0; i < SWF_FIELDS; i++)
    {
      char *end;
      double v = g_ascii_strtod (tok_at[i], &end);
      if (!swf_is_decimal (tok_at[i]) || end == tok_at[i] || *end != '\0'
          || !isfinite (v))
        {
          *why = g_strdup_printf ("field %d (%s): '%s' is not a number",
                                  i + 1, swf_field_names[i], tok_at[i]);
          return false;
        }
      f[i] = v;
    }
  if (f[0] < 0 || f[0] > G_MAXUINT32 || f[0] != floor (f[0]))
    {
      *why = g_strdup_printf ("field 1 (job number): '%s' is not a job "
                              "number (an integer >= 0)", tok_at[0]);
      return false;
    }
  return true;
}

bool
swf_load_data (const char *data, size_t len, const char *name,
               const SwfOptions *opt, GArray *jobs_out, SwfStats *stats,
               GError **error)
{
  g_return_val_if_fail (data != NULL || len == 0, false);
  g_return_val_if_fail (opt != NULL && jobs_out != NULL, false);
  g_return_val_if_fail (g_array_get_element_size (jobs_out)
                        == sizeof (WorkloadJob), false);
  g_return_val_if_fail (error == NULL || *error == NULL, false);
  if (name == NULL)
    name = "(swf)";
  if (opt->processors_per_node == 0 || !(opt->time_scale > 0)
      || !isfinite (opt->time_scale))
    {
      g_set_error (error, SWF_ERROR, SWF_ERROR_INVALID,
                   "%s: processors_per_node must be > 0 and time_scale a "
                   "positive number (got %u and %g)", name,
                   opt->processors_per_node, opt->time_scale);
      return false;
    }

  SwfStats st = { 0 };
  st.max_procs = -1;
  st.max_nodes = -1;
  GArray *tmp = g_array_new (FALSE, FALSE, sizeof (WorkloadJob));
  /* job number -> the line that used it, to refuse a repeated number */
  GHashTable *seen = g_hash_table_new (g_direct_hash, g_direct_equal);
  const char *p = data, *end = data + len;
  uint32_t lineno = 0;
  bool ok = true;
  while (p < end)
    {
      const char *nl = memchr (p, '\n', (size_t) (end - p));
      size_t ll = nl ? (size_t) (nl - p) : (size_t) (end - p);
      char *line = g_strndup (p, ll);
      p += ll + (nl != NULL);
      lineno++;
      st.lines++;
      g_strchomp (line); /* also strips '\r' of CRLF files */
      char *s = line;
      while (*s == ' ' || *s == '\t')
        s++;
      if (*s == '\0')
        {
          g_free (line);
          continue;
        }
      if (*s == ';')
        {
          st.header_lines++;
          swf_header_int (s, "MaxProcs", &st.max_procs);
          swf_header_int (s, "MaxNodes", &st.max_nodes);
          g_free (line);
          continue;
        }
      double f[SWF_FIELDS];
      char *why = NULL;
      bool parsed = swf_parse_fields (s, f, &why);
      if (parsed)
        {
          /* SWF job numbers identify jobs; a repeat is a broken file (two
           * traces concatenated, a line pasted twice). */
          gpointer key = GUINT_TO_POINTER ((guint) f[0]), prev = NULL;
          if (g_hash_table_lookup_extended (seen, key, NULL, &prev))
            {
              why = g_strdup_printf ("field 1 (job number): %.0f repeats the "
                                     "job number of line %u", f[0],
                                     GPOINTER_TO_UINT (prev));
              parsed = false;
            }
          else
            g_hash_table_insert (seen, key, GUINT_TO_POINTER (lineno));
        }
      if (!parsed)
        {
          g_free (line);
          if (opt->lenient)
            {
              st.skipped_malformed++;
              if (st.first_malformed_line == 0)
                st.first_malformed_line = lineno;
              g_free (why);
              continue;
            }
          g_set_error (error, SWF_ERROR, SWF_ERROR_PARSE, "%s:%u: %s", name,
                       lineno, why);
          g_free (why);
          ok = false;
          break;
        }
      g_free (line);

      double status = f[10];
      if ((status == 0 || status == 5) && !opt->keep_cancelled)
        {
          st.skipped_cancelled++;
          continue;
        }
      double run = f[3], req_time = f[8];
      double procs = f[4] > 0 ? f[4] : f[7];
      double work_s = run >= 0 ? run : req_time;
      if (f[1] < 0 || !(work_s > 0) || !(procs > 0))
        {
          st.skipped_unusable++;
          continue;
        }
      double nodes = ceil (procs / opt->processors_per_node);
      if (opt->max_nodes > 0 && nodes > opt->max_nodes)
        {
          nodes = opt->max_nodes;
          st.capped++;
        }
      else if (nodes > G_MAXUINT32)
        nodes = G_MAXUINT32;
      double est_s = req_time > 0 ? req_time : work_s;

      WorkloadJob j;
      memset (&j, 0, sizeof j);
      j.id = (uint32_t) f[0];
      j.name = g_intern_static_string ("swf");
      j.submit_s = f[1] * opt->time_scale;
      j.nodes = (uint32_t) nodes;
      j.work_h = work_s * opt->time_scale / 3600.0;
      j.est_runtime_s = est_s * opt->time_scale;
      j.priority = opt->priority;
      j.preemptible = opt->preemptible;
      j.restart_s = opt->restart_s;
      g_array_append_val (tmp, j);
    }
  g_hash_table_unref (seen);
  if (ok)
    {
      st.jobs = tmp->len;
      g_array_append_vals (jobs_out, tmp->data, tmp->len);
    }
  g_array_unref (tmp);
  if (stats != NULL)
    *stats = st;
  return ok;
}

bool
swf_load (const char *path, const SwfOptions *opt, GArray *jobs_out,
          SwfStats *stats, GError **error)
{
  g_return_val_if_fail (path != NULL, false);
  g_return_val_if_fail (error == NULL || *error == NULL, false);
  char *data = NULL;
  gsize len = 0;
  GError *io = NULL;
  if (!infile_read (path, "SWF trace", INFILE_MAX_TRACE, &data, &len, &io))
    {
      g_set_error_literal (error, SWF_ERROR, SWF_ERROR_IO, io->message);
      g_error_free (io);
      return false;
    }
  SwfStats st;
  GArray *tmp = g_array_new (FALSE, FALSE, sizeof (WorkloadJob));
  bool ok = swf_load_data (data, len, path, opt, tmp, &st, error);
  g_free (data);
  if (ok && st.jobs == 0)
    {
      /* A trace that replays nothing is a wrong file, not a workload. */
      uint32_t data_lines = st.skipped_malformed + st.skipped_cancelled
                            + st.skipped_unusable;
      if (data_lines == 0)
        g_set_error (error, SWF_ERROR, SWF_ERROR_PARSE, "%s: no job lines "
                     "(an empty or header-only SWF trace)", path);
      else
        g_set_error (error, SWF_ERROR, SWF_ERROR_PARSE, "%s: none of its %u "
                     "job lines is usable (%u malformed, %u cancelled, %u "
                     "without a run time or processors)", path, data_lines,
                     st.skipped_malformed, st.skipped_cancelled,
                     st.skipped_unusable);
      ok = false;
    }
  if (ok)
    g_array_append_vals (jobs_out, tmp->data, tmp->len);
  g_array_unref (tmp);
  if (stats != NULL)
    *stats = st;
  return ok;
}
