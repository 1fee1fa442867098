/* lib/plots.c - data files, gnuplot scripts and gnuplot runs for the plots
 * of a run folder; and the CSV reader they need. See plots.h.
 *
 * The CSVs may hold quoted fields (with commas) and empty fields (NaN), so
 * gnuplot never reads them directly: the data go through a reader here and
 * come out as whitespace-separated .dat files with "NaN", which any gnuplot
 * 5 reads. Each script renders PNG and SVG and takes its output names and
 * PNG terminal from variables (set with -e by us, defaults for a user). */
#include "plots.h"
#include "atomicfile.h"
#include "infile.h"

#include <errno.h>
#include <json-glib/json-glib.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <math.h>
#include <string.h>
#include <unistd.h>

G_DEFINE_QUARK (faultline-plots-error-quark, plots_error)

/* ---- CSV tables ---- */

static void
plots_row_free (gpointer p)
{
  g_strfreev (p);
}

/* Splits one record starting at *pos; advances *pos past its end of line
 * and *line by the newlines consumed. Returns false on an unterminated
 * quote. */
static bool
plots_parse_record (const char *s, size_t len, size_t *pos, guint *line,
                    GPtrArray *fields)
{
  size_t i = *pos;
  GString *f = g_string_new (NULL);
  for (;;)
    {
      g_string_truncate (f, 0);
      if (i < len && s[i] == '"')
        {
          i++;
          for (;;)
            {
              if (i >= len)
                {
                  g_string_free (f, TRUE);
                  return false;
                }
              if (s[i] == '"')
                {
                  if (i + 1 < len && s[i + 1] == '"')
                    {
                      g_string_append_c (f, '"');
                      i += 2;
                      continue;
                    }
                  i++;
                  break;
                }
              if (s[i] == '\n')
                (*line)++;
              g_string_append_c (f, s[i++]);
            }
          /* Text after a closing quote up to the separator is kept as is
           * (lenient, like most readers). */
          while (i < len && s[i] != ',' && s[i] != '\n' && s[i] != '\r')
            g_string_append_c (f, s[i++]);
        }
      else
        while (i < len && s[i] != ',' && s[i] != '\n' && s[i] != '\r')
          g_string_append_c (f, s[i++]);
      g_ptr_array_add (fields, g_strdup (f->str));
      if (i < len && s[i] == ',')
        {
          i++;
          continue;
        }
      break;
    }
  if (i < len && s[i] == '\r')
    i++;
  if (i < len && s[i] == '\n')
    {
      i++;
      (*line)++;
    }
  *pos = i;
  g_string_free (f, TRUE);
  return true;
}

PlotsTable *
plots_table_read (const char *path, GError **error)
{
  g_return_val_if_fail (path != NULL, NULL);
  g_autofree char *data = NULL;
  gsize len = 0;
  g_autoptr (GError) local = NULL;
  if (!infile_read (path, "CSV file", INFILE_MAX_CSV, &data, &len, &local))
    {
      g_set_error (error, PLOTS_ERROR, PLOTS_ERROR_INPUT, "%s",
                   local->message);
      return NULL;
    }
  PlotsTable *t = g_new0 (PlotsTable, 1);
  t->path = g_strdup (path);
  t->rows = g_ptr_array_new_with_free_func (plots_row_free);
  t->lines = g_array_new (FALSE, FALSE, sizeof (guint));
  size_t pos = 0;
  guint line = 1;
  if (len >= 3 && memcmp (data, "\xef\xbb\xbf", 3) == 0)
    pos = 3; /* a UTF-8 byte order mark, as spreadsheets write */
  while (pos < len)
    {
      guint start = line;
      GPtrArray *fields = g_ptr_array_new ();
      if (!plots_parse_record (data, len, &pos, &line, fields))
        {
          g_ptr_array_set_free_func (fields, g_free);
          g_ptr_array_free (fields, TRUE);
          g_set_error (error, PLOTS_ERROR, PLOTS_ERROR_INPUT,
                       "%s:%u: unterminated quoted field (a '\"' opens a "
                       "field that never closes)", path, start);
          plots_table_free (t);
          return NULL;
        }
      /* A blank line (one empty field) is skipped. */
      if (fields->len == 1 && ((char *) fields->pdata[0])[0] == '\0')
        {
          g_free (fields->pdata[0]);
          g_ptr_array_free (fields, TRUE);
          continue;
        }
      size_t n = fields->len;
      g_ptr_array_add (fields, NULL);
      char **row = (char **) g_ptr_array_free (fields, FALSE);
      if (t->header == NULL)
        {
          t->header = row;
          t->n_cols = n;
          continue;
        }
      if (n != t->n_cols)
        {
          g_set_error (error, PLOTS_ERROR, PLOTS_ERROR_INPUT,
                       "%s:%u: %zu fields, but the header has %zu (quote "
                       "fields that contain commas)", path, start, n,
                       t->n_cols);
          g_strfreev (row);
          plots_table_free (t);
          return NULL;
        }
      g_ptr_array_add (t->rows, row);
      g_array_append_val (t->lines, start);
    }
  if (t->header == NULL)
    {
      g_set_error (error, PLOTS_ERROR, PLOTS_ERROR_INPUT,
                   "%s: empty file (expected a header line)", path);
      plots_table_free (t);
      return NULL;
    }
  return t;
}

void
plots_table_free (PlotsTable *t)
{
  if (t == NULL)
    return;
  g_free (t->path);
  g_strfreev (t->header);
  g_ptr_array_unref (t->rows);
  g_array_unref (t->lines);
  g_free (t);
}

int
plots_table_column (const PlotsTable *t, const char *name)
{
  g_return_val_if_fail (t != NULL && name != NULL, -1);
  for (size_t i = 0; i < t->n_cols; i++)
    if (strcmp (t->header[i], name) == 0)
      return (int) i;
  return -1;
}

const char *
plots_table_get (const PlotsTable *t, size_t row, size_t col)
{
  g_return_val_if_fail (t != NULL && row < t->rows->len && col < t->n_cols,
                        NULL);
  return ((char **) t->rows->pdata[row])[col];
}

