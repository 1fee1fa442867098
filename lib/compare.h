/* lib/compare.h - compares two runs' summary.json metric by metric and
 * decides, with tolerances, whether the candidate regressed.
 *
 * The rules (directions, default tolerances, null handling, replicas and
 * the Welch test) are documented in docs/ci.md; this header is the API.
 * It reads files and formats text; it prints nothing itself. */
#pragma once

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>

#define COMPARE_ERROR (compare_error_quark ())
GQuark compare_error_quark (void);
typedef enum
{
  COMPARE_ERROR_INVALID, /* bad file, bad JSON, missing metric, bad option */
} CompareError;

typedef enum
{
  COMPARE_HIGHER_BETTER,
  COMPARE_LOWER_BETTER,
  COMPARE_INFORMATIONAL, /* reported, never a verdict */
} CompareDirection;

typedef enum
{
  COMPARE_OK,         /* within tolerance (or informational) */
  COMPARE_IMPROVED,   /* better by more than the tolerance */
  COMPARE_REGRESSION, /* worse by more than the tolerance */
  COMPARE_NA,         /* a value is null on one side only: no verdict */
} CompareVerdict;

typedef struct
{
  char *metric;          /* "ettr", or "interruptions_by_cause.Faulty GPU" */
  CompareDirection direction;
  double baseline;       /* value, or mean over replicas; NaN for null */
  double candidate;
  double change;         /* candidate - baseline */
  double change_pct;     /* 100 x change / |baseline|; NaN when baseline 0 */
  double tolerance_pct;  /* relative tolerance used (NaN: informational) */
  double tolerance_abs;  /* absolute floor of the tolerance, metric units */
  uint32_t n_baseline;   /* replicas used (1 without replicas) */
  uint32_t n_candidate;
  double ci95_low;       /* 95% CI of candidate - baseline (Welch); NaN */
  double ci95_high;      /*   without replicas */
  CompareVerdict verdict;
} CompareRow;

typedef struct CompareOptions CompareOptions;

CompareOptions *compare_options_new (void); /* (transfer full), defaults */
void compare_options_free (CompareOptions *opt);
/* Parses "METRIC=PCT" (PCT a non-negative number, optional '%'). Errors
 * name the text and, for an unknown metric, list the valid ones. */
bool compare_options_set_tolerance (CompareOptions *opt, const char *spec,
                                    GError **error);

typedef struct
{
  char *baseline_path;   /* the summary.json files actually read */
  char *candidate_path;
  GArray *rows;          /* CompareRow, in the order of docs/results.md */
  bool regression;       /* any row is COMPARE_REGRESSION */
  GPtrArray *warnings;   /* char *: the runs differ in scenario or params */
} Comparison;

/* Compares two runs. Each path is a summary.json or a run folder holding
 * one. Returns: (transfer full) or NULL with COMPARE_ERROR_INVALID naming
 * the file and the problem. */
Comparison *compare_files (const char *baseline, const char *candidate,
                           const CompareOptions *opt, GError **error);
/* The same on summary texts already in memory (names are for messages). */
Comparison *compare_texts (const char *baseline, const char *baseline_name,
                           const char *candidate, const char *candidate_name,
                           const CompareOptions *opt, GError **error);
void compare_free (Comparison *c);

/* Output formats (docs/ci.md shows each). */
typedef enum
{
  COMPARE_FORMAT_TABLE,    /* aligned columns, then the regressions named */
  COMPARE_FORMAT_JSON,     /* every row, machine-readable */
  COMPARE_FORMAT_MARKDOWN, /* a table to post as a pull-request comment */
  COMPARE_FORMAT_JUNIT,    /* JUnit XML: one test case per metric */
} CompareFormat;

/* Parses "table", "json", "markdown" (or "md"), "junit". */
bool compare_format_parse (const char *name, CompareFormat *out,
                           GError **error);
/* The comparison in format f. Returns: (transfer full). */
char *compare_format (const Comparison *c, CompareFormat f);
/* The same, one format each. Returns: (transfer full). */
char *compare_format_table (const Comparison *c);
char *compare_format_json (const Comparison *c);
char *compare_format_markdown (const Comparison *c);
char *compare_format_junit (const Comparison *c);
/* The points of two sweeps (lib/sweep-compare.h), cmps[i] being point
 * points[i]: markdown with a section per point; JUnit with a testsuite per
 * point (classname faultline.compare.POINT). Returns: (transfer full). */
char *compare_format_markdown_points (const Comparison *const *cmps,
                                      const char *const *points, size_t n,
                                      const char *baseline,
                                      const char *candidate);
char *compare_format_junit_points (const Comparison *const *cmps,
                                   const char *const *points, size_t n);

const char *compare_verdict_name (CompareVerdict v); /* "ok", "REGRESSION" */
const char *compare_direction_name (CompareDirection d); /* "higher", ... */
