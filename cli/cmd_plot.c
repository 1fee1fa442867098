/* cli/cmd_plot.c - `faultline plot`. (being written) */
#include "cli.h"

int
cmd_plot (int argc, char **argv)
{
  cli_error ("plot", "not implemented yet");
  return FL_EXIT_INTERNAL;
}
