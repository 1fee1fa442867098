/* lib/sweep-compare.h - compares two sweep folders point by point: each
 * point present in both is compared with lib/compare.h on its
 * <point>/summary.json (means plus replicas: Welch's 95% CI of the change,
 * a REGRESSION only when the whole interval is worse than the tolerance,
 * docs/ci.md), and shown with each side's own 95% CI from sweep.json.
 * Reads files and formats text; prints nothing. docs/sweep.md, "Comparing
 * two sweeps". */
#pragma once

#include <glib.h>
#include <stdbool.h>

#include "compare.h"

typedef struct
{
  char *point;        /* the point's folder name */
  Comparison *cmp;    /* its metrics, compare_files() */
  /* each side's 95% CI of the mean per metric, from sweep.json:
   * index as cmp->rows; NaN where sweep.json has none (a count by cause) */
  double *base_low, *base_high, *cand_low, *cand_high;
} SweepComparePoint;

typedef struct
{
  char *baseline, *candidate;  /* the folders */
  GPtrArray *points;           /* SweepComparePoint *, baseline's order */
  GPtrArray *only_baseline;    /* point names (char *) */
  GPtrArray *only_candidate;
  bool regression;             /* a point regressed */
} SweepComparison;

/* Whether path is a folder holding a sweep.json. */
bool sweep_compare_is_sweep (const char *path);

/* Compares every point the two sweeps share. Errors
 * (COMPARE_ERROR_INVALID): a folder without sweep.json, a broken file, no
 * point in common. Returns: (transfer full). */
SweepComparison *sweep_compare_dirs (const char *baseline,
                                     const char *candidate,
                                     const CompareOptions *opt,
                                     GError **error);
void sweep_compare_free (SweepComparison *c);

/* One line per point and metric that is not "ok", plus ETTR for every
 * point; then the points found on one side only. Returns: (transfer
 * full). */
char *sweep_compare_format_table (const SweepComparison *c);
/* Everything, as JSON: {"baseline", "candidate", "regression", "points":
 * [{"point", "regression", "metrics": [... as compare --json, plus
 * baseline_ci95_low/high, candidate_ci95_low/high]}], "only_baseline",
 * "only_candidate"}. Returns: (transfer full). */
char *sweep_compare_format_json (const SweepComparison *c);
