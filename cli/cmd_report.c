/* cli/cmd_report.c - `faultline report`. (being written) */
#include "cli.h"

int
cmd_report (int argc, char **argv)
{
  cli_error ("report", "not implemented yet");
  return FL_EXIT_INTERNAL;
}
