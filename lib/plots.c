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
#include <glib/gstdio.h>
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
    "Nodes in each non-healthy state of the health state machine over time.",
    "GPUs on healthy nodes over time.",
    "Progress of the main job (share of its work done); red lines mark its "
    "interruptions (interruptions.csv).",
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
  size_t n_marks;     /* interruptions of the main job */
  char *main_job;     /* name of the main job, or NULL */
  size_t n_causes;
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
      for (size_t c = 0; c < TS_N; c++)
        {
          double v;
          if (!plots_table_number (t, r, (size_t) idx[c], &v, error))
            return false;
          if (c > 0)
            g_string_append_c (s, ' ');
          plots_gp_number (s, v);
          if (isfinite (v))
            {
              pd->have[c] = true;
              if (c == TS_T)
                tmax = MAX (tmax, v);
              if (c == TS_PROGRESS)
                pmax = MAX (pmax, v);
            }
        }
      g_string_append_c (s, '\n');
    }
  pd->xs = tmax > 96.0 ? 24.0 : 1.0;
  pd->xlabel = tmax > 96.0 ? "time since the start of the run (days)"
                           : "time since the start of the run (h)";
  /* main_job_progress is a fraction of the job's work (0..1); a column
   * already in percent is left as it is. */
  pd->pscale = pmax > 1.0 + 1e-9 ? 1.0 : 100.0;
  return plots_write_file (out, "timeseries.dat", s, error);
}

/* The main job: the one with the most GPUs in jobs.csv (the first on a
 * tie). NULL when jobs.csv is absent or empty. */
static bool
plots_find_main_job (const char *dir, char **main_job, GError **error)
{
  g_autofree char *path = g_build_filename (dir, "jobs.csv", NULL);
  *main_job = NULL;
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
  double best = -1.0;
  for (size_t r = 0; r < t->rows->len; r++)
    {
      double g;
      if (!plots_table_number (t, r, (size_t) cg, &g, error))
        return false;
      if (isfinite (g) && g > best)
        {
          best = g;
          g_free (*main_job);
          *main_job = g_strdup (plots_table_get (t, r, (size_t) cn));
        }
    }
  return true;
}

static bool
plots_write_interruptions (const char *dir, const char *out, PlotsData *pd,
                           GError **error)
{
  g_autofree char *path = g_build_filename (dir, "interruptions.csv", NULL);
  g_autoptr (GString) s = g_string_new (
      "# interruptions.dat - times (h) of the main job's interruptions, "
      "from interruptions.csv\n# 1:t_h 2:cause\n");
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
          pd->n_marks++;
        }
    }
  return plots_write_file (out, "interruptions.dat", s, error);
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
    }
  pd->n_causes = causes->len;
  return plots_write_file (out, "by_cause.dat", s, error);
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

/* The head of one of the run folder's plots. */
static GString *
plots_script_begin (const char *name, const char *title, const char *xlabel,
                    const char *ylabel)
{
  return plots_script_new (name, plots_caption (name),
                           "`faultline plot` (docs/plots-and-report.md)",
                           title, xlabel, ylabel);
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

static GString *
plots_script (const char *name, const PlotsData *pd)
{
  GString *s;
  g_autoptr (GString) p = g_string_new (NULL);
  if (strcmp (name, "node-states") == 0)
    {
      s = plots_script_begin (name, "Nodes by state (healthy nodes: see "
                              "healthy-gpus)", pd->xlabel, "nodes");
      g_string_append (s, "set key outside right top\nset yrange [0:*]\n");
      g_string_append (p, "plot ");
      for (int c = TS_SUSPECT; c <= TS_DOWN; c++)
        g_string_append_printf (p, "%s'timeseries.dat' using ($1/xs):%d "
                                "with steps lw 2 title '%s'",
                                c > TS_SUSPECT ? ", " : "", c + 1,
                                ts_cols[c]);
    }
  else if (strcmp (name, "healthy-gpus") == 0)
    {
      s = plots_script_begin (name, "GPUs on healthy nodes", pd->xlabel,
                              "healthy GPUs");
      g_string_append (s, "set key bottom right\n");
      g_string_append (p, "plot 'timeseries.dat' using ($1/xs):2 with steps "
                       "lw 2 lc rgb '#2ca02c' title 'healthy GPUs'");
    }
  else if (strcmp (name, "main-job-progress") == 0)
    {
      g_autofree char *t = g_strdup_printf (
          "Main job progress%s%s%s, %zu interruptions",
          pd->main_job ? " (" : "", pd->main_job ? pd->main_job : "",
          pd->main_job ? ")" : "", pd->n_marks);
      s = plots_script_begin (name, t, pd->xlabel,
                              "work done (% of the job's total)");
      g_string_append_printf (s, "pscale = %g\nset yrange [0:105]\n"
                              "set key top left opaque box\n", pd->pscale);
      g_string_append (p, "plot ");
      if (pd->n_marks > 0)
        g_string_append (p, "'interruptions.dat' using ($1/xs):(105) with "
                         "impulses lw 1 lc rgb '#d62728' title "
                         "'interruption', ");
      g_string_append (p, "'timeseries.dat' using ($1/xs):($16*pscale) with "
                       "lines lw 2 lc rgb '#1f77b4' title 'progress'");
    }
  else if (strcmp (name, "main-job-ettr") == 0)
    {
      s = plots_script_begin (name, "Effective training time ratio (ETTR) "
                              "of the main job", pd->xlabel,
                              "ETTR (productive time / elapsed time)");
      g_string_append (s, "set yrange [0:1.05]\nset key bottom right\n");
      g_string_append (p, "plot 'timeseries.dat' using ($1/xs):17 with lines "
                       "lw 2 lc rgb '#9467bd' title 'ETTR'");
    }
  else
    {
      g_assert (strcmp (name, "interruptions-by-cause") == 0);
      s = plots_script_begin (name, "Interruptions by root cause",
                              "root cause", "interruptions");
      g_string_append (s, "set style fill solid 0.85 border -1\n"
                       "set boxwidth 0.7\nset xtics rotate by -35 scale 0 "
                       "noenhanced\nset bmargin 11\nset yrange [0:*]\n"
                       "set offsets 0.5, 0.5, 0, 0\nunset key\n"
                       "set grid noxtics ytics\n");
      g_string_append (p, "plot 'by_cause.dat' using 0:2:xtic(1) with boxes "
                       "lc rgb '#1f77b4', '' using 0:2:(sprintf('%d', $2)) "
                       "with labels offset 0,0.8");
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
      if (created)
        atomicfile_remove_tree (out);
      return false;
    }

  g_autofree char *gnuplot = plots_find_gnuplot (opt);
  if (gnuplot == NULL)
    {
      opt->gnuplot_missing = true;
      g_free (pd.main_job);
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
  if (!ok && created)
    atomicfile_remove_tree (out);
  return ok;
}
