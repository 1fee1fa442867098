/* cli/cmd_compare.c - `faultline compare`. (being written) */
#include "cli.h"

int
cmd_compare (int argc, char **argv)
{
  cli_error ("compare", "not implemented yet");
  return FL_EXIT_INTERNAL;
}