bool
plots_table_number (const PlotsTable *t, size_t row, size_t col,
                    double *out, GError **error)
{
  const char *s = plots_table_get (t, row, col);
  g_return_val_if_fail (s != NULL && out != NULL, false);
  while (g_ascii_isspace (*s))
    s++;
  if (*s == '\0' || g_ascii_strcasecmp (s, "nan") == 0)
    {
      *out = NAN;
      return true;
    }
  char *end;
  errno = 0;
  double v = g_ascii_strtod (s, &end);
  while (g_ascii_isspace (*end))
    end++;
  if (end == s || *end != '\0' || errno == ERANGE)
    {
      g_set_error (error, PLOTS_ERROR, PLOTS_ERROR_INPUT,
                   "%s:%u: column '%s': '%s' is not a number", t->path,
                   g_array_index (t->lines, guint, row), t->header[col],
                   plots_table_get (t, row, col));
      return false;
    }
  *out = v;
  return true;
}

/* ---- data files and scripts ---- */

/* timeseries.csv columns, in the order of timeseries.dat. */
static const char *const ts_cols[] = {
  "t_h", "healthy_gpus", "healthy", "suspect", "cordoned", "draining",
  "remediating", "in_repair", "burn_in", "quarantined", "down",
  "running_jobs", "queued_jobs", "spares_free", "fabric_bw_lost",
  "main_job_progress", "main_job_ettr",
};
enum
{
  TS_T = 0,
  TS_HEALTHY_GPUS = 1,
  TS_SUSPECT = 3,
  TS_DOWN = 10,
  TS_PROGRESS = 15,
  TS_ETTR = 16,
  TS_N = G_N_ELEMENTS (ts_cols),
};

const char *const plots_names[] = {
  "node-states", "healthy-gpus", "main-job-progress", "main-job-ettr",
  "interruptions-by-cause",
};
const size_t plots_n_names = G_N_ELEMENTS (plots_names);

const char *
plots_caption (const char *name)
{
  static const char *const captions[] = {
    "Nodes that are not healthy, by state of the health state machine, "
    "stacked (the top edge is all unhealthy nodes).",
    "GPUs on healthy nodes over time.",
    "Progress of the main job (share of its work done) and its "
    "interruption rate per day, in bins (interruptions.csv).",
    "ETTR of the main job (productive time / elapsed time) over time.",
    "Interruptions by root cause over the run (compare with Llama 3, "
    "Table 5: 419 interruptions in 54 days on 16,384 GPUs).",
  };
  for (size_t i = 0; i < plots_n_names; i++)
    if (g_strcmp0 (name, plots_names[i]) == 0)
      return captions[i];
  return NULL;
}

/* What the scripts need to know about the data. */
typedef struct
{
  double xs;          /* hours per x unit: 1 or 24 */
  const char *xlabel; /* "time (h)" or "time (days)" */
  double pscale;      /* progress multiplier to percent */
  bool have[TS_N];    /* column has a finite value */
  bool nonzero[TS_N]; /* column has a value other than 0 */
  double tmax;        /* last sample time, hours */
  double stack_max;   /* the most nodes in non-healthy states at once */
  size_t n_marks;     /* interruptions of the main job */
  double bin_h;       /* width of the interruption-rate bins, hours */
  double rate_max;    /* the highest binned rate, per day */
  char *main_job;     /* name of the main job, or NULL */
  size_t n_causes;
  double cause_max;   /* the largest count of one cause */
  double cause_sum;
  char *subtitle;     /* scenario, seed, size, changed params; or NULL */
  double gpus;        /* cluster GPUs (summary.json), or NaN */
} PlotsData;

static bool
plots_write_file (const char *dir, const char *name, const GString *s,
                  GError **error)
{
  g_autofree char *path = g_build_filename (dir, name, NULL);
  g_autoptr (GError) local = NULL;
  if (!atomicfile_write (path, s->str, s->len, &local))
    {
      g_set_error (error, PLOTS_ERROR, PLOTS_ERROR_IO, "%s",
                   local->message);
      return false;
    }
  return true;
}

void
plots_gp_number (GString *s, double v)
{
  if (!isfinite (v))
    g_string_append (s, "NaN");
  else
    {
      char buf[G_ASCII_DTOSTR_BUF_SIZE];
      g_string_append (s, g_ascii_formatd (buf, sizeof buf, "%.10g", v));
    }
}

/* Control characters (a line break ends a gnuplot command) as spaces. */
static char
plots_gp_char (char c)
{
  return (unsigned char) c < 0x20 || c == 0x7f ? ' ' : c;
}

void
plots_gp_quoted (GString *s, const char *text)
{
  /* Single quotes: gnuplot expands neither `command` nor @macro nor \
   * escapes inside them (a double-quoted string runs backquoted text as a
   * shell command), so text from a run can never run anything. The only
   * escape is '' for a quote. */
  g_string_append_c (s, '\'');
  for (const char *p = text; *p; p++)
    {
      if (*p == '\'')
        g_string_append_c (s, '\'');
      g_string_append_c (s, plots_gp_char (*p));
    }
  g_string_append_c (s, '\'');
}

void
plots_gp_datafield (GString *s, const char *text)
{
  /* gnuplot's data file reader takes "..." as one field, with no escapes
   * and no evaluation; a " inside would end the field, so it becomes '. */
  g_string_append_c (s, '"');
  for (const char *p = text; *p; p++)
    g_string_append_c (s, *p == '"' ? '\'' : plots_gp_char (*p));
  g_string_append_c (s, '"');
}

void
plots_gp_comment (GString *s, const char *text)
{
  /* A line break would end the comment, and a comment line ending in \
   * continues onto the next line: each line of text becomes a "# " line
   * with its trailing backslashes dropped. */
  for (const char *p = text;; p++)
    {
      if (*p == '\0' || *p == '\n')
        while (s->len > 0 && s->str[s->len - 1] == '\\')
          g_string_truncate (s, s->len - 1);
      if (*p == '\0')
        break;
      if (*p == '\n')
        g_string_append (s, "\n# ");
      else
        g_string_append_c (s, plots_gp_char (*p));
    }
}

