/* tests/output/metric_docs.c - prints a document generated from the metric
 * table (lib/metrictab.h): `metric-docs schema` (docs/summary.schema.json),
 * `metric-docs results` and `metric-docs ci` (the generated tables of
 * docs/results.md and docs/ci.md). Used by `ninja -C build docs-metrics`
 * (tests/output/update_metric_docs.sh); test_metrictab checks the files. */
#include <stdio.h>
#include <string.h>

#include <glib.h>

#include "metrictab.h"

int
main (int argc, char **argv)
{
  if (argc != 2)
    {
      fprintf (stderr, "usage: metric-docs schema|results|ci\n");
      return 2;
    }
  g_autofree char *text = strcmp (argv[1], "schema") == 0
                          ? metrictab_schema_json ()
                          : strcmp (argv[1], "results") == 0
                          ? metrictab_results_md ()
                          : strcmp (argv[1], "ci") == 0 ? metrictab_ci_md ()
                                                        : NULL;
  if (text == NULL)
    {
      fprintf (stderr, "metric-docs: unknown document '%s'\n", argv[1]);
      return 2;
    }
  fputs (text, stdout);
  return fflush (stdout) == 0 ? 0 : 1;
}
