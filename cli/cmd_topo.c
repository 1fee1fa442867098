/* cli/cmd_topo.c - `faultline topo`. (being written) */
#include "cli.h"

int
cmd_topo (int argc, char **argv)
{
  cli_error ("topo", "not implemented yet");
  return FL_EXIT_INTERNAL;
}