static bool
plots_write_timeseries (const char *dir, const char *out, PlotsData *pd,
                        GError **error)
{
  g_autofree char *path = g_build_filename (dir, "timeseries.csv", NULL);
  g_autoptr (PlotsTable) t = plots_table_read (path, error);
  if (t == NULL)
    return false;
  int idx[TS_N];
  for (size_t c = 0; c < TS_N; c++)
    if ((idx[c] = plots_table_column (t, ts_cols[c])) < 0)
      {
        g_set_error (error, PLOTS_ERROR, PLOTS_ERROR_INPUT,
                     "%s:1: no column '%s' (expected the columns of "
                     "docs/results.md)", path, ts_cols[c]);
        return false;
      }
  if (t->rows->len == 0)
    {
      g_set_error (error, PLOTS_ERROR, PLOTS_ERROR_INPUT,
                   "%s: no rows after the header: nothing to plot", path);
      return false;
    }
  g_autoptr (GString) s = g_string_new ("# timeseries.dat - written by "
                                        "faultline plot from "
                                        "timeseries.csv; NaN = empty.\n#");
  for (size_t c = 0; c < TS_N; c++)
    g_string_append_printf (s, " %zu:%s", c + 1, ts_cols[c]);
  g_string_append_c (s, '\n');
  double tmax = 0.0, pmax = 0.0;
  for (size_t r = 0; r < t->rows->len; r++)
    {
      double stack = 0;
      for (size_t c = 0; c < TS_N; c++)
        {
          double v;
          if (!plots_table_number (t, r, (size_t) idx[c], &v, error))
            return false;
          if (c >= TS_SUSPECT && c <= TS_DOWN && isfinite (v))
            stack += v;
          if (c > 0)
            g_string_append_c (s, ' ');
          plots_gp_number (s, v);
          if (isfinite (v))
            {
              pd->have[c] = true;
              if (v != 0.0)
                pd->nonzero[c] = true;
              if (c == TS_T)
                tmax = MAX (tmax, v);
              if (c == TS_PROGRESS)
                pmax = MAX (pmax, v);
            }
        }
      g_string_append_c (s, '\n');
      pd->stack_max = MAX (pd->stack_max, stack);
    }
  pd->tmax = tmax;
  pd->xs = tmax > 96.0 ? 24.0 : 1.0;
  pd->xlabel = tmax > 96.0 ? "time since the start of the run (days)"
                           : "time since the start of the run (h)";
  /* main_job_progress is a fraction of the job's work (0..1); a column
   * already in percent is left as it is. */
  pd->pscale = pmax > 1.0 + 1e-9 ? 1.0 : 100.0;
  return plots_write_file (out, "timeseries.dat", s, error);
}

/* The main job: summary.json's "main_job" (the scenario's choice, or its
 * largest job{}); when it names none (no job{}, or an older folder), the
 * job with the most GPUs in jobs.csv (the lowest id on a tie). NULL when
 * neither has one. */
static bool
plots_find_main_job (const char *dir, char **main_job, GError **error)
{
  *main_job = NULL;
  g_autofree char *sum = g_build_filename (dir, "summary.json", NULL);
  if (g_file_test (sum, G_FILE_TEST_EXISTS))
    {
      g_autoptr (JsonParser) p = json_parser_new ();
      if (!infile_load_json (p, sum, "summary.json", error))
        return false;
      JsonNode *root = json_parser_get_root (p);
      JsonObject *o = root && JSON_NODE_HOLDS_OBJECT (root)
                        ? json_node_get_object (root) : NULL;
      JsonNode *n = o ? json_object_get_member (o, "main_job") : NULL;
      if (n != NULL && JSON_NODE_HOLDS_VALUE (n)
          && json_node_get_value_type (n) == G_TYPE_STRING)
        {
          *main_job = g_strdup (json_node_get_string (n));
          return true;
        }
    }
  g_autofree char *path = g_build_filename (dir, "jobs.csv", NULL);
  if (!g_file_test (path, G_FILE_TEST_EXISTS))
    return true;
  g_autoptr (PlotsTable) t = plots_table_read (path, error);
  if (t == NULL)
    return false;
  int cn = plots_table_column (t, "name"), cg = plots_table_column (t, "gpus");
  if (cn < 0 || cg < 0)
    {
      g_set_error (error, PLOTS_ERROR, PLOTS_ERROR_INPUT,
                   "%s:1: no column '%s'", path, cn < 0 ? "name" : "gpus");
      return false;
    }
  /* jobs.csv lists jobs as they ended: the first on a tie is the lowest
   * id (row order in a folder without the column) */
  int ci = plots_table_column (t, "id");
  double best = -1.0, best_id = INFINITY;
  for (size_t r = 0; r < t->rows->len; r++)
    {
      double g, id = (double) r;
      if (!plots_table_number (t, r, (size_t) cg, &g, error)
          || (ci >= 0 && !plots_table_number (t, r, (size_t) ci, &id, error)))
        return false;
      if (isfinite (g) && (g > best || (g == best && id < best_id)))
        {
          best = g;
          best_id = id;
          g_free (*main_job);
          *main_job = g_strdup (plots_table_get (t, r, (size_t) cn));
        }
    }
  return true;
}

/* The width of the interruption-rate bins: the smallest of 1 h, 2 h, 3 h,
 * 6 h, 12 h, 1, 2, 3 days, 1, 2 weeks and 30 days that gives at most 100
 * bins over the run, so a bar stays a few pixels wide on a 1100-pixel plot
 * whatever the length (a year: weekly bins). */
static double
plots_bin_hours (double tmax_h)
{
  static const double widths[] = { 1, 2, 3, 6, 12, 24, 48, 72, 168, 336,
                                   720 };
  for (size_t i = 0; i < G_N_ELEMENTS (widths); i++)
    if (ceil (tmax_h / widths[i]) <= 100)
      return widths[i];
  return ceil (tmax_h / 100 / 720) * 720;
}

/* interruption_rate.dat: the main job's interruptions per day in bins of
 * pd->bin_h hours (a last bin shorter than half a bin joins the one
 * before it, so a few minutes of run never make a spike). One line per
 * bin: centre (h), width (h), count, rate per day. Thousands of
 * interruptions stay readable as a rate where a line per interruption
 * fills the plot. */
