/* lib/plots.h - the plots of a run folder, rendered by gnuplot.
 *
 * plots_render() reads the CSV files of a run folder (docs/results.md),
 * writes clean data files and one gnuplot script per plot into DIR/plots/
 * (kept, so a user can edit a script and re-run `gnuplot NAME.gp` there),
 * then runs gnuplot to make NAME.png and NAME.svg. gnuplot is looked up on
 * PATH at run time; without it the data files and scripts are still
 * written and opt->gnuplot_missing says so (a warning, not an error).
 *
 * Also the small RFC 4180 CSV reader the report shares (PlotsTable).
 * Not a plotting library: the five plots are fixed (docs/plots-and-
 * report.md); not a CSV library either (no streaming, whole file in RAM). */
#pragma once

#include <glib.h>
#include <json-glib/json-glib.h>
#include <stdbool.h>
#include <stddef.h>

#define PLOTS_ERROR (plots_error_quark ())
GQuark plots_error_quark (void);
typedef enum
{
  PLOTS_ERROR_INPUT,   /* a missing or malformed CSV (names file:line) */
  PLOTS_ERROR_IO,      /* cannot write into DIR/plots */
  PLOTS_ERROR_GNUPLOT, /* gnuplot failed (message holds its stderr) */
} PlotsError;

typedef struct
{
  /* in: gnuplot program (a path or a name looked up on PATH); NULL means
   * $FAULTLINE_GNUPLOT if set, else "gnuplot". */
  const char *gnuplot;
  /* in: skip the PNG / SVG outputs (both are made by default). */
  bool no_png;
  bool no_svg;
  /* out: gnuplot was not found; only data files and scripts were written.
   * The caller prints "faultline: gnuplot not found; wrote data files
   * only" and carries on (exit 0). */
  bool gnuplot_missing;
  /* out: the number of plots rendered (each as PNG and/or SVG). */
  unsigned n_rendered;
} PlotsOptions;

/* The plot names, in report order (NAME.gp, NAME.png, NAME.svg). */
extern const char *const plots_names[];
extern const size_t plots_n_names;
/* A one-line caption of plot NAME, or NULL for an unknown name. */
const char *plots_caption (const char *name);

/* Renders the plots of run folder DIR into DIR/plots/. DIR must hold
 * timeseries.csv; interruptions.csv, interruptions_by_cause.csv and
 * jobs.csv are used when present (a plot whose data is missing is
 * skipped). OPT may be NULL (defaults; a missing gnuplot is then silent).
 * Every file is written to a temporary name and renamed into place.
 * Returns false with error set on bad input, an I/O error or a gnuplot
 * failure; true otherwise, including when gnuplot is missing. */
bool plots_render (const char *dir, PlotsOptions *opt, GError **error);

/* ---- gnuplot scripts, for other writers of plots (lib/sweep.c) ----
 * A script made of plots_script_new, the caller's own settings and plot
 * command, and plots_script_end renders NAME.png and NAME.svg the way the
 * run folder's plots do, and re-renders with a plain `gnuplot NAME.gp`. */

/* No text reaches gnuplot in a way it could evaluate: gnuplot runs
 * `backquoted` text in double-quoted strings and in commands as a shell
 * command, and expands @macros outside strings. So every text from a run,
 * a scenario or the command line goes through one of these three (and no
 * script of ours uses double-quoted strings, eval, system or macros):
 *
 * Appends text as a gnuplot string literal in single quotes, where gnuplot
 * expands nothing (no `command`, no @macro, no \ escapes); ' is doubled,
 * control characters (line breaks) become spaces. */
void plots_gp_quoted (GString *s, const char *text);
/* Appends text as one field of a data file: in double quotes (which
 * gnuplot's data reader takes literally, without evaluation), " as ',
 * control characters as spaces. */
void plots_gp_datafield (GString *s, const char *text);
/* Appends text as the body of a script comment that starts with "# " on
 * the current line: each line break starts a new "# " line and a line's
 * trailing backslashes (a continuation in gnuplot) are dropped. */
void plots_gp_comment (GString *s, const char *text);
/* Appends v as a gnuplot number (%.10g), NaN when not finite. */
void plots_gp_number (GString *s, double v);
/* The head of script NAME.gp: a comment saying what it shows (about) and
 * who wrote it (writer, e.g. "`faultline sweep` (docs/sweep.md)"), the
 * variables -e may override (pngterm, png_out, svg_out, formats), the
 * title and axis labels, a grid and a key. Returns: (transfer full). */
GString *plots_script_new (const char *name, const char *about,
                           const char *writer, const char *title,
                           const char *xlabel, const char *ylabel);
/* Appends a grey second title line (the scenario, seed, size and the
 * params that differ from the scenario's defaults); NULL or "" appends
 * nothing. */
void plots_script_subtitle (GString *s, const char *subtitle);
/* The subtitle of a run from its summary.json object o: "llama3-16k.lua,
 * seed 7, 17,408 GPUs, 54 days; spares=64 (default 128)". NULL when o
 * names none of them. Returns: (transfer full). */
char *plots_subtitle (JsonObject *o);
/* Appends the render loop: plot_cmd once per format in `formats`. */
void plots_script_end (GString *s, const char *plot_cmd);
/* Runs gnuplot on DIR/NAME.gp, giving DIR/NAME.png and DIR/NAME.svg (each
 * written to a temporary name and renamed into place). gnuplot, no_png and
 * no_svg as in PlotsOptions; a missing gnuplot sets opt->gnuplot_missing
 * and returns true; a failing one returns false with PLOTS_ERROR_GNUPLOT. */
bool plots_run_script (const char *dir, const char *name, PlotsOptions *opt,
                       GError **error);

/* ---- CSV tables (RFC 4180: quoted fields, "" escapes, CRLF or LF) ---- */

typedef struct
{
  char *path;          /* the file, for messages */
  char **header;       /* column names (NULL-terminated) */
  size_t n_cols;
  GPtrArray *rows;     /* of char ** (NULL-terminated, n_cols fields) */
  GArray *lines;       /* of guint: the file line where each row starts */
} PlotsTable;

/* Reads PATH. A row with a field count different from the header's, or an
 * unterminated quote, is an error naming PATH:LINE. Returns: (transfer
 * full) or NULL with PLOTS_ERROR_INPUT set. */
PlotsTable *plots_table_read (const char *path, GError **error);
/* NULL is a no-op. */
void plots_table_free (PlotsTable *t);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (PlotsTable, plots_table_free)
/* Index of column NAME, or -1. */
int plots_table_column (const PlotsTable *t, const char *name);
/* Field (row, col). Returns: (transfer none). */
const char *plots_table_get (const PlotsTable *t, size_t row, size_t col);
/* Field (row, col) as a number: an empty field is NaN; text that is not a
 * number is an error naming PATH:LINE, the column and the value. */
bool plots_table_number (const PlotsTable *t, size_t row, size_t col,
                         double *out, GError **error);
