/* lib/tools-outputs.c - what `faultline compare`, `faultline plot` and
 * `faultline report` do, as the public API (faultline.h): the comparison of
 * two runs or two sweeps in one of four formats, a run folder's plots, and
 * the HTML pages. The work itself is lib/compare.c, lib/sweep-compare.c,
 * lib/plots.c and lib/report*.c; this file gives it fl_ names, FL_ERROR
 * errors and the choices the command line used to make (which kind of
 * comparison, where a report goes, whether an existing file may be
 * replaced, which plots to render first). cli/ parses options and prints. */
#include "faultline.h"

#include <stdio.h>
#include <string.h>

#include "compare.h"
#include "plots.h"
#include "report.h"
#include "sweep-compare.h"

/* Re-homes an error of lib/'s own domains (compare, plots, report, GLib's
 * file errors) as FL_ERROR_INPUT, keeping the message: every one of them
 * is the input or the environment, never a bug (exit status 2). */
static void
input_error (GError **error, GError *src)
{
  if (src == NULL)
    return;
  g_set_error_literal (error, FL_ERROR, FL_ERROR_INPUT, src->message);
  g_error_free (src);
}

/* ---- compare ---- */

struct FlCompareOptions
{
  CompareOptions *opt;
};

struct FlComparison
{
  Comparison *run;        /* two runs, or NULL */
  SweepComparison *sweep; /* two sweeps, or NULL */
};

static CompareFormat
compare_format_of (FlCompareFormat f)
{
  switch (f)
    {
    case FL_COMPARE_JSON: return COMPARE_FORMAT_JSON;
    case FL_COMPARE_MARKDOWN: return COMPARE_FORMAT_MARKDOWN;
    case FL_COMPARE_JUNIT: return COMPARE_FORMAT_JUNIT;
    case FL_COMPARE_TABLE: break;
    }
  return COMPARE_FORMAT_TABLE;
}

bool
fl_compare_format_parse (const char *name, FlCompareFormat *out,
                         GError **error)
{
  g_return_val_if_fail (name != NULL && out != NULL, false);
  GError *err = NULL;
  CompareFormat f;
  if (!compare_format_parse (name, &f, &err))
    {
      input_error (error, err);
      return false;
    }
  switch (f)
    {
    case COMPARE_FORMAT_JSON: *out = FL_COMPARE_JSON; break;
    case COMPARE_FORMAT_MARKDOWN: *out = FL_COMPARE_MARKDOWN; break;
    case COMPARE_FORMAT_JUNIT: *out = FL_COMPARE_JUNIT; break;
    case COMPARE_FORMAT_TABLE: *out = FL_COMPARE_TABLE; break;
    }
  return true;
}

FlCompareOptions *
fl_compare_options_new (void)
{
  FlCompareOptions *o = g_new0 (FlCompareOptions, 1);
  o->opt = compare_options_new ();
  return o;
}

void
fl_compare_options_free (FlCompareOptions *opt)
{
  if (opt == NULL)
    return;
  compare_options_free (opt->opt);
  g_free (opt);
}

bool
fl_compare_options_set_tolerance (FlCompareOptions *opt, const char *spec,
                                  GError **error)
{
  g_return_val_if_fail (opt != NULL && spec != NULL, false);
  GError *err = NULL;
  if (!compare_options_set_tolerance (opt->opt, spec, &err))
    {
      input_error (error, err);
      return false;
    }
  return true;
}

FlComparison *
fl_compare (const char *baseline, const char *candidate,
            const FlCompareOptions *opt, GError **error)
{
  g_return_val_if_fail (baseline != NULL && candidate != NULL, NULL);
  CompareOptions *defaults = opt == NULL ? compare_options_new () : NULL;
  const CompareOptions *o = opt != NULL ? opt->opt : defaults;
  GError *err = NULL;
  FlComparison *c = g_new0 (FlComparison, 1);
  if (sweep_compare_is_sweep (baseline) || sweep_compare_is_sweep (candidate))
    c->sweep = sweep_compare_dirs (baseline, candidate, o, &err);
  else
    c->run = compare_files (baseline, candidate, o, &err);
  compare_options_free (defaults);
  if (c->run == NULL && c->sweep == NULL)
    {
      input_error (error, err);
      g_free (c);
      return NULL;
    }
  return c;
}