static bool
plots_write_rate (const char *out, const GArray *times, PlotsData *pd,
                  GError **error)
{
  double tmax = pd->tmax;
  for (guint i = 0; i < times->len; i++)
    tmax = MAX (tmax, g_array_index (times, double, i));
  double w = plots_bin_hours (tmax);
  size_t n = tmax > 0 ? (size_t) ceil (tmax / w) : 1;
  if (n > 1 && tmax - (double) (n - 1) * w < w / 2)
    n--;
  g_autofree double *count = g_new0 (double, n);
  for (guint i = 0; i < times->len; i++)
    {
      double t = g_array_index (times, double, i);
      size_t b = t > 0 ? (size_t) (t / w) : 0;
      count[MIN (b, n - 1)] += 1;
    }
  g_autofree char *head = g_strdup_printf (
      "# interruption_rate.dat - the main job's interruptions per day in "
      "%g-hour bins, from interruptions.csv\n# 1:centre_h 2:width_h 3:count "
      "4:per_day\n", w);
  g_autoptr (GString) s = g_string_new (head);
  pd->bin_h = w;
  pd->rate_max = 0;
  for (size_t b = 0; b < n; b++)
    {
      double lo = (double) b * w;
      double hi = b + 1 == n ? MAX (tmax, lo + w / 2) : lo + w;
      double rate = count[b] / ((hi - lo) / 24.0);
      pd->rate_max = MAX (pd->rate_max, rate);
      plots_gp_number (s, (lo + hi) / 2);
      g_string_append_c (s, ' ');
      plots_gp_number (s, hi - lo);
      g_string_append_c (s, ' ');
      plots_gp_number (s, count[b]);
      g_string_append_c (s, ' ');
      plots_gp_number (s, rate);
      g_string_append_c (s, '\n');
    }
  return plots_write_file (out, "interruption_rate.dat", s, error);
}

static bool
plots_write_interruptions (const char *dir, const char *out, PlotsData *pd,
                           GError **error)
{
  g_autofree char *path = g_build_filename (dir, "interruptions.csv", NULL);
  g_autoptr (GString) s = g_string_new (
      "# interruptions.dat - times (h) of the main job's interruptions, "
      "from interruptions.csv\n# 1:t_h 2:cause\n");
  g_autoptr (GArray) times = g_array_new (FALSE, FALSE, sizeof (double));
  pd->n_marks = 0;
  if (g_file_test (path, G_FILE_TEST_EXISTS))
    {
      g_autoptr (PlotsTable) t = plots_table_read (path, error);
      if (t == NULL)
        return false;
      int ct = plots_table_column (t, "t_h");
      int cj = plots_table_column (t, "job");
      int cc = plots_table_column (t, "cause");
      if (ct < 0 || cj < 0 || cc < 0)
        {
          g_set_error (error, PLOTS_ERROR, PLOTS_ERROR_INPUT,
                       "%s:1: no column '%s'", path,
                       ct < 0 ? "t_h" : cj < 0 ? "job" : "cause");
          return false;
        }
      for (size_t r = 0; r < t->rows->len; r++)
        {
          double v;
          if (!plots_table_number (t, r, (size_t) ct, &v, error))
            return false;
          if (!isfinite (v))
            continue;
          if (pd->main_job != NULL
              && strcmp (plots_table_get (t, r, (size_t) cj), pd->main_job))
            continue;
          plots_gp_number (s, v);
          g_string_append_c (s, ' ');
          plots_gp_datafield (s, plots_table_get (t, r, (size_t) cc));
          g_string_append_c (s, '\n');
          g_array_append_val (times, v);
          pd->n_marks++;
        }
    }
  return plots_write_file (out, "interruptions.dat", s, error)
         && plots_write_rate (out, times, pd, error);
}

typedef struct
{
  const char *cause;
  double count;
} PlotsCause;

static int
plots_cause_cmp (gconstpointer a, gconstpointer b)
{
  const PlotsCause *x = a, *y = b;
  return (x->count < y->count) - (x->count > y->count);
}

static bool
plots_write_causes (const char *dir, const char *out, PlotsData *pd,
                    GError **error)
{
  g_autofree char *path = g_build_filename (dir, "interruptions_by_cause.csv",
                                            NULL);
  pd->n_causes = 0;
  if (!g_file_test (path, G_FILE_TEST_EXISTS))
    return true;
  g_autoptr (PlotsTable) t = plots_table_read (path, error);
  if (t == NULL)
    return false;
  int cc = plots_table_column (t, "cause"), cn = plots_table_column (t, "count");
  if (cc < 0 || cn < 0)
    {
      g_set_error (error, PLOTS_ERROR, PLOTS_ERROR_INPUT,
                   "%s:1: no column '%s'", path, cc < 0 ? "cause" : "count");
      return false;
    }
  g_autoptr (GArray) causes = g_array_new (FALSE, FALSE, sizeof (PlotsCause));
  for (size_t r = 0; r < t->rows->len; r++)
    {
      PlotsCause c = { plots_table_get (t, r, (size_t) cc), 0 };
      if (!plots_table_number (t, r, (size_t) cn, &c.count, error))
        return false;
      if (isfinite (c.count) && c.count > 0)
        g_array_append_val (causes, c);
    }
  g_array_sort (causes, plots_cause_cmp); /* stable: ties keep file order */
  g_autoptr (GString) s = g_string_new (
      "# by_cause.dat - interruptions by root cause, most frequent first, "
      "from interruptions_by_cause.csv\n# 1:cause 2:count\n");
  for (guint i = 0; i < causes->len; i++)
    {
      PlotsCause *c = &g_array_index (causes, PlotsCause, i);
      plots_gp_datafield (s, c->cause);
      g_string_append_c (s, ' ');
      plots_gp_number (s, c->count);
      g_string_append_c (s, '\n');
      pd->cause_max = MAX (pd->cause_max, c->count);
      pd->cause_sum += c->count;
    }
  pd->n_causes = causes->len;
  return plots_write_file (out, "by_cause.dat", s, error);
}

