/* lib/metrictab.h - the table of a run's metrics: one row per key of
 * summary.json's "metrics", with its type, unit, direction, default
 * comparison tolerance, label and definition.
 *
 * Everything that names a metric reads this table: lib/results.c writes
 * summary.json's metrics in its order, lib/compare.c takes directions and
 * tolerances from it, the report, the plots and `faultline run`'s printed
 * summary take labels, units and rounding from it, and the documentation
 * (docs/summary.schema.json, the metric tables of docs/results.md and
 * docs/ci.md) is generated from it: tests/output/test_metrictab.c fails
 * when a file and the table disagree, and `ninja -C build docs-metrics`
 * rewrites them. Not here: computing a metric (models/), formatting JSON
 * (lib/results.c). */
#pragma once

#include <glib.h>
#include <stdbool.h>
#include <stddef.h>

typedef enum
{
  METRICTAB_NUMBER,   /* a double (null when NaN and nullable) */
  METRICTAB_COUNT,    /* an integer (uint64_t in Metrics) */
  METRICTAB_BY_CAUSE, /* an object: root cause -> count (GArray * of
                       * MetricsCause) */
  METRICTAB_BY_JOB,   /* an object: job name -> number, null when NaN
                       * (GArray * of MetricsJobTime) */
} MetrictabKind;

typedef enum
{
  METRICTAB_FRACTION,  /* 0..1 */
  METRICTAB_EVENTS,    /* a count */
  METRICTAB_HOURS,
  METRICTAB_MINUTES,
  METRICTAB_GPU_HOURS,
} MetrictabUnit;

typedef enum
{
  METRICTAB_HIGHER_BETTER,
  METRICTAB_LOWER_BETTER,
  METRICTAB_INFORMATIONAL, /* reported, never a comparison verdict */
} MetrictabDirection;

typedef struct
{
  const char *name;        /* key in summary.json "metrics" */
  MetrictabKind kind;
  bool nullable;           /* null = not measured (a NaN in Metrics) */
  MetrictabUnit unit;
  MetrictabDirection direction;
  double tolerance_pct;    /* default compare tolerance, % of |baseline| */
  double tolerance_abs;    /* changes this small never give a verdict */
  bool compare_required;   /* compare refuses a summary without it */
  bool headline;           /* printed summary, report headline, sweep plots */
  bool null_is_infinite;   /* null means +infinity (never interrupted) */
  int decimals;            /* digits after the point shown to a person */
  const char *label;       /* "ETTR", "mean time to interruption" */
  const char *summary;     /* one line (the schema's description) */
  const char *definition;  /* docs/results.md's definition (markdown) */
  size_t offset;           /* of the field in Metrics (models/metrics.h) */
} MetrictabEntry;

/* The metrics in summary.json order. Returns: (transfer none) n_out rows. */
const MetrictabEntry *metrictab_entries (size_t *n_out);
/* The row of key NAME, or NULL. */
const MetrictabEntry *metrictab_find (const char *name);

/* The unit as docs and tables print it: "0..1", "count", "h", "min",
 * "GPU-h". */
const char *metrictab_unit_name (MetrictabUnit u);
/* "higher", "lower", "info". */
const char *metrictab_direction_name (MetrictabDirection d);

/* The value of e in m (a Metrics *, models/metrics.h); NaN for the
 * objects (by cause, by job). */
double metrictab_value (const MetrictabEntry *e, const void *metrics);

/* A value rounded for a person, with its unit: "91.2 %" (fractions as
 * percent), "3.10 h", "12 min", "1,234 GPU-h", "419"; "-" for NaN (not
 * measured; "never" when e->null_is_infinite). with_unit false leaves the
 * unit out. Returns: (transfer full). */
char *metrictab_format (const MetrictabEntry *e, double v, bool with_unit);

/* ---- the documents generated from the table ---- */

/* docs/summary.schema.json, the whole file. Returns: (transfer full). */
char *metrictab_schema_json (void);
/* The metric table of docs/results.md (markdown, a final newline).
 * Returns: (transfer full). */
char *metrictab_results_md (void);
/* The direction and tolerance table of docs/ci.md. Returns: (transfer
 * full). */
char *metrictab_ci_md (void);
