/* lib/report.h - `faultline report`: self-contained HTML pages to paste
 * into a design review.
 *
 * Three pages, each one file with no external resource of any kind (no
 * CDN, no web fonts, no script), so it opens offline and can be mailed or
 * attached to a ticket; every string from a run is escaped:
 *
 * - a run folder: headline numbers first (a small table with units, the
 *   main job's and the fleet's), the params that differ from the
 *   scenario's defaults, then the plots of DIR/plots/ inlined as PNG, then
 *   the details (every member of summary.json, interruptions by cause, the
 *   first REPORT_MAX_INTERRUPTIONS rows of interruptions.csv, the jobs);
 * - a sweep folder: the headline metrics of every point (mean and 95% CI),
 *   the sweep's plots (each headline metric against the first grid axis
 *   with its CI band), then a table per point;
 * - two runs or two sweeps: lib/compare.h's verdicts, the warnings when
 *   the two differ in scenario or params, then both runs' plots side by
 *   side.
 *
 * Not a renderer of plots: call plots_render() first (fl_report_write
 * does); missing plots are listed as missing. docs/plots-and-report.md. */
#pragma once

#include <glib.h>
#include <stdbool.h>

#define REPORT_ERROR (report_error_quark ())
GQuark report_error_quark (void);
typedef enum
{
  REPORT_ERROR_INPUT, /* missing or malformed summary.json, sweep.json, CSV */
  REPORT_ERROR_IO,    /* cannot write the report */
} ReportError;

/* Rows of interruptions.csv shown in the report; the rest are counted. */
#define REPORT_MAX_INTERRUPTIONS 500

/* Writes the report of run folder DIR to OUT_PATH (NULL: DIR/report.html)
 * atomically. DIR must hold summary.json; the CSVs are used when present.
 * Returns false with error set (naming the file, and the line for a CSV)
 * on bad input or an I/O error. */
bool report_write (const char *dir, const char *out_path, GError **error);

/* Whether DIR is a sweep folder (holds sweep.json). */
bool report_is_sweep (const char *dir);

/* The page of sweep folder DIR (sweep.json, the PNGs of DIR/plots) to OUT_PATH
 * (NULL: DIR/report.html). */
bool report_write_sweep (const char *dir, const char *out_path,
                         GError **error);

/* The comparison page of BASELINE and CANDIDATE (two run folders or
 * summary.json files, or two sweep folders) to OUT_PATH, which must not
 * be NULL. Default tolerances (docs/ci.md). */
bool report_write_compare (const char *baseline, const char *candidate,
                           const char *out_path, GError **error);
