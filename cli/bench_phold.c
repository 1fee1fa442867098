/* cli/bench_phold.c - `faultline bench phold`. (being written) */
#include "cli.h"

int
bench_phold_main (int argc, char **argv)
{
  cli_error ("bench phold", "not implemented yet");
  return FL_EXIT_INTERNAL;
}
