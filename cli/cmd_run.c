/* cli/cmd_run.c - `faultline run`. (being written) */
#include "cli.h"

int
cmd_run (int argc, char **argv)
{
  cli_error ("run", "not implemented yet");
  return FL_EXIT_INTERNAL;
}