/* n with a comma between thousands ("17,408"). Returns: (transfer full). */
static char *
plots_grouped (double v)
{
  g_autofree char *digits = g_strdup_printf ("%.0f", fabs (v));
  GString *s = g_string_new (v < 0 ? "-" : "");
  size_t len = strlen (digits);
  for (size_t i = 0; i < len; i++)
    {
      if (i > 0 && (len - i) % 3 == 0)
        g_string_append_c (s, ',');
      g_string_append_c (s, digits[i]);
    }
  return g_string_free (s, FALSE);
}

/* A JSON scalar as text: strings as they are, numbers in the shortest
 * form. Returns: (transfer full). */
static char *
plots_json_text (JsonNode *n)
{
  if (n == NULL || !JSON_NODE_HOLDS_VALUE (n))
    return g_strdup ("?");
  GType t = json_node_get_value_type (n);
  if (t == G_TYPE_STRING)
    return g_strdup (json_node_get_string (n));
  if (t == G_TYPE_BOOLEAN)
    return g_strdup (json_node_get_boolean (n) ? "true" : "false");
  if (t == G_TYPE_INT64)
    return g_strdup_printf ("%" G_GINT64_FORMAT, json_node_get_int (n));
  char buf[G_ASCII_DTOSTR_BUF_SIZE];
  return g_strdup (g_ascii_formatd (buf, sizeof buf, "%.6g",
                                    json_node_get_double (n)));
}

char *
plots_subtitle (JsonObject *o)
{
  g_return_val_if_fail (o != NULL, NULL);
  g_autoptr (GString) s = g_string_new (NULL);
  const char *scen = json_object_get_string_member_with_default (o, "scenario",
                                                                 NULL);
  if (scen != NULL && *scen)
    {
      g_autofree char *base = g_path_get_basename (scen);
      g_string_append (s, base);
    }
  JsonNode *seed = json_object_get_member (o, "seed");
  if (seed != NULL && JSON_NODE_HOLDS_VALUE (seed))
    {
      g_autofree char *t = plots_json_text (seed);
      g_string_append_printf (s, "%sseed %s", s->len ? ", " : "", t);
    }
  JsonNode *cl = json_object_get_member (o, "cluster");
  if (cl != NULL && JSON_NODE_HOLDS_OBJECT (cl))
    {
      JsonNode *g = json_object_get_member (json_node_get_object (cl), "gpus");
      if (g != NULL && JSON_NODE_HOLDS_VALUE (g))
        {
          g_autofree char *t = plots_grouped (json_node_get_double (g));
          g_string_append_printf (s, "%s%s GPUs", s->len ? ", " : "", t);
        }
    }
  JsonNode *h = json_object_get_member (o, "sim_hours");
  if (h != NULL && JSON_NODE_HOLDS_VALUE (h))
    {
      double hours = json_node_get_double (h);
      char buf[G_ASCII_DTOSTR_BUF_SIZE];
      g_string_append_printf (s, "%s%s %s", s->len ? ", " : "",
                              g_ascii_formatd (buf, sizeof buf, "%.4g",
                                               hours > 96 ? hours / 24
                                                          : hours),
                              hours > 96 ? "days" : "h");
    }
  /* The params that differ from the scenario's defaults. */
  JsonNode *pn = json_object_get_member (o, "params");
  JsonNode *dn = json_object_get_member (o, "param_defaults");
  if (pn != NULL && JSON_NODE_HOLDS_OBJECT (pn) && dn != NULL
      && JSON_NODE_HOLDS_OBJECT (dn))
    {
      JsonObject *po = json_node_get_object (pn);
      JsonObject *d = json_node_get_object (dn);
      g_autoptr (GList) names = json_object_get_members (d);
      const char *sep = "; ";
      for (GList *l = names; l != NULL; l = l->next)
        {
          g_autofree char *v = plots_json_text (json_object_get_member (po,
                                                                  l->data));
          g_autofree char *dv = plots_json_text (json_object_get_member (d,
                                                                  l->data));
          g_string_append_printf (s, "%s%s=%s (default %s)", sep,
                                  (const char *) l->data, v, dv);
          sep = ", ";
        }
    }
  return s->len ? g_strdup (s->str) : NULL;
}

/* pd->subtitle and pd->gpus from DIR/summary.json, when it is there and
 * readable; a plot never fails for want of it. */
static void
plots_read_summary (const char *dir, PlotsData *pd)
{
  g_autofree char *path = g_build_filename (dir, "summary.json", NULL);
  pd->gpus = NAN;
  if (!g_file_test (path, G_FILE_TEST_IS_REGULAR))
    return;
  g_autoptr (JsonParser) parser = json_parser_new ();
  if (!infile_load_json (parser, path, "summary.json", NULL))
    return;
  JsonNode *root = json_parser_get_root (parser);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    return;
  JsonObject *o = json_node_get_object (root);
  pd->subtitle = plots_subtitle (o);
  JsonNode *cl = json_object_get_member (o, "cluster");
  if (cl != NULL && JSON_NODE_HOLDS_OBJECT (cl))
    {
      JsonNode *g = json_object_get_member (json_node_get_object (cl), "gpus");
      if (g != NULL && JSON_NODE_HOLDS_VALUE (g))
        pd->gpus = json_node_get_double (g);
    }
}

GString *
plots_script_new (const char *name, const char *about, const char *writer,
                  const char *title, const char *xlabel, const char *ylabel)
{
  /* Every text goes through plots_gp_comment or plots_gp_quoted, never
   * into a double-quoted string: see plots.h. */
  g_autofree char *png = g_strdup_printf ("%s.png", name);
  g_autofree char *svg = g_strdup_printf ("%s.svg", name);
  g_autofree char *head = g_strdup_printf (
      "%s.gp - %s\nWritten by %s. Edit it and\nre-run `gnuplot %s.gp` in "
      "this folder to re-render %s.png and\n%s.svg. Override with -e: "
      "pngterm (pngcairo or png), png_out,\nsvg_out, formats ('png svg').",
      name, about, writer, name, name, name);
  GString *s = g_string_new ("# ");
  plots_gp_comment (s, head);
  g_string_append (s, "\nif (!exists('pngterm')) pngterm = 'pngcairo'\n"
                   "if (!exists('png_out')) png_out = ");
  plots_gp_quoted (s, png);
  g_string_append (s, "\nif (!exists('svg_out')) svg_out = ");
  plots_gp_quoted (s, svg);
  g_string_append (s, "\nif (!exists('formats')) formats = 'png svg'\n"
                   "set title ");
  plots_gp_quoted (s, title);
  g_string_append (s, " noenhanced\nset xlabel ");
  plots_gp_quoted (s, xlabel);
  g_string_append (s, " noenhanced\nset ylabel ");
  plots_gp_quoted (s, ylabel);
  g_string_append (s, " noenhanced\nset grid\nset key noenhanced\n");
  return s;
}