bool
fl_comparison_regression (const FlComparison *c)
{
  g_return_val_if_fail (c != NULL, false);
  return c->run != NULL ? c->run->regression : c->sweep->regression;
}

size_t
fl_comparison_n_warnings (const FlComparison *c)
{
  g_return_val_if_fail (c != NULL, 0);
  return c->run != NULL ? c->run->warnings->len : 0;
}

const char *
fl_comparison_warning (const FlComparison *c, size_t i)
{
  g_return_val_if_fail (c != NULL, NULL);
  if (i >= fl_comparison_n_warnings (c))
    return NULL;
  return c->run->warnings->pdata[i];
}

/* Two sweeps in FORMAT: the table and JSON are sweep-compare's own;
 * markdown and JUnit render each point with the single-run formats. */
static char *
format_sweeps (const SweepComparison *c, FlCompareFormat format)
{
  switch (format)
    {
    case FL_COMPARE_JSON:
      return sweep_compare_format_json (c);
    case FL_COMPARE_TABLE:
      return sweep_compare_format_table (c);
    case FL_COMPARE_MARKDOWN:
    case FL_COMPARE_JUNIT:
      break;
    }
  g_autofree const Comparison **cmps = g_new0 (const Comparison *,
                                               c->points->len + 1);
  g_autofree const char **names = g_new0 (const char *, c->points->len + 1);
  for (guint i = 0; i < c->points->len; i++)
    {
      const SweepComparePoint *p = c->points->pdata[i];
      cmps[i] = p->cmp;
      names[i] = p->point;
    }
  if (format == FL_COMPARE_MARKDOWN)
    return compare_format_markdown_points (cmps, names, c->points->len,
                                           c->baseline, c->candidate);
  return compare_format_junit_points (cmps, names, c->points->len);
}

char *
fl_comparison_format (const FlComparison *c, FlCompareFormat format)
{
  g_return_val_if_fail (c != NULL, NULL);
  if (c->sweep != NULL)
    return format_sweeps (c->sweep, format);
  return compare_format (c->run, compare_format_of (format));
}

void
fl_comparison_free (FlComparison *c)
{
  if (c == NULL)
    return;
  if (c->run != NULL)
    compare_free (c->run);
  if (c->sweep != NULL)
    sweep_compare_free (c->sweep);
  g_free (c);
}

/* ---- plots ---- */

bool
fl_plot_render (const char *dir, const FlPlotOptions *opt, FlPlotResult *res,
                GError **error)
{
  g_return_val_if_fail (dir != NULL, false);
  PlotsOptions po = { 0 };
  if (opt != NULL)
    {
      po.gnuplot = opt->gnuplot;
      po.no_png = opt->no_png;
      po.no_svg = opt->no_svg;
    }
  GError *err = NULL;
  bool ok = plots_render (dir, &po, &err);
  if (res != NULL)
    {
      res->gnuplot_missing = po.gnuplot_missing ? 1 : 0;
      res->rendered = po.n_rendered;
    }
  input_error (error, err);
  return ok;
}

/* ---- reports ---- */

void
fl_report_options_init (FlReportOptions *opt)
{
  g_return_if_fail (opt != NULL);
  memset (opt, 0, sizeof *opt);
  opt->plots = true;
}

/* Whether PATH is absent, or a report we wrote (its generator line within
 * the first bytes): anything else is not ours to replace. */
static bool
report_replaceable (const char *path)
{
  if (!g_file_test (path, G_FILE_TEST_EXISTS))
    return true;
  if (!g_file_test (path, G_FILE_TEST_IS_REGULAR))
    return false;
  FILE *f = fopen (path, "rb");
  if (f == NULL)
    return false;
  char head[1024];
  size_t n = fread (head, 1, sizeof head - 1, f);
  fclose (f);
  head[n] = '\0';
  return strstr (head, "<meta name=\"generator\" content=\"faultline "
                 "report\">") != NULL;
}

