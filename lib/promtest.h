/* lib/promtest.h - `faultline promtest RULES.yml RUN -o TEST.yml`: a
 * `promtool test rules` file whose input series are a simulated run's
 * time series, with the alerts the rules fire on them written out as the
 * expected alerts, for a person to review and keep as a regression test
 * of the rules (docs/monitoring.md, "Testing alert rules").
 *
 * How:
 *  1. RULES.yml is read with libyaml for its alert names and the metric
 *     names its expressions mention; `promtool check rules` validates it.
 *  2. The run's OpenMetrics file (`run --metrics`; RUN is that file or a
 *     run folder holding metrics.om) is read strictly. The samples lie on
 *     a grid (the scrape interval, found as the greatest common divisor of
 *     the sample times); every series of a metric the rules mention
 *     becomes one input series in promtool's expanding notation ("119x3",
 *     "_x5" for the intervals it was not scraped). Test time 0 is the
 *     file's first sample, simulated time 0 for faultline's own files.
 *  3. promtool is run once on a probe file that asks, every `eval_every`,
 *     for each alert and expects none (every minute by default, the
 *     evaluation interval, so an alert that fires briefly is seen); the alerts it reports as "got" are
 *     what the rules fire.
 *  4. For each alert the output keeps an alert_rule_test at the first
 *     probe time and at each probe time where the alert's firing set
 *     changed (labels and annotations), each preceded by a comment with
 *     the simulated state then (unschedulable nodes, GPUs with an Xid,
 *     links down), so the reviewer can judge each expectation against
 *     the incident. The file is checked with `promtool test rules` before
 *     it is written (atomically).
 *
 * Errors: FL_ERROR_INPUT (exit 2) for bad files and options, a missing or
 * failing promtool, or an output promtool's format we cannot read. */
#pragma once

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>

/* FlPromtestOptions, FlPromtestResult and fl_promtest () are public:
 * faultline.h. */
#include "faultline.h"

/* ---- the pieces, exposed for the unit tests and the fuzz harness ---- */

/* An OpenMetrics text read for promtest. */
typedef struct PromSeriesSet PromSeriesSet;

/* Parses OpenMetrics TEXT (LEN bytes) named NAME in messages. Keeps the
 * series whose sample name is in WANT (a set of names; NULL: all).
 * Returns: (transfer full), or NULL with an FL_ERROR_INPUT "NAME:LINE: ...". */
PromSeriesSet *prom_series_parse (const char *text, size_t len,
                                  const char *name, GHashTable *want,
                                  GError **error);
void prom_series_free (PromSeriesSet *s);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (PromSeriesSet, prom_series_free)
/* The grid: first sample time (ms since the Unix epoch), step (ms, >= 1)
 * and the number of grid points to the last sample. */
void prom_series_grid (const PromSeriesSet *s, int64_t *origin_ms,
                       int64_t *step_ms, int64_t *points);
/* Kept series, and the i-th one's selector ('name{labels}') and values in
 * promtool's expanding notation. (transfer none) */
guint prom_series_count (const PromSeriesSet *s);
const char *prom_series_selector (const PromSeriesSet *s, guint i);
const char *prom_series_values (const PromSeriesSet *s, guint i);

/* The alert names (in order, each once) and the identifiers of every
 * expression of a Prometheus rule file's TEXT, named NAME in messages.
 * FALSE with FL_ERROR_INPUT "NAME:LINE:COL: ..." on bad YAML or a file
 * that is not a rule file. */
bool prom_rules_parse (const char *text, size_t len, const char *name,
                       GPtrArray *alerts, GHashTable *idents, GError **error);

/* Parses a Prometheus duration ("1d2h30m", "90s", "500ms", "0s") into
 * milliseconds; FALSE if S is not one. */
bool prom_duration_parse (const char *s, int64_t *ms);
/* Formats MS (>= 0) as a Prometheus duration. Returns: (transfer full). */
char *prom_duration_format (int64_t ms);
