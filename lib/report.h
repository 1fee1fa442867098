/* lib/report.h - a run folder as one self-contained HTML file.
 *
 * The report holds: the summary (every member of summary.json, headline
 * metrics first, with units read from the key names), the plots of
 * DIR/plots/ inlined as PNG data: URIs, interruptions by cause, the first
 * REPORT_MAX_INTERRUPTIONS rows of interruptions.csv with the total count,
 * and the job table. No external resource of any kind (no CDN, no web
 * fonts, no script), so it opens offline and can be mailed or attached to
 * a ticket. Every string from the run is escaped.
 *
 * Not a renderer of plots: call plots_render() first (faultline report
 * does); missing plots are listed as missing. */
#pragma once

#include <glib.h>
#include <stdbool.h>

#define REPORT_ERROR (report_error_quark ())
GQuark report_error_quark (void);
typedef enum
{
  REPORT_ERROR_INPUT, /* missing or malformed summary.json or CSV */
  REPORT_ERROR_IO,    /* cannot write the report */
} ReportError;

/* Rows of interruptions.csv shown in the report; the rest are counted. */
#define REPORT_MAX_INTERRUPTIONS 500

/* Writes the report of run folder DIR to OUT_PATH (NULL: DIR/report.html)
 * atomically. DIR must hold summary.json; the CSVs are used when present.
 * Returns false with error set (naming the file, and the line for a CSV)
 * on bad input or an I/O error. */
bool report_write (const char *dir, const char *out_path, GError **error);