void
plots_script_subtitle (GString *s, const char *subtitle)
{
  if (subtitle == NULL || *subtitle == '\0')
    return;
  /* A second title line, in grey, between the title and the graph; in
   * character units from the graph's top edge, so it sits right at any
   * terminal size. */
  g_string_append (s, "set tmargin 4.5\nset title offset 0,0.4\n"
                   "set label 1001 ");
  plots_gp_quoted (s, subtitle);
  g_string_append (s, " at graph 0.5, graph 1 center offset 0,1.1 "
                   "noenhanced textcolor rgb '#555555'\n");
}

/* The head of one of the run folder's plots. */
static GString *
plots_script_begin (const char *name, const char *title, const char *xlabel,
                    const char *ylabel, const PlotsData *pd)
{
  GString *s = plots_script_new (name, plots_caption (name),
                                 "`faultline plot` (docs/plots-and-report.md)",
                                 title, xlabel, ylabel);
  plots_script_subtitle (s, pd->subtitle);
  return s;
}

void
plots_script_end (GString *s, const char *plot_cmd)
{
  /* No eval: the terminal is chosen by comparison, so no variable's text
   * is ever run as a command. */
  g_string_append_printf (
      s,
      "do for [fmt in formats] {\n"
      "  if (fmt eq 'png') {\n"
      "    if (pngterm eq 'png') {\n"
      "      set terminal png size 1100,600 noenhanced\n"
      "    } else {\n"
      "      set terminal pngcairo size 1100,600 noenhanced\n"
      "    }\n"
      "    set output png_out\n"
      "  } else {\n"
      "    set terminal svg size 1100,600 dynamic noenhanced "
      "background rgb 'white'\n"
      "    set output svg_out\n"
      "  }\n"
      "  %s\n"
      "  unset output\n"
      "}\n",
      plot_cmd);
}

/* The node states of node-states.png, bottom of the stack first: the
 * long-lived states (down, quarantined, in repair) at the bottom, the
 * short ones on top; with their colours. */
static const struct
{
  int col;           /* index in ts_cols */
  const char *color;
} plots_stack[] = {
  { 10, "#4d4d4d" }, /* down */
  { 9, "#d62728" },  /* quarantined */
  { 7, "#ff7f0e" },  /* in_repair */
  { 8, "#bcbd22" },  /* burn_in */
  { 6, "#9467bd" },  /* remediating */
  { 5, "#17becf" },  /* draining */
  { 4, "#1f77b4" },  /* cordoned */
  { 3, "#e377c2" },  /* suspect */
};