static bool
report_check_target (const char *target, GError **error)
{
  if (report_replaceable (target))
    return true;
  g_set_error (error, FL_ERROR, FL_ERROR_INPUT, "%s exists and is not a "
               "faultline report: not replacing it (choose another -o, or "
               "remove it)", target);
  return false;
}

/* A run named for a report: a run folder, or (file_ok: a comparison) a
 * summary.json. */
static bool
report_check_run (const char *path, bool file_ok, GError **error)
{
  if (file_ok && g_file_test (path, G_FILE_TEST_IS_REGULAR))
    return true;
  g_autofree char *summary = g_build_filename (path, "summary.json", NULL);
  /* Present but not a regular file: report_write says what it is. */
  if (!g_file_test (summary, G_FILE_TEST_EXISTS))
    {
      g_set_error (error, FL_ERROR, FL_ERROR_INPUT, "%s: not found (is %s a "
                   "run folder written by `faultline run`, or a sweep "
                   "folder?)", summary, path);
      return false;
    }
  return true;
}

/* Renders the PNG plots of run folder DIR for its report, unless it has
 * no timeseries.csv. */
static bool
report_plots (const char *dir, FlPlotResult *res, GError **error)
{
  g_autofree char *ts = g_build_filename (dir, "timeseries.csv", NULL);
  if (!g_file_test (ts, G_FILE_TEST_EXISTS))
    return true;
  FlPlotOptions po = { .no_svg = true }; /* the report inlines PNG */
  FlPlotResult pr = { 0 };
  bool ok = fl_plot_render (dir, &po, &pr, error);
  res->gnuplot_missing += pr.gnuplot_missing;
  res->rendered += pr.rendered;
  return ok;
}

bool
fl_report_write (const char *dir, const FlReportOptions *opt,
                 FlPlotResult *res, GError **error)
{
  g_return_val_if_fail (dir != NULL, false);
  FlReportOptions defaults;
  fl_report_options_init (&defaults);
  if (opt == NULL)
    opt = &defaults;
  FlPlotResult pr = { 0 };
  bool sweep = report_is_sweep (dir);
  g_autofree char *target = opt->output != NULL
      ? g_strdup (opt->output) : g_build_filename (dir, "report.html", NULL);
  GError *err = NULL;
  bool ok = report_check_target (target, error);
  if (ok && sweep)
    {
      ok = report_write_sweep (dir, target, &err);
      input_error (error, err);
    }
  else if (ok)
    {
      ok = report_check_run (dir, false, error)
           && (!opt->plots || report_plots (dir, &pr, error));
      if (ok)
        {
          ok = report_write (dir, target, &err);
          input_error (error, err);
        }
    }
  if (res != NULL)
    *res = pr;
  return ok;
}

bool
fl_report_write_compare (const char *baseline, const char *candidate,
                         const FlReportOptions *opt, FlPlotResult *res,
                         GError **error)
{
  g_return_val_if_fail (baseline != NULL && candidate != NULL, false);
  FlReportOptions defaults;
  fl_report_options_init (&defaults);
  if (opt == NULL)
    opt = &defaults;
  FlPlotResult pr = { 0 };
  g_autofree char *target = NULL;
  if (opt->output != NULL)
    target = g_strdup (opt->output);
  else
    {
      g_autofree char *cdir = g_file_test (candidate, G_FILE_TEST_IS_DIR)
          ? g_strdup (candidate) : g_path_get_dirname (candidate);
      target = g_build_filename (cdir, "compare.html", NULL);
    }
  bool ok = report_check_target (target, error);
  const char *const runs[] = { baseline, candidate };
  for (size_t i = 0; ok && i < G_N_ELEMENTS (runs); i++)
    {
      if (report_is_sweep (runs[i]))
        continue;
      ok = report_check_run (runs[i], true, error)
           && (!opt->plots || !g_file_test (runs[i], G_FILE_TEST_IS_DIR)
               || report_plots (runs[i], &pr, error));
    }
  if (ok)
    {
      GError *err = NULL;
      ok = report_write_compare (baseline, candidate, target, &err);
      input_error (error, err);
    }
  if (res != NULL)
    *res = pr;
  return ok;
}
