/* tests/policy/plugin_ctor.c - a .so whose constructor creates the file
 * named by $FL_CTOR_MARK, and that does not export
 * faultline_health_policy(): tests/cli/test_hostile.sh checks that a
 * refused plugin is never loaded (its constructor never runs). */
#include <stdio.h>
#include <stdlib.h>

__attribute__ ((constructor)) static void
plugin_ctor_ran (void)
{
  const char *mark = getenv ("FL_CTOR_MARK");
  FILE *f = mark != NULL ? fopen (mark, "w") : NULL;
  if (f != NULL)
    fclose (f);
}
