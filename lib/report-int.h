/* lib/report-int.h - what the three pages of `faultline report` share:
 * the page frame (head, inline CSS, title, the generator line that marks
 * a file as ours), escaping, inlined PNG figures and number cells. Only
 * lib/report*.c include it. */
#pragma once

#include <glib.h>
#include <json-glib/json-glib.h>
#include <stdbool.h>

#include "metrictab.h"
#include "report.h"

/* Appends text HTML-escaped (NULL as ""). */
void report_esc (GString *s, const char *text);
/* A new page: doctype, head with the CSS, <h1>HEADING</h1>. Returns:
 * (transfer full). */
GString *report_page_begin (const char *title, const char *heading);
/* Closes page and writes it to path atomically. */
bool report_page_finish (GString *page, const char *path, GError **error);
/* Appends <figure id=ID> with PATH inlined as a PNG data: URI and the
 * caption, when PATH is a regular file; *found says whether it was.
 * Errors: PATH unreadable (REPORT_ERROR_INPUT). */
bool report_figure (GString *s, const char *path, const char *id,
                    const char *alt, const char *caption, bool *found,
                    GError **error);
/* Loads PATH (what: "summary.json") into parser and returns its top-level
 * object, or NULL with REPORT_ERROR_INPUT naming the file. */
JsonObject *report_load_object (JsonParser *parser, const char *path,
                                const char *what, GError **error);
/* A JSON member as a double: NaN for null, a missing member or a
 * non-number. */
double report_number (JsonObject *o, const char *member);
/* <td class="num"> with v rounded for a person by the metric table (with
 * its unit); "-" in grey for NaN. */
void report_metric_td (GString *s, const MetrictabEntry *e, double v);
/* The file name of a scenario path ("llama3-16k.lua"). Returns: (transfer
 * full). */
char *report_scenario_name (const char *path);