static GString *
plots_script (const char *name, const PlotsData *pd)
{
  GString *s;
  g_autoptr (GString) p = g_string_new (NULL);
  if (strcmp (name, "node-states") == 0)
    {
      s = plots_script_begin (name, "Nodes that are not healthy, by state "
                              "(stacked)", pd->xlabel, "nodes", pd);
      g_string_append (s, "set key outside right top\nset yrange [0:*]\n"
                       "set style fill solid 1.0 noborder\n");
      if (pd->stack_max < 6)
        g_string_append (s, "set ytics 1\nset yrange [0:6]\n");
      /* Stacked steps: each state is drawn as the step curve of its sum
       * with every state below it, filled to the axis, from the top of
       * the stack down, so each band shows through above the next. A
       * state that is 0 throughout is left out (the key stays short). */
      int shown[G_N_ELEMENTS (plots_stack)];
      size_t n = 0;
      for (size_t i = 0; i < G_N_ELEMENTS (plots_stack); i++)
        if (pd->nonzero[plots_stack[i].col])
          shown[n++] = (int) i;
      if (n == 0)
        shown[n++] = 0; /* all healthy: an empty "down" band, and a key */
      g_string_append (p, "plot ");
      for (size_t k = n; k-- > 0;)
        {
          g_string_append_printf (p, "%s'timeseries.dat' using ($1/xs):(",
                                  k + 1 < n ? ", " : "");
          for (size_t j = 0; j <= k; j++)
            g_string_append_printf (p, "%s$%d", j ? "+" : "",
                                    plots_stack[shown[j]].col + 1);
          g_string_append_printf (p, ") with fillsteps lc rgb '%s' title '%s'",
                                  plots_stack[shown[k]].color,
                                  ts_cols[plots_stack[shown[k]].col]);
        }
    }
  else if (strcmp (name, "healthy-gpus") == 0)
    {
      g_autofree char *of = isfinite (pd->gpus) ? plots_grouped (pd->gpus)
                                                : NULL;
      g_autofree char *yl = of ? g_strdup_printf ("healthy GPUs (of %s)", of)
                               : g_strdup ("healthy GPUs");
      s = plots_script_begin (name, "GPUs on healthy nodes", pd->xlabel, yl,
                              pd);
      g_string_append (s, "set key bottom right\n");
      g_string_append (p, "plot 'timeseries.dat' using ($1/xs):2 with steps "
                       "lw 2 lc rgb '#2ca02c' title 'healthy GPUs'");
    }
  else if (strcmp (name, "main-job-progress") == 0)
    {
      g_autofree char *count = plots_grouped ((double) pd->n_marks);
      double days = pd->tmax / 24.0;
      char rate[G_ASCII_DTOSTR_BUF_SIZE];
      g_ascii_formatd (rate, sizeof rate, "%.3g",
                       days > 0 ? (double) pd->n_marks / days : 0.0);
      g_autofree char *t = g_strdup_printf (
          "Main job progress%s%s%s: %s interruptions, %s per day",
          pd->main_job ? " (" : "", pd->main_job ? pd->main_job : "",
          pd->main_job ? ")" : "", count, rate);
      s = plots_script_begin (name, t, pd->xlabel,
                              "work done (% of the job's total)", pd);
      g_autofree char *bins = pd->bin_h >= 24
          ? g_strdup_printf ("%g-day bins", pd->bin_h / 24)
          : g_strdup_printf ("%g-hour bins", pd->bin_h);
      g_string_append_printf (s, "pscale = %g\nset yrange [0:105]\n"
                              "set ytics nomirror\nset y2tics\n"
                              "set key top left opaque box\n", pd->pscale);
      if (pd->n_marks > 0)
        {
          /* Bars in the lower part of the plot, under the progress line. */
          g_string_append (s, "set y2range [0:");
          plots_gp_number (s, pd->rate_max * 2);
          g_string_append (s, "]\nset y2label ");
          g_autofree char *y2 = g_strdup_printf ("interruptions per day (%s)",
                                                 bins);
          plots_gp_quoted (s, y2);
          g_string_append (s, " noenhanced\nset style fill solid 0.45 "
                           "noborder\n");
          g_string_append (p, "plot 'interruption_rate.dat' using ($1/xs):4:"
                           "($2/xs) axes x1y2 with boxes lc rgb '#d62728' "
                           "title 'interruptions per day (right axis)', ");
        }
      else
        g_string_append (p, "plot ");
      g_string_append (p, "'timeseries.dat' using ($1/xs):($16*pscale) with "
                       "lines lw 2.5 lc rgb '#1f77b4' title 'progress'");
    }
  else if (strcmp (name, "main-job-ettr") == 0)
    {
      s = plots_script_begin (name, "Effective training time ratio (ETTR) "
                              "of the main job", pd->xlabel,
                              "ETTR (productive time / elapsed time)", pd);
      g_string_append (s, "set yrange [0:1.05]\nset key bottom right\n");
      g_string_append (p, "plot 'timeseries.dat' using ($1/xs):17 with lines "
                       "lw 2 lc rgb '#9467bd' title 'ETTR'");
    }
  else
    {
      g_assert (strcmp (name, "interruptions-by-cause") == 0);
      g_autofree char *total = plots_grouped (pd->cause_sum);
      g_autofree char *t = g_strdup_printf ("Interruptions by root cause "
                                            "(%s in all)", total);
      s = plots_script_begin (name, t, "interruptions", "", pd);
      /* Horizontal bars, the most frequent on top: a cause's name is
       * written in full on the left whatever its length, and its count at
       * the end of its bar, inside the x range. */
      g_string_append_printf (s, "set style fill solid 0.85 border -1\n"
                              "set yrange [%zu.5:-0.5]\nset xrange [0:",
                              pd->n_causes - 1);
      plots_gp_number (s, MAX (pd->cause_max, 1) * 1.12);
      g_string_append (s, "]\nset ytics scale 0 noenhanced\nunset key\n"
                       "set grid xtics noytics\nunset ylabel\n");
      g_string_append (p, "plot 'by_cause.dat' using (0):0:(0):2:($0-0.35):"
                       "($0+0.35):ytic(1) with boxxyerror lc rgb '#1f77b4', "
                       "'' using 2:0:(sprintf(' %d', $2)) with labels left");
    }
  if (strcmp (name, "interruptions-by-cause") != 0)
    g_string_append_printf (s, "xs = %g\nset autoscale xfix\n", pd->xs);
  plots_script_end (s, p->str);
  return s;
}

/* Whether plot NAME has data to show. */
static bool
plots_has_data (const char *name, const PlotsData *pd)
{
  if (strcmp (name, "main-job-progress") == 0)
    return pd->have[TS_PROGRESS];
  if (strcmp (name, "main-job-ettr") == 0)
    return pd->have[TS_ETTR];
  if (strcmp (name, "interruptions-by-cause") == 0)
    return pd->n_causes > 0;
  if (strcmp (name, "healthy-gpus") == 0)
    return pd->have[TS_HEALTHY_GPUS];
  return true;
}

/* ---- running gnuplot ---- */

static bool
plots_spawn (const char *gnuplot, const char *cwd, const char *const *args,
             char **err_out, GError **error)
{
  GPtrArray *argv = g_ptr_array_new ();
  g_ptr_array_add (argv, (gpointer) gnuplot);
  for (const char *const *a = args; *a; a++)
    g_ptr_array_add (argv, (gpointer) *a);
  g_ptr_array_add (argv, NULL);
  int status = 0;
  g_autofree char *out = NULL;
  bool ok = g_spawn_sync (cwd, (char **) argv->pdata, NULL,
                          G_SPAWN_SEARCH_PATH, NULL, NULL, &out, err_out,
                          &status, error);
  g_ptr_array_free (argv, TRUE);
  return ok && g_spawn_check_wait_status (status, NULL);
}

/* pngcairo when this gnuplot has it, else the libgd png terminal. */
static const char *
plots_png_terminal (const char *gnuplot, const char *cwd)
{
  const char *args[] = { "-e", "set terminal pngcairo", NULL };
  g_autofree char *err = NULL;
  if (plots_spawn (gnuplot, cwd, args, &err, NULL)
      && (err == NULL || strstr (err, "unknown") == NULL))
    return "pngcairo";
  return "png";
}

static bool
plots_run_one (const char *gnuplot, const char *out, const char *name,
               const char *pngterm, const PlotsOptions *opt, GError **error)
{
  g_autofree char *png = g_strdup_printf ("%s.png", name);
  g_autofree char *svg = g_strdup_printf ("%s.svg", name);
  g_autofree char *png_tmp = g_strdup_printf ("%s.tmp.%d", png, (int) getpid ());
  g_autofree char *svg_tmp = g_strdup_printf ("%s.tmp.%d", svg, (int) getpid ());
  g_autofree char *formats = g_strdup_printf (
      "%s%s%s", opt->no_png ? "" : "png",
      opt->no_png || opt->no_svg ? "" : " ", opt->no_svg ? "" : "svg");
  g_autoptr (GString) vars = g_string_new ("pngterm=");
  plots_gp_quoted (vars, pngterm);
  g_string_append (vars, "; png_out=");
  plots_gp_quoted (vars, png_tmp);
  g_string_append (vars, "; svg_out=");
  plots_gp_quoted (vars, svg_tmp);
  g_string_append (vars, "; formats=");
  plots_gp_quoted (vars, formats);
  g_autofree char *script = g_strdup_printf ("%s.gp", name);
  const char *args[] = { "-e", vars->str, script, NULL };
  g_autofree char *err = NULL;
  g_autoptr (GError) local = NULL;
  bool ok = plots_spawn (gnuplot, out, args, &err, &local);
  const char *tmps[2] = { png_tmp, svg_tmp };
  const char *finals[2] = { png, svg };
  bool want[2] = { !opt->no_png, !opt->no_svg };
  for (int i = 0; ok && i < 2; i++)
    {
      g_autofree char *tp = g_build_filename (out, tmps[i], NULL);
      GStatBuf st;
      if (want[i] && (g_stat (tp, &st) != 0 || st.st_size == 0))
        ok = false;
    }
  if (!ok)
    {
      for (int i = 0; i < 2; i++)
        {
          g_autofree char *tp = g_build_filename (out, tmps[i], NULL);
          g_unlink (tp);
        }
      g_autofree char *msg = g_strstrip (g_strdup (err ? err : ""));
      g_set_error (error, PLOTS_ERROR, PLOTS_ERROR_GNUPLOT,
                   "%s/%s.gp: gnuplot failed: %s", out, name,
                   local ? local->message
                   : *msg ? msg : "no output written");
      return false;
    }
  for (int i = 0; i < 2; i++)
    if (want[i])
      {
        g_autofree char *tp = g_build_filename (out, tmps[i], NULL);
        g_autofree char *fp = g_build_filename (out, finals[i], NULL);
        if (g_rename (tp, fp) != 0)
          {
            int e = errno;
            g_set_error (error, PLOTS_ERROR, PLOTS_ERROR_IO,
                         "%s: cannot rename into place: %s", fp,
                         g_strerror (e));
            g_unlink (tp);
            return false;
          }
      }
  return true;
}

/* The gnuplot program of opt (see PlotsOptions), found on PATH, or NULL.
 * Returns: (transfer full). */
static char *
plots_find_gnuplot (const PlotsOptions *opt)
{
  const char *env = g_getenv ("FAULTLINE_GNUPLOT");
  const char *prog = opt->gnuplot ? opt->gnuplot : env && *env ? env : "gnuplot";
  return g_find_program_in_path (prog);
}

bool
plots_run_script (const char *dir, const char *name, PlotsOptions *opt,
                  GError **error)
{
  g_return_val_if_fail (dir != NULL && name != NULL && opt != NULL, false);
  g_autofree char *gnuplot = plots_find_gnuplot (opt);
  opt->gnuplot_missing = gnuplot == NULL;
  if (gnuplot == NULL)
    return true;
  const char *pngterm = opt->no_png ? "png" : plots_png_terminal (gnuplot, dir);
  if (!plots_run_one (gnuplot, dir, name, pngterm, opt, error))
    return false;
  opt->n_rendered++;
  return true;
}

bool
plots_render (const char *dir, PlotsOptions *opt, GError **error)
{
  g_return_val_if_fail (dir != NULL, false);
  g_return_val_if_fail (error == NULL || *error == NULL, false);
  PlotsOptions defaults = { 0 };
  if (opt == NULL)
    opt = &defaults;
  opt->gnuplot_missing = false;
  opt->n_rendered = 0;

  g_autofree char *ts = g_build_filename (dir, "timeseries.csv", NULL);
  if (!g_file_test (ts, G_FILE_TEST_EXISTS))
    {
      g_set_error (error, PLOTS_ERROR, PLOTS_ERROR_INPUT,
                   "%s: not found (is %s a run folder written by "
                   "`faultline run`?)", ts, dir);
      return false;
    }
  g_autofree char *out = g_build_filename (dir, "plots", NULL);
  bool created = !g_file_test (out, G_FILE_TEST_EXISTS);
  if (g_mkdir_with_parents (out, 0755) != 0)
    {
      int e = errno;
      g_set_error (error, PLOTS_ERROR, PLOTS_ERROR_IO, "%s: cannot create: %s",
                   out, g_strerror (e));
      return false;
    }

  PlotsData pd = { 0 };
  plots_read_summary (dir, &pd);
  bool ok = plots_write_timeseries (dir, out, &pd, error)
            && plots_find_main_job (dir, &pd.main_job, error)
            && plots_write_interruptions (dir, out, &pd, error)
            && plots_write_causes (dir, out, &pd, error);
  for (size_t i = 0; ok && i < plots_n_names; i++)
    {
      if (!plots_has_data (plots_names[i], &pd))
        {
          /* No data: remove what an earlier render left, so the folder
           * never shows a plot of other data. */
          static const char *const ext[] = { "gp", "png", "svg" };
          for (size_t k = 0; k < G_N_ELEMENTS (ext); k++)
            {
              g_autofree char *fn = g_strdup_printf ("%s/%s.%s", out,
                                                     plots_names[i], ext[k]);
              g_unlink (fn);
            }
          continue;
        }
      g_autoptr (GString) s = plots_script (plots_names[i], &pd);
      g_autofree char *fn = g_strdup_printf ("%s.gp", plots_names[i]);
      ok = plots_write_file (out, fn, s, error);
    }
  if (!ok)
    {
      g_free (pd.main_job);
      g_free (pd.subtitle);
      if (created)
        atomicfile_remove_tree (out);
      return false;
    }

  g_autofree char *gnuplot = plots_find_gnuplot (opt);
  if (gnuplot == NULL)
    {
      opt->gnuplot_missing = true;
      g_free (pd.main_job);
      g_free (pd.subtitle);
      return true;
    }
  const char *pngterm = opt->no_png ? "png" : plots_png_terminal (gnuplot, out);
  for (size_t i = 0; ok && i < plots_n_names; i++)
    {
      if (!plots_has_data (plots_names[i], &pd))
        continue;
      ok = plots_run_one (gnuplot, out, plots_names[i], pngterm, opt, error);
      if (ok)
        opt->n_rendered++;
    }
  g_free (pd.main_job);
  g_free (pd.subtitle);
  if (!ok && created)
    atomicfile_remove_tree (out);
  return ok;
}
